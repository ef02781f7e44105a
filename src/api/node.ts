/**
 * perifat for Node (`perifat/node`): the browser entry's API, with Node defaults (the CPU backend's
 * float64 shells over worker threads, zlib for gzip), plus path loaders, file writers and the
 * headless-Chromium runner that gives Node a WebGPU device.
 */
import { type Engine, type EngineOptions, createEngine as createBrowserEngine } from './engine';
import { workerClassifier } from '../platform/node/shell-workers';

export * from './index';
export { loadCt, loadLabels, loadVessels } from '../platform/node/load';
export { writeNifti, writeShellMasks } from '../platform/node/write';
export { ChromiumRunner } from '../platform/node/chromium';
export { measureInChromium, measureInChromiumDetailed } from '../platform/node/measure-chromium';
export { main as cliMain } from '../cli/main';
/** The perifat command as its process runs it (SIGINT / SIGTERM handled): what bin/perifat.mjs calls. */
export { runCli } from '../cli/main';

/**
 * An engine in Node. Node has no WebGPU of its own: 'auto' and 'cpu' run the CPU backend over
 * worker threads; for WebGPU, drive headless Chromium with ChromiumRunner + measureInChromium.
 */
export function createEngine(opts: EngineOptions = {}): Promise<Engine> {
  return createBrowserEngine({ classify: workerClassifier(), runtime: 'node', ...opts });
}
