// `--watch`: follows a search's events until it finishes, then prints how it ended. The exit code
// says how: 0 completed, 1 failed or cancelled.
import type { ApiClient } from './api-client.js';
import type { SearchView, TrialView } from '../schemas/search-schemas.js';
import { followEvents } from './event-stream.js';
import { searchSummary } from './event-lines.js';
import { paretoFrontText } from './pareto-table.js';
import { renderTable } from './render-table.js';
import { specInfo } from './spec-info.js';
import { trialErrors, trialTable } from './trial-table.js';
import { BarsView, PlainView, type WatchView } from './watch-views.js';

export interface WatchIo {
  out: NodeJS.WritableStream & { isTTY?: boolean };
  /** Progress bars (a terminal) or plain lines. */
  bars: boolean;
}

export async function watchSearch(api: ApiClient, searchId: string, io: WatchIo): Promise<number> {
  const path = `/searches/${encodeURIComponent(searchId)}`;
  const search = await api.json<SearchView>('GET', path);
  const spec = specInfo(search.spec);
  const view: WatchView = io.bars ? new BarsView(io.out, spec) : new PlainView(io.out, spec);
  let finished: Record<string, unknown> | undefined;
  try {
    await followEvents(api, searchId, (e) => {
      if (e.event === 'search.finished') finished = e.data;
      view.event(e);
    }, { onReconnect: (n, why) => view.reconnect(n, why) });
  } finally {
    view.close();
  }
  // The bars view built the table as trials finished; lines need it printed once at the end.
  if (!io.bars) {
    const trials = await api.all<TrialView>(`${path}/trials`, 'trials');
    io.out.write(`\n${renderTable(trialTable(trials, spec))}`);
    for (const line of trialErrors(trials)) io.out.write(`${line}\n`);
  }
  const end = finished ?? (await api.json<SearchView>('GET', path) as unknown as Record<string, unknown>);
  io.out.write(`\n${searchSummary(end, spec.metric)}\n`);
  if (Array.isArray((search.spec as { objectives?: unknown } | null)?.objectives)) {
    // The finished event carries no front: read the search once more, and its trials for their numbers.
    const [done, trials] = await Promise.all([api.json<SearchView>('GET', path), api.all<TrialView>(`${path}/trials`, 'trials')]);
    io.out.write(`\n${paretoFrontText(done, new Map(trials.map((t) => [t.id, t.number])))}`);
  }
  return end.status === 'completed' ? 0 : 1;
}
