// fast-check generators of bad requests for test/routes/fuzz.test.ts: broken copies of the
// notebook's search, random search spaces and templates, bad prediction instances, hostile ids,
// malformed bodies. Values JSON cannot hold (NaN, 1e400) travel as raw text via `raw()`.
import fc from 'fast-check';
import { TENANT_PATTERN } from '../../src/auth/api-keys.js';
import { NOTEBOOK_SEARCH } from '../../src/schemas/search-example.js';

const RAW = '\u0001raw:';
/** A placeholder that toJson() replaces with the given text, unquoted. */
export const raw = (text: string) => `${RAW}${text}\u0001`;
/** JSON.stringify, then each raw() placeholder becomes its text: `{"x":1e400}`, `{"x":NaN}`. */
export const toJson = (value: unknown) => JSON.stringify(value).replace(/"\\u0001raw:((?:[^\\]|\\.)*?)\\u0001"/g, (_, t: string) => JSON.parse(`"${t}"`));

export const TRAVERSAL = [
  '../../etc/passwd', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '%252e%252e%252fetc%252fpasswd',
  '..\\..\\windows\\win.ini', '....//....//etc/passwd', '/etc/passwd', 'file:///etc/passwd', '..', '.', '%00', 'a%00b', '%c0%ae%c0%ae/',
];
const NON_FINITE = ['1e400', '-1e400', 'NaN', 'Infinity', '-Infinity', '1e-400', '0x10', '01', '.5', '+1', '"\\u0000"', '"\\ud800"'].map(raw);

export const weird: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    null, true, false, '', ' ', 'NaN', 'Infinity', '1e400', '\u0000', 'a\u0000b', '<script>alert(1)</script>', '${x}', 'x'.repeat(300),
    [], {}, [[]], { hp: 'conv_1_filter' }, { hp: 'ghost' }, { hp: '../../etc/passwd' }, { hp: 'learning_rate' },
    0, -0, -1, 1, 2, 10, 2 ** 31, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 1e15, 1e308, -1e308, Number.MIN_VALUE, 0.5, 1.5, 0.999999, 4097,
    ...TRAVERSAL, ...NON_FINITE,
  ),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.array(fc.integer({ min: -5, max: 300 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 }),
);

/** Every path into the notebook search: the places a mutation may hit. */
function pathsOf(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [at];
  const keys = Array.isArray(value) ? value.map((_, i) => i) : Object.keys(value);
  return [at, ...keys.flatMap((k) => pathsOf((value as Record<string | number, unknown>)[k], [...at, k]))];
}
const PATHS = pathsOf(NOTEBOOK_SEARCH).filter((p) => p.length > 0);

type Mutation = { path: (string | number)[]; op: 'delete' | 'set' | 'extra'; value: unknown };
const mutation: fc.Arbitrary<Mutation> = fc.record({ path: fc.constantFrom(...PATHS), op: fc.constantFrom('delete', 'set', 'set', 'extra'), value: weird });

function applyMutation(body: Record<string, unknown>, m: Mutation): void {
  let parent: Record<string | number, unknown> = body;
  for (const key of m.path.slice(0, -1)) {
    const next = parent[key];
    if (next === null || typeof next !== 'object') return; // an earlier mutation replaced the branch
    parent = next as Record<string | number, unknown>;
  }
  const last = m.path[m.path.length - 1];
  if (m.op === 'delete') delete parent[last];
  else if (m.op === 'set') parent[last] = m.value;
  else parent[Array.isArray(parent) ? parent.length : `extra_${String(last)}`] = m.value;
}

/** The notebook search with one to four things broken (or, rarely, still valid). */
export const brokenSearch = fc.array(mutation, { minLength: 1, maxLength: 4 }).map((ms) => {
  const body = structuredClone(NOTEBOOK_SEARCH) as unknown as Record<string, unknown>;
  for (const m of ms) applyMutation(body, m);
  return toJson(body);
});

const HP_NAMES = ['a', 'b', 'units', 'lr', 'conv_1_filter', '', '../x', 'x'.repeat(70), '1bad', 'ok.name-1'];
const num = fc.oneof(
  fc.integer({ min: -1000, max: 1000 }), fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0, 1, -1, 1e-300, 2 ** 53, -(2 ** 53), 1e15, -1e15, 1e308, -1e308, raw('1e400'), raw('-1e400')),
);
const hyperparameter = fc.oneof(
  fc.record({ name: fc.constantFrom(...HP_NAMES), type: fc.constantFrom('int', 'float'), min: num, max: num, step: fc.option(num, { nil: undefined }), sampling: fc.option(fc.constantFrom('linear', 'log', 'cubic'), { nil: undefined }) }, { requiredKeys: ['name', 'type', 'min', 'max'] }),
  fc.record({ name: fc.constantFrom(...HP_NAMES), type: fc.constant('choice'), values: fc.array(fc.oneof(fc.integer({ min: 1, max: 64 }), num, fc.string({ maxLength: 8 }), fc.boolean()), { maxLength: 12 }) }),
  fc.record({ name: fc.constantFrom(...HP_NAMES), type: fc.constantFrom('boolean', 'complex') }),
  fc.record({ name: fc.constantFrom(...HP_NAMES), type: fc.constant('fixed'), value: fc.oneof(num, fc.string({ maxLength: 8 }), fc.boolean()) }),
);
const field = fc.oneof(num, fc.integer({ min: 1, max: 64 }), fc.constantFrom(...HP_NAMES).map((hp) => ({ hp })), fc.constantFrom('relu', 'same', 'valid', 'softmax', 'bogus'));
const layer = fc.oneof(
  fc.record({ type: fc.constant('conv2d'), filters: field, kernelSize: field, strides: field, padding: field, activation: field }, { requiredKeys: ['type', 'filters', 'kernelSize'] }),
  fc.record({ type: fc.constantFrom('maxPooling2d', 'averagePooling2d'), poolSize: field, strides: field, padding: field }, { requiredKeys: ['type'] }),
  fc.constant({ type: 'flatten' }),
  fc.record({ type: fc.constant('dense'), units: field, activation: field }, { requiredKeys: ['type', 'units'] }),
  fc.record({ type: fc.constant('dropout'), rate: field }),
  fc.record({ type: fc.constant('batchNormalization'), momentum: field, epsilon: field }, { requiredKeys: ['type'] }),
  fc.record({ type: fc.constantFrom('lstm', '', '__proto__') }),
);

/** A search with a random space and template: empty, enormous, duplicated, impossible shapes. */
export const randomSearch = fc.record({
  hyperparameters: fc.array(hyperparameter, { maxLength: 12 }),
  layers: fc.array(layer, { maxLength: 8 }),
  finish: fc.boolean(),
  inputShape: fc.oneof(fc.constant([28, 28, 1]), fc.array(fc.integer({ min: -2, max: 40 }), { maxLength: 5 })),
  optimizer: fc.record({ type: fc.oneof(fc.constantFrom('adam', 'sgd', 'rmsprop', 'nadam'), fc.constantFrom(...HP_NAMES).map((hp) => ({ hp }))), learningRate: fc.option(field, { nil: undefined }), momentum: fc.option(field, { nil: undefined }) }, { requiredKeys: ['type'] }),
  budget: fc.record({ maxTrials: num, maxParallelTrials: num }, { requiredKeys: [] }),
  training: fc.record({ epochs: num, batchSize: num, validationSplit: num }, { requiredKeys: [] }),
  dataset: fc.record({ id: fc.constantFrom('fashion-mnist', 'mnist', '../../etc/passwd', ''), limit: fc.option(num, { nil: undefined }) }, { requiredKeys: ['id'] }),
}).map((r) => toJson({
  name: 'fuzz',
  dataset: r.dataset,
  budget: r.budget,
  training: r.training,
  hyperparameters: r.hyperparameters,
  model: {
    inputShape: r.inputShape,
    layers: r.finish ? [...r.layers, { type: 'flatten' }, { type: 'dense', units: 10, activation: 'softmax' }] : r.layers,
    optimizer: r.optimizer,
    loss: 'sparseCategoricalCrossentropy',
  },
}));

/** Anything but a pixel: a number from 0 to 255, bare or as one channel (1e-400 parses as 0). */
const okPixel = (v: unknown) => (typeof v === 'number' && v >= 0 && v <= 255) || v === raw('1e-400');
const badPixel = weird.filter((v) => !okPixel(v) && !(Array.isArray(v) && v.length === 1 && okPixel(v[0])));
const image = (h: number, w: number, v: unknown = 0) => Array.from({ length: h }, () => Array.from({ length: w }, () => v));

/** Prediction bodies: wrong shapes, bad or non-finite pixels, too many instances, extra fields. */
export const badPredictBody = fc.oneof(
  fc.record({ h: fc.nat(30), w: fc.nat(30), n: fc.integer({ min: 1, max: 3 }) }).filter(({ h, w }) => h !== 28 || w !== 28).map(({ h, w, n }) => toJson({ instances: Array.from({ length: n }, () => image(h, w)) })),
  fc.record({ y: fc.nat(27), x: fc.nat(27), v: badPixel, channel: fc.boolean() }).map(({ y, x, v, channel }) => {
    const img: unknown[][] = image(28, 28);
    img[y][x] = channel ? [v] : v;
    return toJson({ instances: [img] });
  }),
  fc.integer({ min: 5, max: 12 }).map((n) => toJson({ instances: Array.from({ length: n }, () => image(28, 28)) })),
  weird.map((v) => toJson({ instances: v })),
  weird.map((v) => toJson({ instances: [v] })),
  weird.map((v) => toJson({ instances: [image(28, 28)], extra: v })),
  fc.constant(toJson({ instances: [image(28, 28, [1, 2])] })),
  fc.constant(toJson({ instances: [image(28, 28, [])] })),
);

/** An id as it appears in a URL: raw (slashes, dots and all), encoded, double-encoded. */
export const hostileId = fc.oneof(
  fc.constantFrom(...TRAVERSAL, 'nope', '0', '-1', 'null', 'undefined', '__proto__', 'constructor', 'x'.repeat(99), 'x'.repeat(129), 'x'.repeat(300), '%', '%zz', '%E0%A4%A'),
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.string({ unit: 'binary', maxLength: 20 }).map(encodeURIComponent),
  fc.string({ maxLength: 40 }).map((s) => encodeURIComponent(encodeURIComponent(s))),
  fc.stringMatching(/^[!-~]{1,30}$/).map((s) => s.replace(/[?#]/g, '')),
);

const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/json; charset=latin1', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', ''];
/** Bodies that are not the JSON the route wants, under assorted content types. */
export const malformedBody = fc.record({
  contentType: fc.constantFrom(...CONTENT_TYPES),
  payload: fc.oneof(
    fc.string({ maxLength: 200 }),
    fc.nat(JSON.stringify(NOTEBOOK_SEARCH).length - 1).map((n) => JSON.stringify(NOTEBOOK_SEARCH).slice(0, n)),
    fc.constantFrom('', 'null', '[]', '1', '"x"', 'true', '{}', '{"name":"a","name":"b"}', '{"__proto__":{"admin":true}}',
      '{"constructor":{"prototype":{"x":1}}}', '{"instances":', '\u0000', '\ufeff{}', '{"a":1}garbage'),
    fc.integer({ min: 1, max: 30_000 }).map((n) => '['.repeat(n) + ']'.repeat(n)),
    fc.integer({ min: 1, max: 30_000 }).map((n) => '{"a":'.repeat(n) + '1' + '}'.repeat(n)),
    fc.integer({ min: 70_000, max: 200_000 }).map((n) => `{"name":"${'x'.repeat(n)}"}`),
  ),
});

/** Authorization header values that must all be refused with 401. */
export const badAuthorization = fc.oneof(
  fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer  ', 'Basic YWRtaW46YWRtaW4=', 'bearer null', 'Bearer undefined', 'Token abc', 'Bearer htk_', 'Bearer ../../etc/passwd'),
  fc.stringMatching(/^[ -~]{0,200}$/),
  fc.stringMatching(/^[!-~]{1,600}$/).map((s) => `Bearer ${s}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((s) => `Bearer htk_${s}`),
  fc.constant(`Bearer ${'a'.repeat(8000)}`),
);

/** Bodies for POST /api-keys (admin): bad tenants and names, traversal included. */
export const badApiKeyBody = fc.oneof(
  // weird can make a valid pair ({ tenant: 'name', name: 'x' }): keep only bad tenants.
  fc.record({ tenant: weird, name: weird }).filter(({ tenant }) => !(typeof tenant === 'string' && new RegExp(TENANT_PATTERN).test(tenant))).map(toJson),
  fc.record({ tenant: fc.constantFrom(...TRAVERSAL, 'UPPER', '-x', 'a b', 'x'.repeat(65), ''), name: fc.constant('n') }).map(toJson),
  fc.record({ tenant: fc.constant('t'), name: fc.constant('n'), extra: weird }).map(toJson),
  fc.record({ tenant: fc.constant('t') }).map(toJson),
);
