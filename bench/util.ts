/** Shared bench helpers: synthetic volumes, dims parsing, medians. */
export function parseDims(s: string): [number, number, number] {
  const d = s.split('x').map(Number);
  if (d.length !== 3 || d.some((v) => !Number.isInteger(v) || v < 1)) throw new Error(`bad dims ${s}`);
  return d as [number, number, number];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/**
 * A CT-like volume: air outside a body ellipse, soft tissue and fat inside, and a central
 * "pericardium" ellipsoid carrying labels 1…maxLabel in z-bands. Deterministic.
 */
export function syntheticCt(dims: [number, number, number], maxLabel: number): { hu: Int16Array; labels: Uint8Array } {
  const [nx, ny, nz] = dims;
  const hu = new Int16Array(nx * ny * nz);
  const labels = new Uint8Array(nx * ny * nz);
  let seed = 12345;
  let n = 0;
  for (let k = 0; k < nz; k++) {
    for (let j = 0; j < ny; j++) {
      for (let i = 0; i < nx; i++, n++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        const noise = (seed >>> 16) % 41;
        const x = (i - nx / 2) / (nx / 2);
        const y = (j - ny / 2) / (ny / 2);
        const z = (k - nz / 2) / (nz / 2);
        const body = x * x + y * y < 0.8;
        const heart = x * x + y * y + z * z < 0.25;
        hu[n] = !body ? -1000 : (i + j) % 3 === 0 ? -120 + noise : 40 + noise;
        if (heart) labels[n] = 1 + (k % maxLabel);
      }
    }
  }
  return { hu, labels };
}
