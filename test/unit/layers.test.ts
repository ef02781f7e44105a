/** The lint rules that keep the floor plan: layers of src/ and no import cycle (eslint/perifat-rules.js). */
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYERS, cyclicFiles, layerOf } from '../../eslint/perifat-rules.js';

const SRC = resolve(import.meta.dirname, '../../src');

describe('import layers and cycles', () => {
  it('every folder of src/ has a layer, platform rooms included', () => {
    expect(layerOf(join(SRC, 'errors.ts'))).toBe('root');
    expect(layerOf(join(SRC, 'kernels/edt/edt.ts'))).toBe('kernels');
    expect(layerOf(join(SRC, 'platform/page/entry.ts'))).toBe('platform/page');
    expect(layerOf(join(SRC, 'backends/cpu/backend.ts'))).toBe('backends');
    expect(layerOf(resolve(SRC, '../test/x.ts'))).toBeNull();
    for (const l of ['volume', 'measure', 'shells', 'gpu', 'kernels', 'backends', 'cli', 'api'])
      expect(LAYERS[l]).toBeTypeOf('number');
    expect(LAYERS.gpu).toBeLessThan(LAYERS.kernels);
    expect(LAYERS.kernels).toBeLessThan(LAYERS.backends);
    expect(LAYERS.measure).toBeLessThan(LAYERS.shells);
  });
  it('finds a cycle in a graph that has one, and none in src/', () => {
    const g = new Map<string, string[]>([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
      ['e', ['e']],
    ]);
    const found = cyclicFiles(g);
    expect([...found.keys()].sort()).toEqual(['a', 'b', 'c', 'e']);
    expect(cyclicFiles().size).toBe(0);
  });
});
