/** Searchset and history Bundles with paging links (R4 3.1.1.6). */
import type { Bundle, BundleEntry, BundleLink, Resource } from '@medplum/fhirtypes';
import type { SearchRequest } from '../search/request.ts';
import type { HistoryEntry, SearchResult } from '../store/types.ts';

export function searchsetBundle(baseUrl: string, req: SearchRequest, result: SearchResult): Bundle {
  const entry: BundleEntry[] = [
    ...result.resources.map((r) => ({ fullUrl: fullUrl(baseUrl, r), resource: shape(r, req), search: { mode: 'match' as const } })),
    ...result.included.map((r) => ({ fullUrl: fullUrl(baseUrl, r), resource: r, search: { mode: 'include' as const } })),
  ];
  const hasNext = result.total !== undefined ? req.offset + req.count < result.total : result.resources.length === req.count && req.count > 0;
  return {
    resourceType: 'Bundle',
    type: 'searchset',
    ...(result.total !== undefined ? { total: result.total } : {}),
    link: pageLinks(`${baseUrl}/${req.type}`, searchQuery(req), req.offset, req.count, hasNext),
    entry,
  };
}

export function historyBundle(url: string, entries: HistoryEntry[], total: number | undefined, offset: number, count: number, baseUrl: string): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'history',
    ...(total !== undefined ? { total } : {}),
    link: pageLinks(url, [`_count=${count}`], offset, count, total !== undefined ? offset + count < total : entries.length === count),
    entry: entries.map((e) => ({
      fullUrl: `${baseUrl}/${e.type}/${e.id}`,
      ...(e.resource ? { resource: e.resource } : {}),
      request: { method: e.method, url: e.method === 'POST' ? e.type : `${e.type}/${e.id}` },
      response: { status: e.method === 'POST' ? '201' : e.method === 'DELETE' ? '204' : '200', etag: `W/"${e.versionId}"`, lastModified: e.lastUpdated },
    })),
  };
}

function fullUrl(baseUrl: string, r: Resource): string {
  return `${baseUrl}/${r.resourceType}/${r.id}`;
}

/** The query that produced this page, normalised, for self/next/previous links. */
function searchQuery(req: SearchRequest): string[] {
  const parts = req.criteria.map((c) => encodeRaw(c.raw));
  if (req.sort.length) parts.push(`_sort=${req.sort.map((s) => (s.descending ? '-' : '') + s.param).join(',')}`);
  for (const i of req.include) parts.push(`_include${i.iterate ? ':iterate' : ''}=${i.sourceType}:${i.param}${i.targetType ? `:${i.targetType}` : ''}`);
  for (const i of req.revinclude) parts.push(`_revinclude${i.iterate ? ':iterate' : ''}=${i.sourceType}:${i.param}${i.targetType ? `:${i.targetType}` : ''}`);
  if (req.elements) parts.push(`_elements=${req.elements.join(',')}`);
  if (req.total !== 'estimate') parts.push(`_total=${req.total}`);
  parts.push(`_count=${req.count}`);
  return parts;
}

function encodeRaw(raw: string): string {
  const eq = raw.indexOf('=');
  return `${encodeURIComponent(raw.slice(0, eq)).replace(/%3A/g, ':')}=${encodeURIComponent(raw.slice(eq + 1))}`;
}

function pageLinks(url: string, query: string[], offset: number, count: number, hasNext: boolean): BundleLink[] {
  const at = (o: number) => `${url}?${[...query, ...(o ? [`_offset=${o}`] : [])].join('&')}`;
  const links: BundleLink[] = [{ relation: 'self', url: at(offset) }];
  if (hasNext) links.push({ relation: 'next', url: at(offset + count) });
  if (offset > 0) links.push({ relation: 'previous', url: at(Math.max(0, offset - count)) });
  return links;
}

/** _elements: keep the asked-for top-level elements (plus the mandatory ones) and mark the copy SUBSETTED. */
function shape(r: Resource, req: SearchRequest): Resource {
  if (!req.elements) return r;
  const keep = new Set(['resourceType', 'id', 'meta', ...req.elements]);
  const out = Object.fromEntries(Object.entries(r).filter(([k]) => keep.has(k))) as Resource;
  out.meta = { ...r.meta, tag: [...(r.meta?.tag ?? []), { system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationValue', code: 'SUBSETTED' }] };
  return out;
}
