// The list of searches (GET /searches), newest first, refreshed while the page is open.
import { api } from './api.js';
import { esc, statusBadge } from './trials.js';

const REFRESH_MS = 5000;

function row(s) {
  const c = s.trials ?? {};
  const done = (c.completed ?? 0) + (c.pruned ?? 0) + (c.failed ?? 0) + (c.cancelled ?? 0);
  const max = s.spec?.budget?.maxTrials ?? c.total ?? 0;
  const best = s.bestTrial ? (typeof s.bestTrial.value === 'number' ? s.bestTrial.value : s.bestTrial.valAccuracy) : null;
  const pct = max ? Math.round((100 * done) / max) : 0;
  return `<tr data-search-id="${esc(s.id)}">
    <td><a href="#/searches/${encodeURIComponent(s.id)}">${esc(s.name)}</a><div class="muted mono">${esc(s.id.slice(0, 8))}</div></td>
    <td>${statusBadge(s.status, s.error ?? '')}</td>
    <td><div class="progress" title="${done} of ${max} trials finished"><span style="width:${pct}%"></span></div><span class="muted">${done}/${max}${c.running ? `, ${c.running} running` : ''}</span></td>
    <td class="num">${typeof best === 'number' ? best.toFixed(4) : '–'}</td>
    <td>${esc(s.spec?.algorithm?.name ?? '')}</td>
    <td>${esc(s.spec?.dataset?.id ?? '')}</td>
    <td class="muted">${esc(new Date(s.createdAt).toLocaleString())}</td>
  </tr>`;
}

export function showSearchList(root, { setCrumbs, onError }) {
  setCrumbs([]);
  root.innerHTML = `<section class="card"><h2>Searches</h2><div id="search-list"><p class="muted">Loading…</p></div></section>`;
  const list = root.querySelector('#search-list');
  let timer;
  let stopped = false;
  const load = async () => {
    try {
      const { searches } = await api('/searches');
      if (stopped) return;
      list.innerHTML = searches.length
        ? `<div class="table-scroll"><table class="searches"><thead><tr><th>search</th><th>status</th><th>trials</th><th class="num">best objective</th><th>algorithm</th><th>dataset</th><th>created</th></tr></thead><tbody>${searches.map(row).join('')}</tbody></table></div>`
        : '<p class="empty">No searches yet. Create one with <code>POST /searches</code> (see <a href="/docs">the API docs</a>).</p>';
      timer = setTimeout(load, REFRESH_MS);
    } catch (err) {
      if (!stopped) onError(err);
    }
  };
  load();
  return () => { stopped = true; clearTimeout(timer); };
}
