/**
 * perifat drives dcmjs internals (src/io/dcmjs.d.ts): `DicomMessage._read`, `_readTag`,
 * `_normalizeSyntax`, `ReadBufferStream`, the naturalizer and the validation logger. dcmjs is
 * pinned to one version in package.json; this fails first if an update moves any of them.
 */
import dcmjs from 'dcmjs';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

describe('the dcmjs internals perifat uses', () => {
  it('are pinned exactly and still there', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    // Bundled into every entry at build time (scripts/build.mjs): a devDependency, pinned exactly.
    expect(pkg.devDependencies['dcmjs']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(pkg.dependencies['dcmjs']).toBeUndefined();
    const { DicomMessage, ReadBufferStream, DicomMetaDictionary } = dcmjs.data as unknown as Record<
      string,
      Record<string, unknown>
    >;
    expect(typeof DicomMessage?.['_read']).toBe('function');
    expect(typeof DicomMessage?.['_readTag']).toBe('function');
    expect(typeof DicomMessage?.['_normalizeSyntax']).toBe('function');
    expect(typeof ReadBufferStream).toBe('function');
    expect(typeof DicomMetaDictionary?.['naturalizeDataset']).toBe('function');
    expect(typeof (dcmjs.log as unknown as { getLogger?: unknown }).getLogger).toBe('function');
  });
});
