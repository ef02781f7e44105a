/** Types of scripts/package-shape.mjs (plain JavaScript, run by node in scripts/build.mjs). */
import type { Metafile } from 'esbuild';

export function staticClosure(metafile: Metafile, entryOut: string): string[];
export function inputsOf(metafile: Metafile, outputs: readonly string[]): string[];
export function assertLazy(metafile: Metafile, entryOut: string, forbidden: readonly RegExp[]): void;
export function pruneDeclarations(dir: string, entries: readonly string[]): { kept: number; removed: number };
