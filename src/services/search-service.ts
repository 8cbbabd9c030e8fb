// Use cases on searches: create (validate, store, schedule the first trials), read, cancel.
// `tenant`, where given, scopes every use case to that tenant's searches: another tenant's search
// is reported not found, exactly like one that does not exist. Omitted (authentication off), all.
import { randomInt, randomUUID } from 'node:crypto';
import type { ObjectiveMetric } from '../domain/algorithms.js';
import { BUILTIN_CATALOG, type DatasetCatalog } from '../domain/dataset-source.js';
import { datasetInfo } from '../domain/datasets.js';
import { ConflictError, NotFoundError, QuotaExceededError, ValidationError } from '../domain/errors.js';
import { comboKey, validateValues, type HpValues } from '../domain/hyperparameters.js';
import { pastDeadline, trialEpochs } from '../domain/schedule.js';
import { isMultiObjective } from '../domain/objectives.js';
import { checkPrecisionSupport, type PrecisionSupport } from '../domain/precision.js';
import { isMultiFidelity, normalizeSpec, validateSpec, type SearchLimits, type SearchRequest } from '../domain/search-spec.js';
import { attemptsPerTrial } from '../domain/trial-attempts.js';
import { isFinalSearchStatus, isFinalTrialStatus } from '../domain/trial-state.js';
import type { TrialQueue } from '../ports/trial-queue.js';
import type { NewTrial, SearchRecord, TrialRecord } from '../ports/search-store.js';
import type { Store } from '../ports/store.js';
import type { ImportanceView } from '../schemas/importance-schemas.js';
import type { SearchSummaryView, SearchView, TrialView } from '../schemas/search-schemas.js';
import { searchImportance } from './importance.js';
import { decodeNumberCursor, decodeTimeCursor, encodeNumberCursor, encodeTimeCursor, pageRequest, pageView, type PageQuery, type PageView } from './page-cursor.js';
import type { Scheduler } from './scheduler.js';
import { readTrials, type SearchProgress } from './search-progress.js';
import { moveTrial } from './trial-transitions.js';
import { searchSummaryView, searchView, trialView } from './views.js';

export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly queue: TrialQueue,
    private readonly limits: SearchLimits,
    /** Where dataset.id is looked up: built-ins and (wired in src/wiring.ts) the tenant's uploads. */
    private readonly datasets: DatasetCatalog = BUILTIN_CATALOG,
    /** Per tenant; 0: no quota. */
    private readonly quotas: { runningSearches: number } = { runningSearches: 0 },
    /** Whether this deployment trains training.precision (wired from TRAINING_BACKEND); absent: not checked here. */
    private readonly precisionSupport?: PrecisionSupport,
  ) {}

  async create(request: SearchRequest, tenant?: string): Promise<SearchView> {
    // Before validating, which can take a while on a large spec. Concurrent creates may overshoot by
    // the few checked at the same instant; the rate limit bounds those.
    const quota = this.quotas.runningSearches;
    const used = quota > 0 ? await this.store.countUnfinishedSearches(tenant ?? null) : 0;
    if (quota > 0 && used >= quota) throw new QuotaExceededError('searches running at once', quota, used, 'SEARCH_QUOTA_RUNNING');
    // A seed is always stored, so a search without one is still reproducible afterwards.
    const spec = normalizeSpec(request, () => randomInt(2 ** 31));
    validateSpec(spec, this.limits, await this.datasets.info(spec.dataset.id, tenant));
    checkPrecisionSupport(spec, this.precisionSupport);
    const input = { id: randomUUID(), name: spec.name, spec, tenant: tenant ?? null };
    // An upload is checked again under its row's lock as the search is inserted: a delete cannot slip between.
    const search = datasetInfo(spec.dataset.id) ? await this.store.createSearch(input) : await this.store.createSearchOnDataset(input, spec.dataset.id);
    if ('datasetState' in search) {
      if (search.datasetState === 'missing') throw new ValidationError('dataset.id', `unknown dataset '${spec.dataset.id}': it was deleted`);
      throw new ConflictError(`dataset '${spec.dataset.id}' is ${search.datasetState}, not ready`, { field: 'dataset.id', status: search.datasetState });
    }
    await this.scheduler.advance(search.id);
    return this.get(search.id);
  }

  async get(id: string, tenant?: string): Promise<SearchView> {
    const search = await this.require(id, tenant);
    // The front needs each trial's epochs; a single-objective search never reads them here.
    return searchView(search, isMultiObjective(search.spec) ? await this.store.listTrialsWithEpochs(id) : await this.store.listTrials(id));
  }

  /** A page of summaries, newest first: never a spec (GET /searches/:id has it). */
  async list(query: PageQuery, tenant?: string): Promise<PageView<SearchSummaryView>> {
    const page = pageRequest(query, decodeTimeCursor);
    return pageView(await this.store.listSearchSummaries({ tenant }, page), searchSummaryView, encodeTimeCursor);
  }

  /** A page of the search's trials by number. */
  async trials(id: string, query: PageQuery, tenant?: string): Promise<PageView<TrialView>> {
    const page = pageRequest(query, decodeNumberCursor);
    const search = await this.require(id, tenant);
    return pageView(await this.store.pageTrialsWithEpochs(id, page), (t) => trialView(t, search.spec), encodeNumberCursor);
  }

  /** How much each hyperparameter explains the best trials (PED-ANOVA) by the objective, or by `metric`. */
  async importance(id: string, metric?: ObjectiveMetric, tenant?: string): Promise<ImportanceView> {
    return searchImportance(this.store, await this.require(id, tenant), metric);
  }

  /**
   * The stored records GET /searches/:id/events derives its events from (same scoping and 404 as
   * get), without the spec; given the previous read, only what can have changed since is read again.
   */
  async progress(id: string, tenant?: string, previous?: SearchProgress): Promise<SearchProgress> {
    const search = visible(await this.store.getSearchState(id), id, tenant);
    return { search, trials: await readTrials(this.store, id, previous?.trials) };
  }

  /** No new trials; waiting ones are cancelled now, running ones at their next epoch boundary. */
  async cancel(id: string, tenant?: string): Promise<SearchView> {
    for (;;) {
      const search = await this.require(id, tenant);
      if (search.status === 'cancelled') break;
      if (search.status === 'completed' || search.status === 'failed')
        throw new ConflictError(`search '${id}' already ${search.status}`);
      if (await this.store.commitSchedule(id, search.version, { status: 'cancelled', finishedAt: new Date() }, [])) break;
    }
    for (const trial of await this.store.listTrials(id)) {
      // Retrains too: a cancelled search stops them (the runner's rule); a completed one never gets here.
      if (trial.status !== 'waiting') continue;
      if (await moveTrial(this.store, trial.id, 'cancelled', { finishedAt: new Date() }, 'waiting')) await this.queue.removeIfIdle(trial.id);
    }
    return this.get(id);
  }

  /**
   * Cancels one trial of a search, a retrain of a completed one included; the search goes on with
   * its other trials. A waiting trial ends now: its job is dropped, and a worker that already took
   * it loses the waiting → running compare-and-set. A running one gets a stored request its run
   * reads after each epoch (the worker is another process), so it ends 'cancelled' at its next
   * epoch boundary with the epochs it trained kept.
   */
  async cancelTrial(id: string, trialId: string, tenant?: string): Promise<TrialView> {
    const search = await this.require(id, tenant);
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const trial = await this.store.getTrial(trialId);
      if (!trial || trial.searchId !== id) throw new NotFoundError('trial', trialId);
      if (isFinalTrialStatus(trial.status))
        throw new ConflictError(`trial '${trialId}' already ${trial.status}: only a waiting or running trial can be cancelled`, { status: trial.status });
      const now = new Date();
      if (trial.status === 'waiting') {
        const patch = { finishedAt: now, cancelRequestedAt: now, error: 'cancelled on request before it ran' };
        if (!(await moveTrial(this.store, trialId, 'cancelled', patch, 'waiting'))) continue; // it started meanwhile
        await this.queue.removeIfIdle(trialId);
        // Its place in budget.maxParallelTrials is free again.
        await this.scheduler.advance(id);
      } else if (!(await this.store.updateTrialIf(trialId, ['running'], { cancelRequestedAt: trial.cancelRequestedAt ?? now }))) continue;
      const stored = (await this.store.getTrial(trialId))!;
      return trialView({ ...stored, epochs: await this.store.listEpochs(trialId) }, search.spec);
    }
    throw new Error(`trial ${trialId}: too many concurrent state changes`);
  }

  /**
   * Warm start (Optuna's enqueue_trial): configurations the planner schedules before asking the
   * algorithm, as trials with source 'user'. They count against budget.maxTrials like any other.
   */
  async enqueueTrials(id: string, configs: HpValues[], tenant?: string): Promise<SearchView> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const search = await this.require(id, tenant);
      const trials = await this.store.listTrials(id);
      checkWarmStarts(search, trials, configs);
      if (isFinalSearchStatus(search.status)) throw new ConflictError(`search '${id}' already ${search.status}: it takes no more trials`);
      if (pastDeadline(search.spec, search.createdAt, new Date()))
        throw new ConflictError(`search '${id}' is past budget.maxDurationSeconds (${search.spec.budget.maxDurationSeconds}): it starts no more trials`);
      const left = Math.max(0, search.spec.budget.maxTrials - configurationsUsed(search, trials));
      if (configs.length > left)
        throw new ConflictError(`budget.maxTrials (${search.spec.budget.maxTrials}) leaves room for ${left} more configuration(s), not ${configs.length}`);
      if (!(await this.store.commitSchedule(id, search.version, { pendingTrials: [...search.pendingTrials, ...configs] }, []))) continue;
      await this.scheduler.advance(id);
      return this.get(id);
    }
    throw new Error(`search ${id}: too many concurrent scheduling conflicts`);
  }

  /**
   * Trains the best trial's model further, to `epochs` in all (the notebook's
   * model.fit(..., epochs, initial_epoch)): one trial with source 'retrain' that starts from the
   * best trial's weights. It runs on a completed search too; only a cancel of its search stops it.
   * A search grants budget.maxRetrains of them (maxTrials does not count them).
   */
  async retrain(id: string, epochs: number, tenant?: string): Promise<TrialView> {
    for (let attempt = 0; attempt < MAX_CONFLICTS; attempt++) {
      const search = await this.require(id, tenant);
      if (search.status === 'cancelled') throw new ConflictError(`search '${id}' was cancelled: a retrain of it would be cancelled too`);
      const trials = await this.store.listTrials(id);
      const best = trials.find((t) => t.id === search.bestTrialId);
      if (!best || best.status !== 'completed' || !best.modelId) throw new ConflictError(`search '${id}' has no best trial with a model to retrain yet`);
      if (!(await this.datasets.info(search.spec.dataset.id, tenant)))
        throw new ConflictError(`dataset '${search.spec.dataset.id}' that search '${id}' trained on was deleted: a retrain has nothing to train on`);
      const trained = trialEpochs(search.spec, best);
      if (epochs <= trained)
        throw new ValidationError('epochs', `must be more than the ${trained} epoch(s) the best trial (number ${best.number}) trained: at least ${trained + 1}`);
      if (epochs > this.limits.maxEpochs) throw new ValidationError('epochs', `must be at most ${this.limits.maxEpochs} (MAX_EPOCHS)`);
      // Every retrain granted counts, whatever became of it; the commit below fails if another was granted meanwhile.
      const retrains = trials.filter((t) => t.source === 'retrain').length;
      const allowed = search.spec.budget.maxRetrains;
      if (retrains >= allowed) throw new ConflictError(`budget.maxRetrains (${allowed}) is used up: search '${id}' has had ${retrains} retrain(s)`);
      const trial: NewTrial = {
        id: randomUUID(), number: trials.length + 1, hyperparameters: best.hyperparameters, source: 'retrain',
        parentTrialId: best.id, initialEpoch: trained, targetEpochs: epochs, bracket: null, rung: null,
      };
      if (!(await this.store.commitSchedule(id, search.version, {}, [trial]))) continue;
      // Recorded as waiting: if Redis is unreachable now, reconcile() enqueues it later.
      await this.queue.enqueue([{ trialId: trial.id, searchId: id, attempts: attemptsPerTrial(search.spec) }]).catch(() => undefined);
      // Just created, it has trained no epoch: one row, not every trial of the search with its epochs.
      const stored = (await this.store.getTrial(trial.id))!;
      return trialView({ ...stored, epochs: [] }, search.spec);
    }
    throw new Error(`search ${id}: too many concurrent scheduling conflicts`);
  }

  private async require(id: string, tenant?: string): Promise<SearchRecord> {
    return visible(await this.store.getSearch(id), id, tenant);
  }
}

/** Another tenant's search is not found, exactly like one that does not exist. */
function visible<S extends { tenant: string | null }>(search: S | null, id: string, tenant?: string): S {
  if (!search || (tenant !== undefined && search.tenant !== tenant)) throw new NotFoundError('search', id);
  return search;
}

const MAX_CONFLICTS = 20;

/** Configurations budget.maxTrials already counts, as the planner does, plus the queued warm starts. */
function configurationsUsed(search: SearchRecord, trials: TrialRecord[]): number {
  const searched = trials.filter((t) => t.source !== 'retrain');
  const configs = isMultiFidelity(search.spec.algorithm.name) ? searched.filter((t) => t.parentTrialId === null) : searched;
  return configs.length + search.pendingTrials.length;
}

/** Each warm start is a full point of the space, tried by no trial, queued by no one, given once. */
function checkWarmStarts(search: SearchRecord, trials: TrialRecord[], configs: HpValues[]): void {
  const taken = new Map<string, string>();
  for (const t of trials) if (t.source !== 'retrain') taken.set(comboKey(t.hyperparameters), `was already tried by trial ${t.number}`);
  for (const values of search.pendingTrials) taken.set(comboKey(values), 'is already queued by an earlier warm start');
  configs.forEach((values, i) => {
    const at = `trials[${i}].hyperparameters`;
    validateValues(search.spec.hyperparameters, values, at);
    const key = comboKey(values);
    const why = taken.get(key);
    if (why) throw new ValidationError(at, why);
    taken.set(key, `duplicates trials[${configs.findIndex((c) => comboKey(c) === key)}]`);
  });
}
