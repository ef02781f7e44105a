/**
 * A seeded byte mutator for fuzzing readers: truncation, byte flips, extreme 32-bit words, insertions
 * and copies, aimed at the header most of the time (where the structure is).
 */
export function mutate(src: Uint8Array, rnd: () => number, headerBias: number): Uint8Array {
  const pick = (n: number): number => Math.floor(rnd() * n);
  // Most interesting structure is in the header: aim there most of the time.
  const pos = (): number => (rnd() < 0.8 ? pick(Math.min(src.length, headerBias)) : pick(src.length));
  const kind = pick(5);
  if (kind === 0) return src.slice(0, pick(src.length));
  const b = src.slice();
  if (kind === 1) for (let i = 0, n = 1 + pick(8); i < n; i++) b[pos()] = pick(256);
  if (kind === 2) {
    const p = pos() & ~3;
    const v = [0, 0xffffffff, 0x7fffffff, 0x80000000, pick(2 ** 32)][pick(5)] as number;
    if (p + 4 <= b.length) new DataView(b.buffer).setUint32(p, v, rnd() < 0.5);
  }
  if (kind === 3) {
    const p = pos();
    const ins = Uint8Array.from({ length: 1 + pick(16) }, () => pick(256));
    return Uint8Array.from([...b.subarray(0, p), ...ins, ...b.subarray(p)]);
  }
  if (kind === 4) {
    const p = pos();
    b.copyWithin(p, pos(), pos() + 1 + pick(64));
  }
  return b;
}
