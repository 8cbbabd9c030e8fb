// Use cases on searches: create (validate, store, schedule the first trials), read, cancel.
// `tenant`, where given, scopes every use case to that tenant's searches: another tenant's search
// is reported not found, exactly like one that does not exist. Omitted (authentication off), all.
import { randomInt, randomUUID } from 'node:crypto';
import { ConflictError, NotFoundError } from '../domain/errors.js';
import { normalizeSpec, validateSpec, type SearchLimits, type SearchRequest } from '../domain/search-spec.js';
import type { TrialQueue } from '../queue/trial-queue.js';
import type { SearchRecord, Store, TrialWithEpochs } from '../store/store.js';
import type { Scheduler } from './scheduler.js';
import { moveTrial } from './trial-transitions.js';
import { searchView, trialView, type SearchView, type TrialView } from './views.js';

export class SearchService {
  constructor(
    private readonly store: Store,
    private readonly scheduler: Scheduler,
    private readonly queue: TrialQueue,
    private readonly limits: SearchLimits,
  ) {}

  async create(request: SearchRequest, tenant?: string): Promise<SearchView> {
    // A seed is always stored, so a search without one is still reproducible afterwards.
    const spec = normalizeSpec(request, () => randomInt(2 ** 31));
    validateSpec(spec, this.limits);
    const search = await this.store.createSearch({ id: randomUUID(), name: spec.name, spec, tenant: tenant ?? null });
    await this.scheduler.advance(search.id);
    return this.get(search.id);
  }

  async get(id: string, tenant?: string): Promise<SearchView> {
    const search = await this.require(id, tenant);
    return searchView(search, await this.store.listTrials(id));
  }

  async list(tenant?: string): Promise<SearchView[]> {
    const searches = await this.store.listSearches({ tenant });
    return Promise.all(searches.map(async (s) => searchView(s, await this.store.listTrials(s.id))));
  }

  async trials(id: string, tenant?: string): Promise<TrialView[]> {
    await this.require(id, tenant);
    return (await this.store.listTrialsWithEpochs(id)).map(trialView);
  }

  /** The stored records GET /searches/:id/events derives its events from (same scoping and 404 as get). */
  async progress(id: string, tenant?: string): Promise<{ search: SearchRecord; trials: TrialWithEpochs[] }> {
    const search = await this.require(id, tenant);
    return { search, trials: await this.store.listTrialsWithEpochs(id) };
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
      if (trial.status !== 'waiting') continue;
      if (await moveTrial(this.store, trial.id, 'cancelled', { finishedAt: new Date() }, 'waiting')) await this.queue.removeIfIdle(trial.id);
    }
    return this.get(id);
  }

  private async require(id: string, tenant?: string): Promise<SearchRecord> {
    const search = await this.store.getSearch(id);
    if (!search || (tenant !== undefined && search.tenant !== tenant)) throw new NotFoundError('search', id);
    return search;
  }
}
