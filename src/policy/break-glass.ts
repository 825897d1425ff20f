/**
 * Break-the-glass (docs/privacy.md §5): in an emergency a care provider states a reason
 * (`X-Break-The-Glass: <reason>`) and is granted, for a limited time, what the patient's consent would
 * otherwise withhold — never what access rules or minimisation withhold. The grant is stored (so every
 * process sees it and auditors can review it), audited with its reason, and whatever it unlocks is marked.
 */
import { randomUUID } from 'node:crypto';
import { BreakGlassInvalid, Forbidden } from '../fhir/errors.ts';
import type { Caller } from '../identity/caller.ts';
import type { SqlDriver } from '../store/sql.ts';

export interface BreakGlassGrant {
  id: string;
  ura: string;
  clientId: string;
  /** identifier system|value of the acting professional, when the token names one */
  professional?: string;
  reason: string;
  grantedAt: string;
  until: string;
}

const STATEMENTS = (bigint: string) => [
  `CREATE TABLE IF NOT EXISTS policy_break_glass (id TEXT PRIMARY KEY, ura TEXT NOT NULL, client TEXT NOT NULL,
    professional TEXT NOT NULL, reason TEXT NOT NULL, granted_at ${bigint} NOT NULL, until_at ${bigint} NOT NULL)`,
  'CREATE INDEX IF NOT EXISTS policy_break_glass_caller ON policy_break_glass (ura, client, professional, until_at)',
  'CREATE INDEX IF NOT EXISTS policy_break_glass_granted ON policy_break_glass (granted_at)',
];

export async function migrateBreakGlass(driver: SqlDriver): Promise<void> {
  const bigint = driver.kind === 'postgres' ? 'BIGINT' : 'INTEGER';
  await driver.withTransaction(async (conn) => {
    await driver.lock(conn, 'spoedbrug:policy-schema');
    for (const s of STATEMENTS(bigint)) await conn.run(s);
  });
}

/** The reason is free text a person types: bounded, printable, at least a few words' worth. */
export function checkReason(raw: string): string {
  const reason = raw.trim();
  if (reason.length < 5) throw BreakGlassInvalid({ params: ['the reason must say why (at least 5 characters)'] });
  if (reason.length > 500) throw BreakGlassInvalid({ params: ['the reason is longer than 500 characters'] });
  if (/[\p{Cc}]/u.test(reason)) throw BreakGlassInvalid({ params: ['the reason contains control characters'] });
  return reason;
}

function professionalKey(caller: Caller): string {
  const p = caller.actingProfessional;
  return p ? `${p.system}|${p.value}` : '';
}

export class BreakGlassRegistry {
  #driver: SqlDriver;
  #minutes: number;

  constructor(driver: SqlDriver, minutes: number) {
    this.#driver = driver;
    this.#minutes = minutes;
  }

  /** The caller's grant that holds now, if any. */
  async active(caller: Caller, now = Date.now()): Promise<BreakGlassGrant | undefined> {
    const rows = await this.#driver.withReader((conn) =>
      conn.all('SELECT * FROM policy_break_glass WHERE ura = ? AND client = ? AND professional = ? AND until_at > ? ORDER BY until_at DESC LIMIT 1', [
        caller.ura,
        caller.clientId,
        professionalKey(caller),
        now,
      ]),
    );
    return rows[0] ? toGrant(rows[0]) : undefined;
  }

  /**
   * Claim emergency access: an existing grant keeps its end (a claim never extends itself); otherwise a new
   * one holds for the configured minutes. Only care providers may claim; the region's own clients may not.
   */
  async claim(caller: Caller, rawReason: string, now = Date.now()): Promise<{ grant: BreakGlassGrant; created: boolean }> {
    if (caller.sector === 'REGION') throw Forbidden({ params: ['break-the-glass is for care providers treating a patient'] });
    const reason = checkReason(rawReason);
    const existing = await this.active(caller, now);
    if (existing) return { grant: existing, created: false };
    const until = now + this.#minutes * 60_000;
    const id = randomUUID();
    await this.#driver.withTransaction((conn) =>
      conn.run('INSERT INTO policy_break_glass (id, ura, client, professional, reason, granted_at, until_at) VALUES (?, ?, ?, ?, ?, ?, ?)', [
        id,
        caller.ura,
        caller.clientId,
        professionalKey(caller),
        reason,
        now,
        until,
      ]),
    );
    return {
      grant: toGrant({ id, ura: caller.ura, client: caller.clientId, professional: professionalKey(caller), reason, granted_at: now, until_at: until }),
      created: true,
    };
  }

  /** Every grant since `since` (ms), newest first: the review list for auditors and coordinators. */
  async review(since: number, limit = 1000): Promise<BreakGlassGrant[]> {
    const rows = await this.#driver.withReader((conn) =>
      conn.all('SELECT * FROM policy_break_glass WHERE granted_at >= ? ORDER BY granted_at DESC LIMIT ?', [since, limit]),
    );
    return rows.map(toGrant);
  }
}

function toGrant(r: Record<string, unknown>): BreakGlassGrant {
  const professional = String(r.professional ?? '');
  return {
    id: String(r.id),
    ura: String(r.ura),
    clientId: String(r.client),
    ...(professional ? { professional } : {}),
    reason: String(r.reason),
    grantedAt: new Date(Number(r.granted_at)).toISOString(),
    until: new Date(Number(r.until_at)).toISOString(),
  };
}
