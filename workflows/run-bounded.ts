/**
 * Runs `work` over the items with at most `limit` in flight, in item order. Deterministic inside a
 * workflow: each lane takes the next item when its previous one settles, and settle order comes
 * from history.
 */
export async function runBounded<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
}
