/** XML parser: well-formedness errors with line and column, and every limit. */
import t from 'tap';
import { DEFAULT_XML_LIMITS, parseXml } from '../../src/adapters/xml/index.ts';
import { catchError, expectError } from './helpers.ts';

const BAD = 'SPB_ERR_XML_MALFORMED';
const LIMIT = 'SPB_ERR_XML_LIMIT';

t.test('well-formedness errors name line and column', async (t) => {
  const cases: Array<[string, string, string]> = [
    ['empty document', '', 'line 1 column 1'],
    ['only whitespace', '  \n ', 'line 2 column 2'],
    ['mismatched end tag', '<a>\n  <b></c>\n</a>', 'line 2 column 6'],
    ['unclosed element', '<a>\n<b/>', 'line 2 column 5'],
    ['unclosed start tag', '<a b="1"', 'line 1 column 9'],
    ['end tag without start', '</a>', 'line 1 column 1'],
    ['attribute without quotes', '<a b=1/>', 'line 1 column 6'],
    ['attribute without =', '<a b "1"/>', 'line 1 column 6'],
    ['attribute without space', '<a b="1"c="2"/>', 'line 1 column 9'],
    ['unclosed attribute value', '<a b="1/>', 'line 1 column 6'],
    ['< in attribute value', '<a b="<"/>', 'line 1 column 7'],
    ['duplicate attribute', '<a b="1" b="2"/>', 'line 1 column 10'],
    ['duplicate expanded attribute', '<a xmlns:p="urn:x" xmlns:q="urn:x" p:b="1" q:b="2"/>', 'line 1 column 44'],
    ['text before the root', 'hallo<a/>', 'line 1 column 1'],
    ['text after the root', '<a/>\n  x', 'line 2 column 3'],
    ['second root', '<a/><b/>', 'line 1 column 5'],
    ['undeclared element prefix', '<p:a/>', 'line 1 column 2'],
    ['undeclared attribute prefix', '<a p:b="1"/>', 'line 1 column 4'],
    ['rebinding xmlns', '<a xmlns:xmlns="urn:x"/>', 'line 1 column 4'],
    ['empty prefix binding', '<a xmlns:p=""/>', 'line 1 column 4'],
    ['two colons in a name', '<a:b:c/>', 'line 1 column 2'],
    ['name starting with a digit', '<1a/>', 'line 1 column 2'],
    ['control character', '<a>\u0001</a>', 'line 1 column 4'],
    ['lone surrogate', '<a>\uD800</a>', 'line 1 column 4'],
    ['-- in a comment', '<a><!-- a -- b --></a>', 'line 1 column 11'],
    ['unclosed comment', '<a><!-- x', 'line 1 column 4'],
    ['unclosed CDATA', '<a><![CDATA[ x', 'line 1 column 4'],
    ['CDATA outside the root', '<![CDATA[x]]><a/>', 'line 1 column 1'],
    [']]> in text', '<a>x]]>y</a>', 'line 1 column 5'],
    ['unclosed processing instruction', '<a><?pi x</a>', 'line 1 column 4'],
    ['XML declaration not at the start', ' <?xml version="1.0"?><a/>', 'line 1 column 2'],
    ['unclosed XML declaration', '<?xml version="1.0"<a/>', 'line 1 column 1'],
    ['other markup declaration', '<!ELEMENT a ANY><a/>', 'line 1 column 1'],
    ['entity without semicolon', '<a>fish &amp chips</a>', 'line 1 column 9'],
    ['character reference to NUL', '<a>&#0;</a>', 'line 1 column 4'],
    ['character reference to a surrogate', '<a>&#xD800;</a>', 'line 1 column 4'],
    ['character reference out of range', '<a>&#x110000;</a>', 'line 1 column 4'],
    ['prototype name as entity', '<a>&constructor;</a>', 'line 1 column 4'],
    ['bad end tag', '<a></a x>', 'line 1 column 8'],
  ];
  for (const [name, xml, where] of cases) expectError(t, () => parseXml(xml), BAD, 400, where, name);
  const err = catchError(() => parseXml('<a>\n  <b></c>\n</a>'));
  t.same(err.issues[0]?.expression, ['line 2 column 6', '/a/b'], 'the element path is given as a second expression');
  t.equal(parseXml('<a>\r\n<b/>\r\n<c/></a>').children[1]?.line, 3, 'CRLF counts as one line');
});

t.test('limits (small, to show each one)', async (t) => {
  expectError(t, () => parseXml('<a>hallo</a>', { inputBytes: 11 }), LIMIT, 413, 'document', 'input size');
  expectError(t, () => parseXml('<a><b><c/></b></a>', { depth: 2 }), LIMIT, 413, 'line 1 column 7', 'depth');
  expectError(t, () => parseXml('<a><b/><b/></a>', { elements: 2 }), LIMIT, 413, 'line 1 column 8', 'element count');
  expectError(t, () => parseXml('<a b="1" c="2" d="3"/>', { attributes: 2 }), LIMIT, 413, 'line 1 column 16', 'attribute count');
  expectError(t, () => parseXml('<abcd/>', { nameLength: 3 }), LIMIT, 413, 'line 1 column 2', 'name length');
  t.equal(parseXml('<a><b><c/></b></a>', { depth: 3 }).children.length, 1, 'exactly at the limit passes');
});

t.test('default limits', async (t) => {
  t.same(DEFAULT_XML_LIMITS, { inputBytes: 4194304, depth: 64, elements: 100000, attributes: 64, nameLength: 256 });
  expectError(t, () => parseXml(`<a>${'ë'.repeat(2_100_000)}</a>`), LIMIT, 413, 'document', '4 MiB counted in UTF-8 bytes');
  expectError(t, () => parseXml(`${'<a>'.repeat(65)}${'</a>'.repeat(65)}`), LIMIT, 413, 'line 1 column 193', 'depth 65');
  t.ok(parseXml(`${'<a>'.repeat(64)}${'</a>'.repeat(64)}`), 'depth 64 passes');
  expectError(t, () => parseXml(`<r>${'<e/>'.repeat(100_000)}</r>`), LIMIT, 413, /^line 1 column \d+$/, '100,001 elements');
  t.equal(parseXml(`<r>${'<e/>'.repeat(99_999)}</r>`).children.length, 99_999, '100,000 elements pass');
  const attrs = (n: number) => `<a ${Array.from({ length: n }, (_, i) => `a${i}="${i}"`).join(' ')}/>`;
  expectError(t, () => parseXml(attrs(65)), LIMIT, 413, /^line 1 column \d+$/, '65 attributes');
  t.equal(parseXml(attrs(64)).attributes.length, 64, '64 attributes pass');
  expectError(t, () => parseXml(`<${'n'.repeat(257)}/>`), LIMIT, 413, 'line 1 column 2', 'name of 257 characters');
  t.ok(parseXml(`<${'n'.repeat(256)}/>`), 'name of 256 characters passes');
  t.equal(catchError(() => parseXml('<a/>', { depth: -1 })).httpStatus, 500, 'a bad limit is a configuration error');
});
