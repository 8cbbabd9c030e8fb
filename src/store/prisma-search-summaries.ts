// GET /searches on Prisma: a keyset page of searches read from their summary columns (never the
// spec, which can be megabytes each), with their trial counts and best trials in two more
// queries for the whole page, not one per search.
import type { HpValues } from '../domain/hyperparameters.js';
import type { SearchStatus, TrialStatus } from '../domain/trial-state.js';
import type { SearchStore, SearchSummaryRecord } from '../ports/search-store.js';
import { afterTime, byTime, takeFor, timeKey, toPage } from './keyset.js';
import type { DbClient } from './prisma-client.js';
import type { Runner } from './sqlite-queue.js';

const SUMMARY_COLUMNS = {
  id: true, name: true, status: true, error: true, bestTrialId: true, bestModelId: true, createdAt: true, updatedAt: true, finishedAt: true,
  algorithm: true, datasetId: true, objectiveMetric: true, objectiveDirection: true, maxTrials: true,
} as const;
const BEST_TRIAL_COLUMNS = { id: true, number: true, hyperparameters: true, valAccuracy: true, value: true } as const;

export function prismaSearchSummaries(db: DbClient, run: Runner): Pick<SearchStore, 'listSearchSummaries'> {
  return {
    listSearchSummaries(filter, page) {
      const tenant = filter.tenant === undefined ? {} : { tenant: filter.tenant };
      return run(async () => {
        const rows = await db.search.findMany({
          where: { ...tenant, ...afterTime(page.after, 'desc') }, orderBy: byTime('desc'), take: takeFor(page), select: SUMMARY_COLUMNS,
        });
        const { items, next } = toPage(rows, page.limit, timeKey);
        const ids = items.map((s) => s.id);
        const bestIds = items.flatMap((s) => (s.bestTrialId ? [s.bestTrialId] : []));
        const counts = ids.length === 0 ? [] : await db.trial.groupBy({ by: ['searchId', 'status'], where: { searchId: { in: ids } }, _count: { _all: true } });
        const best = bestIds.length === 0 ? [] : await db.trial.findMany({ where: { id: { in: bestIds } }, select: BEST_TRIAL_COLUMNS });
        const bestById = new Map(best.map((t) => [t.id, { ...t, hyperparameters: t.hyperparameters as HpValues }]));
        const summaries = items.map((s): SearchSummaryRecord => {
          const trialCounts: SearchSummaryRecord['trialCounts'] = {};
          for (const c of counts) if (c.searchId === s.id) trialCounts[c.status as TrialStatus] = c._count._all;
          const { bestTrialId, objectiveMetric, objectiveDirection, ...rest } = s;
          return {
            ...rest, status: s.status as SearchStatus, objective: { metric: objectiveMetric, direction: objectiveDirection },
            trialCounts, bestTrial: (bestTrialId && bestById.get(bestTrialId)) || null,
          };
        });
        return { items: summaries, next };
      });
    },
  };
}
