export default async function globalTeardown(): Promise<void> {
  await globalThis.__SLUICE_TEST_STOP__?.();
}
