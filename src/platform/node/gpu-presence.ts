/**
 * Whether this machine can have a hardware WebGPU adapter, known without starting a browser. On
 * Linux a GPU that Chromium could use shows up as a DRM render node (/dev/dri/renderD*) or an
 * NVIDIA device (/dev/nvidia0); with neither, Chromium's adapter is SwiftShader, a CPU emulation
 * that the CPU backend outruns. Elsewhere (macOS, Windows) a GPU is assumed and the adapter decides.
 * PERIFAT_GPU=1 or 0 in the environment overrides the guess.
 */
import { existsSync, readdirSync } from 'node:fs';

export interface GpuPresence {
  readonly likely: boolean;
  readonly why: string;
}

export function gpuPresence(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): GpuPresence {
  // PERIFAT_GPU=1 / 0 overrides the guess (a GPU passed into a container under another name).
  if (env['PERIFAT_GPU'] === '1') return { likely: true, why: 'PERIFAT_GPU=1' };
  if (env['PERIFAT_GPU'] === '0') return { likely: false, why: 'PERIFAT_GPU=0' };
  if (platform !== 'linux') return { likely: true, why: `${platform}: a GPU is assumed` };
  let render: string[] = [];
  try {
    render = readdirSync('/dev/dri').filter((n) => n.startsWith('renderD'));
  } catch {
    render = [];
  }
  if (render.length > 0) return { likely: true, why: `GPU render node /dev/dri/${render[0]}` };
  if (existsSync('/dev/nvidia0')) return { likely: true, why: 'NVIDIA device /dev/nvidia0' };
  return { likely: false, why: 'no GPU device (/dev/dri/renderD*, /dev/nvidia0)' };
}
