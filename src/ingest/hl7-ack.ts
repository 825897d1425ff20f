/**
 * One HL7 v2 message in, one original-mode ACK out: the answer an HL7 sender understands, over MLLP and over
 * HTTP when the client asks for ER7. AA = stored; AE = refused, do not resend unchanged (ERR names the
 * position and rule); AR = not accepted here (unknown type) or not now (our side failed: resend later).
 */
import { buildHl7Ack, parseHl7v2 } from '../adapters/hl7v2/index.ts';
import { type GatewayError, normaliseError } from '../fhir/errors.ts';
import { type IngestContext, type IngestRequest, ingestMessage } from './ingest.ts';

export interface AckResult {
  ack: string;
  code: 'AA' | 'AE' | 'AR';
  /** set when our side failed (for the caller's error log) */
  failure?: unknown;
}

export async function acknowledgeHl7(ctx: IngestContext, req: Omit<IngestRequest, 'format'>): Promise<AckResult> {
  let msg: ReturnType<typeof parseHl7v2>;
  try {
    msg = parseHl7v2(req.text);
  } catch (err) {
    // without a readable MSH there is nothing to acknowledge against: answer with a minimal AR
    return { ack: minimalReject(normaliseError(err).message), code: 'AR' };
  }
  try {
    await ingestMessage(ctx, { ...req, format: 'hl7v2' });
    return { ack: buildHl7Ack(msg, 'AA'), code: 'AA' };
  } catch (err) {
    const e = normaliseError(err);
    const location = e.issues[0]?.expression?.[0];
    const rejectNow = e.code === 'SPB_ERR_INGEST_UNKNOWN_MESSAGE' || e.httpStatus >= 500;
    const code = rejectNow ? 'AR' : 'AE';
    const ack = buildHl7Ack(msg, code, {
      code: tableCode(e),
      text: e.message.slice(0, 200),
      ...(location && /^[A-Z][A-Z0-9]{2}/.test(location) ? { location } : {}),
    });
    return { ack, code, ...(e.httpStatus >= 500 ? { failure: err } : {}) };
  }
}

/** HL7 table 0357 error codes for our refusals. */
function tableCode(e: GatewayError): string {
  if (e.code === 'SPB_ERR_INGEST_UNKNOWN_MESSAGE') return '200';
  if (e.issueType === 'required' || e.code === 'SPB_ERR_INGEST_REQUIRED') return '101';
  if (e.httpStatus >= 500) return '207';
  return '102';
}

function minimalReject(text: string): string {
  const safe = text.replace(/[|^~\\&\r\n]/g, ' ').slice(0, 200);
  return `MSH|^~\\&|SPOEDBRUG||||${new Date()
    .toISOString()
    .replace(/[-:TZ.]/g, '')
    .slice(0, 14)}||ACK|${Date.now()}|P|2.5\rMSA|AR|\rERR|||100^Segment sequence error^HL70357|E||||${safe}`;
}
