/** The FHIR REST seam: plain requests in, plain responses out. No HTTP framework in here. */
import type { Resource } from '@medplum/fhirtypes';
import type { Caller } from '../identity/caller.ts';
import type { BreakGlassRegistry } from '../policy/break-glass.ts';
import type { PolicyPoint } from '../policy/release.ts';
import type { SearchParamRegistry } from '../search/params.ts';
import type { QueryInput } from '../search/request.ts';
import type { FhirRepository, FhirStore } from '../store/types.ts';
import type { Terminology } from '../terminology/concept-maps.ts';
import type { FhirValidator } from '../validation/index.ts';

export type FhirMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH' | 'HEAD';

export interface FhirRequest {
  method: FhirMethod;
  /** path below the FHIR base, without leading slash: '', 'metadata', 'Task', 'Task/1/_history/2', 'Task/$validate' */
  path: string;
  query: QueryInput;
  body?: unknown;
  ifMatch?: string;
  ifNoneExist?: string;
  prefer?: string;
  /** absolute FHIR base URL for links and Location headers, e.g. http://localhost:8080/fhir */
  baseUrl: string;
  /** the authenticated caller; undefined only for the gateway's own work (seeding) */
  caller?: Caller;
  /** the caller's break-the-glass grant in force for this request (docs/privacy.md §5) */
  breakGlass?: { reason: string; until: string };
  /** the client's network address, for the audit record */
  clientAddress?: string;
}

export interface FhirResponse {
  status: number;
  body?: Resource;
  headers?: Record<string, string>;
}

export interface FhirContext {
  store: FhirStore;
  registry: SearchParamRegistry;
  validator: FhirValidator;
  terminology: Terminology;
  /** operations other modules add (delivery: $dead-letters, $replay, Task/{id}/$reroute); key as in OperationDef.path */
  operations?: readonly OperationDef[];
  /** per resource type, what other modules add to its CapabilityStatement entry (e.g. Subscription support) */
  resourceDocumentation?: Readonly<Record<string, string>>;
  /** the policy point every REST exit releases through (docs/privacy.md); without it no patient data is answered */
  policy?: PolicyPoint;
  /** break-the-glass grants, resolved at the HTTP edge */
  breakGlass?: BreakGlassRegistry;
}

/** An operation contributed by another module through the composition root. */
export interface OperationDef {
  /** '$name' (system), 'Type/$name' (type) or 'Type/{id}/$name' (instance) */
  path: string;
  methods: readonly FhirMethod[];
  documentation: string;
  handler(scope: HandlerScope, req: FhirRequest, id?: string): Promise<FhirResponse>;
}

/** What a handler works against: the store, or one transaction's repository. */
export interface HandlerScope extends FhirContext {
  repo: FhirRepository;
  /** set inside a transaction whose entries were all validated up front */
  prevalidated?: boolean;
  /** id pre-assigned to a transaction POST entry */
  assignedId?: string;
}
