/**
 * Local (Europe/Amsterdam) date and time reading for source formats that send wall-clock times, with the DST
 * rules spelled out: in the skipped hour at the start of summer time a wall time is read as the later instant;
 * in the repeated hour at its end, as the second (winter-time) occurrence. Senders that know better send offsets.
 */
import { zonedToUtc, zoneOffsetMs } from '../lib/time.ts';

export interface LocalDateTime {
  utc: number;
  offsetMinutes: number;
  dateOnly: boolean;
  /** `YYYY-MM-DD` as written */
  date: string;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const DUTCH = /^(\d{2})-(\d{2})-(\d{4})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

export function parseLocalDateTime(s: string): LocalDateTime | undefined {
  const iso = ISO.exec(s);
  const nl = iso ? undefined : DUTCH.exec(s);
  if (!iso && !nl) return undefined;
  const [y, mo, d, h, mi, sec, tz] = iso ? iso.slice(1) : [nl?.[3], nl?.[2], nl?.[1], nl?.[4], nl?.[5], nl?.[6], undefined];
  const Y = Number(y);
  const M = Number(mo);
  const D = Number(d);
  const date = `${y}-${mo}-${d}`;
  if (M < 1 || M > 12 || D < 1 || D > new Date(Date.UTC(Y, M, 0)).getUTCDate()) return undefined;
  if (h === undefined) return { utc: zonedToUtc(Y, M, D), offsetMinutes: zoneOffsetMs(zonedToUtc(Y, M, D)) / 60000, dateOnly: true, date };
  const H = Number(h);
  const MI = Number(mi);
  const S = Number(sec ?? 0);
  if (H > 23 || MI > 59 || S > 59) return undefined;
  if (tz) {
    const off = tz === 'Z' ? 0 : (tz.startsWith('-') ? -1 : 1) * (Number(tz.slice(1, 3)) * 60 + Number(tz.slice(-2)));
    if (Math.abs(off) > 14 * 60) return undefined;
    return { utc: Date.UTC(Y, M - 1, D, H, MI, S) - off * 60000, offsetMinutes: off, dateOnly: false, date };
  }
  const utc = zonedToUtc(Y, M, D, H, MI, S);
  return { utc, offsetMinutes: zoneOffsetMs(utc) / 60000, dateOnly: false, date };
}

/** `YYYY-MM-DDThh:mm:ss±hh:mm`: the wall time at that offset. */
export function formatZoned(utc: number, offsetMinutes: number): string {
  const wall = new Date(utc + offsetMinutes * 60000).toISOString().slice(0, 19);
  const abs = Math.abs(offsetMinutes);
  return `${wall}${offsetMinutes >= 0 ? '+' : '-'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** An instant in the region's zone with its own offset. */
export function formatLocal(utc: number): string {
  return formatZoned(utc, zoneOffsetMs(utc) / 60000);
}

/** The local calendar day of a date or dateTime: its date and its start and end (next local midnight) as instants. */
export function localDay(v: string): { date: string; start: string; end: string } | undefined {
  const r = parseLocalDateTime(v);
  if (!r) return undefined;
  const wall = r.dateOnly ? r.date : new Date(r.utc + zoneOffsetMs(r.utc)).toISOString().slice(0, 10);
  const [Y, M, D] = wall.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(Y, M - 1, D + 1));
  return {
    date: wall,
    start: formatLocal(zonedToUtc(Y, M, D)),
    end: formatLocal(zonedToUtc(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate())),
  };
}
