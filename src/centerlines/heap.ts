/**
 * Binary min-heap of (key, voxel) for Dijkstra on the mask: typed arrays, lazy deletion (a voxel
 * may be pushed again with a smaller key; the caller skips stale pops), so no decrease-key index.
 */
export class MinHeap {
  private keys = new Float64Array(1024);
  private vals = new Int32Array(1024);
  size = 0;

  push(key: number, val: number): void {
    if (this.size === this.keys.length) {
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
      const v = new Int32Array(this.size * 2);
      v.set(this.vals);
      this.vals = v;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if ((this.keys[p] as number) <= key) break;
      this.keys[i] = this.keys[p] as number;
      this.vals[i] = this.vals[p] as number;
      i = p;
    }
    this.keys[i] = key;
    this.vals[i] = val;
  }

  /** Key of the top; call only when size > 0. */
  topKey(): number {
    return this.keys[0] as number;
  }

  /** Removes the top and returns its value; call only when size > 0. */
  pop(): number {
    const top = this.vals[0] as number;
    const n = --this.size;
    const key = this.keys[n] as number;
    const val = this.vals[n] as number;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && (this.keys[c + 1] as number) < (this.keys[c] as number)) c++;
      if ((this.keys[c] as number) >= key) break;
      this.keys[i] = this.keys[c] as number;
      this.vals[i] = this.vals[c] as number;
      i = c;
    }
    this.keys[i] = key;
    this.vals[i] = val;
    return top;
  }
}
