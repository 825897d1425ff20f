/**
 * The loaded region model: territory lookups (postcode → postcode area → subregion → coordination region
 * → ROAZ region), the reach of a place (which territories count as its catchment, which as neighbour or
 * cross-ROAZ fallback, through which edge) and the cooperation agreements. Built once at start-up by
 * load.ts from checked files; immutable afterwards.
 */
import type { RegionCalendar } from './calendar.ts';
import type { AgreementFile, DecisionAuthority, EdgeFile, Position, RankKey, ServiceSelector, TerritoryFile, TerritoryLevel } from './types.ts';

export type { Position } from './types.ts';

export const TERRITORY_SYSTEM = 'https://spoedbrug.nl/fhir/NamingSystem/territory';

export type ReachTier = 'catchment' | 'neighbour' | 'cross-roaz';
export const TIER_ORDER: Record<ReachTier, number> = { catchment: 0, neighbour: 1, 'cross-roaz': 2 };

export interface Territory extends TerritoryFile {
  /** key of the ROAZ region it belongs to */
  root: string;
  /** PC4 ranges, inclusive */
  ranges: Array<[number, number]>;
}

export interface Edge extends EdgeFile {
  careOptionSet?: ReadonlySet<string>;
}

export interface Agreement extends AgreementFile {
  partnerSet: ReadonlySet<string>;
}

export interface Catchment {
  service: ServiceSelector;
  territories: string[];
}

/** Why a territory is in reach of a place: directly, or across an edge. */
export interface ReachEntry {
  territory: string;
  tier: ReachTier;
  edge?: Edge;
}

export interface Reach {
  area: Territory;
  /** every territory in reach, with how (several edges may lead to one territory) */
  byTerritory: ReadonlyMap<string, ReachEntry[]>;
  /** region-file catchments whose territories are in reach */
  catchments: Array<{ catchment: Catchment; entries: ReachEntry[] }>;
}

export interface RoutingRules {
  requireAgreement: boolean;
  defaultDecides: DecisionAuthority;
  startBandMinutes: number;
  maxPlaceDistanceKm: number;
  rankBy: RankKey[];
}

export interface RegionModelParts {
  key: string;
  name: string;
  timeZone: string;
  roaz: string;
  coordinator?: string;
  calendar: RegionCalendar;
  routing: RoutingRules;
  territories: Map<string, Territory>;
  edges: Edge[];
  catchments: Catchment[];
  agreements: Map<string, Agreement>;
  sources: string[];
}

export class RegionModel {
  readonly key: string;
  readonly name: string;
  readonly timeZone: string;
  /** this region's own ROAZ territory; territories under other roots are neighbours */
  readonly roaz: string;
  readonly coordinator?: string;
  readonly calendar: RegionCalendar;
  readonly routing: RoutingRules;
  readonly territories: ReadonlyMap<string, Territory>;
  readonly edges: readonly Edge[];
  readonly catchments: readonly Catchment[];
  readonly agreements: ReadonlyMap<string, Agreement>;
  /** the files it was loaded from */
  readonly sources: readonly string[];
  #children = new Map<string, string[]>();
  #edgesOf = new Map<string, Edge[]>();
  #areas: Territory[];

  constructor(p: RegionModelParts) {
    this.key = p.key;
    this.name = p.name;
    this.timeZone = p.timeZone;
    this.roaz = p.roaz;
    if (p.coordinator) this.coordinator = p.coordinator;
    this.calendar = p.calendar;
    this.routing = p.routing;
    this.territories = p.territories;
    this.edges = p.edges;
    this.catchments = p.catchments;
    this.agreements = p.agreements;
    this.sources = p.sources;
    for (const t of p.territories.values()) if (t.parent) this.#children.set(t.parent, [...(this.#children.get(t.parent) ?? []), t.key]);
    for (const e of p.edges) for (const k of e.between) this.#edgesOf.set(k, [...(this.#edgesOf.get(k) ?? []), e]);
    this.#areas = [...p.territories.values()].filter((t) => t.level === 'postcode-area');
  }

  territory(key: string): Territory | undefined {
    return this.territories.get(key);
  }

  /** The territory and its ancestors, nearest first. */
  chain(key: string): Territory[] {
    const out: Territory[] = [];
    for (let t = this.territories.get(key); t; t = t.parent ? this.territories.get(t.parent) : undefined) out.push(t);
    return out;
  }

  /** Every territory below `key` (not itself). */
  descendants(key: string): string[] {
    const out: string[] = [];
    const walk = (k: string) => {
      for (const c of this.#children.get(k) ?? []) {
        out.push(c);
        walk(c);
      }
    };
    walk(key);
    return out;
  }

  /** The postcode area a PC4 number lies in. */
  areaOfPostcode(pc4: number): Territory | undefined {
    return this.#areas.find((a) => a.ranges.some(([lo, hi]) => pc4 >= lo && pc4 <= hi));
  }

  /** The nearest postcode area (by its representative point) within the configured distance. */
  nearestArea(p: Position): { area: Territory; km: number } | undefined {
    let best: { area: Territory; km: number } | undefined;
    for (const a of this.#areas) {
      const km = a.position ? distanceKm(p, a.position) : Number.POSITIVE_INFINITY;
      if (!best || km < best.km) best = { area: a, km };
    }
    return best && best.km <= this.routing.maxPlaceDistanceKm ? best : undefined;
  }

  /**
   * The reach of a postcode area for a care option: the area and its ancestors are its catchment; across
   * each edge touching one of them (and allowed for the option) the territory on the other side, what lies
   * below it and above it, are neighbour (same ROAZ region) or cross-ROAZ fallback.
   */
  reach(areaKey: string, careOption: string): Reach {
    const area = this.territories.get(areaKey);
    if (!area) throw new Error(`unknown territory ${areaKey}`);
    const chain = this.chain(areaKey);
    const own = new Set(chain.map((t) => t.key));
    const byTerritory = new Map<string, ReachEntry[]>();
    const add = (e: ReachEntry) => byTerritory.set(e.territory, [...(byTerritory.get(e.territory) ?? []), e]);
    for (const t of chain) add({ territory: t.key, tier: 'catchment' });
    for (const t of chain) {
      for (const edge of this.#edgesOf.get(t.key) ?? []) {
        if (edge.careOptionSet && !edge.careOptionSet.has(careOption)) continue;
        const other = edge.between[0] === t.key ? edge.between[1] : edge.between[0];
        const target = this.territories.get(other);
        if (!target) continue;
        const tier: ReachTier = target.root === area.root ? 'neighbour' : 'cross-roaz';
        for (const k of [
          other,
          ...this.descendants(other),
          ...this.chain(other)
            .slice(1)
            .map((x) => x.key),
        ])
          if (!own.has(k)) add({ territory: k, tier, edge });
      }
    }
    const catchments = this.catchments
      .filter((c) => !c.service.careOption || c.service.careOption === careOption)
      .map((c) => ({ catchment: c, entries: c.territories.flatMap((k) => byTerritory.get(k) ?? []) }))
      .filter((c) => c.entries.length);
    return { area, byTerritory, catchments };
  }

  /** Agreements under which an organisation offers a care option to a patient in the area, valid on the date. */
  agreementsFor(ura: string | undefined, careOption: string, areaKey: string, date: string): Agreement[] {
    if (!ura) return [];
    const chain = new Set(this.chain(areaKey).map((t) => t.key));
    return [...this.agreements.values()].filter(
      (a) =>
        a.partnerSet.has(ura) &&
        (!a.careOptions || a.careOptions.includes(careOption)) &&
        (!a.appliesTo || a.appliesTo.some((k) => chain.has(k))) &&
        (!a.validFrom || a.validFrom <= date) &&
        (!a.validUntil || a.validUntil >= date),
    );
  }

  level(key: string): TerritoryLevel | undefined {
    return this.territories.get(key)?.level;
  }
}

/** Great-circle distance (haversine), km. */
export function distanceKm(a: Position, b: Position): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371.0088 * Math.asin(Math.min(1, Math.sqrt(h)));
}
