// A stored model (tfjs layers format: Keras topology JSON, weight specs, one weight buffer) as an
// ONNX model: opset 17, IR version 8, which ONNX Runtime >= 1.13, Triton's ONNX backend and
// onnxruntime-web load. The graph takes `input` [N, H, W, C] float32 (NHWC as tfjs, the batch
// dynamic), already normalized (pixels / pixelMax), and gives `probabilities` [N, classes].
import type { ArtifactDescription, ModelArtifact } from '../../domain/model-artifact.js';
import { OnnxGraph } from './onnx-graph.js';
import { addLayer, type KerasLayer, type LayerWeights } from './onnx-layers.js';
import { encodeModel, valueInfo } from './onnx-proto.js';

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
export const ONNX_INPUT = 'input';
export const ONNX_OUTPUT = 'probabilities';

interface WeightSpec { name: string; shape: number[]; dtype?: string; quantization?: unknown }

/** The weight buffer split by spec, float32 only (what the trainer writes). */
function weightsByName(a: ModelArtifact): Map<string, { shape: number[]; values: Float32Array }> {
  const out = new Map<string, { shape: number[]; values: Float32Array }>();
  let offset = 0;
  for (const spec of a.weightSpecs as WeightSpec[]) {
    if ((spec.dtype ?? 'float32') !== 'float32' || spec.quantization) throw new Error(`weight ${spec.name}: only unquantized float32 weights are exported`);
    const size = spec.shape.reduce((x, y) => x * y, 1);
    const bytes = a.weightData.subarray(offset, offset + size * 4);
    if (bytes.length !== size * 4) throw new Error(`weight ${spec.name}: the weight data ends early`);
    // A copy: the slice may sit at an offset no Float32Array can view.
    out.set(spec.name, { shape: spec.shape, values: new Float32Array(new Uint8Array(bytes).buffer) });
    offset += size * 4;
  }
  return out;
}

/** The sequential model's layers and its input shape (batch left out). */
function sequentialLayers(topology: unknown): { layers: KerasLayer[]; inputShape: number[] } {
  const t = topology as { class_name?: string; config?: { layers?: KerasLayer[] } | KerasLayer[] };
  const layers = Array.isArray(t?.config) ? t.config : t?.config?.layers;
  if (t?.class_name !== 'Sequential' || !Array.isArray(layers) || layers.length === 0) throw new Error('only a Sequential model with layers is exported');
  const batchShape = layers[0].config.batch_input_shape;
  if (!Array.isArray(batchShape) || !batchShape.slice(1).every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error('the first layer has no input shape');
  }
  return { layers: layers.filter((l) => l.class_name !== 'InputLayer'), inputShape: batchShape.slice(1) as number[] };
}

/** The ONNX model's bytes; `info` goes into its metadata_props. */
export function artifactToOnnx(a: ModelArtifact, info: ArtifactDescription): Uint8Array {
  const { layers, inputShape } = sequentialLayers(a.modelTopology);
  const weights = weightsByName(a);
  const g = new OnnxGraph(ONNX_INPUT, inputShape);
  for (const layer of layers) {
    const forLayer: LayerWeights = (short) => weights.get(`${layer.config.name}/${short}`);
    addLayer(g, layer, forLayer);
  }
  g.toNhwc('output');
  g.finish(ONNX_OUTPUT);
  return encodeModel({
    ir_version: ONNX_IR_VERSION,
    opset_import: [{ domain: '', version: ONNX_OPSET }],
    producer_name: 'hypertune',
    producer_version: '0.1.0',
    doc_string: 'A hypertune model, converted from its tfjs layers artifact. See metadata_props for the input scaling and the class labels.',
    graph: {
      name: info.modelId ? `model-${info.modelId}` : 'model',
      node: g.nodes,
      initializer: g.initializers,
      input: [valueInfo(ONNX_INPUT, [null, ...inputShape])],
      output: [valueInfo(ONNX_OUTPUT, [null, ...g.shape])],
    },
    metadata_props: [
      { key: 'labels', value: JSON.stringify(info.labels) },
      { key: 'pixelMax', value: String(info.pixelMax) },
      { key: 'input', value: `${ONNX_INPUT}: float32 [N, ${inputShape.join(', ')}] (NHWC), each stored pixel divided by pixelMax` },
      { key: 'output', value: `${ONNX_OUTPUT}: float32 [N, classes], softmax over the classes; the class index names labels[index]` },
      ...(info.modelId ? [{ key: 'modelId', value: info.modelId }] : []),
    ],
  });
}
