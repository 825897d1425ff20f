/** XML source tree: elements with resolved namespaces and their source position; no DTD, no entities of its own. */

export interface XmlAttribute {
  /** Qualified name as written (`xsi:type`). */
  name: string;
  prefix: string;
  localName: string;
  /** Resolved namespace URI; '' for an unprefixed attribute (attributes do not take the default namespace). */
  namespace: string;
  value: string;
}

export interface XmlElement {
  name: string;
  prefix: string;
  localName: string;
  namespace: string;
  attributes: XmlAttribute[];
  /** Child elements in order. */
  children: XmlElement[];
  /** The element's own text (text and CDATA of direct children, concatenated), entities decoded. */
  text: string;
  /** Child elements and text runs in document order; what the serializer writes. Comments and PIs are dropped. */
  content: Array<XmlElement | string>;
  /** 1-based source position of the `<`; 0 for elements built in code. */
  line: number;
  column: number;
  /** XPath-ish location by local names, `/ambulanceRit/patient[2]/bsn`; used in error expressions. */
  path: string;
}

export interface XmlLimits {
  /** UTF-8 bytes of the whole document. */
  inputBytes: number;
  depth: number;
  elements: number;
  attributes: number;
  nameLength: number;
}

export const XML_NS = 'http://www.w3.org/XML/1998/namespace';
export const XMLNS_NS = 'http://www.w3.org/2000/xmlns/';

/** Split a QName; callers have checked it has at most one colon, with text on both sides. */
export function splitQName(name: string): { prefix: string; localName: string } {
  const i = name.indexOf(':');
  return i < 0 ? { prefix: '', localName: name } : { prefix: name.slice(0, i), localName: name.slice(i + 1) };
}

/** Build an element in code (outbound messages); `children` and `text` are derived from `content`. */
export function xmlElement(name: string, attributes: Record<string, string> = {}, content: Array<XmlElement | string> = [], namespace = ''): XmlElement {
  const { prefix, localName } = splitQName(name);
  return {
    name,
    prefix,
    localName,
    namespace,
    attributes: Object.entries(attributes).map(([n, value]) => ({ name: n, ...splitQName(n), namespace: '', value })),
    children: content.filter((c): c is XmlElement => typeof c !== 'string'),
    text: content.filter((c): c is string => typeof c === 'string').join(''),
    content,
    line: 0,
    column: 0,
    path: `/${localName}`,
  };
}
