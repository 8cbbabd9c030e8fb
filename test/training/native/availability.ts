// Whether the native tests run: skipped with the reason when the addon is not built, unless
// HYPERTUNE_REQUIRE_BACKENDS names 'native' (CI), where a missing addon fails instead.
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { NATIVE_BACKEND, nativeUnavailableReason, registerNativeBackend } from '../../../src/training/native/index.js';

export const unavailable = nativeUnavailableReason();
const required = /\bnative\b/.test(process.env.HYPERTUNE_REQUIRE_BACKENDS ?? '');

/** A describe that skips (saying why) when the addon is missing, and a test that fails then if it is required. */
export function describeNative(name: string, body: () => void): void {
  if (required) describe('native backend (required by HYPERTUNE_REQUIRE_BACKENDS)', () => it('is built and loads', () => expect(unavailable).toBeUndefined()));
  describe.skipIf(unavailable !== undefined)(unavailable ? `${name} (skipped: ${unavailable})` : name, body);
}

/** Registers the backend (2 threads: exercises the OpenMP paths) and makes it active. */
export async function useNative(): Promise<void> {
  registerNativeBackend({ threads: 2 });
  await tf.setBackend(NATIVE_BACKEND);
}
