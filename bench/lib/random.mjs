// A seeded pseudo-random generator (mulberry32): the same workload in every run, with a period of 2^32.
// Plain `seed * a + c` in JavaScript numbers loses the low bits past 2^53 and repeats after a few
// thousand draws, which made "varied" workloads repeat themselves.

/** Numbers in [0, 1), the same sequence for the same seed. */
export function seededRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
