/**
 * The one place that gets a WebGPU adapter and device, checks limits and features, and watches
 * for device loss. An embedding app may hand in the GPUDevice it already has.
 */
import { PerifatError } from '../errors';
import type { AdapterSummary } from '../measure/report-types';

/** Limits perifat asks for up front: as much as the adapter offers, since volumes are big. */
const WANTED_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
] as const;

export interface GpuContext {
  readonly device: GPUDevice;
  readonly adapter: AdapterSummary;
  /** Software rasteriser / fallback adapter (SwiftShader): prefer few workgroups with grid-stride loops. */
  readonly isSoftware: boolean;
  /** Logical CPU cores, used to size grids on software adapters. */
  readonly hostCores: number;
  /** Throws E_GPU_DEVICE_LOST if the device was lost since it was acquired. */
  assertAlive(): void;
  /** Destroys the device when perifat created it; leaves an app's own device alone. */
  dispose(): void;
}

export interface AcquireOptions {
  /** `navigator.gpu` in a browser, or the object from the `webgpu` package's create() in Node. */
  gpu?: GPU;
  /** A device the embedding app already has; perifat then neither requests limits nor destroys it. */
  device?: GPUDevice;
  adapterInfo?: GPUAdapterInfo;
  powerPreference?: GPUPowerPreference;
  hostCores?: number;
}

export async function acquireGpu(opts: AcquireOptions = {}): Promise<GpuContext> {
  const cores = opts.hostCores ?? (typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : 4) ?? 4;
  if (opts.device) return wrapDevice(opts.device, summarize(opts.adapterInfo ?? opts.device.adapterInfo), false, cores);

  const gpu = opts.gpu ?? (typeof navigator !== 'undefined' ? navigator.gpu : undefined);
  if (!gpu) {
    throw new PerifatError('E_GPU_UNAVAILABLE', 'WebGPU is not available in this runtime (no navigator.gpu)');
  }
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) {
    throw new PerifatError('E_GPU_UNAVAILABLE', 'no WebGPU adapter was found (requestAdapter returned null)');
  }
  const requiredLimits: Record<string, number> = {};
  for (const name of WANTED_LIMITS) requiredLimits[name] = adapter.limits[name];
  const requiredFeatures: GPUFeatureName[] = adapter.features.has('timestamp-query') ? ['timestamp-query'] : [];
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredLimits, requiredFeatures, label: 'perifat' });
  } catch (e) {
    throw new PerifatError('E_GPU_UNAVAILABLE', `requestDevice failed: ${String(e)}`, { cause: e });
  }
  return wrapDevice(device, summarize(adapter.info), true, cores);
}

function summarize(info: GPUAdapterInfo): AdapterSummary {
  const legacy = info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  const isFallback = legacy.isFallbackAdapter === true || info.architecture === 'swiftshader';
  return {
    vendor: info.vendor,
    architecture: info.architecture,
    description: info.description || info.device,
    isFallback,
  };
}

function wrapDevice(device: GPUDevice, adapter: AdapterSummary, owned: boolean, hostCores: number): GpuContext {
  let lost: GPUDeviceLostInfo | null = null;
  let disposed = false;
  void device.lost.then((info) => {
    lost = info;
  });
  return {
    device,
    adapter,
    isSoftware: adapter.isFallback === true,
    hostCores,
    assertAlive() {
      if (lost && !disposed) throw deviceLostError(lost);
    },
    dispose() {
      disposed = true;
      if (owned) device.destroy();
    },
  };
}

export function deviceLostError(info: GPUDeviceLostInfo): PerifatError {
  return new PerifatError(
    'E_GPU_DEVICE_LOST',
    `the GPU device was lost (${info.reason}: ${info.message || 'no message'}). ` +
      'The driver may have reset after a long-running dispatch or run out of memory; ' +
      'retry on a new engine, or measure on the CPU backend.',
  );
}
