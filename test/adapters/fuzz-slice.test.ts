/** A fixed, deterministic slice of the parser fuzz properties for `npm test`; `npm run fuzz` runs the long version. */
import { fuzzProperties as csv } from './csv.fuzz.ts';
import { fuzzProperties as hl7v2 } from './hl7v2.fuzz.ts';
import { fuzzProperties as json } from './json.fuzz.ts';
import { fuzzProperties as xml } from './xml.fuzz.ts';
import { fuzzProperties as convert } from '../mapping/convert.fuzz.ts';

const RUNS = 200;
const SEED = 20260315;

for (const properties of [hl7v2, xml, csv, json, convert]) properties(RUNS, SEED);
