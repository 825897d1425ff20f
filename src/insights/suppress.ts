/**
 * Small-cell suppression: aggregates of a few people can identify them (one night-time GGZ request from
 * a small village is one person). Every count from 1 to k − 1 is withheld, and a score with a withheld
 * input with it. Because a stratifier's strata partition the group, one withheld stratum could be
 * recomputed as the total minus the others: then the smallest other non-zero stratum is withheld too.
 * Zero is shown: it identifies no one.
 */

export interface Cell {
  counts: Map<string, number>;
  score?: number;
  /** population codes whose count is withheld */
  withheld: Set<string>;
}

export function suppress(total: Cell, strata: Array<Map<string, Cell>>, k: number): void {
  withholdSmall(total, k);
  for (const s of strata) {
    for (const cell of s.values()) withholdSmall(cell, k);
    for (const code of total.counts.keys()) if (!total.withheld.has(code)) protectComplement([...s.values()], code);
  }
}

function withholdSmall(cell: Cell, k: number): void {
  for (const [code, n] of cell.counts) if (n > 0 && n < k) cell.withheld.add(code);
}

/** With the total visible, exactly one withheld stratum would be derivable: withhold one more. */
function protectComplement(cells: Cell[], code: string): void {
  const withheld = cells.filter((c) => c.withheld.has(code) && (c.counts.get(code) ?? 0) > 0);
  if (withheld.length !== 1) return;
  const next = cells
    .filter((c) => !c.withheld.has(code) && (c.counts.get(code) ?? 0) > 0)
    .sort((a, b) => (a.counts.get(code) ?? 0) - (b.counts.get(code) ?? 0))[0];
  next?.withheld.add(code);
}
