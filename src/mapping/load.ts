/**
 * Load every mapping in mappings/ at start-up and check it: the shape (schema), every transform named,
 * every `ref` pointing at a resource of the same mapping, every target path writable, every source path
 * readable in the mapping's format (HL7 v2 positions, XML paths, declared CSV columns, JSON pointers), every
 * context named, resource types we serve. A bad file stops the gateway with the file and the JSON path.
 */
import { Ajv } from 'ajv';
import fhirpath from 'fhirpath';
import { MappingInvalid } from '../fhir/errors.ts';
import { isSupportedResourceType } from '../fhir/resource-types.ts';
import { readJsonFiles } from '../lib/json-files.ts';
import { INVERSES } from './inverse.ts';
import { parseTargetPath } from './path.ts';
import { MAPPING_SCHEMA } from './schema.ts';
import { normaliseColumn } from './sources/csv.ts';
import { parsePointer } from './sources/json.ts';
import { parseXmlPath } from './sources/xml.ts';
import { TRANSFORMS } from './transforms.ts';
import type { Condition, Mapping, SourceFormat, ValueSpec } from './types.ts';

const validate = new Ajv({ allErrors: true, allowUnionTypes: true, strictTuples: false }).compile(MAPPING_SCHEMA);

/** Context values the transport supplies (ingest.ts); a mapping may name them without declaring them. */
export const BUILT_IN_CONTEXT = ['$sender.ura', '$sender.organization', '$sender.name', '$source.base', '$source.url'];

export function loadMappings(dir: string): Mapping[] {
  const out: Mapping[] = [];
  for (const { path, json } of readJsonFiles(dir, (p, why) => MappingInvalid({ params: [p, why] }))) {
    if (!validate(json))
      throw MappingInvalid({
        params: [
          path,
          (validate.errors ?? [])
            .slice(0, 5)
            .map((e) => `${e.instancePath || '/'} ${e.message}`)
            .join('; '),
        ],
      });
    const mapping = json as unknown as Mapping;
    checkSemantics(mapping, path);
    if (out.some((m) => m.id === mapping.id)) throw MappingInvalid({ params: [path, `id ${mapping.id} is used twice`] });
    const format = mapping.outbound?.format;
    if (format && out.some((m) => m.outbound?.format === format)) throw MappingInvalid({ params: [path, `outbound format ${format} is used twice`] });
    out.push(mapping);
  }
  return out;
}

const HL7_PATH = /^(?:[A-Z][A-Z0-9]{2}(?:-\d{1,3}(?:\.\d{1,3}){0,2})?|\d{1,3}(?:\.\d{1,3}){0,2})$/;
const UNIT_PATHS = new Set(['$n', '$kind', '$path', '.']);

/** Is `path` a source path of this format? `root` allows the root-only names (`$row`, `$root`). */
function readable(m: Mapping, format: SourceFormat, path: string, root: boolean): boolean {
  if (UNIT_PATHS.has(path)) return true;
  switch (format) {
    case 'hl7v2':
      return HL7_PATH.test(path);
    case 'xml':
      return (root && (path === '$root' || path === '$namespace')) || parseXmlPath(path) !== undefined;
    case 'csv': {
      if (root && (path === '$row' || path === '$header')) return true;
      const declared = [...(m.columns?.required ?? []), ...(m.columns?.optional ?? [])].map(normaliseColumn);
      return declared.includes(normaliseColumn(path));
    }
    case 'json':
    case 'fhir-stu3':
      return parsePointer(path) !== undefined;
  }
}

function checkSemantics(m: Mapping, file: string): void {
  const names = new Set(m.resources.map((r) => r.name));
  const contexts = new Set([...Object.keys(m.context ?? {}), ...BUILT_IN_CONTEXT]);
  const fail = (where: string, why: string): never => {
    throw MappingInvalid({ params: [file, `${where}: ${why}`] });
  };
  const checkPath = (path: string, where: string, root = false) => {
    if (!readable(m, m.format, path, root))
      fail(where, m.format === 'csv' ? `"${path}" is not a declared column` : `"${path}" is not a ${m.format} source path`);
  };
  const checkContext = (name: string | undefined, where: string) => {
    if (name !== undefined && !contexts.has(name)) fail(where, `no context value named "${name}"`);
  };
  const checkCondition = (c: Condition | undefined, where: string) => {
    if (!c) return;
    for (const [i, x] of (c.anyOf ?? []).entries()) checkCondition(x, `${where}/anyOf/${i}`);
    if (c.from !== undefined) checkPath(c.from, `${where}/from`, true);
    checkContext(c.context, `${where}/context`);
  };
  const checkValue = (v: ValueSpec, where: string) => {
    if (v.transform && !TRANSFORMS[v.transform])
      fail(`${where}/transform`, `unknown transform "${v.transform}" (known: ${Object.keys(TRANSFORMS).join(', ')})`);
    if (v.ref && !names.has(v.ref)) fail(`${where}/ref`, `no resource named "${v.ref}" in this mapping`);
    if (v.copy && m.format !== 'json' && m.format !== 'fhir-stu3') fail(`${where}/copy`, 'copy takes subtrees of JSON sources only');
    if (v.copy && v.from === undefined) fail(`${where}/copy`, 'copy needs "from"');
    for (const [i, p] of (Array.isArray(v.from) ? v.from : v.from === undefined ? [] : [v.from]).entries())
      checkPath(p, `${where}/from${Array.isArray(v.from) ? `/${i}` : ''}`, true);
    checkContext(v.context, `${where}/context`);
    checkContext(v.argContext, `${where}/argContext`);
    for (const [k, o] of Object.entries(v.object ?? {})) checkValue(o, `${where}/object/${k}`);
    for (const [k, o] of (v.concat ?? []).entries()) checkValue(o, `${where}/concat/${k}`);
    for (const [k, o] of (v.array ?? []).entries()) checkValue(o, `${where}/array/${k}`);
  };
  // every format but CSV picks its messages by `match`; a CSV mapping by its columns
  if (m.format === 'csv' && !m.columns) fail('/columns', 'a CSV mapping names the columns a file must have');
  if (m.format !== 'csv' && !m.match) fail('/match', `a ${m.format} mapping says which messages it takes`);
  for (const [k, p] of Object.keys(m.match ?? {}).entries()) checkPath(p, `/match/${k}`, true);
  for (const [k, v] of Object.entries(m.context ?? {})) checkValue(v, `/context/${k}`);
  m.resources.forEach((r, i) => {
    const at = `/resources/${i}`;
    if (!isSupportedResourceType(r.type)) fail(`${at}/type`, `${r.type} is not a supported resource type`);
    if (r.each) checkPath(r.each, `${at}/each`, true);
    checkCondition(r.when, `${at}/when`);
    for (const [j, p] of (r.requires ?? []).entries()) for (const x of Array.isArray(p) ? p : [p]) checkPath(x, `${at}/requires/${j}`, true);
    for (const [j, a] of (r.asserts ?? []).entries()) {
      checkPath(a.from, `${at}/asserts/${j}/from`);
      checkContext(a.equalsContext, `${at}/asserts/${j}/equalsContext`);
    }
    for (const [j, c] of (r.units?.counts ?? []).entries()) checkPath(c.from, `${at}/units/counts/${j}/from`);
    for (const [j, a] of (r.aliases ?? []).entries()) checkValue(a, `${at}/aliases/${j}`);
    if (r.referenceOnly?.display && !parseTargetPath(r.referenceOnly.display)) fail(`${at}/referenceOnly/display`, 'not a target path');
    if (r.freshness) {
      try {
        fhirpath.compile(r.freshness.path);
      } catch {
        fail(`${at}/freshness/path`, 'is not a FHIRPath expression');
      }
      for (const s of r.freshness.scope ?? []) if (!names.has(s)) fail(`${at}/freshness/scope`, `no resource named "${s}"`);
    }
    if (r.retire) {
      checkValue(r.retire.group, `${at}/retire/group`);
      for (const [j, s] of r.retire.set.entries()) if (!parseTargetPath(s.to)) fail(`${at}/retire/set/${j}/to`, 'not a writable path');
    }
    r.rules.forEach((rule, j) => {
      const where = `${at}/rules/${j}`;
      if (!parseTargetPath(rule.to)) fail(`${where}/to`, `"${rule.to}" is not a writable path (a.b, a[0].b, a[])`);
      if (rule.where && !rule.each) fail(`${where}/where`, '"where" filters the nodes of "each"; this rule has no "each"');
      if (rule.each) checkPath(rule.each, `${where}/each`, true);
      if (rule.refEach && !names.has(rule.refEach)) fail(`${where}/refEach`, `no resource named "${rule.refEach}" in this mapping`);
      checkCondition(rule.when, `${where}/when`);
      checkCondition(rule.where, `${where}/where`);
      checkValue(rule, where);
    });
  });
  for (const [k, v] of Object.entries(m.outbound?.set ?? {})) {
    checkPath(k, `/outbound/set/${k}`, true);
    if (v.transform && !INVERSES[v.transform] && !TRANSFORMS[v.transform]) fail(`/outbound/set/${k}/transform`, `unknown transform "${v.transform}"`);
  }
}

/** The mapping of a sector that accepts this message (every `match` path has one of its values; CSV: its columns). */
export function selectMapping(
  mappings: Mapping[],
  sector: string,
  valueAt: (path: string) => string | undefined,
  format?: SourceFormat,
  columns?: string[],
): Mapping | undefined {
  const header = columns ? new Set(columns.map(normaliseColumn)) : undefined;
  return mappings.find(
    (m) =>
      m.sector === sector &&
      (format === undefined || m.format === format) &&
      Object.entries(m.match ?? {}).every(([p, allowed]) => allowed.includes(valueAt(p) ?? '')) &&
      (!m.columns || (header !== undefined && m.columns.required.every((c) => header.has(normaliseColumn(c))))),
  );
}
