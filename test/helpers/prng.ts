/** The seeded PRNG tap's own generator uses (mulberry32): the same seed, the same sequence, so failures reproduce. */
export { random as prng } from '../../src/ops/generate.js';
