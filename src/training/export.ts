// A stored model as the files tfjs' model.save('file://…') writes, zipped: model.json (topology and
// a weights manifest naming weights.bin) and weights.bin. tf.loadLayersModel reads it back, and
// `tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras` turns it into Keras.
import * as tf from '@tensorflow/tfjs';
import JSZip from 'jszip';
import type { ModelArtifact } from '../domain/model-artifact.js';

export const WEIGHTS_FILE = 'weights.bin';

/** The model.json tfjs writes beside its weights (tf.io.ModelJSON). */
export function modelJson(a: ModelArtifact): tf.io.ModelJSON {
  return {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
    convertedBy: null,
    modelTopology: a.modelTopology as tf.io.ModelJSON['modelTopology'],
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: a.weightSpecs as tf.io.WeightsManifestEntry[] }],
  };
}

/** The zip: model.json and weights.bin at its root. */
export async function artifactToZip(a: ModelArtifact): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('model.json', JSON.stringify(modelJson(a)));
  zip.file(WEIGHTS_FILE, a.weightData, { binary: true });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', platform: 'UNIX' });
}
