// @ts-check
// The list of searches (GET /searches), newest first, a page at a time ("Show more" adds the
// next), the pages shown refreshed while the page is open.
import { apiPages } from './api.js';
import { el } from './dom.js';
import { statusBadge } from './trials.js';

const REFRESH_MS = 5000;
const PAGE_SIZE = 50;

/** @typedef {import('./api-types.js').SearchSummary} SearchSummary */

/** @param {SearchSummary} s */
function row(s) {
  const c = s.trials ?? {};
  const done = (c.completed ?? 0) + (c.pruned ?? 0) + (c.failed ?? 0) + (c.cancelled ?? 0);
  const max = s.maxTrials || (c.total ?? 0);
  const best = s.bestTrial ? (typeof s.bestTrial.value === 'number' ? s.bestTrial.value : s.bestTrial.valAccuracy) : null;
  const pct = max ? Math.round((100 * done) / max) : 0;
  return el('tr', { 'data-search-id': s.id },
    el('td', {}, el('a', { href: `#/searches/${encodeURIComponent(s.id)}` }, s.name), el('div', { class: 'muted mono' }, s.id.slice(0, 8))),
    el('td', {}, statusBadge(s.status, s.error ?? '')),
    el('td', {},
      el('div', { class: 'progress', title: `${done} of ${max} trials finished` }, el('span', { style: `width:${pct}%` })),
      el('span', { class: 'muted' }, `${done}/${max}${c.running ? `, ${c.running} running` : ''}`)),
    el('td', { class: 'num' }, typeof best === 'number' ? best.toFixed(4) : '–'),
    el('td', {}, s.algorithm ?? ''),
    el('td', {}, s.datasetId ?? ''),
    el('td', { class: 'muted' }, new Date(s.createdAt).toLocaleString()));
}

const COLUMNS = ['search', 'status', 'trials', 'best objective', 'algorithm', 'dataset', 'created'];

/** @param {SearchSummary[]} searches */
function table(searches) {
  const head = COLUMNS.map((name) => el('th', name === 'best objective' ? { class: 'num' } : {}, name));
  return el('div', { class: 'table-scroll' },
    el('table', { class: 'searches' }, el('thead', {}, el('tr', {}, head)), el('tbody', {}, searches.map(row))));
}

const noSearches = () => el('p', { class: 'empty' },
  'No searches yet. Create one with ', el('code', {}, 'POST /searches'), ' (see ', el('a', { href: '/docs' }, 'the API docs'), ').');

/**
 * @param {HTMLElement} root
 * @param {import('./app.js').PageContext} context
 * @returns {() => void} stops the refreshing
 */
export function showSearchList(root, { setCrumbs, onError }) {
  setCrumbs([]);
  const list = el('div', { id: 'search-list' }, el('p', { class: 'muted' }, 'Loading…'));
  root.replaceChildren(el('section', { class: 'card' }, el('h2', {}, 'Searches'), list));
  /** @type {ReturnType<typeof setTimeout> | undefined} */
  let timer;
  let stopped = false;
  let pages = 1;
  const more = el('button', { type: 'button', class: 'show-more' }, 'Show more');
  more.addEventListener('click', () => { pages++; clearTimeout(timer); load(); });
  const load = async () => {
    try {
      /** @type {{ items: SearchSummary[], more: boolean }} */
      const { items: searches, more: hasMore } = await apiPages('/searches', 'searches', { pages, limit: PAGE_SIZE });
      if (stopped) return;
      list.replaceChildren(...(searches.length ? [table(searches)] : [noSearches()]), ...(hasMore ? [more] : []));
      timer = setTimeout(load, REFRESH_MS);
    } catch (err) {
      if (!stopped) onError(err);
    }
  };
  load();
  return () => { stopped = true; clearTimeout(timer); };
}
