/**
 * Synthetic cardiac CT phantom with analytic ground truth, and the truth oracle itself: generators
 * only. Writing a phantom's files is Node's (src/platform/node/phantom-files.ts); the command is
 * src/cli/phantom-command.ts.
 */
export { makePhantom, DEFAULT_DIMS, DEFAULT_SPACING, fatHu, fatLaw120 } from './generate';
export { computeTruth } from './truth';
export {
  TISSUE,
  type Phantom,
  type PhantomOptions,
  type PhantomParams,
  type TruthOptions,
  type TissueCode,
} from './types';
