/** The codes the policy point reads and writes (docs/privacy.md). */
export const CONSENT_SCOPE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/consentscope';
export const PATIENT_PRIVACY = 'patient-privacy';
/** the data category a Consent is about (Consent.category) and a resource belongs to (policies/data-categories.json) */
export const DATA_CATEGORY_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/data-category';
/** a provision actor naming a whole provider category (sector) rather than one organisation */
export const SECTOR_SYSTEM = 'https://spoedbrug.nl/fhir/CodeSystem/sector';
export const ACT_REASON_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
export const ACT_CODE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
/** mental-health sensitivity labels (docs/contracts.md §5) */
export const MENTAL_HEALTH_LABELS: ReadonlySet<string> = new Set(['MH', 'PSY', 'PSYTHPN', 'BH']);
/** the Consent.category a patient uses to permit mental-health data to a non-GGZ recipient */
export const MENTAL_HEALTH_CATEGORY = 'mental-health';
/** the mark on whatever left only because of a break-the-glass grant */
export const BREAK_GLASS_LABEL = { system: ACT_REASON_SYSTEM, code: 'BTG', display: 'break the glass' } as const;
/** purposes of use the gateway accepts (v3-ActReason) */
export const PURPOSES: ReadonlySet<string> = new Set(['TREAT', 'ETREAT', 'COC', 'HOPERAT', 'HPAYMT']);
