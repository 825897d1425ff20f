/** Character-level rules of XML 1.0: allowed characters, the five predefined entities, character references. */
import { XmlMalformed } from '../../fhir/errors.ts';

const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Anything outside the XML 1.0 `Char` production, including lone surrogates (the `u` flag sees them as code points). */
export const INVALID_CHAR = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Line and column (1-based, UTF-16 units) of an offset; positions are mostly asked in order, so we walk forward. */
export class Locator {
  #src: string;
  #pos = 0;
  #line = 1;
  #lineStart = 0;
  constructor(src: string) {
    this.#src = src;
  }
  at(pos: number): string {
    const { line, column } = this.position(pos);
    return `line ${line} column ${column}`;
  }
  position(pos: number): { line: number; column: number } {
    if (pos < this.#pos) {
      this.#pos = 0;
      this.#line = 1;
      this.#lineStart = 0;
    }
    for (let i = this.#src.indexOf('\n', this.#pos); i >= 0 && i < pos; i = this.#src.indexOf('\n', i + 1)) {
      this.#line++;
      this.#lineStart = i + 1;
    }
    this.#pos = pos;
    return { line: this.#line, column: pos - this.#lineStart + 1 };
  }
}

export function malformed(loc: Locator, pos: number, rule: string, path?: string): never {
  const where = loc.at(pos);
  throw XmlMalformed({ params: [where, rule], expression: path ? [where, path] : [where] });
}

function charRef(ref: string): string | undefined {
  const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
  if (!m) return undefined;
  const code = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number(m[2]);
  if (code > 0x10ffff) return undefined;
  const ch = String.fromCodePoint(code);
  return INVALID_CHAR.test(ch) ? undefined : ch;
}

/** Decode entity and character references in `raw`, which starts at offset `base` of the source. */
export function decodeEntities(raw: string, base: number, loc: Locator, path?: string): string {
  let amp = raw.indexOf('&');
  if (amp < 0) return raw;
  let out = '';
  let from = 0;
  while (amp >= 0) {
    const semi = raw.indexOf(';', amp);
    const ref = semi < 0 || semi - amp > 12 ? undefined : raw.slice(amp + 1, semi);
    const ch = ref === undefined ? undefined : ref.startsWith('#') ? charRef(ref) : Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref] : undefined;
    if (ch === undefined) {
      const rule = ref?.startsWith('#')
        ? 'character reference to a character XML does not allow'
        : 'only the five predefined entities and character references are accepted';
      malformed(loc, base + amp, rule, path);
    }
    out += raw.slice(from, amp) + ch;
    from = semi + 1;
    amp = raw.indexOf('&', from);
  }
  return out + raw.slice(from);
}
