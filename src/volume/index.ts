export * from './geometry';
export * from './volume';
export * from './resample';
