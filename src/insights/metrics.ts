/**
 * Prometheus metrics (text exposition format 0.0.4) of the coordination requests and the region's
 * capacity. Aggregates only: every label comes from a bounded vocabulary (facts.ts maps anything else to
 * `other`), no label is an id or a territory below the region, and each metric has one label at
 * most (the hour of day is one such label), so no series combines dimensions into a count of one person.
 */
import type { Capacity } from '../capacity/capacity.ts';
import { FINAL_STATUSES, type TaskStatus } from '../workflow/task-states.ts';
import { minutesToPlacement, type RequestFacts } from './facts.ts';
import { inTerritory, type Insights } from './insights.ts';

/** What the metrics read of the capacity module (the edge passes it through without importing capacity). */
export type CapacityReader = Pick<Capacity, 'regionalCapacity' | 'model'>;

/** Minutes; the upper bounds of the time-to-placement histogram's buckets. */
export const PLACEMENT_BUCKETS = [5, 15, 30, 60, 120, 240, 480, 1440] as const;

interface Series {
  labels?: Record<string, string>;
  value: number;
  /** histogram parts: _bucket, _sum, _count */
  suffix?: string;
}

interface Metric {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram';
  series: Series[];
}

export async function renderMetrics(insights: Insights, capacity: CapacityReader | undefined, now: Date = new Date()): Promise<string> {
  const all = await insights.facts();
  const region = insights.model ? inTerritory(insights.model, insights.model.roaz, all) : all;
  const metrics = [...requestMetrics(region), placementHistogram(region), ...(capacity?.model ? await capacityMetrics(capacity, now) : [])];
  return metrics.map(render).join('');
}

function requestMetrics(fs: readonly RequestFacts[]): Metric[] {
  const open = fs.filter((f) => !FINAL_STATUSES.has(f.status as TaskStatus));
  return [
    counter('spoedbrug_coordination_requests_total', 'Coordination requests received, by coordination function.', fs, (f) => ({
      coordination_function: f.coordinationFunction,
    })),
    counter('spoedbrug_coordination_requests_by_sector_total', 'Coordination requests received, by the requester’s sector.', fs, (f) => ({ sector: f.sector })),
    counter('spoedbrug_coordination_requests_by_origin_total', 'Coordination requests received, by origin (citizen or professional).', fs, (f) => ({
      origin: f.origin,
    })),
    counter('spoedbrug_coordination_requests_by_care_option_total', 'Coordination requests received, by care option.', fs, (f) => ({
      care_option: f.careOption,
    })),
    counter('spoedbrug_coordination_requests_by_hour_total', 'Coordination requests received, by local hour of day.', fs, (f) => ({
      hour: String(f.hour).padStart(2, '0'),
    })),
    total('spoedbrug_coordination_placed_total', 'Coordination requests placed (a provider accepted).', fs.filter((f) => f.placedMs !== undefined).length),
    total(
      'spoedbrug_coordination_first_time_right_total',
      'Coordination requests placed at the first provider asked.',
      fs.filter((f) => f.firstTimeRight).length,
    ),
    total('spoedbrug_coordination_escalated_total', 'Coordination requests escalated because no provider was left.', fs.filter((f) => f.escalated).length),
    counter(
      'spoedbrug_routing_declines_total',
      'Routing attempts that did not place the request, by outcome.',
      fs.flatMap((f) => f.attempts),
      (a) => ({ outcome: a.outcome }),
    ),
    gauge('spoedbrug_coordination_requests_open', 'Coordination requests not yet completed, failed or cancelled, by status.', open, (f) => ({
      status: f.status,
    })),
    gauge(
      'spoedbrug_unmet_demand_open',
      'Coordination requests escalated now and not yet taken, by care option.',
      fs.filter((f) => f.openEscalated),
      (f) => ({ care_option: f.careOption }),
    ),
  ];
}

function counter<T>(name: string, help: string, items: readonly T[], labels: (x: T) => Record<string, string>): Metric {
  return { name, help, type: 'counter', series: grouped(items, labels) };
}

function gauge<T>(name: string, help: string, items: readonly T[], labels: (x: T) => Record<string, string>): Metric {
  return { name, help, type: 'gauge', series: grouped(items, labels) };
}

function grouped<T>(items: readonly T[], labels: (x: T) => Record<string, string>): Series[] {
  const by = new Map<string, Series>();
  for (const x of items) {
    const l = labels(x);
    const key = JSON.stringify(l);
    const s = by.get(key) ?? { labels: l, value: 0 };
    s.value++;
    by.set(key, s);
  }
  return [...by.values()].sort((a, b) => JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
}

function total(name: string, help: string, value: number): Metric {
  return { name, help, type: 'counter', series: [{ value }] };
}

function placementHistogram(fs: readonly RequestFacts[]): Metric {
  const minutes = fs.map(minutesToPlacement).filter((m): m is number => m !== undefined);
  const series: Series[] = PLACEMENT_BUCKETS.map((le) => ({ labels: { le: String(le) }, value: minutes.filter((m) => m <= le).length }));
  series.push({ labels: { le: '+Inf' }, value: minutes.length });
  return {
    name: 'spoedbrug_time_to_placement_minutes',
    help: 'Minutes from a coordination request to its acceptance by a provider.',
    type: 'histogram',
    series: [
      ...series.map((s) => ({ ...s, suffix: '_bucket' })),
      { value: round(minutes.reduce((a, b) => a + b, 0)), suffix: '_sum' },
      { value: minutes.length, suffix: '_count' },
    ],
  };
}

async function capacityMetrics(capacity: CapacityReader, now: Date): Promise<Metric[]> {
  const r = await capacity.regionalCapacity({}, now);
  const pick = (code: string) =>
    r.groups.map((g) => ({ labels: { care_option: g.careOption }, value: g.populations.find((p) => p.code === code)?.count ?? 0 }));
  return [
    { name: 'spoedbrug_capacity_free', help: 'Free capacity now in the region (fresh reports only), by care option.', type: 'gauge', series: pick('free-now') },
    {
      name: 'spoedbrug_capacity_total',
      help: 'Total capacity now in the region (fresh reports only), by care option.',
      type: 'gauge',
      series: pick('total-now'),
    },
    {
      name: 'spoedbrug_capacity_services_stale',
      help: 'Services whose capacity report is stale, by care option.',
      type: 'gauge',
      series: pick('services-stale'),
    },
  ];
}

function render(m: Metric): string {
  const lines = [`# HELP ${m.name} ${m.help}`, `# TYPE ${m.name} ${m.type}`];
  for (const s of m.series) {
    const suffix = s.suffix ?? '';
    const labels = Object.entries(s.labels ?? {});
    const l = labels.length ? `{${labels.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
    lines.push(`${m.name}${suffix}${l} ${s.value}`);
  }
  return `${lines.join('\n')}\n`;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
