/**
 * The word tables the f32 shell kernels read (and their CPU mirror with them): per vessel its
 * [s0, s1] and its path of parts, and every lesion with its layer. One layout, written here.
 *
 *   [4·v + 0, 4·v + 1]  s0, s1 of vessel v (f32 bits)
 *   [4·v + 2, 4·v + 3]  start (relative to pathOffset) and length of its path
 *   pathOffset + …      part indices of every path
 *   lesionOffset + 8·l  vessel, label, start (f32 bits), end (f32 bits), layer, 0, 0, 0
 */
import type { ShellPlan } from './plan';

export const LESION_WORDS = 8;

export interface ShellTables {
  readonly words: Uint32Array;
  readonly pathOffset: number;
  readonly lesionOffset: number;
}

export function shellTables(plan: ShellPlan): ShellTables {
  const V = plan.vessels.length;
  const pathWords = plan.vessels.reduce((n, v) => n + v.parts.length, 0);
  const pathOffset = 4 * V;
  const lesionOffset = pathOffset + pathWords;
  const words = new Uint32Array(Math.max(1, lesionOffset + LESION_WORDS * plan.lesions.length));
  const f32 = new Float32Array(words.buffer);
  let at = 0;
  plan.vessels.forEach((v, vi) => {
    f32[4 * vi] = v.s0f;
    f32[4 * vi + 1] = v.s1f;
    words[4 * vi + 2] = at;
    words[4 * vi + 3] = v.parts.length;
    for (const p of v.parts) words[pathOffset + at++] = p;
  });
  plan.lesions.forEach((l, li) => {
    const o = lesionOffset + LESION_WORDS * li;
    words[o] = l.vessel;
    words[o + 1] = l.label;
    f32[o + 2] = l.startF;
    f32[o + 3] = l.endF;
    words[o + 4] = l.layer;
  });
  return { words, pathOffset, lesionOffset };
}
