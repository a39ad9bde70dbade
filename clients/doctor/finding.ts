/** One line of `sluice doctor`'s report. */
export interface Finding {
  name: string;
  ok: boolean;
  detail: string;
  /** How to fix it, when it failed. */
  hint?: string;
}

export function formatFinding(finding: Finding): string {
  const mark = finding.ok ? 'ok  ' : 'FAIL';
  const lines = [`${mark}  ${finding.name}: ${finding.detail}`];
  if (!finding.ok && finding.hint) lines.push(`      fix: ${finding.hint}`);
  return lines.join('\n');
}
