/**
 * Every fixture of every sector that is meant to be accepted converts, and every resource it produces validates
 * against the base specification, its meta.profile and the Spoedbrug profile of its kind; the ones meant to be
 * refused are refused with a 4xx OperationOutcome.
 */
import { readdirSync, readFileSync } from 'node:fs';
import t from 'tap';
import { GatewayError } from '../../src/fhir/errors.ts';
import { convertMessage, type IngestContext } from '../../src/ingest/ingest.ts';
import { loadMappings } from '../../src/mapping/load.ts';
import type { SourceFormat } from '../../src/mapping/types.ts';
import { Terminology } from '../../src/terminology/concept-maps.ts';
import { loadValidator } from '../../src/validation/index.ts';

const root = (p: string) => new URL(`../../${p}`, import.meta.url).pathname;
const validator = loadValidator({ profilesDir: root('profiles') });
const ctx = {
  mappings: loadMappings(root('mappings')),
  terminology: new Terminology({ dirs: [root('profiles/terminology')] }),
  validator,
} as unknown as IngestContext;
const SENDER: Record<string, string> = { SEH: '99000031', RAV: '99000021', HAP: '99000011', VVT: '99000041', GGZ: '99000011' };
/** fixtures written to be refused */
const REFUSED = /seh\/21-|rav\/1[23]-|rav\/az-04|hap\/13-|vvt\/(09|10|11|12|35)-|vvt\/34-|ggz\/10-/;
const PROFILE: Record<string, string> = {
  Patient: 'https://spoedbrug.nl/fhir/StructureDefinition/patient',
  HealthcareService: 'https://spoedbrug.nl/fhir/StructureDefinition/healthcare-service',
  Slot: 'https://spoedbrug.nl/fhir/StructureDefinition/slot',
};

function formatOf(sector: string, file: string, text: string): SourceFormat {
  if (file.endsWith('.hl7')) return 'hl7v2';
  if (file.endsWith('.xml')) return 'xml';
  if (file.endsWith('.csv')) return 'csv';
  return sector === 'vvt' && /"resourceType":\s*"Task"/.test(text) ? 'fhir-stu3' : 'json';
}

for (const sector of ['seh', 'rav', 'hap', 'vvt', 'ggz']) {
  t.test(`${sector} fixtures`, async (t) => {
    const files = readdirSync(root(`fixtures/${sector}`)).filter((f) => !f.endsWith('.md'));
    t.ok(files.length >= 10, `${files.length} fixtures (at least 10)`);
    let resources = 0;
    for (const f of files) {
      const text = readFileSync(root(`fixtures/${sector}/${f}`), 'utf8');
      const name = `${sector}/${f}`;
      const S = sector.toUpperCase();
      const sender = sector === 'ggz' && text.includes('crisis-beschikbaarheid') ? '99000051' : SENDER[S];
      if (REFUSED.test(name)) {
        const err = t.throws(() => convertMessage(ctx, S, formatOf(sector, f, text), text, { context: { '$sender.ura': sender } })) as GatewayError;
        t.ok(err instanceof GatewayError && err.httpStatus >= 400 && err.httpStatus < 500, `${name} is refused with ${err?.code}`);
        t.ok(err.toOutcome().issue?.[0]?.diagnostics, `${name}: the OperationOutcome says why`);
        continue;
      }
      const { bundle } = convertMessage(ctx, S, formatOf(sector, f, text), text, { context: { '$sender.ura': sender } });
      for (const e of bundle.entry ?? []) {
        resources++;
        const r = e.resource as { resourceType: string; focus?: unknown };
        const profile = r.resourceType === 'Task' && r.focus ? 'https://spoedbrug.nl/fhir/StructureDefinition/coordination-task' : PROFILE[r.resourceType];
        const errors = validator.validate(r, profile ? { profile } : {}).filter((i) => i.severity === 'error' || i.severity === 'fatal');
        if (errors.length) t.fail(`${name}: ${r.resourceType} ${JSON.stringify(errors.slice(0, 2))}`);
      }
    }
    t.ok(resources > 0, `${resources} produced resources validate (base, meta.profile and our profiles)`);
  });
}
