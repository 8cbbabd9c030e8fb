// The /datasets contract. Uploads are multipart/form-data: the text fields are validated here like
// a JSON body; the files are documented as binary fields and checked by the parsers
// (src/datasets/), whose errors name the field too.
import { Type, type Static } from 'typebox';
import { ErrorBody, IdParams, Name, NextCursor, PageQuery } from './common.js';

const Int = Type.Integer();
// Spelled out (not mapped from DATASET_FORMATS) so TypeBox keeps the literal types.
const Format = () => Type.Union([Type.Literal('idx'), Type.Literal('images-zip'), Type.Literal('csv')]);
const binary = (description: string) => Type.Optional(Type.Unsafe<Uint8Array>({ type: 'string', format: 'binary', description }));

export const DatasetResponse = Type.Object({
  id: Type.String({ description: "what a search's dataset.id names" }),
  name: Type.String(),
  format: Format(),
  builtIn: Type.Boolean(),
  status: Type.Union([Type.Literal('processing'), Type.Literal('ready'), Type.Literal('failed')], {
    description: "uploads are decoded after POST /datasets answers: 'processing', then 'ready' (searches may use it) or 'failed' (see error)",
  }),
  error: Type.Optional(Type.Object({
    field: Type.Union([Type.String(), Type.Null()], { description: 'the form field at fault; null for a size limit or a stopped process' }),
    message: Type.String(),
  }, { description: 'why it failed (status failed only)' })),
  bytes: Type.Optional(Type.Integer({ description: "uploads: the uploaded bytes while processing, the decoded data's once ready (what DATASET_QUOTA_BYTES counts)" })),
  inputShape: Type.Array(Int, { description: "[height, width, channels]: the model template's inputShape ([0, 0, 0], like the sizes and classes, until ready)" }),
  numClasses: Int,
  labels: Type.Array(Type.String(), { description: 'class names, index = label' }),
  trainSize: Int,
  testSize: Int,
  pixelMax: Type.Number({ description: "the raw pixel range of a prediction's instances" }),
  createdAt: Type.Union([Type.String(), Type.Null()]),
});
/** GET /datasets/:id; createdAt is null for the built-ins. */
export type DatasetView = Static<typeof DatasetResponse>;

export const CreateDatasetForm = Type.Object({
  name: Name,
  format: Type.Union(Format().anyOf, {
    description: "'idx': trainImages + trainLabels (+ testImages + testLabels), gzipped or not; "
      + "'images-zip': file (+ testFile), a zip of PNG/JPEG images in one folder per class; "
      + "'csv': file (+ testFile), rows of label then pixels, or a header naming a 'label' column",
  }),
  labels: Type.Optional(Type.String({ maxLength: 65_536, description: 'idx, csv: class names, a JSON array or comma-separated (index = label)' })),
  inputShape: Type.Optional(Type.String({ maxLength: 40, description: 'images-zip: resize every image to [height, width] (or [height, width, channels]); csv: the shape of a row\'s pixels (default: a square grayscale image)' })),
  channels: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('3')], { description: 'images-zip: force grayscale (1) or RGB (3); default: 1 when every image is grayscale' })),
  pixelMax: Type.Optional(Type.String({ maxLength: 20, description: 'csv: the pixel range, 0 to pixelMax (default 255)' })),
  trainImages: binary('idx: training images, IDX unsigned bytes of rank 3 (N, H, W) or 4 (N, H, W, C)'),
  trainLabels: binary('idx: training labels, IDX unsigned bytes of rank 1'),
  testImages: binary('idx: test images, same height, width and channels'),
  testLabels: binary('idx: test labels'),
  file: binary('images-zip: a zip of <class>/<image>.png|jpg; csv: the CSV'),
  testFile: binary('images-zip, csv: the test split, same classes'),
}, { additionalProperties: false });

const tags = ['datasets'];
export const createDatasetSchema = {
  tags, summary: 'Upload a dataset (IDX files, a zip of images in class folders, or a CSV); once ready, searches may name its id',
  description: 'Answers 202 with status processing (Location: /datasets/:id) once the files are received and the form checked '
    + '(400 naming the field); the files are decoded in a background process: poll GET /datasets/:id until ready or failed '
    + '(error.field, error.message). Limits: DATASET_MAX_BYTES for the files together and again for the decoded pixels (413, or failed, past it); '
    + 'images 1 to 1024 pixels a side, 1 or 3 channels; 2 to 256 classes; at least 10 training items. '
    + 'Per tenant: DATASET_QUOTA_COUNT datasets and DATASET_QUOTA_BYTES bytes, processing or ready (409 QUOTA_EXCEEDED).',
  consumes: ['multipart/form-data'],
  body: CreateDatasetForm, response: { 202: DatasetResponse, '4xx': ErrorBody },
};
export const listDatasetsSchema = {
  tags, summary: 'The built-in datasets, then your uploads oldest first (without their pixels)',
  description: 'Paginated: `?limit=` (1 to 200, default 50), then `?cursor=` the `nextCursor` of the previous page until it is null.',
  querystring: PageQuery,
  response: { 200: Type.Object({ datasets: Type.Array(DatasetResponse), nextCursor: NextCursor }), '4xx': ErrorBody },
};
export const getDatasetSchema = {
  tags, summary: 'One dataset: status, shape, classes, sizes',
  params: IdParams, response: { 200: DatasetResponse, '4xx': ErrorBody },
};
export const deleteDatasetSchema = {
  tags, summary: 'Delete an uploaded dataset, also while processing (409 while an unfinished search trains on it; built-ins cannot be deleted)',
  params: IdParams, response: { 204: Type.Null({ description: 'deleted' }), '4xx': ErrorBody },
};
