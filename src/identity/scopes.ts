/**
 * SMART on FHIR scopes for system clients: v2 `system/Task.cruds`, `system/*.rs`, and the v1 forms
 * `system/Task.read`, `system/*.write`, `system/*.*` (mapped onto the v2 letters).
 */
export type Permission = 'c' | 'r' | 'u' | 'd' | 's';
export interface Scope {
  type: string;
  permissions: ReadonlySet<Permission>;
}

const V1: Record<string, Permission[]> = { read: ['r', 's'], write: ['c', 'u', 'd'], '*': ['c', 'r', 'u', 'd', 's'] };
const SCOPE = /^system\/([A-Z][A-Za-z]+|\*)\.(\*|read|write|c?r?u?d?s?)$/;

export function parseScope(text: string): Scope | undefined {
  const m = SCOPE.exec(text.split('?')[0] as string);
  if (!m?.[2]) return undefined;
  const perms = V1[m[2]] ?? ([...m[2]] as Permission[]);
  return { type: m[1] as string, permissions: new Set(perms) };
}

export function parseScopes(text: string): Scope[] {
  return text
    .split(/\s+/)
    .filter(Boolean)
    .flatMap((s) => parseScope(s) ?? []);
}

export function allows(scopes: readonly Scope[], type: string, permission: Permission): boolean {
  return scopes.some((s) => (s.type === '*' || s.type === type) && s.permissions.has(permission));
}

/** The requested scopes, cut down to what the registration allows (never more). */
export function grantScopes(requested: string | undefined, allowed: readonly string[]): string[] {
  const allowedScopes = allowed.flatMap((a) => parseScope(a) ?? []);
  const wanted = requested?.trim() ? requested.split(/\s+/) : allowed;
  const granted: string[] = [];
  for (const w of wanted) {
    const s = parseScope(w);
    if (!s) continue;
    const perms = [...s.permissions].filter((p) => allowedScopes.some((a) => (a.type === '*' || a.type === s.type) && a.permissions.has(p)));
    if (perms.length) granted.push(`system/${s.type}.${order(perms)}`);
  }
  return granted;
}

function order(perms: Permission[]): string {
  return 'cruds'
    .split('')
    .filter((p) => perms.includes(p as Permission))
    .join('');
}
