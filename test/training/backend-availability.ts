// Which training backends this host can run, for tests that cover every backend. CI sets
// HYPERTUNE_REQUIRE_BACKENDS (e.g. native,webgpu,wasm,cpu) so a backend that failed to build or
// find its adapter fails the run instead of being skipped (test/helpers/requirements.ts).
import { BackendUnavailableError } from '../../src/training/backend-unavailable.js';
import { initBackend, type BackendName } from '../../src/training/backend.js';
import { requiredBy, requireOrSkip } from '../helpers/requirements.js';

// Without a GPU, WebGPU runs on Mesa's llvmpipe through Dawn's OpenGL ES backend (slow, but the
// same code path); a display-less EGL platform lets Mesa start.
process.env.EGL_PLATFORM ??= 'surfaceless';
process.env.HYPERTUNE_DAWN_FLAGS ??= 'backend=opengles';

/** Brings each backend up once: whether its tests run here (a required one that cannot throws). */
export async function backendAvailability(names: readonly BackendName[]): Promise<Map<BackendName, boolean>> {
  const result = new Map<BackendName, boolean>();
  for (const name of names) {
    let reason: string | undefined;
    try {
      await initBackend(name);
    } catch (err) {
      if (!(err instanceof BackendUnavailableError)) throw err;
      reason = err.reason;
    }
    result.set(name, requireOrSkip(`the ${name} backend`, reason, requiredBy('BACKENDS', name)));
  }
  return result;
}
