// fast-check generators for test/routes/fuzz.test.ts. Each breaks exactly one thing in an otherwise
// valid request and says which field the answer must name (the API's notation: `a.b[0].c`; `body`
// for the body as a whole), so test/routes/fuzz-classes.ts can expect an exact answer.
// Values JSON can carry but JSON.stringify cannot write (1e400) travel as raw text via `raw()`.
import fc from 'fast-check';
import { TENANT_PATTERN } from '../../src/auth/api-keys.js';
import { ALGORITHMS, OBJECTIVE_METRICS, SAMPLERS } from '../../src/domain/algorithms.js';
import { datasetInfo } from '../../src/domain/datasets.js';
import type { SearchLimits } from '../../src/domain/search-spec.js';
import { NOTEBOOK_SEARCH } from '../../src/schemas/search-example.js';

const RAW = '\u0001raw:';
/** A placeholder that toJson() replaces with the given text, unquoted. */
export const raw = (text: string) => `${RAW}${text}\u0001`;
/** JSON.stringify, then each raw() placeholder becomes its text: `{"x":1e400}`. */
export const toJson = (value: unknown) => JSON.stringify(value).replace(/"\\u0001raw:((?:[^\\]|\\.)*?)\\u0001"/g, (_, t: string) => JSON.parse(`"${t}"`));

/** A request body, and the field the 400 must name. */
export interface Broken { payload: string; field: string }

type Path = (string | number)[];
/** ['model', 'layers', 0, 'units'] → 'model.layers[0].units'; [] → 'body'. */
export const fieldOf = (p: Path) => p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${k}` : k), '') || 'body';

const DELETE = Symbol('delete');
/** The notebook search with the value at `path` replaced (or deleted), as JSON text. */
export function notebookWith(path: Path, value: unknown, base: object = NOTEBOOK_SEARCH): string {
  const body = structuredClone(base) as Record<string | number, unknown>;
  let parent = body;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (value === DELETE) delete parent[last];
  else parent[last] = value;
  return toJson(body);
}
const broken = (path: Path, value: unknown, field = fieldOf(path)): Broken => ({ payload: notebookWith(path, value), field });

const outside = (min: number, max: number) => fc.oneof(fc.integer({ min: -1e6, max: min - 1 }), fc.integer({ min: max + 1, max: max + 1e6 }));
const nonInteger = fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => !Number.isInteger(x));
const anyString = fc.string({ maxLength: 12 });
const WRONG = {
  int: fc.oneof(anyString, fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}), nonInteger),
  number: fc.oneof(anyString, fc.boolean(), fc.constant(null), fc.constant([1]), fc.constant({ a: 1 })),
  string: fc.oneof(fc.integer(), nonInteger, fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({})),
  array: fc.oneof(anyString, fc.integer(), fc.boolean(), fc.constant(null), fc.constant({})),
  object: fc.oneof(anyString, fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 })),
  // An integer or a {hp} reference: an object would be a broken reference, named one level deeper.
  param: fc.oneof(anyString, fc.boolean(), fc.constant(null), fc.constant([]), nonInteger),
};
const TYPED: [Path, keyof typeof WRONG][] = [
  [['name'], 'string'], [['dataset'], 'object'], [['dataset', 'id'], 'string'], [['dataset', 'limit'], 'int'],
  [['objective'], 'object'], [['objective', 'metric'], 'string'], [['objective', 'direction'], 'string'],
  [['algorithm'], 'object'], [['algorithm', 'name'], 'string'], [['algorithm', 'seed'], 'int'],
  [['budget'], 'object'], [['budget', 'maxTrials'], 'int'], [['budget', 'maxParallelTrials'], 'int'],
  [['training'], 'object'], [['training', 'epochs'], 'int'], [['training', 'batchSize'], 'int'], [['training', 'validationSplit'], 'number'],
  [['hyperparameters'], 'array'], [['hyperparameters', 0, 'name'], 'string'], [['hyperparameters', 0, 'min'], 'int'],
  [['hyperparameters', 0, 'max'], 'int'], [['hyperparameters', 0, 'step'], 'int'], [['hyperparameters', 1, 'values'], 'array'],
  [['model'], 'object'], [['model', 'inputShape'], 'array'], [['model', 'inputShape', 0], 'int'], [['model', 'layers'], 'array'],
  [['model', 'layers', 0, 'filters'], 'param'], [['model', 'layers', 0, 'kernelSize'], 'param'], [['model', 'layers', 3, 'units'], 'param'],
  [['model', 'optimizer'], 'object'], [['model', 'loss'], 'string'],
];
/** POST /searches: one value of the wrong JSON type (a string for a number, an object for an array, 1.5 for an integer). */
export const wrongType = fc.constantFrom(...TYPED).chain(([path, kind]) => WRONG[kind].map((v) => broken(path, v)));

/** POST /searches: one value of the right type outside what the limits (config) and the rules allow. */
export const outOfRange = (l: SearchLimits): fc.Arbitrary<Broken> => fc.oneof(
  outside(1, l.maxTrialsPerSearch).map((v) => broken(['budget', 'maxTrials'], v)),
  outside(1, l.maxParallelTrials).map((v) => broken(['budget', 'maxParallelTrials'], v)),
  outside(0, 10).map((v) => broken(['budget', 'maxRetriesPerTrial'], v)),
  outside(0, l.maxTrialsPerSearch).map((v) => broken(['budget', 'maxRetrains'], v)),
  outside(1, l.maxEpochs).map((v) => broken(['training', 'epochs'], v)),
  outside(1, 4096).map((v) => broken(['training', 'batchSize'], v)),
  fc.oneof(fc.double({ max: 0, noNaN: true, noDefaultInfinity: true }), fc.double({ min: 1, noNaN: true, noDefaultInfinity: true })).map((v) => broken(['training', 'validationSplit'], v)),
  outside(10, 60000).map((v) => broken(['dataset', 'limit'], v)),
  fc.tuple(fc.integer({ min: 54, max: 300 }), fc.boolean()).map(([e, neg]) => broken(['algorithm', 'seed'], (neg ? -1 : 1) * 2 ** e)),
  fc.integer({ min: -1000, max: 31 }).map((v) => broken(['hyperparameters', 0, 'max'], v)), // min is 32
  fc.integer({ min: -1000, max: 0 }).map((v) => broken(['hyperparameters', 0, 'step'], v)),
  fc.constantFrom('', 'x'.repeat(201), 'a\u0000b').map((v) => broken(['name'], v)),
  fc.array(fc.integer({ min: -5, max: 64 }), { minLength: 1, maxLength: 4 }).filter((s) => s.join() !== '28,28,1').map((v) => broken(['model', 'inputShape'], v)),
  fc.constant(broken(['model', 'layers'], [])),
  fc.constant(broken(['hyperparameters', 1, 'values'], [])),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,30}$/).filter((id) => !datasetInfo(id)).map((v) => broken(['dataset', 'id'], v)),
);

const REQUIRED: Path[] = [
  ['name'], ['dataset'], ['dataset', 'id'], ['hyperparameters'], ['model'], ['model', 'inputShape'], ['model', 'layers'], ['model', 'optimizer'],
  ['model', 'loss'], ['hyperparameters', 0, 'name'], ['hyperparameters', 0, 'type'], ['hyperparameters', 0, 'min'], ['hyperparameters', 1, 'values'],
  ['model', 'layers', 0, 'type'], ['model', 'layers', 0, 'filters'], ['model', 'layers', 3, 'units'], ['model', 'optimizer', 'type'],
];
/** POST /searches: one required field left out. */
export const missingField = fc.constantFrom(...REQUIRED).map((p) => broken(p, DELETE));

const OBJECTS: Path[] = [[], ['dataset'], ['objective'], ['algorithm'], ['budget'], ['training'], ['hyperparameters', 0], ['hyperparameters', 1], ['model'], ['model', 'layers', 0], ['model', 'layers', 2], ['model', 'optimizer']];
const jsonValue = fc.oneof(fc.integer(), anyString, fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.stringMatching(/^[a-z]{1,4}$/), fc.integer(), { maxKeys: 2 }));
/** POST /searches: a field the contract does not have, on one of its objects (the field named is that object). */
export const unknownField = fc.tuple(fc.constantFrom(...OBJECTS), fc.stringMatching(/^[A-Za-z0-9_]{1,15}$/), jsonValue)
  .map(([path, key, v]) => broken([...path, `x_${key}`], v, fieldOf(path)));

const POLLUTION = ['"__proto__":{"polluted":true}', '"__proto__":null', '"constructor":{"prototype":{"polluted":true}}'];
/** A `__proto__` or `constructor.prototype` key on one object of `base`: refused while parsing, naming the body. */
export function pollution(base: object, objects: Path[]): fc.Arbitrary<Broken> {
  return fc.tuple(fc.constantFrom(...objects), fc.constantFrom(...POLLUTION)).map(([path, key]) => ({
    payload: notebookWith([...path, '__marker__'], 1, base).replace('"__marker__":1', key), field: 'body',
  }));
}
export const searchPollution = pollution(NOTEBOOK_SEARCH, OBJECTS);

const NOT_FOR: Record<string, string[]> = { maxEpochs: ['random', 'grid', 'bayesian'], factor: ['random', 'grid', 'bayesian', 'asha'], hyperbandIterations: ['random', 'grid', 'bayesian', 'asha'], minEpochs: ['random', 'grid', 'bayesian', 'hyperband'], reductionFactor: ['random', 'grid', 'bayesian', 'hyperband'] };
const withAlgorithm = (algorithm: object, field: string): Broken => ({ payload: notebookWith(['algorithm'], { seed: 42, ...algorithm }), field });
/** POST /searches: algorithm, early-stopping and objective settings that do not fit together or are out of range. */
export const badAlgorithm = fc.oneof(
  fc.string({ minLength: 1, maxLength: 20 }).filter((n) => !(ALGORITHMS as readonly string[]).includes(n)).map((name) => withAlgorithm({ name }, 'algorithm.name')),
  fc.constantFrom(...Object.keys(NOT_FOR)).chain((key) => fc.tuple(fc.constantFrom(...NOT_FOR[key]), fc.integer({ min: 1, max: 5 }))
    .map(([name, v]) => withAlgorithm({ name, [key]: v }, `algorithm.${key}`))),
  fc.integer({ min: -100, max: 1 }).map((factor) => withAlgorithm({ name: 'hyperband', factor }, 'algorithm.factor')),
  fc.tuple(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 10 })).map(([m, d]) => withAlgorithm({ name: 'asha', maxEpochs: m, minEpochs: m + d }, 'algorithm.minEpochs')),
  fc.tuple(fc.constantFrom<object>({ name: 'random' }, { name: 'grid' }, { name: 'hyperband', sampler: 'random' }, { name: 'asha', sampler: 'random' }), fc.integer({ min: 1, max: 5 }))
    .map(([algorithm, n]) => withAlgorithm({ ...algorithm, initialRandomTrials: n }, 'algorithm.initialRandomTrials')),
  fc.constantFrom('random', 'grid', 'bayesian').map((name) => withAlgorithm({ name, sampler: 'tpe' }, 'algorithm.sampler')),
  fc.string({ maxLength: 12 }).filter((n) => !(SAMPLERS as readonly string[]).includes(n)).map((sampler) => withAlgorithm({ name: 'asha', sampler }, 'algorithm.sampler')),
  fc.integer({ min: -100, max: 0 }).map((n) => withAlgorithm({ name: 'bayesian', initialRandomTrials: n }, 'algorithm.initialRandomTrials')),
  fc.string({ maxLength: 12 }).filter((n) => n !== 'median' && n !== 'none').map((name) => broken(['earlyStopping'], { name }, 'earlyStopping.name')),
  outside(1, 500).map((startEpoch) => broken(['earlyStopping'], { name: 'median', startEpoch }, 'earlyStopping.startEpoch')),
  fc.string({ maxLength: 12 }).filter((m) => !(OBJECTIVE_METRICS as readonly string[]).includes(m)).map((metric) => broken(['objective'], { metric }, 'objective.metric')),
);

const PARAMS: Path[] = [['model', 'layers', 0, 'filters'], ['model', 'layers', 0, 'kernelSize'], ['model', 'layers', 1, 'filters'], ['model', 'layers', 3, 'units'], ['model', 'optimizer', 'learningRate']];
const HP_NAMES = new Set(NOTEBOOK_SEARCH.hyperparameters.map((hp) => hp.name));
/** POST /searches: a template field that refers to a hyperparameter the space does not define. */
export const unknownReference = fc.tuple(fc.constantFrom(...PARAMS), fc.stringMatching(/^[A-Za-z0-9_.-]{1,64}$/).filter((n) => !HP_NAMES.has(n)))
  .map(([path, hp]) => broken(path, { hp }));

/** Ids that pass the id pattern and name nothing. */
export const unknownId = fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9_-]{1,100}$/));
/** Ids too long for a path segment (the router's limit is 100 characters). */
export const longId = fc.stringMatching(/^[A-Za-z0-9_-]{101,300}$/);
/** Ids with a character outside [A-Za-z0-9_-] (traversal included), percent-encoded so they stay one path segment. */
export const TRAVERSAL = ['../../etc/passwd', '..\\..\\windows\\win.ini', '....//....//etc/passwd', '/etc/passwd', 'file:///etc/passwd', '..', '.', 'a b', '%00', '<script>'];
export const badIdChars = fc.oneof(fc.constantFrom(...TRAVERSAL), fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }))
  .filter((s) => !/^[A-Za-z0-9_-]+$/.test(s)).map(encodeURIComponent)
  // '.' and '..' stay as they are when encoded: dot segments, which the URL resolves away (another route).
  .filter((s) => s.length <= 100 && s !== '.' && s !== '..');
/** Malformed percent-encodings. */
export const badEncoding = fc.constantFrom('%', '%zz', '%E0%A4%A', 'a%', '%G1', '%c0%ae', '%ff', 'x%2');

/** JSON text that does not parse: a cut-off search, stray text, garbage (a leading BOM is allowed by the parser, so none). */
const notJson = (s: string) => { try { JSON.parse(s.replace(/^\ufeff/, '')); return false; } catch { return true; } };
export const malformedJson = fc.oneof(
  fc.nat(JSON.stringify(NOTEBOOK_SEARCH).length - 1).map((n) => JSON.stringify(NOTEBOOK_SEARCH).slice(0, n)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom('', ' ', '{"a":1}garbage', '\u0000', "{'a':1}", '[1,]', '{"instances":', 'NaN', '{"x":Infinity}', '{"x":01}', '{"x":.5}', '{"x":+1}'),
).filter(notJson);

/** Nesting past the parser's depth limit, small enough to stay under the body limit. */
export const deepJson = (depth: number, bodyLimit: number) => fc.tuple(fc.integer({ min: depth + 1, max: Math.floor(bodyLimit / 6) }), fc.boolean())
  .map(([n, arrays]) => (arrays ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n)));

/** A body larger than `limit` bytes, valid JSON otherwise. */
export const oversized = (limit: number) => fc.integer({ min: limit + 1, max: 3 * limit }).map((n) => `{"name":"${'x'.repeat(n)}"}`);

/** Authorization header values that must all be refused with 401. */
export const badAuthorization = fc.oneof(
  fc.constantFrom('', 'Bearer', 'Bearer ', 'Bearer  ', 'Basic YWRtaW46YWRtaW4=', 'bearer null', 'Bearer undefined', 'Token abc', 'Bearer htk_', 'Bearer ../../etc/passwd'),
  fc.stringMatching(/^[ -~]{0,200}$/),
  fc.stringMatching(/^[!-~]{1,600}$/).map((s) => `Bearer ${s}`),
  fc.stringMatching(/^[A-Za-z0-9_-]{43}$/).map((s) => `Bearer htk_${s}`),
  fc.constant(`Bearer ${'a'.repeat(8000)}`),
);

const badName = fc.oneof(fc.constantFrom('', 'x'.repeat(201), 'a\u0000b'), fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}));
const badTenant = fc.oneof(
  fc.constantFrom(...TRAVERSAL, 'UPPER', '-x', '_x', 'a b', 'x'.repeat(65), ''),
  fc.string({ maxLength: 70 }).filter((t) => !new RegExp(TENANT_PATTERN).test(t)),
  fc.integer(), fc.boolean(), fc.constant(null), fc.constant([]), fc.constant({}),
);
/** POST /api-keys (admin): a bad or missing tenant or name, or an extra field. */
export const badApiKeyBody: fc.Arbitrary<Broken> = fc.oneof(
  badTenant.map((tenant) => ({ payload: toJson({ tenant, name: 'n' }), field: 'tenant' })),
  badName.map((name) => ({ payload: toJson({ tenant: 't', name }), field: 'name' })),
  fc.constantFrom({ payload: toJson({ name: 'n' }), field: 'tenant' }, { payload: toJson({ tenant: 't' }), field: 'name' }),
  jsonValue.map((v) => ({ payload: toJson({ tenant: 't', name: 'n', extra: v }), field: 'body' })),
  pollution({ tenant: 't', name: 'n' }, [[]]),
);

const image = (h: number, w: number, v: unknown = 0) => Array.from({ length: h }, () => Array.from({ length: w }, () => v));
export const validInstances = toJson({ instances: [image(28, 28)] });
const badPixel = fc.oneof(
  fc.integer({ min: 256, max: 1e6 }), fc.integer({ min: -1e6, max: -1 }), fc.double({ min: 255.001, max: 1e9, noNaN: true }),
  anyString, fc.boolean(), fc.constant(null), fc.constant({}), fc.constantFrom(raw('1e400'), raw('-1e400')),
);
/** POST /models/:id/predict: wrong shapes, bad pixels, too many instances, extra fields (`max`: MAX_PREDICT_INSTANCES). */
export const badPredictBody = (max: number): fc.Arbitrary<Broken> => fc.oneof(
  fc.tuple(fc.nat(30).filter((h) => h !== 28), fc.nat(30)).map(([h, w]) => ({ payload: toJson({ instances: [image(h, w)] }), field: 'instances[0]' })),
  fc.nat(30).filter((w) => w !== 28).map((w) => ({ payload: toJson({ instances: [image(28, w)] }), field: 'instances[0][0]' })),
  fc.record({ y: fc.nat(27), x: fc.nat(27), v: badPixel, channel: fc.boolean() }).map(({ y, x, v, channel }) => {
    const img: unknown[][] = image(28, 28);
    img[y][x] = channel ? [v] : v;
    return { payload: toJson({ instances: [image(28, 28), img] }), field: `instances[1][${y}][${x}]${channel ? '[0]' : ''}` };
  }),
  fc.constantFrom([], [1, 2]).map((px) => ({ payload: toJson({ instances: [image(28, 28, px)] }), field: 'instances[0][0][0]' })),
  fc.integer({ min: max + 1, max: max + 8 }).map((n) => ({ payload: toJson({ instances: Array.from({ length: n }, () => image(28, 28)) }), field: 'instances' })),
  fc.oneof(anyString, fc.integer(), fc.boolean(), fc.constant(null), fc.constant({}), fc.constant([])).map((v) => ({ payload: toJson({ instances: v }), field: 'instances' })),
  fc.constant({ payload: '{}', field: 'instances' }),
  jsonValue.map((v) => ({ payload: toJson({ instances: [image(28, 28)], extra: v }), field: 'body' })),
  pollution({ instances: [image(2, 2)] }, [[]]),
);
