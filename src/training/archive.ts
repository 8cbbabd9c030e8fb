// A stored model as a download in the format asked, for every InferenceEngine (inline or pooled):
// the tfjs files zipped, or one ONNX model.
import type { InferenceEngine } from '../domain/training-port.js';
import { artifactToZip } from './export.js';
import { artifactToOnnx } from './onnx/onnx-export.js';

export async function archiveArtifact(...[artifact, format, about]: Parameters<InferenceEngine['archive']>): Promise<Uint8Array> {
  return format === 'onnx' ? artifactToOnnx(artifact, about) : artifactToZip(artifact);
}
