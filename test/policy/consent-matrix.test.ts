/**
 * The consent matrix (issue 5 point 7): one table of scenarios, each released to the five care sectors,
 * with the expected decision per sector (P = released, D = withheld) and the exact elements each sees.
 * For every cell the search filter compiled into SQL must agree with the per-resource decision, so a
 * Bundle.total can never count what a read would withhold.
 */
import type { Resource } from '@medplum/fhirtypes';
import t from 'tap';
import { OWNER_TAG_SYSTEM } from '../../src/access/categories.ts';
import type { Sector } from '../../src/identity/caller.ts';
import { openStore } from '../../src/store/open-store.ts';
import { parseSearchRequest } from '../../src/search/request.ts';
import { testRegistry } from '../helpers/registry.ts';
import { consentResource, type ProvisionSpec, recordingPoint } from './helpers.ts';

const SECTORS = ['HAP', 'RAV', 'SEH', 'VVT', 'GGZ'] as const;
const URA: Record<(typeof SECTORS)[number], string> = { HAP: '99000011', RAV: '99000021', SEH: '99000031', VVT: '99000041', GGZ: '99000051' };
const OWNER = '99000061'; // the data's owner: another SEH, so every recipient above is someone else
const BSN = '999911120';

type Kind = 'patient' | 'observation' | 'mh-condition' | 'gp-composition';

// what each kind of resource carries (the owner sees all of it)
function resourceOf(kind: Kind, patient: string): Resource {
  const meta = { tag: [{ system: OWNER_TAG_SYSTEM, code: OWNER }] };
  const subject = { reference: patient };
  switch (kind) {
    case 'patient':
      return {
        resourceType: 'Patient',
        meta,
        text: { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml">Jansen</div>' },
        identifier: [{ system: 'http://fhir.nl/fhir/NamingSystem/bsn', value: BSN }],
        name: [{ family: 'Jansen' }],
        gender: 'female',
        birthDate: '1950-02-03',
        address: [{ postalCode: '1811AA' }],
        telecom: [{ system: 'phone', value: '0612345678' }],
        maritalStatus: { text: 'married' },
      } as Resource;
    case 'observation':
      return {
        resourceType: 'Observation',
        meta,
        status: 'final',
        code: { text: 'Ademfrequentie' },
        subject,
        effectiveDateTime: '2026-12-01T10:00:00Z',
        valueQuantity: { value: 22, unit: '/min' },
        note: [{ text: 'free text' }],
      } as Resource;
    case 'mh-condition':
      return {
        resourceType: 'Condition',
        meta: { ...meta, security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'MH' }] },
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        code: { text: 'psychose' },
        subject,
        note: [{ text: 'free text' }],
      } as Resource;
    case 'gp-composition':
      return {
        resourceType: 'Composition',
        meta: { ...meta, tag: [...meta.tag, { system: 'https://spoedbrug.nl/fhir/CodeSystem/data-category', code: 'gp-summary' }] },
        status: 'final',
        type: { text: 'waarneemdossier' },
        subject,
        date: '2026-12-01',
        author: [{ display: 'huisarts' }],
        title: 'Professionele samenvatting',
        confidentiality: 'N',
      } as Resource;
  }
}

// the elements each sector sees (written out here, independently of policies/)
const BASE = ['id', 'meta', 'resourceType'];
const ACUTE: Record<Kind, string[]> = {
  patient: [...BASE, 'address', 'birthDate', 'gender', 'identifier', 'name', 'telecom'],
  observation: [...BASE, 'code', 'effectiveDateTime', 'status', 'subject', 'valueQuantity'],
  'mh-condition': [...BASE, 'clinicalStatus', 'code', 'subject'],
  'gp-composition': [...BASE, 'author', 'date', 'status', 'subject', 'title', 'type'],
};
const OWNER_VIEW: Record<Kind, string[]> = {
  patient: [...ACUTE.patient, 'maritalStatus', 'text'],
  observation: [...ACUTE.observation, 'note'],
  'mh-condition': [...ACUTE['mh-condition'], 'note'],
  'gp-composition': [...ACUTE['gp-composition'], 'confidentiality'],
};
const FEEDBACK_PATIENT = [...BASE, 'birthDate', 'gender'];

interface Scenario {
  name: string;
  kind: Kind;
  consents?: ProvisionSpec[];
  /** decisions for HAP RAV SEH VVT GGZ */
  expect: string;
  flow?: string;
  region?: string;
  purpose?: string;
  breakGlass?: boolean;
  /** the HAP owns the data in this scenario */
  hapOwns?: boolean;
  elements?: (sector: string) => string[];
}

const PAST = { start: '2020-01-01T00:00:00Z', end: '2021-01-01T00:00:00Z' };
const FUTURE = { start: '2099-01-01T00:00:00Z' };

const TABLE: Scenario[] = [
  { name: 'no consent on file (opt-out)', kind: 'patient', expect: 'PPPPP' },
  { name: 'no consent: ABCDE findings, not in the VVT set', kind: 'observation', expect: 'PPPDP' },
  { name: 'general objection', kind: 'patient', consents: [{ type: 'deny' }], expect: 'DDDDD' },
  { name: 'general objection, expired', kind: 'patient', consents: [{ type: 'deny', ...PAST }], expect: 'PPPPP' },
  { name: 'general objection, not yet in force', kind: 'patient', consents: [{ type: 'deny', ...FUTURE }], expect: 'PPPPP' },
  { name: 'objection to the ambulance sector', kind: 'patient', consents: [{ type: 'deny', sector: 'RAV' }], expect: 'PDPPP' },
  {
    name: 'organisation beats category: RAV denied, this RAV permitted',
    kind: 'patient',
    consents: [
      { type: 'deny', sector: 'RAV' },
      { type: 'permit', ura: URA.RAV },
    ],
    expect: 'PPPPP',
  },
  {
    name: 'organisation beats category: RAV permitted, this RAV denied',
    kind: 'patient',
    consents: [
      { type: 'permit', sector: 'RAV' },
      { type: 'deny', ura: URA.RAV },
    ],
    expect: 'PDPPP',
  },
  {
    name: 'category beats general: all denied, HAP permitted',
    kind: 'patient',
    consents: [{ type: 'deny' }, { type: 'permit', sector: 'HAP' }],
    expect: 'PDDDD',
  },
  { name: 'equal specificity: objection beats permission', kind: 'patient', consents: [{ type: 'permit' }, { type: 'deny' }], expect: 'DDDDD' },
  {
    name: 'equal specificity per sector: objection beats permission',
    kind: 'patient',
    consents: [
      { type: 'permit', sector: 'HAP' },
      { type: 'deny', sector: 'HAP' },
    ],
    expect: 'DPPPP',
  },
  { name: 'objection for the GP summary only; acute data flows', kind: 'patient', consents: [{ type: 'deny', category: 'gp-summary' }], expect: 'PPPPP' },
  { name: 'objection for acute-care data', kind: 'patient', consents: [{ type: 'deny', category: 'acute-care' }], expect: 'DDDDD' },
  {
    name: 'data category beats all data: general permit, acute-care denied',
    kind: 'patient',
    consents: [{ type: 'permit' }, { type: 'deny', category: 'acute-care' }],
    expect: 'DDDDD',
  },
  {
    name: 'data category beats all data: general deny, acute-care permitted',
    kind: 'patient',
    consents: [{ type: 'deny' }, { type: 'permit', category: 'acute-care' }],
    expect: 'PPPPP',
  },
  { name: 'an inactive Consent counts as absent', kind: 'patient', consents: [{ type: 'deny', status: 'inactive' }], expect: 'PPPPP' },
  { name: 'a treatment Consent is no privacy decision', kind: 'patient', consents: [{ type: 'deny', scope: 'treatment' }], expect: 'PPPPP' },
  { name: 'objection for the purpose of treatment', kind: 'patient', consents: [{ type: 'deny', purpose: 'TREAT' }], expect: 'DDDDD' },
  { name: 'objection for another purpose (payment)', kind: 'patient', consents: [{ type: 'deny', purpose: 'HPAYMT' }], expect: 'PPPPP' },
  {
    name: 'emergency treatment is treatment: TREAT objection governs ETREAT',
    kind: 'patient',
    consents: [{ type: 'deny', purpose: 'TREAT' }],
    purpose: 'ETREAT',
    expect: 'DDDDD',
  },
  { name: 'mental-health label without permission: GGZ only', kind: 'mh-condition', expect: 'DDDDP' },
  {
    name: 'mental-health label, explicitly permitted to all',
    kind: 'mh-condition',
    consents: [{ type: 'permit', category: 'mental-health' }],
    expect: 'PPPPP',
  },
  {
    name: 'mental-health label, permitted to the HAP only',
    kind: 'mh-condition',
    consents: [{ type: 'permit', category: 'mental-health', sector: 'HAP' }],
    expect: 'PDDDP',
  },
  { name: 'mental-health label and an acute-care objection', kind: 'mh-condition', consents: [{ type: 'deny', category: 'acute-care' }], expect: 'DDDDD' },
  { name: 'GP summary (opt-in) without permission', kind: 'gp-composition', expect: 'DDDDD' },
  { name: 'GP summary made available to all ("klaarzetten")', kind: 'gp-composition', consents: [{ type: 'permit', category: 'gp-summary' }], expect: 'PPPPD' },
  {
    name: 'GP summary made available to the SEH only',
    kind: 'gp-composition',
    consents: [{ type: 'permit', category: 'gp-summary', sector: 'SEH' }],
    expect: 'DDPDD',
  },
  {
    name: 'GP summary available, one HAP organisation denied',
    kind: 'gp-composition',
    consents: [
      { type: 'permit', category: 'gp-summary' },
      { type: 'deny', category: 'gp-summary', ura: URA.HAP },
    ],
    expect: 'DPPPD',
  },
  {
    name: 'the owner always sees its own data, whole',
    kind: 'patient',
    consents: [{ type: 'deny' }],
    hapOwns: true,
    expect: 'PDDDD',
    elements: (s) => (s === 'HAP' ? OWNER_VIEW.patient : []),
  },
  {
    name: 'break-the-glass lifts an objection (marked)',
    kind: 'patient',
    consents: [{ type: 'deny' }],
    breakGlass: true,
    expect: 'PPPPP',
  },
  { name: 'opt-in region: acute data needs permission', kind: 'observation', region: 'opt-in-everything', expect: 'DDDDD' },
  { name: 'opt-in region with a general permission', kind: 'observation', region: 'opt-in-everything', consents: [{ type: 'permit' }], expect: 'PPPDP' },
  {
    name: 'opt-in region: permission to the GGZ only',
    kind: 'patient',
    region: 'opt-in-everything',
    consents: [{ type: 'permit', sector: 'GGZ' }],
    expect: 'DDDDP',
  },
  {
    name: 'SEH → RAV feedback: sex and birth date only, to the RAV only',
    kind: 'patient',
    flow: 'seh-rav-feedback',
    expect: 'DPDDD',
    elements: () => FEEDBACK_PATIENT,
  },
  { name: 'capacity answers carry no patient data', kind: 'patient', flow: 'capacity', expect: 'DDDDD' },
  { name: 'objection naming the organisation by reference', kind: 'patient', consents: [{ type: 'deny', orgRef: 'Organization/seh-1' }], expect: 'PPDPP' },
  {
    name: 'nested provision: all denied except the GGZ',
    kind: 'patient',
    consents: [{ type: 'deny', nested: [{ type: 'permit', sector: 'GGZ' }] }],
    expect: 'DDDDP',
  },
  { name: 'unknown flow: nothing leaves', kind: 'observation', flow: 'unheard-of', expect: 'DDDDD' },
];

t.test(`consent matrix: ${TABLE.length} scenarios × ${SECTORS.length} sectors`, async (t) => {
  t.ok(TABLE.length >= 30, 'at least 30 scenarios');
  const store = await openStore({ sqlitePath: ':memory:' }, testRegistry());
  t.teardown(() => store.close());
  for (const [i, sc] of TABLE.entries()) {
    const { point, entries } = recordingPoint(sc.region ?? 'default');
    const patientId = `matrix-${i}`;
    await store.update({ resourceType: 'Patient', id: patientId, meta: { tag: [{ system: OWNER_TAG_SYSTEM, code: OWNER }] } } as never);
    const patient = `Patient/${patientId}`;
    for (const c of sc.consents ?? []) await store.create(consentResource(patient, c));
    let r = resourceOf(sc.kind, patient);
    if (sc.hapOwns) r = { ...r, meta: { ...r.meta, tag: [{ system: OWNER_TAG_SYSTEM, code: URA.HAP }] } };
    const stored = sc.kind === 'patient' ? (await store.update({ ...r, id: patientId } as never)).resource : (await store.create(r)).resource;
    for (const [j, sector] of SECTORS.entries()) {
      const want = sc.expect[j] === 'P';
      const recipient = { ura: URA[sector], sector: sector as Sector, ...(sector === 'SEH' ? { organizationRef: 'Organization/seh-1' } : {}) };
      const before = entries.length;
      const out = await point.releaseForRecipient(store, {
        flow: sc.flow ?? 'rest',
        recipient,
        purpose: sc.purpose ?? 'TREAT',
        resources: [stored],
        ...(sc.breakGlass ? { breakGlass: { reason: 'reanimatie, patiënt aanspreekbaar', until: '2099-01-01T00:00:00Z' } } : {}),
      });
      const label = `${sc.name} → ${sector}`;
      t.equal(out.resources.length === 1, want, `${label}: ${want ? 'released' : 'withheld'}`);
      const expected = want ? (sc.elements?.(sector) ?? ACUTE[sc.kind]) : [];
      t.same(out.resources[0] ? Object.keys(out.resources[0]).sort() : [], [...expected].sort(), `${label}: exactly these elements`);
      const audit = entries.slice(before);
      t.ok(audit.length >= 1, `${label}: audited`);
      t.equal(audit.at(-1)?.decision, want ? 'Permit' : 'Deny', `${label}: audited decision`);
      if (sc.breakGlass)
        t.ok(
          out.resources[0]?.meta?.security?.some((s) => s.code === 'BTG'),
          `${label}: marked as released by break-the-glass`,
        );
      // the search filter says the same as the release (for the flows searches use)
      if ((sc.flow ?? 'rest') === 'rest' && !sc.breakGlass) {
        const filter = await point.searchFilter(store, recipient, stored.resourceType, sc.purpose ?? 'TREAT', false);
        const req = parseSearchRequest(stored.resourceType, { _id: stored.id as string }, testRegistry());
        const found = await store.search({ ...req, ...(filter ? { access: filter } : {}), total: 'accurate' });
        const inSet = want || (sc.expect[j] === 'D' && out.withheld[0]?.reason.includes('minimisation set'));
        t.equal(found.total, inSet ? 1 : 0, `${label}: the search counts the same`);
      }
    }
  }
});
