// Whether the native tests run: skipped with the reason when the addon is not built, unless
// HYPERTUNE_REQUIRE_BACKENDS names 'native' (CI), where a missing addon fails instead (the suite's
// one skip idiom, test/helpers/requirements.ts).
import * as tf from '@tensorflow/tfjs';
import { describe } from 'vitest';
import { NATIVE_BACKEND, nativeUnavailableReason, registerNativeBackend } from '../../../src/training/native/index.js';
import { nativeBf16UnavailableReason } from '../../../src/training/precision-support.js';
import { requiredBy, requireOrSkip } from '../../helpers/requirements.js';

/** A describe that skips (saying why) when the addon is missing, and fails the file where it is required. */
export function describeNative(name: string, body: () => void): void {
  describe.skipIf(!requireOrSkip('the native backend', nativeUnavailableReason(), requiredBy('BACKENDS', 'native')))(name, body);
}

/** Registers the backend (2 threads: exercises the OpenMP paths) and makes it active. */
export async function useNative(): Promise<void> {
  registerNativeBackend({ threads: 2 });
  await tf.setBackend(NATIVE_BACKEND);
}

/**
 * Like describeNative, for bf16 mixed precision (the addon and a CPU with AVX512_BF16): CI's
 * machine has it, so CI lists 'native-bf16' in HYPERTUNE_REQUIRE_BACKENDS and a host without it
 * fails there instead of skipping.
 */
export function describeNativeBf16(name: string, body: () => void): void {
  describe.skipIf(!requireOrSkip('bf16 on the native backend', nativeBf16UnavailableReason(), requiredBy('BACKENDS', 'native-bf16')))(name, body);
}
