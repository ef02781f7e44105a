/** Synthetic cardiac CT phantom with analytic ground truth, and the truth oracle itself. */
export { makePhantom, DEFAULT_DIMS, DEFAULT_SPACING, fatHu, fatLaw120 } from './generate';
export { computeTruth } from './truth';
export { writePhantom, vesselsJson, type WriteOptions, type WrittenFiles } from './write';
export { writeDicomSeries } from './dicom-write';
export { phantomCommand } from './cli';
export {
  TISSUE,
  type Phantom,
  type PhantomOptions,
  type PhantomParams,
  type TruthOptions,
  type TissueCode,
} from './types';
