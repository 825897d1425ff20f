/** One contract for every store (style.md §3.5): the same behaviour from SQLite and PostgreSQL. */
import t from 'tap';
import type { Resource, Slot, Task } from '@medplum/fhirtypes';
import { GatewayError } from '../../src/fhir/errors.ts';
import { task as baseTask } from '../helpers/gateway.ts';
import { q } from '../helpers/registry.ts';
import { findResource } from '../../src/store/types.ts';
import { storeFactories } from '../helpers/stores.ts';

const task = (extra: Partial<Task> = {}): Task => baseTask(extra) as Task;

const codeOf = async (p: Promise<unknown>) => {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return e instanceof GatewayError ? `${e.httpStatus} ${e.code}` : String(e);
  }
};

for (const f of storeFactories()) {
  t.test(`${f.name} store`, async (t) => {
    const store = await f.open();
    t.teardown(() => f.dispose(store));

    t.test('create, read, vread, update, history, delete', async (t) => {
      const { resource: created, created: isNew } = await store.create(task());
      t.ok(isNew);
      t.match(created, { id: String, meta: { versionId: '1', lastUpdated: String } });
      const id = created.id as string;
      t.same((await store.read('Task', id)).id, id);
      const { resource: v2 } = await store.update({ ...(created as Task), id, status: 'received' });
      t.equal(v2.meta?.versionId, '2');
      t.equal(((await store.vread('Task', id, '1')) as Task).status, 'requested');
      t.equal(((await store.vread('Task', id, '2')) as Task).status, 'received');
      t.equal(await codeOf(store.vread('Task', id, '9')), '404 SPB_ERR_FHIR_VERSION_NOT_FOUND');
      const hist = await store.history({ type: 'Task', id, count: 10, offset: 0 });
      t.equal(hist.total, 2);
      t.same(
        hist.entries.map((e) => e.versionId),
        ['2', '1'],
      );
      t.ok(await store.delete('Task', id));
      t.equal(await codeOf(store.read('Task', id)), '410 SPB_ERR_FHIR_GONE');
      t.equal(await codeOf(store.read('Task', 'nope')), '404 SPB_ERR_FHIR_NOT_FOUND');
      t.notOk(await store.delete('Task', 'nope'), 'deleting an unknown id reports it');
      t.ok(await store.delete('Task', id), 'deleting twice is a no-op');
      const after = await store.history({ type: 'Task', id, count: 10, offset: 0 });
      t.same(
        after.entries.map((e) => e.method),
        ['DELETE', 'PUT', 'POST'],
      );
      t.equal((await store.search(q('Task', `_id=${id}`))).resources.length, 0, 'a deleted resource is not found');
    });

    t.test('find: the current version, undefined for unknown and deleted, inside a transaction too', async (t) => {
      const { resource } = await store.create(task({ status: 'received' }));
      const id = resource.id as string;
      t.equal(((await store.find('Task', id)) as Task).status, 'received');
      t.equal(await store.find('Task', 'never-there'), undefined);
      t.equal(await store.find('Patient', id), undefined, 'the id under another type is a miss');
      const seen = await store.transaction(async (repo) => {
        await repo.update({ ...(resource as Task), id, status: 'accepted' });
        return ((await findResource(repo, 'Task', id)) as Task).status;
      });
      t.equal(seen, 'accepted', 'a transaction finds its own write');
      await store.delete('Task', id);
      t.equal(await store.find('Task', id), undefined, 'a deleted resource is a miss, not an error');
      t.equal(await codeOf(store.read('Task', id)), '410 SPB_ERR_FHIR_GONE', 'read still says 410');
    });

    t.test('update-as-create at a client id, and If-Match', async (t) => {
      const r = await store.update({ ...task(), id: 'client-id-1' } as Task & { id: string });
      t.ok(r.created);
      t.equal(await codeOf(store.update({ ...task(), id: 'client-id-1' } as Task & { id: string }, { ifMatch: '7' })), '412 SPB_ERR_FHIR_VERSION_CONFLICT');
      const ok = await store.update({ ...task({ status: 'accepted' }), id: 'client-id-1' } as Task & { id: string }, { ifMatch: '1' });
      t.equal(ok.resource.meta?.versionId, '2');
      t.notOk(ok.created);
    });

    t.test('a failed transaction stores nothing', async (t) => {
      const before = (await store.search(q('Task', 'identifier=urn:tx|1'))).resources.length;
      const err = await codeOf(
        store.transaction(async (repo) => {
          await repo.create(task({ identifier: [{ system: 'urn:tx', value: '1' }] }));
          await repo.update({ ...task(), id: 'client-id-1' } as Task & { id: string }, { ifMatch: '99' });
        }),
      );
      t.equal(err, '412 SPB_ERR_FHIR_VERSION_CONFLICT');
      t.equal((await store.search(q('Task', 'identifier=urn:tx|1'))).resources.length, before);
    });

    t.test('conditional create is race-safe', async (t) => {
      const criteria = q('Task', 'identifier=urn:race|42');
      const results = await Promise.all(
        Array.from({ length: 20 }, () => store.create(task({ identifier: [{ system: 'urn:race', value: '42' }] }), { ifNoneExist: criteria })),
      );
      t.equal(results.filter((r) => r.created).length, 1, 'exactly one create');
      t.equal(new Set(results.map((r) => r.resource.id)).size, 1, 'all see the same resource');
      t.equal((await store.search(q('Task', 'identifier=urn:race|42'))).resources.length, 1);
    });

    t.test('conditional update is race-safe', async (t) => {
      const criteria = q('Task', 'identifier=urn:cu|7');
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.conditionalUpdate(task({ identifier: [{ system: 'urn:cu', value: '7' }], description: `v${i}` }), criteria)),
      );
      t.equal(results.filter((r) => r.created).length, 1);
      const found = await store.search(q('Task', 'identifier=urn:cu|7'));
      t.equal(found.resources.length, 1);
      t.equal(found.resources[0]?.meta?.versionId, '10', 'every update became a version of the one resource');
      await store.create(task({ identifier: [{ system: 'urn:cu', value: '7' }] }));
      t.equal(await codeOf(store.conditionalUpdate(task(), criteria)), '412 SPB_ERR_FHIR_CONDITIONAL_MULTIPLE');
    });

    t.test('search by every kind', async (t) => {
      const sched = 'Schedule/s-contract';
      const slots: Slot[] = [
        { resourceType: 'Slot', schedule: { reference: sched }, status: 'free', start: '2026-11-23T09:00:00+01:00', end: '2026-11-23T09:15:00+01:00' },
        { resourceType: 'Slot', schedule: { reference: sched }, status: 'busy', start: '2026-11-23T10:00:00+01:00', end: '2026-11-23T10:15:00+01:00' },
        {
          resourceType: 'Slot',
          schedule: { reference: sched },
          status: 'free',
          start: '2026-11-24T09:00:00+01:00',
          end: '2026-11-24T09:15:00+01:00',
          comment: 'x',
        },
        {
          resourceType: 'Slot',
          schedule: { reference: 'Schedule/other' },
          status: 'free',
          start: '2026-11-23T09:00:00+01:00',
          end: '2026-11-23T09:15:00+01:00',
        },
      ];
      for (const s of slots) await store.create(s);
      const n = async (type: string, query: string) => (await store.search(q(type, query))).resources.length;
      t.equal(await n('Slot', `schedule=${sched}`), 3, 'reference');
      t.equal(await n('Slot', 'schedule=s-contract'), 3, 'reference by bare id');
      t.equal(await n('Slot', `schedule=${sched}&status=free`), 2, 'token AND reference');
      t.equal(await n('Slot', `schedule=${sched}&status=free,busy`), 3, 'OR values');
      t.equal(await n('Slot', `schedule=${sched}&status:not=busy`), 2, ':not');
      t.equal(await n('Slot', `schedule=${sched}&start=ge2026-11-24`), 1, 'date ge');
      t.equal(await n('Slot', `schedule=${sched}&start=lt2026-11-23T10:00:00%2B01:00`), 1, 'date lt with offset');
      t.equal(await n('Slot', `schedule=${sched}&start=2026-11-23`), 2, 'date eq by day');
      t.equal(await n('Slot', `schedule=${sched}&start=ge2026-11-23&start=lt2026-11-24`), 2, 'date range');
      const sorted = await store.search(q('Slot', `schedule=${sched}&_sort=-start`));
      t.same(
        sorted.resources.map((s) => (s as Slot).start),
        ['2026-11-24T09:00:00+01:00', '2026-11-23T10:00:00+01:00', '2026-11-23T09:00:00+01:00'],
      );
      const page = await store.search(q('Slot', `schedule=${sched}&_count=2&_sort=start&_total=accurate`));
      t.equal(page.resources.length, 2);
      t.equal(page.total, 3, 'total across pages');
      const page2 = await store.search(q('Slot', `schedule=${sched}&_count=2&_offset=2&_sort=start`));
      t.same(
        page2.resources.map((s) => (s as Slot).start),
        ['2026-11-24T09:00:00+01:00'],
      );

      await store.create({
        resourceType: 'Patient',
        name: [{ family: 'Jänssen-de Vries', given: ['Zoë'] }],
        gender: 'female',
        birthDate: '1950-03-02',
      } as Resource);
      t.equal(await n('Patient', 'family=janssen'), 1, 'string: prefix, case and accent insensitive');
      t.equal(await n('Patient', 'name=zoe'), 1);
      t.equal(await n('Patient', 'family:exact=Jänssen-de Vries'), 1, ':exact');
      t.equal(await n('Patient', 'family:exact=janssen-de vries'), 0);
      t.equal(await n('Patient', 'family:contains=vries'), 1, ':contains');
      t.equal(await n('Patient', 'birthdate=1950-03&gender=female'), 1, 'date month precision');
      t.equal(await n('Patient', 'birthdate=gt1950-03-02&family=janssen'), 0);
      t.equal(await n('Patient', 'family=janssen&birthdate:missing=false'), 1, ':missing');
      t.equal(await n('Patient', 'family=janssen&general-practitioner:missing=true'), 1);
      t.equal(await n('Slot', `schedule=${sched}&_lastUpdated=ge2000-01-01`), 3, '_lastUpdated');
      const count = await store.search(q('Slot', `schedule=${sched}&_summary=count`));
      t.same([count.resources.length, count.total], [0, 3], '_summary=count');
    });

    t.test('_include and _revinclude', async (t) => {
      const { resource: org } = await store.create({ resourceType: 'Organization', name: 'HAP Demo', identifier: [{ system: 'urn:inc', value: 'org' }] });
      const { resource: hs } = await store.create({ resourceType: 'HealthcareService', providedBy: { reference: `Organization/${org.id}` }, name: 'inc-hs' });
      const { resource: sch } = await store.create({ resourceType: 'Schedule', actor: [{ reference: `HealthcareService/${hs.id}` }] });
      await store.create({
        resourceType: 'Slot',
        schedule: { reference: `Schedule/${sch.id}` },
        status: 'free',
        start: '2026-11-23T09:00:00Z',
        end: '2026-11-23T09:15:00Z',
      });
      const inc = await store.search(q('HealthcareService', `_id=${hs.id}&_include=HealthcareService:organization`));
      t.same(
        inc.included.map((r) => r.resourceType),
        ['Organization'],
      );
      const rev = await store.search(q('HealthcareService', `_id=${hs.id}&_revinclude=Schedule:actor&_revinclude:iterate=Slot:schedule`));
      t.same(rev.included.map((r) => r.resourceType).sort(), ['Schedule', 'Slot']);
    });

    t.test('a resource with thousands of index values of one kind is stored and found by any of them', async (t) => {
      // more rows than one multi-row statement takes (PostgreSQL: 65,535 parameters), each value searchable
      const identifier = Array.from({ length: 2500 }, (_, i) => ({ system: 'urn:many', value: `v${i}` }));
      const { resource } = await store.create({ resourceType: 'Patient', identifier } as Resource);
      for (const v of ['v0', 'v999', 'v1000', 'v2499'])
        t.same(
          (await store.search(q('Patient', `identifier=urn:many|${v}`))).resources.map((r) => r.id),
          [resource.id],
          `identifier ${v}`,
        );
      await store.update({ ...resource, identifier: identifier.slice(0, 3) } as Resource & { id: string });
      t.same((await store.search(q('Patient', 'identifier=urn:many|v2499'))).resources, [], 'an update replaces them all');
    });
  });
}
