import { ConfigInvalid } from '../fhir/errors.ts';
import { SCHEMA_LAYOUT } from './schema.ts';

/** A store with data but another (or no) layout marker was written by an incompatible version. */
export function checkLayout(layout: unknown, hasData: boolean): void {
  if (layout === undefined && !hasData) return;
  if (layout !== SCHEMA_LAYOUT)
    throw ConfigInvalid({
      params: [
        'store',
        `it was written with storage layout ${String(layout ?? '1')}, this version uses ${SCHEMA_LAYOUT}; export and re-import, or start on an empty store`,
      ],
    });
}
