export declare const LAYERS: Readonly<Record<string, number>> & {
  readonly gpu: number;
  readonly kernels: number;
  readonly backends: number;
  readonly measure: number;
  readonly shells: number;
};
export declare function layerOf(file: string): string | null;
export declare function cyclicFiles(graph?: Map<string, string[]>): Map<string, string[]>;
declare const plugin: { rules: Record<string, unknown> };
export default plugin;
