import t from 'tap';
import { BSN_SYSTEM, canonicalSystem, generateTestBsn, isValidAgb, isValidBsn, isValidUra, isValidUzi, URA_SYSTEM } from '../../src/fhir/identifiers.ts';

t.test('isValidBsn applies the 11-check', async (t) => {
  t.ok(isValidBsn('999999990'));
  t.notOk(isValidBsn('999999991'), 'wrong check digit');
  t.notOk(isValidBsn('99999999'), '8 digits');
  t.notOk(isValidBsn('9999999900'), '10 digits');
  t.notOk(isValidBsn('99999999a'));
  t.notOk(isValidBsn('000000000'), 'all zeros is never issued');
  t.notOk(isValidBsn(999999990));
  t.notOk(isValidBsn(null));
});

t.test('generateTestBsn is deterministic, fake-looking and valid', async (t) => {
  const all = Array.from({ length: 500 }, (_, seed) => generateTestBsn(seed));
  t.same(
    all.filter((b) => !isValidBsn(b)),
    [],
    'every generated number passes the 11-check',
  );
  t.same(
    all.filter((b) => !/^99999\d{4}$/.test(b)),
    [],
    'every generated number starts with 99999',
  );
  const seen = new Set(all);
  t.equal(generateTestBsn(7), generateTestBsn(7));
  t.ok(seen.size > 400, 'different seeds give different numbers');
  t.ok(isValidBsn(generateTestBsn(-3.7)), 'any number is a usable seed');
});

t.test('URA, AGB and UZI formats', async (t) => {
  t.ok(isValidUra('00000123'));
  t.notOk(isValidUra('0000012'));
  t.notOk(isValidUra('000001234'));
  t.ok(isValidAgb('01234567'));
  t.notOk(isValidAgb('1234567x'));
  t.ok(isValidUzi('900000000'));
  t.notOk(isValidUzi('90000000'));
});

t.test('system URIs and urn:oid aliases', async (t) => {
  t.equal(BSN_SYSTEM, 'http://fhir.nl/fhir/NamingSystem/bsn');
  t.equal(canonicalSystem('urn:oid:2.16.528.1.1007.3.3'), URA_SYSTEM);
  t.equal(canonicalSystem('urn:oid:2.16.840.1.113883.2.4.6.3'), BSN_SYSTEM);
  t.equal(canonicalSystem('http://example.org'), 'http://example.org');
});
