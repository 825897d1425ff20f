/**
 * Long fuzz run of the source-format parsers and every HTTP endpoint: `npm run fuzz`. FUZZ_RUNS (default 10000) runs per property;
 * FUZZ_SEED replays a run (the seed is printed first, and again with every property's counts).
 */
import t from 'tap';
import { fuzzProperties as csv } from '../test/adapters/csv.fuzz.ts';
import { fuzzProperties as hl7v2 } from '../test/adapters/hl7v2.fuzz.ts';
import { fuzzProperties as json } from '../test/adapters/json.fuzz.ts';
import { fuzzProperties as xml } from '../test/adapters/xml.fuzz.ts';
import { fuzzProperties as convert } from '../test/mapping/convert.fuzz.ts';
import { fuzzProperties as endpoints } from '../test/fuzz/endpoints.fuzz.ts';

const runs = Number(process.env.FUZZ_RUNS ?? 10_000);
const seed = process.env.FUZZ_SEED === undefined ? Math.floor(Math.random() * 2 ** 31) : Number(process.env.FUZZ_SEED);
if (!Number.isSafeInteger(runs) || runs < 1 || !Number.isSafeInteger(seed)) throw new Error('FUZZ_RUNS and FUZZ_SEED must be integers');

// a long run: no whole-run time limit (each property still bounds every single input)
t.setTimeout(0);
t.comment(`fuzz: ${runs} runs per property, seed ${seed} (replay with FUZZ_SEED=${seed})`);
for (const properties of [hl7v2, xml, csv, json, convert, endpoints]) properties(runs, seed);
