/**
 * The organisation in a TLS client certificate. Dutch UZI server certificates carry the subscriber's URA in
 * the subject serialNumber / UZI subjectAltName otherName as `<OID>-<version>-<UZI>-S-<URA>-…`; a plain
 * 8-digit serialNumber is accepted too (private PKI).
 */
import type { PeerCertificate } from 'node:tls';

const UZI_PATTERN = /2\.16\.528\.1\.1003\.1\.3\.5\.5\.2-\d+-\d+-S-(\d{8})-/;

export function uraFromCertificate(cert: PeerCertificate | undefined): string | undefined {
  if (!cert?.subject) return undefined;
  const serial = (cert.subject as unknown as Record<string, string | string[] | undefined>).serialNumber;
  const serials = Array.isArray(serial) ? serial : serial ? [serial] : [];
  for (const s of [...serials, cert.subjectaltname ?? '']) {
    const uzi = UZI_PATTERN.exec(s);
    if (uzi) return uzi[1];
    if (/^\d{8}$/.test(s)) return s;
  }
  return undefined;
}
