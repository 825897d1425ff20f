/**
 * Compile a SearchRequest into SQL over the index tables. The most selective criterion drives the query
 * (`r.id IN (…)`, evaluated once); every other criterion is an EXISTS probe on (type, id, param).
 * Same SQL for SQLite and PostgreSQL.
 */
import type { AccessFilter, ConsentSqlRule, IndexedLabel } from '../access/filter.ts';
import { InvalidSearch } from '../fhir/errors.ts';
import { dateRange, MAX_MS, MIN_MS } from '../lib/time.ts';
import { normaliseReference } from '../search/extract.ts';
import { normaliseString } from '../search/normalise.ts';
import type { IndexKind } from '../search/params.ts';
import { type Criterion, type SearchRequest, type SortSpec, splitPrefix } from '../search/request.ts';
import type { SqlValue } from './sql.ts';

export interface Fragment {
  sql: string;
  params: SqlValue[];
}

export const KIND_TABLE: Record<IndexKind, string> = {
  token: 'idx_token',
  uri: 'idx_token',
  string: 'idx_string',
  date: 'idx_date',
  reference: 'idx_ref',
  number: 'idx_number',
  quantity: 'idx_number',
};
const SORT_COLUMN: Record<IndexKind, string> = {
  token: 'code',
  uri: 'code',
  string: 'norm',
  date: 'lo',
  reference: 'target',
  number: 'value',
  quantity: 'value',
};
/** Lower is more selective; the first positive criterion in this order drives the query. */
const SELECTIVITY: Record<IndexKind, number> = { reference: 1, uri: 3, token: 4, string: 5, number: 6, quantity: 6, date: 7 };
const STRING_MAX = '\u{10FFFF}';

export interface CompiledWhere extends Fragment {
  /** when the search is driven by an index, the ids it matches (no resource rows touched): count these */
  matchIds?: Fragment;
}

/**
 * The search as SQL over `resources r`. When some criterion is positive, the most selective one drives an
 * id subquery over its index table, every other criterion and the access filter are covering-index probes
 * on the candidate id, and resource rows are read only for the page (deleted resources have no index rows).
 */
export function compileWhere(req: SearchRequest): CompiledWhere {
  const conds: string[] = ['r.type = ?'];
  const params: SqlValue[] = [req.type];
  const add = (f: Fragment) => {
    conds.push(f.sql);
    params.push(...f.params);
  };
  const indexed: Criterion[] = [];
  for (const c of req.criteria) {
    if (c.def.code === '_id' || c.def.code === '_lastUpdated') add(columnCondition(c));
    else indexed.push(c);
  }
  const ordered = [...indexed].sort((a, b) => rank(a) - rank(b));
  const driver = ordered[0] && isPositive(ordered[0]) ? ordered[0] : undefined;
  if (!driver) {
    conds.push('r.deleted = 0');
    for (const c of ordered) add(indexCondition(c, 'r'));
    if (req.access) add(accessCondition(req.access, 'r'));
    return { sql: conds.join(' AND '), params };
  }
  const inner = driverSubquery(req, driver, ordered.slice(1));
  add({ sql: `r.id IN (${inner.sql})`, params: inner.params });
  conds.push('r.deleted = 0');
  const onlyIndex = conds.length === 3; // type, the id subquery, deleted: the subquery alone decides
  return { sql: conds.join(' AND '), params, ...(onlyIndex ? { matchIds: inner } : {}) };
}

function driverSubquery(req: SearchRequest, driver: Criterion, probes: Criterion[]): Fragment {
  const match = anyOf(driver.values.map((v) => valueMatch(driver, v, 'x')));
  const parts: Fragment[] = [{ sql: `x.type = ? AND x.param = ? AND ${match.sql}`, params: [req.type, driver.def.code, ...match.params] }];
  for (const c of probes) parts.push(indexCondition(c, 'x'));
  if (req.access) parts.push(accessCondition(req.access, 'x'));
  return {
    sql: `SELECT DISTINCT x.id FROM ${KIND_TABLE[driver.def.kind]} x WHERE ${parts.map((p) => p.sql).join(' AND ')}`,
    params: parts.flatMap((p) => p.params),
  };
}

export function compileOrder(req: SearchRequest): Fragment {
  if (!req.sort.length) return { sql: 'r.id', params: [] };
  const params: SqlValue[] = [];
  const keys = req.sort.map((s) => {
    const k = sortKey(req, s);
    params.push(...k.params);
    return k.sql;
  });
  return { sql: `${keys.join(', ')}, r.id`, params };
}

function sortKey(req: SearchRequest, s: SortSpec): Fragment {
  const dir = s.descending ? 'DESC' : 'ASC';
  if (s.param === '_id') return { sql: `r.id ${dir}`, params: [] };
  if (s.param === '_lastUpdated') return { sql: `r.last_updated ${dir}`, params: [] };
  const def = req.criteria.find((c) => c.def.code === s.param)?.def;
  const kind = def?.kind ?? req.sortKinds?.[s.param] ?? 'token';
  const agg = s.descending ? 'MAX' : 'MIN';
  const col = SORT_COLUMN[kind];
  // resources without a value sort last in both directions
  const sub = `(SELECT ${agg}(x.${col}) FROM ${KIND_TABLE[kind]} x WHERE x.type = r.type AND x.id = r.id AND x.param = ?)`;
  return { sql: `CASE WHEN ${sub} IS NULL THEN 1 ELSE 0 END, ${sub} ${dir}`, params: [s.param, s.param] };
}

function rank(c: Criterion): number {
  if (!isPositive(c)) return 100;
  const systemCode = c.def.kind === 'token' && c.values.every((v) => v.includes('|') && !v.endsWith('|'));
  return SELECTIVITY[c.def.kind] - (systemCode ? 2 : 0) - (c.def.code === 'identifier' ? 2 : 0);
}

function isPositive(c: Criterion): boolean {
  return c.modifier !== 'missing' && c.modifier !== 'not';
}

function columnCondition(c: Criterion): Fragment {
  if (c.modifier === 'missing') return { sql: c.values[0] === 'true' ? '1 = 0' : '1 = 1', params: [] };
  if (c.def.code === '_id') return { sql: `r.id IN (${c.values.map(() => '?').join(', ')})`, params: c.values };
  return anyOf(c.values.map((v) => dateCondition(v, 'r.last_updated', 'r.last_updated', c.raw)));
}

/** A criterion as an EXISTS probe on (type, id, param) of the row aliased `on` (covered by the probe index). */
function indexCondition(c: Criterion, on: string): Fragment {
  const table = KIND_TABLE[c.def.kind];
  const probe = `p.type = ${on}.type AND p.id = ${on}.id AND p.param = ?`;
  if (c.modifier === 'missing') {
    const sql = `EXISTS (SELECT 1 FROM ${table} p WHERE ${probe})`;
    return { sql: c.values[0] === 'true' ? `NOT ${sql}` : sql, params: [c.def.code] };
  }
  const match = anyOf(c.values.map((v) => valueMatch(c, v, 'p')));
  const exists = `EXISTS (SELECT 1 FROM ${table} p WHERE ${probe} AND ${match.sql})`;
  return { sql: c.modifier === 'not' ? `NOT ${exists}` : exists, params: [c.def.code, ...match.params] };
}

function anyOf(parts: Fragment[]): Fragment {
  if (parts.length === 1) return parts[0] as Fragment;
  return { sql: `(${parts.map((p) => p.sql).join(' OR ')})`, params: parts.flatMap((p) => p.params) };
}

function valueMatch(c: Criterion, v: string, a: string): Fragment {
  switch (c.def.kind) {
    case 'token':
      return tokenMatch(c, v, a);
    case 'uri':
      return c.modifier === 'below'
        ? { sql: `${a}.system = '' AND ${a}.code LIKE ? ESCAPE '\\'`, params: [`${escapeLike(v)}%`] }
        : { sql: `${a}.system = '' AND ${a}.code = ?`, params: [v] };
    case 'string':
      return stringMatch(c, v, a);
    case 'date':
      return dateCondition(v, `${a}.lo`, `${a}.hi`, c.raw);
    case 'reference':
      return referenceMatch(c, v, a);
    case 'number':
    case 'quantity':
      return numberMatch(v, a);
  }
}

function tokenMatch(c: Criterion, v: string, a: string): Fragment {
  if (c.modifier === 'text') return { sql: `${a}.text >= ? AND ${a}.text < ?`, params: [normaliseString(v), normaliseString(v) + STRING_MAX] };
  const bar = v.indexOf('|');
  if (bar < 0) return { sql: `${a}.code = ?`, params: [v] };
  const system = v.slice(0, bar);
  const code = v.slice(bar + 1);
  if (code === '') return { sql: `${a}.system = ?`, params: [system] };
  return { sql: `${a}.code = ? AND ${a}.system = ?`, params: [code, system] };
}

function stringMatch(c: Criterion, v: string, a: string): Fragment {
  if (c.modifier === 'exact') return { sql: `${a}.raw = ?`, params: [v] };
  const n = normaliseString(v);
  if (c.modifier === 'contains') return { sql: `${a}.norm LIKE ? ESCAPE '\\'`, params: [`%${escapeLike(n)}%`] };
  return { sql: `${a}.norm >= ? AND ${a}.norm < ?`, params: [n, n + STRING_MAX] };
}

function referenceMatch(c: Criterion, v: string, a: string): Fragment {
  const typed = c.modifier && /^[A-Z]/.test(c.modifier) ? `${c.modifier}/${v}` : v;
  if (typed.includes('/')) return { sql: `${a}.target = ?`, params: [normaliseReference(typed)] };
  // a bare id matches that id in any of the parameter's target types
  const targets = c.def.targets.length ? c.def.targets : ['Resource'];
  return { sql: `${a}.target IN (${targets.map(() => '?').join(', ')})`, params: targets.map((t) => `${t}/${v}`) };
}

function numberMatch(raw: string, a: string): Fragment {
  const [prefix, rest] = splitPrefix(raw);
  const [num, system, code] = rest.split('|');
  const value = Number(num);
  const decimals = (num?.split('.')[1] ?? '').length;
  const half = 0.5 * 10 ** -decimals; // "100" means [99.5, 100.5): the precision of the value given
  const x = `${a}.value`;
  const ops: Record<string, Fragment> = {
    eq: { sql: `${x} >= ? AND ${x} < ?`, params: [value - half, value + half] },
    ne: { sql: `NOT (${x} >= ? AND ${x} < ?)`, params: [value - half, value + half] },
    gt: { sql: `${x} > ?`, params: [value] },
    lt: { sql: `${x} < ?`, params: [value] },
    ge: { sql: `${x} >= ?`, params: [value] },
    le: { sql: `${x} <= ?`, params: [value] },
    sa: { sql: `${x} > ?`, params: [value] },
    eb: { sql: `${x} < ?`, params: [value] },
    ap: { sql: `${x} >= ? AND ${x} <= ?`, params: [value * 0.9, value * 1.1] },
  };
  const f = ops[prefix] as Fragment;
  const extra: Fragment[] = [];
  if (system) extra.push({ sql: `${a}.system = ?`, params: [system] });
  if (code) extra.push({ sql: `${a}.code = ?`, params: [code] });
  return { sql: [f.sql, ...extra.map((e) => e.sql)].join(' AND '), params: [...f.params, ...extra.flatMap((e) => e.params)] };
}

const OWNER = 'https://spoedbrug.nl/fhir/CodeSystem/owner';

/** The access filter as SQL over alias `a` (docs/security.md explains each kind). */
export function accessCondition(f: AccessFilter, a: string): Fragment {
  const owned = {
    sql: `EXISTS (SELECT 1 FROM idx_token o WHERE o.type = ${a}.type AND o.id = ${a}.id AND o.param = '_tag' AND o.system = ? AND o.code = ?)`,
    params: [OWNER, 'ura' in f ? f.ura : ''],
  };
  switch (f.kind) {
    case 'all':
      return { sql: '1 = 1', params: [] };
    case 'allOf': {
      const parts = f.filters.map((x) => accessCondition(x, a));
      return parts.length ? { sql: parts.map((p) => `(${p.sql})`).join(' AND '), params: parts.flatMap((p) => p.params) } : { sql: '1 = 1', params: [] };
    }
    case 'consent': {
      const rules = f.rules.map((r) => consentRule(r, f.type, a));
      if (!rules.length) return { sql: '1 = 1', params: [] };
      return { sql: `(${owned.sql} OR (${rules.map((r) => r.sql).join(' AND ')}))`, params: [...owned.params, ...rules.flatMap((r) => r.params)] };
    }
    case 'none':
      return { sql: '1 = 0', params: [] };
    case 'owned':
      return owned;
    case 'workflow':
      if (!f.orgRef) return owned;
      return {
        sql: `(${owned.sql} OR EXISTS (SELECT 1 FROM idx_ref w WHERE w.type = ${a}.type AND w.id = ${a}.id AND w.param IN ('owner', 'requester') AND w.target = ?))`,
        params: [...owned.params, f.orgRef],
      };
    case 'unlabelled':
      return {
        sql: `(NOT EXISTS (SELECT 1 FROM idx_token l WHERE l.type = ${a}.type AND l.id = ${a}.id AND l.param = '_security' AND l.system = ? AND l.code = ?) OR ${owned.sql})`,
        params: [f.system, f.code, OWNER, f.ura],
      };
    case 'patient': {
      if (!f.orgRef) return owned;
      // Tasks addressed to the caller (as owner or requester)
      const myTasks = `SELECT ta.id FROM idx_ref ta WHERE ta.type = 'Task' AND ta.param IN ('owner', 'requester') AND ta.target = ?`;
      // what those Tasks point at: their patient, focus, encounter, basis
      const pointed = `SELECT tr.target FROM idx_ref tr WHERE tr.type = 'Task' AND tr.param IN ('subject', 'focus', 'encounter', 'based-on') AND tr.id IN (${myTasks})`;
      return {
        sql: `(${owned.sql} OR (${a}.type || '/' || ${a}.id) IN (${pointed}) OR EXISTS (SELECT 1 FROM idx_ref ps WHERE ps.type = ${a}.type AND ps.id = ${a}.id AND ps.param IN ('patient', 'subject') AND ps.target IN (${pointed})))`,
        params: [...owned.params, f.orgRef, f.orgRef],
      };
    }
  }
}

/** The resources of `type` carrying the label: one lookup per search (uncorrelated), not one per row. */
function labelled(l: IndexedLabel, type: string, a: string): Fragment {
  if (!l.codes.length) return { sql: '1 = 0', params: [] };
  return {
    sql: `${a}.id IN (SELECT lb.id FROM idx_token lb WHERE lb.type = ? AND lb.param = ? AND lb.code IN (${l.codes.map(() => '?').join(', ')}) AND lb.system = ?)`,
    params: [type, l.param, ...l.codes, l.system],
  };
}

/**
 * The resource is (about) one of these patients: a Patient itself, or by its patient/subject reference.
 * Uncorrelated, so the list is looked up once per search, not once per candidate row.
 */
function patientIn(refs: readonly string[], type: string, a: string): Fragment {
  if (!refs.length) return { sql: '1 = 0', params: [] };
  const list = refs.map(() => '?').join(', ');
  if (type === 'Patient') return { sql: `${a}.id IN (${list})`, params: refs.map((r) => r.slice('Patient/'.length)) };
  return {
    sql: `${a}.id IN (SELECT cp.id FROM idx_ref cp WHERE cp.type = ? AND cp.param IN ('patient', 'subject') AND cp.target IN (${list}))`,
    params: [type, ...refs],
  };
}

function hasPatient(a: string): Fragment {
  return {
    sql: `(${a}.type = 'Patient' OR EXISTS (SELECT 1 FROM idx_ref hp WHERE hp.type = ${a}.type AND hp.id = ${a}.id AND hp.param IN ('patient', 'subject') AND hp.target LIKE 'Patient/%'))`,
    params: [],
  };
}

/** One consent restriction as SQL: true when the resource may leave under it. */
function consentRule(r: ConsentSqlRule, type: string, a: string): Fragment {
  const scopes: Fragment[] = [];
  if (r.labelled) scopes.push(labelled(r.labelled, type, a));
  if (r.byType) {
    const other = r.unlessLabelled ? labelled(r.unlessLabelled, type, a) : { sql: '1 = 0', params: [] };
    scopes.push({ sql: `NOT ${other.sql}`, params: other.params });
  }
  const inScope = scopes.length ? { sql: `(${scopes.map((s) => s.sql).join(' OR ')})`, params: scopes.flatMap((s) => s.params) } : { sql: '1 = 0', params: [] };
  if (r.only) {
    const allowed = patientIn(r.only, type, a);
    const hp = hasPatient(a);
    return { sql: `NOT (${inScope.sql} AND ${hp.sql} AND NOT ${allowed.sql})`, params: [...inScope.params, ...allowed.params] };
  }
  const denied = patientIn(r.exclude ?? [], type, a);
  return { sql: `NOT (${inScope.sql} AND ${denied.sql})`, params: [...inScope.params, ...denied.params] };
}

/** R4 date search semantics (3.1.1.4.3): both the indexed value and the search value are ranges. */
export function dateCondition(raw: string, lo: string, hi: string, label: string): Fragment {
  const [prefix, value] = splitPrefix(raw);
  const range = dateRange(value);
  if (!range) throw InvalidSearch({ params: [label, 'not a FHIR date or dateTime'], expression: [label] });
  const [slo, shi] = range;
  const widen = Math.max(Math.abs(Date.now() - slo) * 0.1, 86400000);
  const ops: Record<string, Fragment> = {
    eq: { sql: `${lo} >= ? AND ${hi} <= ?`, params: [slo, shi] },
    ne: { sql: `NOT (${lo} >= ? AND ${hi} <= ?)`, params: [slo, shi] },
    gt: { sql: `${hi} > ?`, params: [shi] },
    lt: { sql: `${lo} < ?`, params: [slo] },
    ge: { sql: `${hi} >= ?`, params: [slo] },
    le: { sql: `${lo} <= ?`, params: [shi] },
    sa: { sql: `${lo} > ?`, params: [shi] },
    eb: { sql: `${hi} < ?`, params: [slo] },
    ap: { sql: `${lo} <= ? AND ${hi} >= ?`, params: [Math.min(shi + widen, MAX_MS), Math.max(slo - widen, MIN_MS)] },
  };
  return ops[prefix] as Fragment;
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (m) => `\\${m}`);
}
