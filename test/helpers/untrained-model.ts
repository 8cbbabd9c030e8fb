// A real, loadable model stored for a search without training it (tfjs' initial weights): enough
// for route tests that need a model to exist and predict, in a fraction of a second.
import { randomUUID } from 'node:crypto';
import { datasetInfo } from '../../src/domain/datasets.js';
import { describeArchitecture } from '../../src/domain/model-summary.js';
import { resolveTemplate } from '../../src/domain/model-template.js';
import type { Store } from '../../src/ports/store.js';
import { modelToArtifact } from '../../src/training/artifact.js';
import { buildModel, disposeModel } from '../../src/training/build-model.js';

/** Saves a model for the search's first trial (its hyperparameters resolve the search's template); returns its id. */
export async function saveUntrainedModel(store: Store, searchId: string): Promise<string> {
  const search = await store.getSearch(searchId);
  const [trial] = await store.listTrials(searchId);
  if (!search || !trial) throw new Error(`search ${searchId} has no trial to attach a model to`);
  const concrete = resolveTemplate(search.spec.model, trial.hyperparameters);
  const model = buildModel(concrete, 1);
  try {
    const data = datasetInfo(search.spec.dataset.id)!;
    const summary = {
      ...describeArchitecture(concrete),
      hyperparameters: trial.hyperparameters,
      metrics: { valAccuracy: 0.1, bestEpoch: 1, epochs: 1 },
      dataset: { id: data.id, labels: data.labels, pixelMax: data.pixelMax },
    };
    const saved = await store.saveModel({ id: randomUUID(), searchId, trialId: trial.id, summary, artifact: await modelToArtifact(model) });
    return saved.id;
  } finally {
    disposeModel(model);
  }
}
