/**
 * Access filters are part of the search itself (compiled into the SQL by the store), so Bundle.total, paging
 * and _include never count or show what the caller may not see.
 */
export type AccessFilter =
  | { kind: 'all' }
  | { kind: 'none' }
  /** resources carrying the caller's owner tag */
  | { kind: 'owned'; ura: string }
  /** Tasks it owns, requested, or is asked to perform */
  | { kind: 'workflow'; ura: string; orgRef?: string }
  /** patient data it owns, or that a Task addressed to it points at or is about */
  | { kind: 'patient'; ura: string; orgRef?: string }
  /** everything except resources carrying this meta.security label, unless the caller owns them (mobile-units.ts) */
  | { kind: 'unlabelled'; system: string; code: string; ura: string }
  /** every one of these */
  | { kind: 'allOf'; filters: readonly AccessFilter[] }
  /** the patients' consent for this recipient (src/policy/consent-filter.ts); the owner always passes */
  | { kind: 'consent'; ura: string; type: string; rules: readonly ConsentSqlRule[] };

/** A label kept in the token index: meta.tag (`_tag`) or meta.security (`_security`). */
export interface IndexedLabel {
  param: '_tag' | '_security';
  system: string;
  codes: readonly string[];
}

/**
 * One consent restriction: the resources it is about are those carrying `labelled`, or — when `byType` —
 * those of the searched type not carrying `unlessLabelled` (another data category's tag). Of those, the
 * ones of patients in `exclude` are withheld, or, with `only`, those of every patient not in it.
 */
export interface ConsentSqlRule {
  labelled?: IndexedLabel;
  byType?: boolean;
  unlessLabelled?: IndexedLabel;
  exclude?: readonly string[];
  only?: readonly string[];
}
