/** The one output format: `name: value unit (ratio × baseline)`, so runs can be diffed and grepped. */

export function line(name: string, value: number, unit: string, ratio: number, baseline: string): string {
  return `${name}: ${formatValue(value)} ${unit} (${ratio.toFixed(2)} × ${baseline})`;
}

function formatValue(v: number): string {
  if (v >= 100) return String(Math.round(v));
  if (v >= 10) return v.toFixed(1);
  return v.toFixed(2);
}

export const MISSED = 'MISSED TARGET';

/** Value at quantile q of an ascending array. */
export function percentile(sorted: number[], q: number): number {
  if (!sorted.length) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/** A positive integer from the environment, or the default. */
export function envInt(name: string, dflt: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return dflt;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number ≥ 0, got ${raw}`);
  return n;
}
