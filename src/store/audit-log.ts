/**
 * The audit log (NEN 7513): AuditEvents are not ordinary resources here but rows of an append-only table,
 * one INSERT for the record plus one per patient, agent and entity reference it names — a fraction of a
 * resource write with its ~30 search-index rows, so every action can afford its record in its own
 * transaction. Triggers refuse UPDATE and DELETE in the database itself, so not even a bug in the
 * gateway can change evidence. The repository serves these rows as AuditEvent for read, search and
 * history; the search supports what an auditor asks: patient, agent, entity, date, action, outcome,
 * type, subtype, _id, sorted by date, paged.
 */
import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { ImmutableResource, ResourceNotFound, UnknownSearchParam } from '../fhir/errors.ts';
import { normaliseReference } from '../search/extract.ts';
import type { Criterion, SearchRequest } from '../search/request.ts';
import { dateCondition, type Fragment } from './search-sql.ts';
import { multiRowSql, type SqlConn, type SqlValue } from './sql.ts';
import type { HistoryEntry, HistoryPage, HistoryQuery, SearchResult } from './types.ts';

export const AUDIT_TYPE = 'AuditEvent';
const REF_KINDS = { patient: 'patient', agent: 'agent', entity: 'entity' } as const;
const AUDITABLE_PARAMS = new Set(['_id', 'date', 'patient', 'agent', 'entity', 'action', 'outcome', 'type', 'subtype']);

export function auditLogStatements(kind: 'sqlite' | 'postgres'): string[] {
  const bigint = kind === 'postgres' ? 'BIGINT' : 'INTEGER';
  const tables = [
    `CREATE TABLE IF NOT EXISTS audit_log (id TEXT PRIMARY KEY, recorded ${bigint} NOT NULL, action TEXT NOT NULL, outcome TEXT NOT NULL,
      type TEXT NOT NULL, subtype TEXT NOT NULL, content TEXT NOT NULL)`,
    'CREATE INDEX IF NOT EXISTS audit_log_recorded ON audit_log (recorded, id)',
    `CREATE TABLE IF NOT EXISTS audit_ref (kind TEXT NOT NULL, target TEXT NOT NULL, recorded ${bigint} NOT NULL, id TEXT NOT NULL,
      PRIMARY KEY (kind, target, recorded, id))${kind === 'sqlite' ? ' WITHOUT ROWID' : ''}`,
  ];
  return [...tables, ...(kind === 'postgres' ? pgAppendOnly() : sqliteAppendOnly())];
}

function sqliteAppendOnly(): string[] {
  return ['audit_log', 'audit_ref'].flatMap((t) =>
    ['UPDATE', 'DELETE'].map(
      (op) => `CREATE TRIGGER IF NOT EXISTS ${t}_no_${op.toLowerCase()} BEFORE ${op} ON ${t} BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END`,
    ),
  );
}

function pgAppendOnly(): string[] {
  return [
    `CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN RAISE EXCEPTION 'audit records are append-only'; END $$`,
    ...['audit_log', 'audit_ref'].flatMap((t) => [
      `CREATE OR REPLACE TRIGGER ${t}_no_change BEFORE UPDATE OR DELETE ON ${t} FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
      `CREATE OR REPLACE TRIGGER ${t}_no_truncate BEFORE TRUNCATE ON ${t} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
    ]),
  ];
}

/** Append one AuditEvent (its id already assigned) and the references an auditor searches by. */
export async function appendAudit(conn: SqlConn, event: AuditEvent & { id: string }): Promise<AuditEvent> {
  const stored: AuditEvent & { id: string } = { ...event, meta: { ...event.meta, versionId: '1', lastUpdated: new Date().toISOString() } };
  const given = Date.parse(event.recorded);
  const recorded = Number.isNaN(given) ? Date.now() : given;
  const subtype = ` ${(event.subtype ?? []).map((c) => c.code).join(' ')} `;
  await conn.run('INSERT INTO audit_log (id, recorded, action, outcome, type, subtype, content) VALUES (?, ?, ?, ?, ?, ?, ?)', [
    stored.id,
    recorded,
    event.action ?? '',
    event.outcome ?? '',
    event.type.code ?? '',
    subtype,
    JSON.stringify(stored),
  ]);
  // patients as 'patient' (an `entity` search looks there too), other entities as 'entity', agents as 'agent'
  const refs = new Set<string>();
  for (const e of event.entity ?? []) {
    const ref = e.what?.reference;
    if (!ref) continue;
    const target = normaliseReference(ref);
    refs.add(`${e.role?.code === '1' || target.startsWith('Patient/') ? REF_KINDS.patient : REF_KINDS.entity} ${target}`);
  }
  for (const a of event.agent) if (a.who?.reference) refs.add(`${REF_KINDS.agent} ${normaliseReference(a.who.reference)}`);
  if (!refs.size) return stored;
  // one statement for all of them: on PostgreSQL every statement is a round trip
  const values: SqlValue[] = [];
  for (const r of refs) {
    const cut = r.indexOf(' ');
    values.push(r.slice(0, cut), r.slice(cut + 1), recorded, stored.id);
  }
  await conn.run(multiRowSql('INSERT INTO audit_ref (kind, target, recorded, id) VALUES ', '(?, ?, ?, ?)', refs.size), values);
  return stored;
}

export async function readAudit(conn: SqlConn, id: string): Promise<Resource> {
  const row = (await conn.all('SELECT content FROM audit_log WHERE id = ?', [id]))[0];
  if (!row) throw ResourceNotFound({ params: [AUDIT_TYPE, id] });
  return JSON.parse(row.content as string) as Resource;
}

export function refuseChange(): never {
  throw ImmutableResource({ params: [AUDIT_TYPE] });
}

export async function searchAudit(conn: SqlConn, req: SearchRequest): Promise<SearchResult> {
  if (req.include.length || req.revinclude.length) throw UnknownSearchParam({ params: [req.include.length ? '_include' : '_revinclude', AUDIT_TYPE] });
  if (req.access?.kind === 'none') return { resources: [], included: [], ...(req.total !== 'none' ? { total: 0 } : {}) };
  const where = req.criteria.map(criterionSql);
  const sql = where.length ? `WHERE ${where.map((w) => `(${w.sql})`).join(' AND ')}` : '';
  const params = where.flatMap((w) => w.params);
  const dir = req.sort[0] ? (req.sort[0].descending ? 'DESC' : 'ASC') : 'ASC';
  if (req.sort.some((s) => s.param !== 'date')) throw UnknownSearchParam({ params: [`_sort=${req.sort.map((s) => s.param).join(',')}`, AUDIT_TYPE] });
  const rows = await conn.all(`SELECT content FROM audit_log ${sql} ORDER BY recorded ${dir}, id ${dir} LIMIT ? OFFSET ?`, [...params, req.count, req.offset]);
  const resources = rows.map((r) => JSON.parse(r.content as string) as Resource);
  if (req.total === 'none') return { resources, included: [] };
  const total = Number((await conn.all(`SELECT COUNT(*) AS n FROM audit_log ${sql}`, params))[0]?.n ?? 0);
  return { resources, included: [], total };
}

function criterionSql(c: Criterion): Fragment {
  const code = c.def.code;
  if (!AUDITABLE_PARAMS.has(code) || (c.modifier && c.modifier !== 'missing')) throw UnknownSearchParam({ params: [c.raw.split('=')[0] ?? code, AUDIT_TYPE] });
  if (c.modifier === 'missing') throw UnknownSearchParam({ params: [`${code}:missing`, AUDIT_TYPE] });
  if (code === 'date') return anyOf(c.values.map((v) => dateCondition(v, 'recorded', 'recorded', c.raw)));
  if (code === '_id') return inList('id', c.values);
  if (code === 'action' || code === 'outcome' || code === 'type') return inList(code, c.values.map(tokenCode));
  if (code === 'subtype') return anyOf(c.values.map((v) => ({ sql: 'subtype LIKE ?', params: [`% ${tokenCode(v)} %`] })));
  const targets = c.values.map(normaliseReference);
  const kinds = code === 'entity' ? [REF_KINDS.entity, REF_KINDS.patient] : [code];
  return {
    sql: `id IN (SELECT id FROM audit_ref WHERE kind IN (${kinds.map(() => '?').join(', ')}) AND target IN (${targets.map(() => '?').join(', ')}))`,
    params: [...kinds, ...targets],
  };
}

function tokenCode(v: string): string {
  const bar = v.indexOf('|');
  return bar >= 0 ? v.slice(bar + 1) : v;
}

function inList(column: string, values: string[]): Fragment {
  return { sql: `${column} IN (${values.map(() => '?').join(', ')})`, params: values };
}

function anyOf(parts: Fragment[]): Fragment {
  return { sql: parts.map((p) => `(${p.sql})`).join(' OR '), params: parts.flatMap((p) => p.params) };
}

/** History of AuditEvents: every record has exactly one version, its creation. */
export async function auditHistory(conn: SqlConn, q: HistoryQuery): Promise<HistoryPage> {
  const conds: string[] = [];
  const params: SqlValue[] = [];
  if (q.id) conds.push('id = ?') && params.push(q.id);
  if (q.since !== undefined) conds.push('recorded >= ?') && params.push(q.since);
  const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
  const total = Number((await conn.all(`SELECT COUNT(*) AS n FROM audit_log ${where}`, params))[0]?.n ?? 0);
  const rows = await conn.all(`SELECT content FROM audit_log ${where} ORDER BY recorded DESC, id DESC LIMIT ? OFFSET ?`, [...params, q.count, q.offset]);
  const entries = rows.map((r): HistoryEntry => {
    const resource = JSON.parse(r.content as string) as Resource & { id: string };
    return { type: AUDIT_TYPE, id: resource.id, versionId: '1', lastUpdated: resource.meta?.lastUpdated as string, method: 'POST', resource };
  });
  return { total, entries };
}

/** For the audit of a delete, inside its transaction: the deletion's version number and the content it removed. */
export async function deletedVersion(conn: SqlConn, type: string, id: string): Promise<{ version: string; removed?: Resource }> {
  const rows = await conn.all(
    `SELECT r.version AS version, h.content AS content FROM resources r
      LEFT JOIN history h ON h.type = r.type AND h.id = r.id AND h.version = r.version - 1 WHERE r.type = ? AND r.id = ?`,
    [type, id],
  );
  const row = rows[0];
  const content = row?.content as string | undefined;
  return { version: String(row?.version ?? ''), ...(content ? { removed: JSON.parse(content) as Resource } : {}) };
}
