/**
 * JSON sources (GGZ messages, FHIR STU3 and R4 resources from other systems): `JSON.parse` behind the same
 * guards as the other parsers. The size is checked before parsing, the nesting depth after, and an error
 * names the line and column, never the text around it (it may be patient data).
 */
import { JsonLimit, JsonMalformed } from '../../fhir/errors.ts';
import { exceedsBytes, MIB, resolveLimits } from '../limits.ts';

export interface JsonLimits {
  /** UTF-8 bytes of the whole document. */
  inputBytes: number;
  /** Nesting of objects and arrays. */
  depth: number;
  /** Object members and array items in the whole document. */
  nodes: number;
}

export const DEFAULT_JSON_LIMITS: Readonly<JsonLimits> = Object.freeze({ inputBytes: 4 * MIB, depth: 64, nodes: 200_000 });

/** Keys that could reach Object.prototype when a parsed value is merged with Object.assign or a naive deep merge. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

export function parseJson(text: string, limits?: Partial<JsonLimits>): unknown {
  const lim = resolveLimits(DEFAULT_JSON_LIMITS, limits, 'json');
  if (exceedsBytes(text, lim.inputBytes)) throw JsonLimit({ params: ['size', 'document', `${lim.inputBytes} bytes`], expression: ['document'] });
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let value: unknown;
  try {
    value = JSON.parse(src);
  } catch (err) {
    const at = positionOf(err as Error, src);
    throw JsonMalformed({ params: [at, 'not valid JSON'], expression: [at] });
  }
  checkShape(value, lim);
  return value;
}

/** Walk iteratively (no recursion): depth and node count are bounded, forbidden keys refused with their path. */
function checkShape(root: unknown, lim: JsonLimits): void {
  const stack: Array<{ v: unknown; depth: number; path: string }> = [{ v: root, depth: 0, path: '' }];
  let nodes = 0;
  while (stack.length) {
    const { v, depth, path } = stack.pop() as { v: unknown; depth: number; path: string };
    if (v === null || typeof v !== 'object') continue;
    if (depth >= lim.depth) throw JsonLimit({ params: ['depth', path || '/', String(lim.depth)], expression: [path || '/'] });
    const entries: Array<[string, unknown]> = Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v);
    nodes += entries.length;
    if (nodes > lim.nodes) throw JsonLimit({ params: ['nodes', path || '/', String(lim.nodes)], expression: [path || '/'] });
    for (const [k, x] of entries) {
      const p = `${path}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      if (!Array.isArray(v) && FORBIDDEN_KEYS.has(k)) throw JsonMalformed({ params: [p, 'this member name is not accepted'], expression: [p] });
      stack.push({ v: x, depth: depth + 1, path: p });
    }
  }
}

/** `line L column C` of the first syntax error: V8's message gives no position in every case, so we find it. */
function positionOf(_err: Error, src: string): string {
  const pos = firstErrorOffset(src);
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < pos && i < src.length; i++) {
    if (src.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line} column ${pos - lineStart + 1}`;
}

const WS = /[ \t\n\r]*/y;
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not contain raw control characters; this is that rule
const STRING = /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4}))*"/y;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const LITERAL = /true|false|null/y;

/**
 * Offset of the first character that breaks the JSON grammar (only called when JSON.parse failed). Iterative,
 * with sticky regexes: linear in the input, no recursion.
 */
function firstErrorOffset(src: string): number {
  let i = 0;
  const skip = () => {
    WS.lastIndex = i;
    WS.exec(src);
    i = WS.lastIndex;
  };
  const token = (re: RegExp) => {
    re.lastIndex = i;
    if (!re.exec(src)) return false;
    i = re.lastIndex;
    return true;
  };
  // each frame: what the container expects next
  const stack: Array<'obj-key' | 'obj-colon' | 'obj-value' | 'obj-next' | 'arr-value' | 'arr-next' | 'arr-first'> = [];
  let expectValue = true;
  for (;;) {
    skip();
    if (expectValue) {
      const c = src[i];
      if (c === '{') {
        i++;
        skip();
        if (src[i] === '}') {
          i++;
          expectValue = false;
        } else stack.push('obj-key');
        if (stack.at(-1) === 'obj-key') {
          if (!token(STRING)) return i;
          skip();
          if (src[i] !== ':') return i;
          i++;
          stack[stack.length - 1] = 'obj-next';
        }
        continue;
      }
      if (c === '[') {
        i++;
        skip();
        if (src[i] === ']') {
          i++;
          expectValue = false;
          continue;
        }
        stack.push('arr-next');
        continue;
      }
      if (!(token(STRING) || token(NUMBER) || token(LITERAL))) return i;
      expectValue = false;
      continue;
    }
    const top = stack.at(-1);
    if (top === undefined) return Math.min(i, src.length);
    const c = src[i];
    if (top === 'obj-next') {
      if (c === '}') {
        i++;
        stack.pop();
        continue;
      }
      if (c !== ',') return i;
      i++;
      skip();
      if (!token(STRING)) return i;
      skip();
      if (src[i] !== ':') return i;
      i++;
      expectValue = true;
      continue;
    }
    if (c === ']') {
      i++;
      stack.pop();
      continue;
    }
    if (c !== ',') return i;
    i++;
    expectValue = true;
  }
}
