/**
 * ConceptMap/$translate (R4 OperationDefinition ConceptMap-translate) over the local terminology,
 * including the region's overrides: type level (`url`, or `system` + `targetsystem`) and instance level
 * (that ConceptMap). Inputs as query parameters or a Parameters body; the answer is a Parameters resource.
 */
import type { Coding, Parameters, ParametersParameter, Resource } from '@medplum/fhirtypes';
import { requireScope } from '../access/policy.ts';
import { BadRequest } from '../fhir/errors.ts';
import type { FhirRequest, FhirResponse, HandlerScope } from './types.ts';

export async function translateOperation(scope: HandlerScope, req: FhirRequest, id: string | undefined): Promise<FhirResponse> {
  requireScope(req.caller, 'ConceptMap', 'read');
  const input = readInput(req);
  let url = input.url;
  if (id) url = ((await scope.repo.read('ConceptMap', id)) as { url?: string }).url;
  const coding: Coding | undefined = input.coding ?? (input.code ? { system: input.system, code: input.code } : undefined);
  if (!coding?.code || !coding.system) throw BadRequest({ params: ['$translate needs a code and its system (or a coding)'] });
  if (!url && !input.targetsystem) throw BadRequest({ params: ['$translate needs a ConceptMap (url or instance) or a targetsystem'] });
  const matches = scope.terminology.translate(coding, { ...(url ? { url } : {}), ...(input.targetsystem ? { targetSystem: input.targetsystem } : {}) });
  const parameter: ParametersParameter[] = [
    { name: 'result', valueBoolean: matches.length > 0 },
    ...(matches.length ? [] : [{ name: 'message', valueString: 'No mapping found for this code' }]),
    ...matches.map((m) => ({
      name: 'match',
      part: [
        ...(m.equivalence ? [{ name: 'equivalence', valueCode: m.equivalence }] : []),
        ...(m.target ? [{ name: 'concept', valueCoding: m.target }] : []),
        { name: 'source', valueUri: m.conceptMap },
      ],
    })),
  ];
  return { status: 200, body: { resourceType: 'Parameters', parameter } as Parameters };
}

interface TranslateInput {
  url?: string;
  system?: string;
  code?: string;
  coding?: Coding;
  targetsystem?: string;
}

function readInput(req: FhirRequest): TranslateInput {
  const out: TranslateInput = {};
  for (const key of ['url', 'system', 'code', 'targetsystem'] as const) {
    const v = req.query[key];
    if (typeof v === 'string') out[key] = v;
  }
  const body = req.body as Resource | undefined;
  if (body?.resourceType === 'Parameters') {
    for (const p of (body as Parameters).parameter ?? []) {
      if (p.name === 'coding' && p.valueCoding) out.coding = p.valueCoding;
      const v = p.valueUri ?? p.valueCode ?? p.valueString ?? p.valueCanonical;
      if (v && (p.name === 'url' || p.name === 'system' || p.name === 'code' || p.name === 'targetsystem')) out[p.name] = v;
    }
  }
  return out;
}
