/**
 * Who may do what (docs/security.md has the table). Decisions use only the caller's organisation, sector,
 * roles and scopes — never the acting professional, who is recorded but grants nothing. `undefined` caller
 * means the gateway itself (seeding, internal work).
 */
import type { Resource } from '@medplum/fhirtypes';
import { Forbidden } from '../fhir/errors.ts';
import { type Caller, hasRole } from '../identity/caller.ts';
import { allows, type Permission } from '../identity/scopes.ts';
import { CATEGORY, type Category, OWNER_TAG_SYSTEM } from './categories.ts';
import type { AccessFilter } from './filter.ts';
import { labelMobileUnit, locationFilter } from './mobile-units.ts';

export type Action = 'create' | 'read' | 'update' | 'delete' | 'search';
const PERMISSION: Record<Action, Permission> = { create: 'c', read: 'r', update: 'u', delete: 'd', search: 's' };

export function categoryOf(type: string): Category {
  const c = CATEGORY[type];
  if (!c) throw new Error(`no access category for ${type}`);
  return c;
}

/** The SMART scope check, before anything else. */
export function requireScope(caller: Caller | undefined, type: string, action: Action): void {
  if (!caller) return;
  if (!allows(caller.scopes, type, PERMISSION[action])) throw Forbidden({ params: [`the token's scopes do not allow ${action} on ${type}`] });
}

/** What a caller may see of a type in reads and searches. */
export function readFilter(caller: Caller | undefined, type: string): AccessFilter {
  if (!caller) return { kind: 'all' };
  const c = categoryOf(type);
  const org = caller.organizationRef ? { orgRef: caller.organizationRef } : {};
  switch (c) {
    case 'directory':
      return type === 'Location' ? locationFilter(caller) : { kind: 'all' };
    case 'conformance':
    case 'aggregate':
      return { kind: 'all' };
    case 'audit':
      return hasRole(caller, 'auditor') ? { kind: 'all' } : { kind: 'none' };
    case 'subscription':
      return { kind: 'owned', ura: caller.ura };
    case 'workflow':
      return hasRole(caller, 'coordinator') || hasRole(caller, 'auditor') ? { kind: 'all' } : { kind: 'workflow', ura: caller.ura, ...org };
    case 'patient':
      return hasRole(caller, 'coordinator') && (type === 'Patient' || type === 'ServiceRequest')
        ? { kind: 'all' }
        : { kind: 'patient', ura: caller.ura, ...org };
  }
}

/** May the caller create this resource? (Ownership is stamped afterwards by stampOwner.) */
export function checkCreate(caller: Caller | undefined, resource: Resource): void {
  if (!caller) return;
  const c = categoryOf(resource.resourceType);
  const admin = hasRole(caller, 'administrator');
  if (c === 'audit') throw Forbidden({ params: ['AuditEvents are written by the gateway itself'] });
  if ((c === 'conformance' || c === 'aggregate' || resource.resourceType === 'Organization') && !admin)
    throw Forbidden({ params: [`only a regional administrator may create ${resource.resourceType}`] });
  if (resource.resourceType === 'Task' && !hasRole(caller, 'coordinator')) {
    const requester = (resource as { requester?: { reference?: string } }).requester?.reference;
    if (requester?.startsWith('Organization/') && requester !== caller.organizationRef)
      throw Forbidden({ params: ['Task.requester must be the calling organisation'] });
  }
}

/** May the caller change or delete this stored resource? */
export function checkChange(caller: Caller | undefined, stored: Resource, action: 'update' | 'delete'): void {
  if (!caller) return;
  const c = categoryOf(stored.resourceType);
  const admin = hasRole(caller, 'administrator');
  if (c === 'audit') throw Forbidden({ params: ['AuditEvents cannot be changed'] });
  if (c === 'conformance' || c === 'aggregate') {
    if (!admin) throw Forbidden({ params: [`only a regional administrator may ${action} ${stored.resourceType}`] });
    return;
  }
  if (ownerOf(stored) === caller.ura) return;
  if (c === 'directory' && admin) return;
  if (c === 'workflow' && action === 'update' && (hasRole(caller, 'coordinator') || taskAddressedTo(stored, caller))) return;
  throw Forbidden({ params: [`${stored.resourceType} belongs to another organisation`] });
}

function taskAddressedTo(task: Resource, caller: Caller): boolean {
  const t = task as { owner?: { reference?: string }; requester?: { reference?: string } };
  return !!caller.organizationRef && (t.owner?.reference === caller.organizationRef || t.requester?.reference === caller.organizationRef);
}

export function ownerOf(r: Resource): string | undefined {
  const tags = r.meta?.tag;
  if (tags) for (const t of tags) if (t.system === OWNER_TAG_SYSTEM) return t.code;
  return undefined;
}

/**
 * Set the owner tag: the caller's URA on create, the stored owner on update. Clients cannot set or move it,
 * except an administrator registering directory data for an organisation.
 */
export function stampOwner<T extends Resource>(caller: Caller | undefined, resource: T, stored?: Resource): T {
  const requested = ownerOf(resource);
  const keep = stored ? ownerOf(stored) : undefined;
  const owner = keep ?? (caller && !(hasRole(caller, 'administrator') && requested) ? caller.ura : requested);
  const tags = (resource.meta?.tag ?? []).filter((t) => t.system !== OWNER_TAG_SYSTEM);
  if (owner) tags.push({ system: OWNER_TAG_SYSTEM, code: owner });
  return labelMobileUnit({ ...resource, meta: { ...resource.meta, ...(tags.length ? { tag: tags } : {}) } });
}
