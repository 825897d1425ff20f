/**
 * One registry of gateway errors (Fastify's lib/errors.js pattern, knooppunt's safe-message split).
 *
 * Every error carries a stable code `SPB_ERR_<AREA>_<WHAT>`, a FHIR IssueType, its own HTTP status and
 * FHIRPath (or segment) expressions. `message` is client-safe: it names paths, never values. The internal
 * `cause` is only ever logged. A retired code is never reused.
 */
import type { OperationOutcome, OperationOutcomeIssue } from '@medplum/fhirtypes';

export type IssueType = OperationOutcomeIssue['code'];

export class GatewayError extends Error {
  readonly code: string;
  readonly issueType: IssueType;
  readonly httpStatus: number;
  readonly issues: OperationOutcomeIssue[];

  constructor(code: string, issueType: IssueType, httpStatus: number, message: string, issues?: OperationOutcomeIssue[], cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'GatewayError';
    this.code = code;
    this.issueType = issueType;
    this.httpStatus = httpStatus;
    this.issues = issues ?? [{ severity: 'error', code: issueType, diagnostics: message }];
  }

  toOutcome(): OperationOutcome {
    return {
      resourceType: 'OperationOutcome',
      issue: this.issues.map((i) => ({ ...i, details: i.details ?? { coding: [{ system: ERROR_CODE_SYSTEM, code: this.code }] } })),
    };
  }
}

export const ERROR_CODE_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/error-code';

export interface ErrorDefinition {
  code: string;
  issueType: IssueType;
  httpStatus: number;
  template: string;
}

export type ErrorFactory = ((args?: { params?: string[]; expression?: string[]; issues?: OperationOutcomeIssue[]; cause?: unknown }) => GatewayError) &
  ErrorDefinition;

const registry = new Map<string, ErrorDefinition>();

/** Define an error kind. `template` uses `%s` placeholders filled from `params` (paths and names, never patient values). */
export function defineError(code: string, issueType: IssueType, httpStatus: number, template: string): ErrorFactory {
  if (registry.has(code)) throw new Error(`duplicate error code ${code}`);
  const def: ErrorDefinition = { code, issueType, httpStatus, template };
  registry.set(code, def);
  const factory = (args: { params?: string[]; expression?: string[]; issues?: OperationOutcomeIssue[]; cause?: unknown } = {}) => {
    const params = args.params ?? [];
    let i = 0;
    const message = template.replace(/%s/g, () => String(params[i++] ?? ''));
    const issues = args.issues ?? [
      { severity: 'error' as const, code: issueType, diagnostics: message, ...(args.expression ? { expression: args.expression } : {}) },
    ];
    return new GatewayError(code, issueType, httpStatus, message, issues, args.cause);
  };
  return Object.assign(factory, def);
}

export function listErrorDefinitions(): ErrorDefinition[] {
  return [...registry.values()];
}

// --- HTTP / request shape -------------------------------------------------------------------------
export const MalformedJson = defineError('SPB_ERR_HTTP_MALFORMED_JSON', 'structure', 400, 'The request body is not valid JSON: %s');
export const UnsupportedMediaType = defineError('SPB_ERR_HTTP_MEDIA_TYPE', 'not-supported', 415, 'Content type %s is not accepted here; use %s');
export const BodyTooLarge = defineError('SPB_ERR_HTTP_BODY_TOO_LARGE', 'too-long', 413, 'The request body exceeds the limit of %s bytes');
export const RouteNotFound = defineError('SPB_ERR_HTTP_NOT_FOUND', 'not-found', 404, 'No endpoint %s %s');
export const MethodNotAllowed = defineError('SPB_ERR_HTTP_METHOD', 'not-supported', 405, 'Method %s is not allowed on %s');
export const NotAcceptable = defineError('SPB_ERR_HTTP_NOT_ACCEPTABLE', 'not-supported', 406, 'Format %s is not supported; use application/fhir+json');
export const BadRequest = defineError('SPB_ERR_HTTP_BAD_REQUEST', 'invalid', 400, '%s');
export const InternalError = defineError('SPB_ERR_INTERNAL', 'exception', 500, 'An internal error occurred; it has been logged with request id %s');
export const Unavailable = defineError('SPB_ERR_UNAVAILABLE', 'transient', 503, '%s');

// --- FHIR REST ------------------------------------------------------------------------------------
export const UnknownResourceType = defineError('SPB_ERR_FHIR_UNKNOWN_TYPE', 'not-supported', 404, 'Resource type %s is not supported');
export const ResourceNotFound = defineError('SPB_ERR_FHIR_NOT_FOUND', 'not-found', 404, '%s/%s is not known');
export const VersionNotFound = defineError('SPB_ERR_FHIR_VERSION_NOT_FOUND', 'not-found', 404, '%s/%s has no version %s');
export const ResourceGone = defineError('SPB_ERR_FHIR_GONE', 'deleted', 410, '%s/%s has been deleted');
export const VersionConflict = defineError('SPB_ERR_FHIR_VERSION_CONFLICT', 'conflict', 412, '%s/%s is at version %s, not %s (If-Match)');
export const ConditionalMultiple = defineError('SPB_ERR_FHIR_CONDITIONAL_MULTIPLE', 'multiple-matches', 412, 'Condition %s matches %s resources');
export const IdMismatch = defineError('SPB_ERR_FHIR_ID_MISMATCH', 'invalid', 400, 'Resource id %s does not match the URL id %s');
export const TypeMismatch = defineError('SPB_ERR_FHIR_TYPE_MISMATCH', 'invalid', 400, 'Body resourceType %s does not match the URL type %s');
export const InvalidId = defineError('SPB_ERR_FHIR_INVALID_ID', 'value', 400, 'Id %s is not a valid FHIR id ([A-Za-z0-9-.]{1,64})');
export const InvalidSearch = defineError('SPB_ERR_FHIR_INVALID_SEARCH', 'invalid', 400, 'Search parameter %s: %s');
export const UnknownSearchParam = defineError('SPB_ERR_FHIR_UNKNOWN_SEARCH_PARAM', 'not-supported', 400, 'Search parameter %s is not supported for %s');
export const InvalidBundle = defineError('SPB_ERR_FHIR_INVALID_BUNDLE', 'invalid', 400, '%s');
export const TransactionEntryFailed = defineError('SPB_ERR_FHIR_TRANSACTION_ENTRY', 'processing', 400, 'Bundle.entry[%s] failed: %s');
export const UnknownOperation = defineError('SPB_ERR_FHIR_UNKNOWN_OPERATION', 'not-supported', 404, 'Operation %s is not supported on %s');
export const ImmutableResource = defineError('SPB_ERR_FHIR_IMMUTABLE', 'forbidden', 405, '%s resources cannot be changed or deleted');

// --- validation -----------------------------------------------------------------------------------
/** Structural problems (unknown element, wrong type, bad primitive, missing required, bad code): 400. */
export const ValidationFailed = defineError('SPB_ERR_VALIDATION_FAILED', 'invalid', 400, 'The resource is not valid: %s issue(s)');
/** Profile rules and invariants broken on an otherwise well-formed resource: 422. */
export const ProfileViolation = defineError('SPB_ERR_VALIDATION_PROFILE', 'processing', 422, 'The resource does not conform to %s: %s issue(s)');
export const UnknownProfile = defineError('SPB_ERR_VALIDATION_UNKNOWN_PROFILE', 'not-supported', 400, 'Profile %s is not known to this server');

// --- config / rules as data -----------------------------------------------------------------------
export const ConfigInvalid = defineError('SPB_ERR_CONFIG_INVALID', 'invalid', 500, 'Configuration %s is invalid: %s');

/** Turn anything thrown into a GatewayError; unknown errors become a generic outcome that leaks nothing. */
export function normaliseError(err: unknown, requestId = 'unknown'): GatewayError {
  if (err instanceof GatewayError) return err;
  return InternalError({ params: [requestId], cause: err });
}

// --- identity and access ----------------------------------------------------------------------------
export const Unauthenticated = defineError('SPB_ERR_AUTH_UNAUTHENTICATED', 'login', 401, '%s');
export const Forbidden = defineError('SPB_ERR_AUTH_FORBIDDEN', 'forbidden', 403, 'Not allowed: %s');
export const RateLimited = defineError('SPB_ERR_AUTH_RATE_LIMITED', 'throttled', 429, 'Too many requests from this client; retry after %s seconds');
export const Overloaded = defineError('SPB_ERR_OVERLOADED', 'transient', 503, 'The gateway is overloaded; retry after %s seconds');

// --- source-format parsers ------------------------------------------------------------------------
// Expressions name positions (`PID[1]-3[2].1`, `line 12 column 4`, `/ambulanceRit/patient`), never content.
export const Hl7Malformed = defineError('SPB_ERR_HL7_MALFORMED', 'structure', 400, 'The HL7 v2 message is malformed at %s: %s');
export const Hl7Required = defineError('SPB_ERR_HL7_REQUIRED', 'required', 400, 'HL7 v2 field %s is required');
export const Hl7Limit = defineError('SPB_ERR_HL7_LIMIT', 'too-long', 413, 'HL7 v2 %s at %s exceeds the limit of %s');
export const Hl7Unsupported = defineError('SPB_ERR_HL7_UNSUPPORTED', 'not-supported', 422, 'HL7 v2 %s at %s is not supported');
export const XmlMalformed = defineError('SPB_ERR_XML_MALFORMED', 'structure', 400, 'The XML document is not well-formed at %s: %s');
/** DTDs and entity declarations are well-formed XML, but never accepted (XXE, billion laughs). */
export const XmlForbidden = defineError('SPB_ERR_XML_FORBIDDEN', 'security', 422, 'XML %s at %s is not accepted: DTDs and entity declarations are refused');
export const XmlLimit = defineError('SPB_ERR_XML_LIMIT', 'too-long', 413, 'XML %s at %s exceeds the limit of %s');
export const XmlUnrepresentable = defineError('SPB_ERR_XML_UNREPRESENTABLE', 'value', 422, 'XML %s at %s contains a character XML 1.0 cannot carry');
export const CsvMalformed = defineError('SPB_ERR_CSV_MALFORMED', 'structure', 400, 'The CSV file is malformed at %s: %s');
export const CsvLimit = defineError('SPB_ERR_CSV_LIMIT', 'too-long', 413, 'CSV %s at %s exceeds the limit of %s');
export const CsvUnsupported = defineError('SPB_ERR_CSV_UNSUPPORTED', 'not-supported', 422, 'CSV %s at %s is not supported');

// --- mapping and ingest -----------------------------------------------------------------------------
export const MappingInvalid = defineError('SPB_ERR_MAPPING_INVALID', 'invalid', 500, 'Mapping %s is invalid: %s');
export const UnknownMessageType = defineError('SPB_ERR_INGEST_UNKNOWN_MESSAGE', 'not-supported', 422, 'No %s mapping accepts %s');
export const SourceValueInvalid = defineError('SPB_ERR_INGEST_VALUE', 'value', 422, '%s: %s');
export const SourceValueMissing = defineError('SPB_ERR_INGEST_REQUIRED', 'required', 422, '%s is required for %s');
export const UnknownSector = defineError('SPB_ERR_INGEST_UNKNOWN_SECTOR', 'not-found', 404, 'No ingest for sector %s');

// --- workflow and delivery --------------------------------------------------------------------------
export const InvalidTaskTransition = defineError('SPB_ERR_WORKFLOW_TRANSITION', 'business-rule', 409, 'Task.status cannot go from %s to %s');
export const TaskFieldForbidden = defineError('SPB_ERR_WORKFLOW_FIELD', 'forbidden', 403, 'Not allowed to change %s: %s');
export const RerouteRefused = defineError('SPB_ERR_WORKFLOW_REROUTE', 'business-rule', 409, 'The Task cannot be rerouted: %s');
export const SubscriptionInvalid = defineError('SPB_ERR_SUBSCRIPTION_INVALID', 'invalid', 400, '%s: %s');
export const DeadLetterNotFound = defineError('SPB_ERR_DELIVERY_DEAD_LETTER', 'not-found', 404, 'No dead letter %s');
export const DeliveryConfigInvalid = defineError('SPB_ERR_DELIVERY_CONFIG', 'invalid', 500, 'Delivery configuration %s is invalid: %s');

// --- capacity and region (issue 6 point 2, issue 7) -------------------------------------------------
export const RegionModelInvalid = defineError('SPB_ERR_REGION_MODEL_INVALID', 'invalid', 500, 'Region model file %s is invalid at %s: %s');
/** A broad-triage or export parameter that cannot be read; the message names the parameter, never the value. */
export const CapacityParamInvalid = defineError('SPB_ERR_CAPACITY_PARAM', 'invalid', 400, 'Parameter %s: %s');
export const PlaceOutsideRegion = defineError('SPB_ERR_CAPACITY_PLACE_OUTSIDE', 'not-found', 422, 'Parameter %s: the place is outside the region model');
export const NoRegionModel = defineError('SPB_ERR_CAPACITY_NO_REGION', 'not-supported', 501, 'No region model is configured; %s needs one');

// --- routing (issue 6 points 3-4) ---------------------------------------------------------------------
export const RoutingRulesInvalid = defineError('SPB_ERR_ROUTING_RULES_INVALID', 'invalid', 500, 'Routing rules %s are invalid at %s: %s');
/** The worker asks the router to read capacity outside the step's transaction first; without it the step retries. */
export const RoutingNotPrepared = defineError(
  'SPB_ERR_ROUTING_NOT_PREPARED',
  'transient',
  503,
  'No capacity was read for %s before its routing step; the step is retried',
);

// --- indicators, metrics and the dashboard (issue 7 points 4–6) -------------------------------------
export const MeasureInvalid = defineError('SPB_ERR_MEASURE_INVALID', 'invalid', 500, 'Measure file %s is invalid at %s: %s');
export const MeasureUnsupported = defineError('SPB_ERR_MEASURE_UNSUPPORTED', 'not-supported', 422, 'Measure %s cannot be evaluated: %s %s');
/** An $evaluate-measure parameter that cannot be read; names the parameter, never the value. */
export const InsightsParamInvalid = defineError('SPB_ERR_INSIGHTS_PARAM', 'invalid', 400, 'Parameter %s: %s');
export const MetricsOff = defineError('SPB_ERR_METRICS_OFF', 'not-found', 404, 'Metrics are off: no metricsToken is configured');
export const MetricsUnauthorized = defineError(
  'SPB_ERR_METRICS_AUTH',
  'login',
  401,
  'The metrics endpoint needs the configured scrape token as a bearer token',
);

// --- sector adapters: JSON sources, mapping checks, outbound, notified pull (issue 4) ---------------
export const JsonMalformed = defineError('SPB_ERR_JSON_MALFORMED', 'structure', 400, 'The JSON document is malformed at %s: %s');
export const JsonLimit = defineError('SPB_ERR_JSON_LIMIT', 'too-long', 413, 'JSON %s at %s exceeds the limit of %s');
export const CsvColumnMissing = defineError('SPB_ERR_CSV_COLUMN_MISSING', 'required', 422, 'CSV column %s is required by mapping %s');
/** A value that must agree with the transport (e.g. the URA in a feed must be the sending organisation's). */
export const SourceValueMismatch = defineError('SPB_ERR_INGEST_MISMATCH', 'business-rule', 422, '%s: %s');
export const SourceTooManyUnits = defineError('SPB_ERR_INGEST_UNITS', 'too-costly', 422, '%s: %s units exceed the limit of %s per message');
export const OutboundUnknownFormat = defineError('SPB_ERR_OUTBOUND_FORMAT', 'not-supported', 422, 'No outbound translation for format %s (known: %s)');
export const OutboundIncomplete = defineError('SPB_ERR_OUTBOUND_INCOMPLETE', 'required', 422, 'The Bundle cannot be sent as %s: %s');
export const PullNoEndpoint = defineError('SPB_ERR_PULL_NO_ENDPOINT', 'not-found', 422, 'No FHIR endpoint of %s is registered to pull %s from');
export const PullFailed = defineError('SPB_ERR_PULL_FAILED', 'transient', 502, 'Fetching %s from the sender failed: %s');

// --- policy point: consent, minimisation, break-the-glass (issue 5, docs/privacy.md)
export const PolicyFileInvalid = defineError('SPB_ERR_POLICY_INVALID', 'invalid', 500, 'Policy file %s is invalid at %s: %s');
export const BreakGlassInvalid = defineError('SPB_ERR_POLICY_BREAK_GLASS', 'invalid', 400, 'X-Break-The-Glass: %s');
export const ReleaseWithheld = defineError('SPB_ERR_POLICY_WITHHELD', 'suppressed', 403, 'Not released: %s');
export const AuditWriteFailed = defineError('SPB_ERR_POLICY_AUDIT', 'transient', 503, 'The access could not be audited, so nothing is answered: %s');
