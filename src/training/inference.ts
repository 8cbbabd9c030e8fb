// The InferenceEngine port with tfjs: loads a stored layers-format artifact and predicts, or exports
// it (zipped tfjs files, or an ONNX graph).
import * as tf from '@tensorflow/tfjs';
import type { InferenceEngine, LoadedModel } from '../domain/training-port.js';
import { loadArtifact } from './artifact.js';
import { archiveArtifact } from './archive.js';

export class TfjsInference implements InferenceEngine {
  async load(artifact: Parameters<InferenceEngine['load']>[0]): Promise<LoadedModel> {
    const model = await loadArtifact(artifact);
    return {
      async predict(inputs, count, shape) {
        const out = tf.tidy(() => model.predict(tf.tensor(inputs, [count, ...shape])) as tf.Tensor);
        try {
          return (await out.data()) as Float32Array;
        } finally {
          out.dispose();
        }
      },
      dispose: () => model.dispose(),
    };
  }

  archive = archiveArtifact;
}
