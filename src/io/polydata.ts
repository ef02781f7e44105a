/** What both VTK flavours yield before vessels are cut out of it. */
export interface PolyData {
  points: ArrayLike<number>;
  lines: number[][];
  pointArrays: Map<string, ArrayLike<number>>;
  stringArrays: Map<string, string[]>;
}
