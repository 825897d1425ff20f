/** The profile's FHIRPath elfproef() and the identifier module's isValidBsn must never disagree. */
import fc from 'fast-check';
import t from 'tap';
import { isValidBsn } from '../../src/fhir/identifiers.ts';
import { isElfproef } from '../../src/validation/invariants.ts';

t.test('elfproef() agrees with isValidBsn', async (t) => {
  const nineDigits = fc.stringMatching(/^[0-9]{9}$/);
  const details = fc.check(
    fc.property(fc.oneof(nineDigits, fc.string({ maxLength: 12 })), (s) => isElfproef(s) === isValidBsn(s)),
    { numRuns: 5000, seed: 11 },
  );
  t.notOk(details.failed, fc.defaultReportMessage(details) ?? 'agree');
  t.ok(isElfproef('999999990'));
  t.notOk(isElfproef('123456789'));
  t.notOk(isElfproef('000000000'));
});
