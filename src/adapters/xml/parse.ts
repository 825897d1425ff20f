/**
 * A small, predictable XML 1.0 + Namespaces parser for inbound messages. It refuses DTDs and entity declarations
 * outright (XXE, billion laughs), decodes only the five predefined entities and character references, never
 * fetches anything, and bounds size, depth, element count, attribute count and name length. Iterative, so a deep
 * document cannot overflow the stack; every step moves forward with indexOf or a sticky regex (linear time).
 */
import { XmlForbidden, XmlLimit } from '../../fhir/errors.ts';
import { exceedsBytes, MIB, resolveLimits } from '../limits.ts';
import { splitQName, XML_NS, XMLNS_NS, type XmlAttribute, type XmlElement, type XmlLimits } from './model.ts';
import { decodeEntities, INVALID_CHAR, Locator, malformed } from './text.ts';

export * from './model.ts';

export const DEFAULT_XML_LIMITS: Readonly<XmlLimits> = Object.freeze({ inputBytes: 4 * MIB, depth: 64, elements: 100_000, attributes: 64, nameLength: 256 });

const START =
  ':A-Z_a-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u02FF\\u0370-\\u037D\\u037F-\\u1FFF\\u200C\\u200D\\u2070-\\u218F\\u2C00-\\u2FEF\\u3001-\\uD7FF\\uF900-\\uFDCF\\uFDF0-\\uFFFD\\u{10000}-\\u{EFFFF}';
const NAME = new RegExp(`[${START}][${START}\\-.0-9\\u00B7\\u0300-\\u036F\\u203F-\\u2040]*`, 'uy');
const QNAME = /^[^:]+(:[^:]+)?$/;
const SPACE = /[ \t\n]*/y;

interface Frame {
  el: XmlElement;
  ns: Map<string, string>;
  /** How many children of each local name so far, for `[n]` in paths. */
  counts: Map<string, number>;
}

interface State {
  src: string;
  pos: number;
  lim: XmlLimits;
  loc: Locator;
  stack: Frame[];
  root: XmlElement | undefined;
  elements: number;
}

export function parseXml(text: string, limits?: Partial<XmlLimits>): XmlElement {
  const lim = resolveLimits<XmlLimits>({ ...DEFAULT_XML_LIMITS }, limits, 'xml');
  if (exceedsBytes(text, lim.inputBytes)) throw XmlLimit({ params: ['document size', 'document', `${lim.inputBytes} bytes`], expression: ['document'] });
  // XML 1.0 §2.11: every CR LF and lone CR reads as LF. Done first, so lines and columns match what editors show.
  const src = (text.startsWith('\ufeff') ? text.slice(1) : text).replace(/\r\n?/g, '\n');
  const loc = new Locator(src);
  const forbidden = /<!(DOCTYPE|ENTITY)/i.exec(src);
  if (forbidden) throw XmlForbidden({ params: [forbidden[0], loc.at(forbidden.index)], expression: [loc.at(forbidden.index)] });
  const bad = INVALID_CHAR.exec(src);
  if (bad) malformed(loc, bad.index, 'character not allowed in XML 1.0');
  const st: State = { src, pos: skipDeclaration(src, loc), lim, loc, stack: [], root: undefined, elements: 0 };
  while (st.pos < src.length) step(st);
  const open = st.stack.at(-1);
  if (open) malformed(loc, src.length, 'element is not closed', open.el.path);
  if (!st.root) malformed(loc, src.length, 'no root element');
  return st.root;
}

function skipDeclaration(src: string, loc: Locator): number {
  if (!/^<\?xml[ \t\n?]/.test(src)) return 0;
  const end = src.indexOf('?>');
  if (end < 0) malformed(loc, 0, 'XML declaration is not closed');
  return end + 2;
}

function step(st: State): void {
  const { src } = st;
  const lt = src.indexOf('<', st.pos);
  const end = lt < 0 ? src.length : lt;
  if (end > st.pos) addText(st, src.slice(st.pos, end), st.pos, true);
  st.pos = end;
  if (lt < 0) return;
  if (src.startsWith('<!--', lt)) skipComment(st);
  else if (src.startsWith('<![CDATA[', lt)) readCdata(st);
  else if (src.startsWith('<!', lt)) malformed(st.loc, lt, 'markup declarations are not accepted');
  else if (src.startsWith('<?', lt)) skipPi(st);
  else if (src.startsWith('</', lt)) readEndTag(st);
  else readStartTag(st);
}

function addText(st: State, raw: string, at: number, decode: boolean): void {
  const top = st.stack.at(-1);
  if (!top) {
    const nonSpace = raw.search(/[^ \t\n]/);
    if (nonSpace >= 0) malformed(st.loc, at + nonSpace, st.root ? 'content after the root element' : 'text before the root element');
    return;
  }
  let text = raw;
  if (decode) {
    const cdataEnd = raw.indexOf(']]>');
    if (cdataEnd >= 0) malformed(st.loc, at + cdataEnd, "']]>' is not allowed in text", top.el.path);
    text = decodeEntities(raw, at, st.loc, top.el.path);
  }
  const { content } = top.el;
  if (typeof content.at(-1) === 'string') content[content.length - 1] += text;
  else content.push(text);
  top.el.text += text;
}

function skipComment(st: State): void {
  const end = st.src.indexOf('-->', st.pos + 4);
  if (end < 0) malformed(st.loc, st.pos, 'comment is not closed');
  const dashes = st.src.indexOf('--', st.pos + 4);
  if (dashes < end) malformed(st.loc, dashes, "'--' is not allowed inside a comment");
  st.pos = end + 3;
}

function readCdata(st: State): void {
  const start = st.pos + 9;
  const end = st.src.indexOf(']]>', start);
  if (end < 0) malformed(st.loc, st.pos, 'CDATA section is not closed');
  if (st.stack.length === 0) malformed(st.loc, st.pos, 'CDATA outside the root element');
  addText(st, st.src.slice(start, end), start, false);
  st.pos = end + 3;
}

function skipPi(st: State): void {
  const target = matchName(st, st.pos + 2, 'processing instruction target');
  if (target.toLowerCase() === 'xml') malformed(st.loc, st.pos, 'XML declaration is only allowed at the very start');
  const end = st.src.indexOf('?>', st.pos + 2 + target.length);
  if (end < 0) malformed(st.loc, st.pos, 'processing instruction is not closed');
  st.pos = end + 2;
}

function matchName(st: State, at: number, what: string): string {
  NAME.lastIndex = at;
  const m = NAME.exec(st.src);
  if (!m) malformed(st.loc, at, `${what} expected`, st.stack.at(-1)?.el.path);
  if (m[0].length > st.lim.nameLength) {
    const where = st.loc.at(at);
    throw XmlLimit({ params: [`${what} length`, where, `${st.lim.nameLength} characters`], expression: [where] });
  }
  if (!QNAME.test(m[0])) malformed(st.loc, at, `${what} is not a valid qualified name (at most one ':' between two parts)`, st.stack.at(-1)?.el.path);
  return m[0];
}

function skipSpace(st: State): number {
  SPACE.lastIndex = st.pos;
  SPACE.exec(st.src);
  const n = SPACE.lastIndex - st.pos;
  st.pos = SPACE.lastIndex;
  return n;
}

function readEndTag(st: State): void {
  const at = st.pos;
  const name = matchName(st, at + 2, 'element name');
  st.pos = at + 2 + name.length;
  skipSpace(st);
  if (st.src.charAt(st.pos) !== '>') malformed(st.loc, st.pos, "'>' expected at the end of the end tag");
  const top = st.stack.pop();
  if (!top) malformed(st.loc, at, 'end tag without a start tag');
  if (top.el.name !== name) malformed(st.loc, at, 'end tag does not match the open element', top.el.path);
  st.pos++;
}

function readStartTag(st: State): void {
  const at = st.pos;
  const name = matchName(st, at + 1, 'element name');
  st.pos = at + 1 + name.length;
  const parent = st.stack.at(-1);
  if (!parent && st.root) malformed(st.loc, at, 'content after the root element');
  const { localName } = splitQName(name);
  const index = (parent?.counts.get(localName) ?? 0) + 1;
  parent?.counts.set(localName, index);
  const path = `${parent?.el.path ?? ''}/${localName}${index > 1 ? `[${index}]` : ''}`;
  checkCounts(st, at, path);
  const raw = readAttributes(st, path);
  const closing = st.src.startsWith('/>', st.pos);
  st.pos += closing ? 2 : 1;
  const frame = openElement(st, name, raw, at, path, parent);
  if (!closing) st.stack.push(frame);
}

function checkCounts(st: State, at: number, path: string): void {
  if (++st.elements > st.lim.elements) throw XmlLimit({ params: ['element count', path, String(st.lim.elements)], expression: [st.loc.at(at), path] });
  if (st.stack.length + 1 > st.lim.depth) throw XmlLimit({ params: ['nesting depth', path, String(st.lim.depth)], expression: [st.loc.at(at), path] });
}

interface RawAttribute {
  name: string;
  value: string;
  at: number;
}

/** Attributes up to (not past) `>` or `/>`; values are normalised (§3.3.3: literal tab and newline read as space). */
function readAttributes(st: State, path: string): RawAttribute[] {
  const attrs: RawAttribute[] = [];
  for (;;) {
    const spaced = skipSpace(st) > 0;
    const c = st.src.charAt(st.pos);
    if (c === '>' || st.src.startsWith('/>', st.pos)) return attrs;
    if (c === '') malformed(st.loc, st.pos, 'start tag is not closed', path);
    if (!spaced) malformed(st.loc, st.pos, 'whitespace expected before an attribute', path);
    const at = st.pos;
    const name = matchName(st, at, 'attribute name');
    st.pos += name.length;
    skipSpace(st);
    if (st.src.charAt(st.pos) !== '=') malformed(st.loc, st.pos, "'=' expected after the attribute name", path);
    st.pos++;
    skipSpace(st);
    const quote = st.src.charAt(st.pos);
    if (quote !== '"' && quote !== "'") malformed(st.loc, st.pos, 'attribute value must be quoted', path);
    const end = st.src.indexOf(quote, st.pos + 1);
    if (end < 0) malformed(st.loc, st.pos, 'attribute value is not closed', path);
    const raw = st.src.slice(st.pos + 1, end);
    const lt = raw.indexOf('<');
    if (lt >= 0) malformed(st.loc, st.pos + 1 + lt, "'<' is not allowed in an attribute value", path);
    if (attrs.some((a) => a.name === name)) malformed(st.loc, at, 'duplicate attribute', path);
    if (attrs.length >= st.lim.attributes) {
      throw XmlLimit({ params: ['attribute count', path, String(st.lim.attributes)], expression: [st.loc.at(at), path] });
    }
    attrs.push({ name, value: decodeEntities(raw.replace(/[\t\n]/g, ' '), st.pos + 1, st.loc, path), at });
    st.pos = end + 1;
  }
}

function openElement(st: State, name: string, raw: RawAttribute[], at: number, path: string, parent: Frame | undefined): Frame {
  const ns = declareNamespaces(st, raw, parent?.ns ?? new Map([['xml', XML_NS]]), path);
  const resolve = (prefix: string, pos: number): string => {
    const uri = ns.get(prefix);
    if (uri === undefined) malformed(st.loc, pos, 'namespace prefix is not declared', path);
    return uri;
  };
  const seen = new Set<string>();
  const attributes: XmlAttribute[] = raw.map((a) => {
    const { prefix, localName } = splitQName(a.name);
    const namespace = prefix === 'xmlns' || a.name === 'xmlns' ? XMLNS_NS : prefix ? resolve(prefix, a.at) : '';
    const key = `${namespace}|${prefix ? localName : a.name}`;
    if (seen.has(key)) malformed(st.loc, a.at, 'duplicate attribute (same namespace and local name)', path);
    seen.add(key);
    return { name: a.name, prefix, localName, namespace, value: a.value };
  });
  const { prefix, localName } = splitQName(name);
  const { line, column } = st.loc.position(at);
  const namespace = prefix ? resolve(prefix, at + 1) : (ns.get('') ?? '');
  const el: XmlElement = { name, prefix, localName, namespace, attributes, children: [], text: '', content: [], line, column, path };
  if (parent) {
    parent.el.children.push(el);
    parent.el.content.push(el);
  } else st.root = el;
  return { el, ns, counts: new Map() };
}

/** Copy the parent's scope only when this element declares something (most elements do not). */
function declareNamespaces(st: State, raw: RawAttribute[], inherited: Map<string, string>, path: string): Map<string, string> {
  let ns = inherited;
  for (const a of raw) {
    const prefix = a.name === 'xmlns' ? '' : a.name.startsWith('xmlns:') ? a.name.slice(6) : undefined;
    if (prefix === undefined) continue;
    const reserved = prefix === 'xmlns' || (prefix === 'xml') !== (a.value === XML_NS) || a.value === XMLNS_NS;
    if (reserved || (prefix !== '' && a.value === '')) malformed(st.loc, a.at, 'namespace declaration is not allowed', path);
    if (ns === inherited) ns = new Map(inherited);
    ns.set(prefix, a.value);
  }
  return ns;
}
