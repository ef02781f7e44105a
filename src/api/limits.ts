/**
 * What perifat needs from a GPUDevice, derived from the kernels themselves (so a new kernel that
 * binds more storage buffers raises the requirement here, not in a user's run), and the check an
 * app's own device goes through before anything is dispatched.
 */
import { PerifatError } from '../errors';
import { KERNELS } from '../kernels/registry';

const storageBindings = Math.max(
  ...KERNELS.map((k) => Object.values(k.bindings).filter((b) => b.kind !== 'uniform').length),
);

/**
 * The limits perifat's kernels need. All are within WebGPU's defaults: a device requested with
 * no limits works; a larger maxStorageBufferBindingSize saves dispatches on large scans (volumes
 * and the pericoronary crop are cut into z-slabs to fit; only the candidate index of the
 * centerlines, 16 bytes an entry, must fit one binding).
 */
export const REQUIRED_LIMITS: Readonly<Record<string, number>> = Object.freeze({
  maxStorageBuffersPerShaderStage: storageBindings,
  maxComputeInvocationsPerWorkgroup: 256,
  maxComputeWorkgroupSizeX: 256,
  maxBindGroups: 1,
  maxComputeWorkgroupStorageSize: 16384,
});

/** Throws E_GPU_LIMITS naming the first limit the device falls short of. */
export function checkDeviceLimits(device: GPUDevice): void {
  for (const [name, need] of Object.entries(REQUIRED_LIMITS)) {
    const have = (device.limits as unknown as Record<string, number>)[name];
    if (typeof have === 'number' && have < need) {
      throw new PerifatError(
        'E_GPU_LIMITS',
        `the GPU device's ${name} is ${have}; perifat needs ${need} (request REQUIRED_LIMITS when creating the device)`,
      );
    }
  }
}
