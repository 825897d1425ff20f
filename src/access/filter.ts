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
  | { kind: 'unlabelled'; system: string; code: string; ura: string };
