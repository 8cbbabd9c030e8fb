// Which training backends this host can run, for tests that cover every backend. CI sets
// HYPERTUNE_REQUIRE_BACKENDS (e.g. native,webgpu,wasm,cpu) so a backend that failed to build or
// find its adapter fails the run instead of being skipped quietly.
import { BackendUnavailableError } from '../../src/training/backend-unavailable.js';
import { initBackend, type BackendName } from '../../src/training/backend.js';

// Without a GPU, WebGPU runs on Mesa's llvmpipe through Dawn's OpenGL ES backend (slow, but the
// same code path); a display-less EGL platform lets Mesa start.
process.env.EGL_PLATFORM ??= 'surfaceless';
process.env.HYPERTUNE_DAWN_FLAGS ??= 'backend=opengles';

export const REQUIRED_BACKENDS = (process.env.HYPERTUNE_REQUIRE_BACKENDS ?? '').split(',').filter(Boolean);

/** Brings each backend up once: undefined when it runs here, otherwise why not. */
export async function backendAvailability(names: readonly BackendName[]): Promise<Map<BackendName, string | undefined>> {
  const result = new Map<BackendName, string | undefined>();
  for (const name of names) {
    try {
      await initBackend(name);
      result.set(name, undefined);
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      result.set(name, err.reason);
    }
  }
  return result;
}
