/** Run a compiled search: the page, the (capped) total, then _include and _revinclude. */
import type { Resource } from '@medplum/fhirtypes';
import type { IncludeSpec, SearchRequest } from '../search/request.ts';
import { accessCondition, type CompiledWhere, compileOrder, compileWhere } from './search-sql.ts';
import type { SqlConn } from './sql.ts';
import { type SearchResult, TOTAL_CAP } from './types.ts';

/** Included resources per search are bounded so one query cannot pull the whole store. */
const INCLUDE_CAP = 1000;

export async function runSearch(conn: SqlConn, req: SearchRequest): Promise<SearchResult> {
  const where = compileWhere(req);
  let resources: Resource[] = [];
  if (!req.summaryCount && req.count > 0) {
    const order = compileOrder(req);
    const rows = await conn.all(`SELECT r.content FROM resources r WHERE ${where.sql} ORDER BY ${order.sql} LIMIT ? OFFSET ?`, [
      ...where.params,
      ...order.params,
      req.count,
      req.offset,
    ]);
    resources = rows.map((r) => JSON.parse(r.content as string) as Resource);
  }
  const total = await countTotal(conn, req, where, resources.length);
  const included = await includes(conn, req, resources);
  return { resources, included, ...(total !== undefined ? { total } : {}) };
}

/**
 * Bundle.total: exact when asked (_total=accurate, _summary=count) and when the page itself tells it (a
 * first page that is not full); otherwise left out, so a broad search costs one page, not a full count.
 */
async function countTotal(conn: SqlConn, req: SearchRequest, where: CompiledWhere, pageSize: number): Promise<number | undefined> {
  if (!req.summaryCount && req.offset === 0 && pageSize < req.count) return pageSize;
  if (req.total !== 'accurate' && !req.summaryCount) return undefined;
  // an index-driven search is counted from the index alone; resource rows are never read for a total
  const rows = where.matchIds
    ? await conn.all(`SELECT COUNT(*) AS n FROM (${where.matchIds.sql} LIMIT ?) c`, [...where.matchIds.params, TOTAL_CAP + 1])
    : await conn.all(`SELECT COUNT(*) AS n FROM (SELECT r.id FROM resources r WHERE ${where.sql} LIMIT ?) c`, [...where.params, TOTAL_CAP + 1]);
  const n = Number(rows[0]?.n ?? 0);
  return n > TOTAL_CAP ? undefined : n;
}

async function includes(conn: SqlConn, req: SearchRequest, matches: Resource[]): Promise<Resource[]> {
  if (!matches.length || (!req.include.length && !req.revinclude.length)) return [];
  const seen = new Set(matches.map(key));
  const out: Resource[] = [];
  const addAll = (rs: Resource[]) => {
    const fresh = rs.filter((r) => !seen.has(key(r)));
    for (const r of fresh) seen.add(key(r));
    out.push(...fresh.slice(0, INCLUDE_CAP - out.length));
    return fresh;
  };
  let frontier = matches;
  for (let depth = 0; depth < 2 && frontier.length && out.length < INCLUDE_CAP; depth++) {
    const found: Resource[] = [];
    for (const spec of req.include) if (depth === 0 || spec.iterate) found.push(...addAll(await forwardInclude(conn, spec, frontier, req)));
    for (const spec of req.revinclude) if (depth === 0 || spec.iterate) found.push(...addAll(await reverseInclude(conn, spec, frontier, req)));
    frontier = found;
  }
  return out;
}

function key(r: Resource): string {
  return `${r.resourceType}/${r.id}`;
}

async function forwardInclude(conn: SqlConn, spec: IncludeSpec, from: Resource[], req: SearchRequest): Promise<Resource[]> {
  const ids = from.filter((r) => r.resourceType === spec.sourceType).map((r) => r.id as string);
  if (!ids.length) return [];
  const refs = await conn.all(`SELECT DISTINCT target FROM idx_ref WHERE type = ? AND param = ? AND id IN (${ids.map(() => '?').join(', ')})`, [
    spec.sourceType,
    spec.param,
    ...ids,
  ]);
  const targets = refs.map((r) => String(r.target)).filter((t) => !spec.targetType || t.startsWith(`${spec.targetType}/`));
  return fetchByRefs(conn, targets, req);
}

async function reverseInclude(conn: SqlConn, spec: IncludeSpec, to: Resource[], req: SearchRequest): Promise<Resource[]> {
  const targets = to.filter((r) => !spec.targetType || r.resourceType === spec.targetType).map(key);
  if (!targets.length) return [];
  const access = includeAccess(req, spec.sourceType);
  const rows = await conn.all(
    `SELECT r.content FROM resources r WHERE r.type = ? AND r.deleted = 0 AND r.id IN
       (SELECT x.id FROM idx_ref x WHERE x.type = ? AND x.param = ? AND x.target IN (${targets.map(() => '?').join(', ')})) AND ${access.sql} LIMIT ?`,
    [spec.sourceType, spec.sourceType, spec.param, ...targets, ...access.params, INCLUDE_CAP],
  );
  return rows.map((r) => JSON.parse(r.content as string) as Resource);
}

function includeAccess(req: SearchRequest, type: string) {
  const f = req.includeAccess?.(type) ?? (req.access ? { kind: 'none' as const } : { kind: 'all' as const });
  return accessCondition(f, 'r');
}

async function fetchByRefs(conn: SqlConn, refs: string[], req: SearchRequest): Promise<Resource[]> {
  const out: Resource[] = [];
  const byType = new Map<string, string[]>();
  for (const ref of refs.slice(0, INCLUDE_CAP)) {
    const [type, id] = ref.split('/');
    if (type && id) byType.set(type, [...(byType.get(type) ?? []), id]);
  }
  for (const [type, ids] of byType) {
    const access = includeAccess(req, type);
    const rows = await conn.all(
      `SELECT r.content FROM resources r WHERE r.type = ? AND r.deleted = 0 AND r.id IN (${ids.map(() => '?').join(', ')}) AND ${access.sql}`,
      [type, ...ids, ...access.params],
    );
    out.push(...rows.map((r) => JSON.parse(r.content as string) as Resource));
  }
  return out;
}
