/** The phantom the page's button (and `?demo=phantom`) measures; the page test builds the same one. */
import type { PhantomOptions } from '../src/api/index';

// Small enough to measure in seconds on a software adapter; a tortuous three-vessel tree.
export const DEMO_PHANTOM: PhantomOptions = {
  dims: [96, 96, 72],
  spacing: [0.6, 0.6, 0.8],
  noiseSd: 10,
  seed: 1,
  tree: {},
};
