// The training backends by name, without loading tfjs (config validation needs only the names).
export const BACKEND_NAMES = ['cuda', 'tensorflow', 'native', 'webgpu', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
export type BackendSetting = BackendName | 'auto';

export function isBackendName(value: string): value is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(value);
}
