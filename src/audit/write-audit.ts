/**
 * Write-side audit (NEN 7513): every create, update and delete of patient data — REST, conditional,
 * transaction and batch entries, ingest, MLLP, $process-message and the gateway's own workflow writes all
 * end in the store — gets its AuditEvent from a store write observer, on the same connection inside the
 * same transaction. A failed audit write fails the action; a crash loses both or neither.
 * Reads, searches and disclosures are audited by the policy point (contracts §7), not here.
 */
import type { Resource } from '@medplum/fhirtypes';
import { CATEGORY } from '../access/categories.ts';
import { deletedVersion } from '../store/audit-log.ts';
import type { SqlConn } from '../store/sql.ts';
import type { SqlStore } from '../store/sql-store.ts';
import type { WriteObserver } from '../store/write-observers.ts';
import { currentAuditScope } from './context.ts';
import { writeAuditEvent } from './nen7513.ts';
import { patientsOf } from './patients.ts';
import type { AuditEntry, AuditWriter } from './types.ts';

/** Patient data: the 'patient' category always, 'workflow' (Task) when it names a patient. */
export const AUDITED_TYPES: ReadonlySet<string> = new Set(
  Object.entries(CATEGORY)
    .filter(([, c]) => c === 'patient' || c === 'workflow')
    .map(([t]) => t),
);

export function writeAuditObserver(store: SqlStore, writer: AuditWriter = writeAuditEvent): WriteObserver {
  return {
    types: AUDITED_TYPES,
    async written(conn: SqlConn, type: string, id: string, resource: Resource | undefined): Promise<void> {
      const entry = await entryOf(conn, type, id, resource);
      if (entry) await writer(store.repository(conn), entry);
    },
  };
}

/** Audit every patient-data write of this store from now on (composition root, before requests). */
export function auditWrites(store: SqlStore, writer?: AuditWriter): void {
  store.observeWrites(writeAuditObserver(store, writer));
}

async function entryOf(conn: SqlConn, type: string, id: string, resource: Resource | undefined): Promise<AuditEntry | undefined> {
  const deleted = resource ? undefined : await deletedVersion(conn, type, id);
  const patients = type === 'Patient' ? [`Patient/${id}`] : patientsOf(resource ?? deleted?.removed);
  if (!patients.length && CATEGORY[type] === 'workflow') return undefined;
  const version = resource ? (resource.meta?.versionId ?? '') : (deleted?.version ?? '');
  const scope = currentAuditScope();
  return {
    action: !resource ? 'delete' : version === '1' ? 'create' : 'update',
    ...(scope?.actor ? { actor: scope.actor } : {}),
    patients,
    entities: [`${type}/${id}/_history/${version}`],
    purpose: scope?.purpose ?? 'TREAT',
    outcome: 'success',
    // a caller's write passed the access rules (src/access/policy.ts) before it reached the store
    ...(scope?.actor ? { decision: 'Permit' as const, policy: 'access-rules' } : {}),
    source: scope?.source ?? { channel: 'internal' },
  };
}
