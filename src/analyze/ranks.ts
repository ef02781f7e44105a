/** Mid-ranks (1-based; tied values share the mean of their ranks), as R's rank() and scipy's rankdata. */
export function midranks(x: readonly number[]): Float64Array {
  const order = x.map((_, i) => i).sort((a, b) => (x[a] as number) - (x[b] as number));
  const r = new Float64Array(x.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && x[order[j + 1] as number] === x[order[i] as number]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) r[order[k] as number] = rank;
    i = j + 1;
  }
  return r;
}

/** Sizes of the groups of tied values (for the tie corrections of rank tests). */
export function tieSizes(x: readonly number[]): number[] {
  const sorted = [...x].sort((a, b) => a - b);
  const sizes: number[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[i]) j++;
    sizes.push(j - i + 1);
    i = j + 1;
  }
  return sizes;
}
