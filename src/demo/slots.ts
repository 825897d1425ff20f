// Slot generation. Bed services get one Slot per bed per local calendar day;
// time-slot services get fixed-length Slots (times `parallel` lanes) inside
// their opening hours. Free/busy comes from a hash of the slot id, so a slot
// looks the same whichever day the bundle is built on.
import type { Slot } from '@medplum/fhirtypes';
import { careOptionConcept } from './codes.ts';
import { demoIdentifier, percentileOf, refTo } from './demo-ids.ts';
import { ids } from './directory-resources.ts';
import type { HoursBlock, ServiceData } from './region-data.ts';
import { addDays, dayCodeOf, formatInstant, localTimeToMs } from './zoned-time.ts';

const MINUTE = 60_000;

export interface GeneratedSlot {
  id: string;
  resource: Slot;
}

interface Window {
  start: number;
  end: number;
}

export function slotId(serviceKey: string, date: string, n: number): string {
  return `slot-${serviceKey}-${date}-${n}`;
}

/** Opening windows of one local day, as instants, in time order. */
function windowsOn(date: string, hours: HoursBlock[], timeZone: string): Window[] {
  const day = dayCodeOf(date);
  return hours
    .filter((b) => b.days.includes(day))
    .map((b) => ({
      start: localTimeToMs(date, b.allDay ? '00:00' : (b.start ?? '00:00'), timeZone),
      end: localTimeToMs(date, b.allDay ? '24:00' : (b.end ?? '24:00'), timeZone),
    }))
    .sort((a, b) => a.start - b.start);
}

function makeSlot(svc: ServiceData, id: string, start: number, end: number, timeZone: string, comment?: string): GeneratedSlot {
  const free = percentileOf(id) < svc.schedule.freePercent;
  const resource: Slot = {
    resourceType: 'Slot',
    identifier: [demoIdentifier(id)],
    serviceType: [careOptionConcept(svc.careOption)],
    schedule: refTo(ids.schedule(svc.key)),
    status: free ? 'free' : 'busy',
    start: formatInstant(start, timeZone),
    end: formatInstant(end, timeZone),
    ...(comment ? { comment } : {}),
  };
  return { id, resource };
}

function bedSlots(svc: ServiceData, date: string, timeZone: string): GeneratedSlot[] {
  const start = localTimeToMs(date, '00:00', timeZone);
  const end = localTimeToMs(date, '24:00', timeZone);
  const beds = svc.schedule.beds ?? 0;
  return Array.from({ length: beds }, (_, i) => makeSlot(svc, slotId(svc.key, date, i + 1), start, end, timeZone, `Bed ${i + 1}`));
}

/** Steps in real elapsed time, so a 25-hour DST day gets 4 extra quarters. */
function timeSlots(svc: ServiceData, date: string, hours: HoursBlock[], timeZone: string): GeneratedSlot[] {
  const step = (svc.schedule.minutes ?? 0) * MINUTE;
  const lanes = svc.schedule.parallel ?? 1;
  if (step <= 0) throw new Error(`Schedule of ${svc.key} needs minutes > 0`);
  const out: GeneratedSlot[] = [];
  for (const w of windowsOn(date, hours, timeZone)) {
    for (let t = w.start; t + step <= w.end; t += step) {
      for (let lane = 0; lane < lanes; lane++) {
        out.push(makeSlot(svc, slotId(svc.key, date, out.length + 1), t, t + step, timeZone));
      }
    }
  }
  return out;
}

export function slotsFor(svc: ServiceData, hours: HoursBlock[], firstDate: string, days: number, timeZone: string): GeneratedSlot[] {
  const out: GeneratedSlot[] = [];
  for (let d = 0; d < days; d++) {
    const date = addDays(firstDate, d);
    if (svc.schedule.kind === 'beds') out.push(...bedSlots(svc, date, timeZone));
    else if (svc.schedule.kind === 'timeslots') out.push(...timeSlots(svc, date, hours, timeZone));
    else throw new Error(`Unknown schedule kind "${svc.schedule.kind}" for ${svc.key}`);
  }
  return out;
}
