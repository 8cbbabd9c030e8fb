import { Type, type Static } from 'typebox';
import { ErrorBody, HpValues, IdParams } from './common.js';

const Int = Type.Integer();
const Dim = Type.Union([Int, Type.Null()]);

export const ModelResponse = Type.Object({
  id: Type.String(),
  searchId: Type.String(),
  trialId: Type.String(),
  createdAt: Type.String(),
  inputShape: Type.Array(Int),
  layers: Type.Array(Type.Object({ name: Type.String(), type: Type.String(), outputShape: Type.Array(Dim), params: Int })),
  totalParams: Int,
  trainableParams: Int,
  nonTrainableParams: Int,
  optimizer: Type.Object({ type: Type.String(), learningRate: Type.Number(), momentum: Type.Number() }),
  loss: Type.String(),
  hyperparameters: HpValues,
  metrics: Type.Object({ valAccuracy: Type.Union([Type.Number(), Type.Null()]), bestEpoch: Type.Union([Int, Type.Null()]), epochs: Int }),
  dataset: Type.Object({ id: Type.String(), labels: Type.Array(Type.String()), pixelMax: Type.Number() }),
  parentModelId: Type.Union([Type.String(), Type.Null()], { description: 'the model this one continued training from (a retrain)' }),
  lineage: Type.Array(Type.Object({ modelId: Type.String(), trialId: Type.String(), epochs: Int, value: Type.Optional(Type.Number()) }), {
    description: 'the models it descends from, newest first, each with the epochs its trial trained to and its objective value',
  }),
});
/** What the API shows of a model (GET /models/:id; the CLI reads it). */
export type ModelView = Static<typeof ModelResponse>;

// Instances are checked element by element in the domain (src/domain/instances.ts) so a bad pixel
// is reported with its exact position; the schema only bounds the request's outline.
export const PredictBody = Type.Object({ instances: Type.Array(Type.Unknown(), { minItems: 1 }) }, { additionalProperties: false });
export type PredictBody = Static<typeof PredictBody>;

const Prediction = Type.Object({ classIndex: Int, label: Type.String(), probabilities: Type.Array(Type.Number()) });
/** One instance's class: what ModelService.predict returns and the CLI prints. */
export type Prediction = Static<typeof Prediction>;

export const PredictResponse = Type.Object({ predictions: Type.Array(Prediction) });

const tags = ['models'];
export const getModelSchema = {
  tags, summary: 'A Keras summary()-like description: layers, shapes, parameters, hyperparameters, metrics',
  params: IdParams, response: { 200: ModelResponse, '4xx': ErrorBody },
};
// A PNG or JPEG body arrives as a Buffer (routes/models.ts): its schema has no `type`, which a
// Buffer (an object to the validator) would fail, only what it is. A multipart image is set aside
// before validation (multipart-form.ts), so that field is documented as the usual binary string.
const rawImage = (description: string) => Type.Unsafe<Uint8Array>({ description });
const imageField = (description: string) => Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description });
export const predictSchema = {
  tags, summary: 'Classify images: arrays of raw pixels (JSON), or one PNG/JPEG image',
  description: 'JSON: `instances`, each [height][width] (or [height][width][channels]) of raw pixels 0 to the dataset\'s pixelMax. '
    + 'An image (the request body as image/png or image/jpeg, or the multipart field `image`) is resized to the model\'s input, '
    + 'made grayscale or RGB as the model takes it (transparent pixels count as black), exactly as an uploaded dataset\'s images are.',
  params: IdParams,
  body: {
    content: {
      'application/json': { schema: PredictBody },
      'image/png': { schema: rawImage('a PNG image, the raw file') },
      'image/jpeg': { schema: rawImage('a JPEG image, the raw file') },
      'multipart/form-data': { schema: Type.Object({ image: Type.Optional(imageField('a PNG or JPEG image')) }, { additionalProperties: false }) },
    },
  },
  response: { 200: PredictResponse, '4xx': ErrorBody },
};
// Not serialized by Fastify (a Buffer is sent as is): this only describes the download in OpenAPI.
export const artifactSchema = {
  tags, summary: 'Download the model: a zip of tfjs layers-format files (default), or an ONNX model',
  description: '`format=tfjs` (the default): a zip of model.json and weights.bin. Load it with tf.loadLayersModel, or unzip it and convert it to Keras with '
    + '`tensorflowjs_converter --input_format=tfjs_layers_model --output_format=keras model.json model.h5`. '
    + '`format=onnx`: one ONNX model (opset 17, IR version 8) for ONNX Runtime, Triton or onnxruntime-web. Its input `input` is float32 '
    + '[N, height, width, channels] (NHWC, any batch size N), each pixel divided by pixelMax; its output `probabilities` is float32 '
    + '[N, classes] (softmax). Its metadata_props hold `labels` (a JSON array naming each class index) and `pixelMax`.',
  params: IdParams,
  querystring: Type.Object({
    format: Type.Optional(Type.Union([Type.Literal('tfjs'), Type.Literal('onnx')], { description: 'tfjs (default): zipped tfjs layers files; onnx: an ONNX model' })),
  }, { additionalProperties: false }),
  response: {
    200: {
      description: 'format=tfjs: a zip holding model.json (topology and weights manifest) and weights.bin; format=onnx: an ONNX ModelProto',
      content: {
        'application/zip': { schema: Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary' }) },
        'application/octet-stream': { schema: Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description: 'an ONNX model (format=onnx)' }) },
      },
    },
    '4xx': ErrorBody,
  },
};
