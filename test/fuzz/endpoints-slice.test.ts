/** A fixed, deterministic slice of the endpoint fuzz properties for `npm test`; `npm run fuzz` runs 10,000 each. */
import { fuzzProperties } from './endpoints.fuzz.ts';

fuzzProperties(150, 20261123);
