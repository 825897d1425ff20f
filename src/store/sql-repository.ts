/**
 * FhirRepository over one SQL connection. Every write keeps three things in step inside the caller's
 * transaction: the current row, the version in history, and the search index rows.
 */
import { newId } from '../lib/ids.ts';
import type { Resource } from '@medplum/fhirtypes';
import { ConditionalMultiple, ResourceGone, ResourceNotFound, VersionConflict, VersionNotFound } from '../fhir/errors.ts';
import { extractIndexRows, type IndexRows } from '../search/extract.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { SearchRequest } from '../search/request.ts';
import { AUDIT_TYPE, appendAudit, auditHistory, readAudit, refuseChange, searchAudit } from './audit-log.ts';
import { INDEX_TABLES } from './schema.ts';
import { runSearch } from './sql-search-run.ts';
import { multiRowSql, type Row, type SqlConn, type SqlDriver, type SqlValue } from './sql.ts';
import type { CreateOptions, FhirRepository, HistoryPage, HistoryQuery, SearchResult, UpdateOptions, WriteResult } from './types.ts';

interface CurrentRow {
  version: number;
  deleted: number;
}

export class SqlRepository implements FhirRepository {
  #conn: SqlConn;
  #driver: SqlDriver;
  #registry: SearchParamRegistry;

  constructor(conn: SqlConn, driver: SqlDriver, registry: SearchParamRegistry) {
    this.#conn = conn;
    this.#driver = driver;
    this.#registry = registry;
  }

  async create(resource: Resource, options: CreateOptions = {}): Promise<WriteResult> {
    // AuditEvents go to the append-only audit log (audit-log.ts), not to resources
    if (resource.resourceType === AUDIT_TYPE)
      return { resource: await appendAudit(this.#conn, { ...resource, id: options.assignedId ?? newId() }), created: true };
    if (options.ifNoneExist) {
      const match = await this.matchCondition(options.ifNoneExist);
      if (match) return { resource: match, created: false };
    }
    return this.#insertNew({ ...resource, id: options.assignedId ?? newId() } as Resource & { id: string }, 1);
  }

  async matchCondition(criteria: SearchRequest): Promise<Resource | undefined> {
    await this.#driver.lock(this.#conn, conditionKey(criteria));
    const found = await this.#matches(criteria);
    if (found.length > 1) throw ConditionalMultiple({ params: [conditionKey(criteria).slice(5), String(found.length)] });
    return found[0];
  }

  async update(resource: Resource & { id: string }, options: UpdateOptions = {}): Promise<WriteResult> {
    const { resourceType: type, id } = resource;
    if (type === AUDIT_TYPE) refuseChange();
    await this.#driver.lock(this.#conn, `res:${type}/${id}`);
    const current = await this.#current(type, id);
    if (options.ifMatch !== undefined && (!current || current.deleted || String(current.version) !== options.ifMatch))
      throw VersionConflict({ params: [type, id, current && !current.deleted ? String(current.version) : 'none', options.ifMatch] });
    if (!current) return this.#insertNew(resource, 1);
    const version = current.version + 1;
    const stored = withMeta(resource, version);
    await this.#supersede(type, id);
    await this.#conn.run('UPDATE resources SET version = ?, last_updated = ?, deleted = 0, method = ?, content = ? WHERE type = ? AND id = ?', [
      version,
      lastUpdatedMs(stored),
      current.deleted ? 'POST' : 'PUT',
      JSON.stringify(stored),
      type,
      id,
    ]);
    await this.#deleteIndex(type, id);
    await this.#insertIndex(type, id, extractIndexRows(stored, this.#registry));
    return { resource: stored, created: current.deleted === 1 };
  }

  async conditionalUpdate(resource: Resource, criteria: SearchRequest, options: UpdateOptions = {}): Promise<WriteResult> {
    if (resource.resourceType === AUDIT_TYPE) refuseChange();
    const match = await this.matchCondition(criteria);
    if (match) return this.update({ ...resource, id: match.id as string }, options);
    if (resource.id) return this.update(resource as Resource & { id: string }, options);
    return this.#insertNew({ ...resource, id: newId() } as Resource & { id: string }, 1);
  }

  async delete(type: string, id: string, options: UpdateOptions = {}): Promise<boolean> {
    if (type === AUDIT_TYPE) refuseChange();
    await this.#driver.lock(this.#conn, `res:${type}/${id}`);
    const current = await this.#current(type, id);
    if (!current) return false;
    if (options.ifMatch !== undefined && String(current.version) !== options.ifMatch)
      throw VersionConflict({ params: [type, id, String(current.version), options.ifMatch] });
    if (current.deleted) return true;
    await this.#supersede(type, id);
    const sql = "UPDATE resources SET version = ?, last_updated = ?, deleted = 1, method = 'DELETE', content = '' WHERE type = ? AND id = ?";
    await this.#conn.run(sql, [current.version + 1, Date.now(), type, id]);
    await this.#deleteIndex(type, id);
    return true;
  }

  async read(type: string, id: string): Promise<Resource> {
    if (type === AUDIT_TYPE) return readAudit(this.#conn, id);
    const row = await this.#row(type, id);
    if (!row) throw ResourceNotFound({ params: [type, id] });
    if (Number(row.deleted)) throw ResourceGone({ params: [type, id] });
    return JSON.parse(row.content as string) as Resource;
  }

  async find(type: string, id: string): Promise<Resource | undefined> {
    // audit records are not looked up as references on hot paths: the error-raising read is fine there
    if (type === AUDIT_TYPE) return readAudit(this.#conn, id).catch(() => undefined);
    const row = await this.#row(type, id);
    return row && !Number(row.deleted) ? (JSON.parse(row.content as string) as Resource) : undefined;
  }

  async #row(type: string, id: string) {
    return (await this.#conn.all('SELECT deleted, content FROM resources WHERE type = ? AND id = ?', [type, id]))[0];
  }

  async vread(type: string, id: string, versionId: string): Promise<Resource> {
    const version = Number(versionId);
    if (type === AUDIT_TYPE && version === 1) return readAudit(this.#conn, id);
    const rows = Number.isInteger(version)
      ? await this.#conn.all(
          'SELECT deleted, content FROM resources WHERE type = ? AND id = ? AND version = ? UNION ALL SELECT deleted, content FROM history WHERE type = ? AND id = ? AND version = ?',
          [type, id, version, type, id, version],
        )
      : [];
    const row = rows[0];
    if (!row) {
      await this.read(type, id); // 404 for an unknown resource, 410 if deleted
      throw VersionNotFound({ params: [type, id, versionId] });
    }
    if (Number(row.deleted)) throw ResourceGone({ params: [type, id] });
    return JSON.parse(row.content as string) as Resource;
  }

  async history(q: HistoryQuery): Promise<HistoryPage> {
    if (q.type === AUDIT_TYPE) return auditHistory(this.#conn, q);
    const conds: string[] = [];
    const params: SqlValue[] = [];
    if (q.type) conds.push('type = ?') && params.push(q.type);
    if (q.id) conds.push('id = ?') && params.push(q.id);
    if (q.since !== undefined) conds.push('last_updated >= ?') && params.push(q.since);
    const where = conds.length ? `WHERE ${conds.join(' AND ')}` : '';
    // every version: the superseded ones in history, the current one in resources
    const all = `(SELECT type, id, version, last_updated, method, content FROM history ${where}
      UNION ALL SELECT type, id, version, last_updated, method, content FROM resources ${where}) h`;
    const both = [...params, ...params];
    const totalRow = await this.#conn.all(`SELECT COUNT(*) AS n FROM ${all}`, both);
    const rows = await this.#conn.all(
      `SELECT type, id, version, last_updated, method, content FROM ${all} ORDER BY last_updated DESC, version DESC LIMIT ? OFFSET ?`,
      [...both, q.count, q.offset],
    );
    return { total: Number(totalRow[0]?.n ?? 0), entries: rows.map(toHistoryEntry) };
  }

  search(request: SearchRequest): Promise<SearchResult> {
    if (request.type === AUDIT_TYPE) return searchAudit(this.#conn, request);
    return runSearch(this.#conn, request);
  }

  async #matches(criteria: SearchRequest): Promise<Resource[]> {
    return (await runSearch(this.#conn, { ...criteria, count: 2, offset: 0, include: [], revinclude: [], total: 'none', sort: [] })).resources;
  }

  async #current(type: string, id: string): Promise<CurrentRow | undefined> {
    const rows = await this.#conn.all(`SELECT version, deleted FROM resources WHERE type = ? AND id = ?${this.#driver.forUpdate}`, [type, id]);
    const row = rows[0];
    return row ? { version: Number(row.version), deleted: Number(row.deleted) } : undefined;
  }

  async #insertNew(resource: Resource & { id: string }, version: number): Promise<WriteResult> {
    const stored = withMeta(resource, version);
    const sql = "INSERT INTO resources (type, id, version, last_updated, deleted, method, content) VALUES (?, ?, ?, ?, 0, 'POST', ?)";
    await this.#conn.run(sql, [stored.resourceType, resource.id, version, lastUpdatedMs(stored), JSON.stringify(stored)]);
    await this.#insertIndex(stored.resourceType, resource.id, extractIndexRows(stored, this.#registry));
    return { resource: stored, created: true };
  }

  /** The current version moves to history before it is replaced. */
  async #supersede(type: string, id: string): Promise<void> {
    await this.#conn.run(
      `INSERT INTO history (type, id, version, last_updated, deleted, method, content)
       SELECT type, id, version, last_updated, deleted, method, content FROM resources WHERE type = ? AND id = ?`,
      [type, id],
    );
  }

  async #deleteIndex(type: string, id: string): Promise<void> {
    for (const table of INDEX_TABLES) await this.#conn.run(`DELETE FROM ${table} WHERE type = ? AND id = ?`, [type, id]);
  }

  async #insertIndex(type: string, id: string, rows: IndexRows): Promise<void> {
    const c = this.#conn;
    const multi = this.#driver.multiRowInsert;
    if (rows.token.length) await insertRows(c, multi, INSERT_TOKEN, type, id, rows.token, (r) => [r.param, r.system, r.code, r.text], 3);
    if (rows.string.length) await insertRows(c, multi, INSERT_STRING, type, id, rows.string, (r) => [r.param, r.norm, r.raw], 3);
    if (rows.date.length) await insertRows(c, multi, INSERT_DATE, type, id, rows.date, (r) => [r.param, r.lo, r.hi], 3);
    if (rows.reference.length) await insertRows(c, multi, INSERT_REF, type, id, rows.reference, (r) => [r.param, r.target], 2);
    if (rows.number.length) await insertRows(c, multi, INSERT_NUMBER, type, id, rows.number, (r) => [r.param, r.value, r.system, r.code], 4);
  }
}

interface InsertSql {
  /** `INSERT INTO t (type, id, param, …) VALUES ` */
  head: string;
  /** one row's placeholders, `(?, ?, ?, …)` */
  tuple: string;
  /** the single-row statement, made once: the driver's statement cache is keyed by the text */
  one: string;
}

function insertSql(table: string, cols: string[]): InsertSql {
  const head = `INSERT INTO ${table} (type, id, param, ${cols.join(', ')}) VALUES `;
  const tuple = `(?, ?, ?, ${cols.map(() => '?').join(', ')})`;
  return { head, tuple, one: head + tuple };
}

const INSERT_TOKEN = insertSql('idx_token', ['system', 'code', 'text']);
const INSERT_STRING = insertSql('idx_string', ['norm', 'raw']);
const INSERT_DATE = insertSql('idx_date', ['lo', 'hi']);
const INSERT_REF = insertSql('idx_ref', ['target']);
const INSERT_NUMBER = insertSql('idx_number', ['value', 'system', 'code']);

/**
 * A resource's rows of one index table. On SQLite one prepared single-row INSERT per row (a multi-row VALUES
 * statement looked cheaper but made SQLite's clustered-key inserts grow from ~8 to ~500 µs per resource as
 * idx_token reached 100k rows); on PostgreSQL one statement for all of them, a round trip instead of one per row.
 */
async function insertRows<R>(
  conn: SqlConn,
  multi: boolean,
  sql: InsertSql,
  type: string,
  id: string,
  all: R[],
  values: (r: R) => SqlValue[],
  keyWidth: number,
): Promise<void> {
  // the index tables are keyed on (param, value…, id): a value repeated in one resource is indexed once
  const seen = all.length > 1 ? new Set<string>() : undefined;
  const batch: SqlValue[] = [];
  let count = 0;
  for (const r of all) {
    const v = values(r);
    if (seen) {
      let k = String(v[0]);
      for (let i = 1; i < keyWidth; i++) k += `\u0000${String(v[i])}`;
      if (seen.has(k)) continue;
      seen.add(k);
    }
    if (!multi) await conn.run(sql.one, [type, id, ...v]);
    else {
      batch.push(type, id, ...v);
      // PostgreSQL takes at most 65,535 parameters per statement: a large CodeSystem has more index values
      if (++count === ROWS_PER_STATEMENT) {
        await conn.run(multiRowSql(sql.head, sql.tuple, count), batch);
        batch.length = 0;
        count = 0;
      }
    }
  }
  if (count) await conn.run(multiRowSql(sql.head, sql.tuple, count), batch);
}

const ROWS_PER_STATEMENT = 1000;

function withMeta<T extends Resource>(resource: T, version: number): T & { id: string } {
  return { ...resource, meta: { ...resource.meta, versionId: String(version), lastUpdated: new Date().toISOString() } } as T & { id: string };
}

function lastUpdatedMs(r: Resource): number {
  return Date.parse(r.meta?.lastUpdated as string);
}

function conditionKey(req: SearchRequest): string {
  return `cond:${req.type}?${req.criteria
    .map((c) => c.raw)
    .sort()
    .join('&')}`;
}

function toHistoryEntry(row: Row): import('./types.ts').HistoryEntry {
  const method = row.method as 'POST' | 'PUT' | 'DELETE';
  const content = row.content as string;
  return {
    type: row.type as string,
    id: row.id as string,
    versionId: String(row.version),
    lastUpdated: new Date(Number(row.last_updated)).toISOString(),
    method,
    ...(content ? { resource: JSON.parse(content) as Resource } : {}),
  };
}
