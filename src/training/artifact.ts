// A trained model as plain data (the tfjs layers format: topology JSON, weight specs, one weight
// buffer) so the store can keep it anywhere, and back again via tf.loadLayersModel.
import * as tf from '@tensorflow/tfjs';
import type { ModelArtifact } from '../domain/model-artifact.js';

/** Captures what model.save() writes, through an in-memory IOHandler. */
export async function modelToArtifact(model: tf.LayersModel): Promise<ModelArtifact> {
  let captured: tf.io.ModelArtifacts | undefined;
  await model.save({
    save: async (artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> => {
      captured = artifacts;
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  });
  if (!captured?.modelTopology || !captured.weightSpecs || !captured.weightData) {
    throw new Error('model.save produced no topology or weights');
  }
  const data = captured.weightData;
  const buffer = Array.isArray(data) ? tf.io.concatenateArrayBuffers(data) : data;
  return { modelTopology: captured.modelTopology, weightSpecs: captured.weightSpecs, weightData: new Uint8Array(buffer) };
}

/** Rebuilds the model (uncompiled: for prediction; compile it again to train). */
export async function loadArtifact(a: ModelArtifact): Promise<tf.LayersModel> {
  // Copy into an ArrayBuffer of its own: the bytes may be a view into a larger one (a Buffer from
  // the pool or a DB driver). new Uint8Array(view) copies; Buffer#slice would not.
  const weightData = new Uint8Array(a.weightData).buffer;
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: a.modelTopology as tf.io.ModelJSON['modelTopology'],
    weightSpecs: a.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData,
  }));
}
