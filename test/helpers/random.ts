/** Seeded PRNG (mulberry32) so every random test volume is reproducible from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

/** HU volume mixing uniform noise over [-1100, 1500] with a dense band around the fat window. */
export function randomHu(n: number, seed: number): Int16Array {
  const r = rng(seed);
  const hu = new Int16Array(n);
  for (let i = 0; i < n; i++) hu[i] = r() < 0.5 ? randomInt(r, -200, -20) : randomInt(r, -1100, 1500);
  return hu;
}

export function randomLabels(n: number, maxLabel: number, seed: number, zeroFraction = 0.3): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = r() < zeroFraction ? 0 : randomInt(r, 1, maxLabel);
  return out;
}
