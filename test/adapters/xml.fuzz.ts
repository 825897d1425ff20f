/** Property-based tests for the XML parser; run by fuzz-slice.test.ts (200 runs) and scripts/fuzz.ts. */
import fc from 'fast-check';
import t from 'tap';
import { type XmlElement, type XmlLimits, parseXml, serializeXml, xmlElement } from '../../src/adapters/xml/index.ts';
import { fixture } from './helpers.ts';
import { anyText, check, fuzzTestOptions, mutated, robust, soup } from './fuzz-common.ts';

const RIT = fixture('ambulance-rit.xml');
const XML_CHARS = [
  '<',
  '>',
  '/',
  '?',
  '!',
  '-',
  '[',
  ']',
  '=',
  '"',
  "'",
  '&',
  '#',
  ';',
  ':',
  ' ',
  '\n',
  'a',
  'b',
  'x',
  'm',
  'l',
  'n',
  's',
  'ë',
  '\u0000',
  '<!DOCTYPE r [',
  '<!ENTITY x "y">',
  '<![CDATA[',
  ']]>',
  '<!--',
  '-->',
  '&amp;',
  '&#x',
  'xmlns:p="u"',
  '<?xml ',
];

const smallLimits: fc.Arbitrary<Partial<XmlLimits>> = fc.record(
  {
    inputBytes: fc.integer({ min: 1, max: 3000 }),
    depth: fc.integer({ min: 1, max: 4 }),
    elements: fc.integer({ min: 1, max: 10 }),
    attributes: fc.integer({ min: 1, max: 3 }),
    nameLength: fc.integer({ min: 1, max: 8 }),
  },
  { requiredKeys: [] },
);

const input = fc.record({
  text: fc.oneof(
    anyText,
    soup(XML_CHARS),
    soup(XML_CHARS).map((s) => `<a>${s}</a>`),
    mutated(RIT, XML_CHARS),
  ),
  limits: fc.option(smallLimits, { nil: undefined, freq: 2 }),
});

/** Characters XML 1.0 cannot carry are replaced, so the generated tree is always serializable. */
const xmlText = anyText.map((s) => s.replace(/[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '?'));
const localName = fc.stringMatching(/^[a-zA-Z_ë][a-zA-Z0-9._ë-]{0,8}$/).filter((n) => !n.toLowerCase().startsWith('xml'));
const qname = fc.tuple(fc.constantFrom('', 'p:'), localName).map(([p, n]) => p + n);
const attributes = fc.uniqueArray(fc.tuple(qname, xmlText), { selector: ([n]) => n, maxLength: 4 });

const tree = fc.letrec<{ node: XmlElement; item: XmlElement | string }>((tie) => ({
  node: fc
    .tuple(qname, attributes, fc.array(tie('item'), { maxLength: 4 }))
    .map(([name, attrs, content]) => xmlElement(name, Object.fromEntries(attrs), content)),
  item: fc.oneof({ maxDepth: 4 }, xmlText, tie('node')),
}));

/** What a parser can observe: adjacent text runs merge and empty ones vanish. */
function shape(el: XmlElement): unknown {
  const content: unknown[] = [];
  for (const c of el.content) {
    if (typeof c !== 'string') content.push(shape(c));
    else if (c !== '' && typeof content.at(-1) === 'string') content[content.length - 1] += c;
    else if (c !== '') content.push(c);
  }
  const attrs = el.attributes.filter((a) => !a.name.startsWith('xmlns')).map((a) => [a.name, a.value]);
  return [el.name, attrs, content];
}

export function fuzzProperties(numRuns: number, seed: number): void {
  t.test('xml properties', fuzzTestOptions(numRuns), async (t) => {
    check(
      t,
      'xml: any input → element or 4xx GatewayError, < 100 ms',
      input,
      ({ text, limits }, tally) => robust(() => parseXml(text, limits), tally),
      numRuns,
      seed,
    );

    check(
      t,
      'xml: generated tree → serialize → parse gives the same tree',
      tree.node,
      (root) => {
        // Bind the prefix and a default namespace on the root, as real messages do.
        const declared = xmlElement(root.name, {}, root.content);
        declared.attributes = [
          ...xmlElement('x', { 'xmlns:p': 'urn:spoedbrug:p', xmlns: 'urn:spoedbrug:d' }).attributes,
          ...root.attributes.filter((a) => !a.name.startsWith('xmlns')),
        ];
        const back = parseXml(serializeXml(declared));
        return JSON.stringify(shape(back)) === JSON.stringify(shape(declared)) && back.namespace === (root.prefix ? 'urn:spoedbrug:p' : 'urn:spoedbrug:d');
      },
      numRuns,
      seed,
    );
  });
}
