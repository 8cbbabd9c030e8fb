// The search the load benchmarks submit: small enough that scheduling, not training, is measured.
/** A small search on Fashion-MNIST: the notebook's template shape (two convolutions and a dense
 *  layer, filters/units drawn from the given values) or, with `convs: false`, only pooling and dense
 *  layers: the cheapest model the template language trains, for scheduling benchmarks. */
export function smallSearch(o: {
  name: string; limit: number; maxTrials: number; maxParallelTrials?: number; epochs?: number; batchSize?: number;
  convs?: boolean; filters?: number[]; units?: number[]; seed?: number;
  /** Each convolution's own filter count (the notebook's best: 64 then 48), instead of `filters` for both. */
  convFilters?: [number, number];
}) {
  const filters = o.filters ?? [8];
  const units = o.units ?? [16];
  const hyperparameters = o.convs === false
    ? [{ name: 'dense_units', type: 'int', min: units[0], max: units[units.length - 1] }]
    : [
        { name: 'conv_1_filter', type: 'choice', values: o.convFilters ? [o.convFilters[0]] : filters },
        { name: 'conv_2_filter', type: 'choice', values: o.convFilters ? [o.convFilters[1]] : filters },
        { name: 'dense_1_units', type: 'choice', values: units },
      ];
  const layers = o.convs === false
    ? [
        { type: 'maxPooling2d', poolSize: 4 },
        { type: 'flatten' },
        { type: 'dense', units: { hp: 'dense_units' }, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ]
    : [
        { type: 'conv2d', filters: { hp: 'conv_1_filter' }, kernelSize: 3, activation: 'relu' },
        { type: 'conv2d', filters: { hp: 'conv_2_filter' }, kernelSize: 3, activation: 'relu' },
        { type: 'flatten' },
        { type: 'dense', units: { hp: 'dense_1_units' }, activation: 'relu' },
        { type: 'dense', units: 10, activation: 'softmax' },
      ];
  return {
    name: o.name,
    dataset: { id: 'fashion-mnist', limit: o.limit },
    algorithm: { name: 'random', seed: o.seed ?? 1 },
    budget: { maxTrials: o.maxTrials, maxParallelTrials: o.maxParallelTrials ?? 1 },
    training: { epochs: o.epochs ?? 1, batchSize: o.batchSize ?? 32, validationSplit: 0.1 },
    hyperparameters,
    model: { inputShape: [28, 28, 1], layers, optimizer: { type: 'adam', learningRate: 0.001 }, loss: 'sparseCategoricalCrossentropy' },
  };
}
