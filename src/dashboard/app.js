// @ts-check
// The dashboard's entry: hash routes (#/ the searches, #/searches/<id> one search) and the API key
// prompt, shown whenever the API answers 401 (authentication on and no key, or a key it refuses).
import { AuthError, getKey, setKey } from './api.js';
import { el, find } from './dom.js';
import { showSearch } from './search-view.js';
import { showSearchList } from './search-list.js';

/**
 * What a view (search-list.js, search-view.js) gets from here.
 * @typedef {object} PageContext
 * @property {(items: { text: string, href?: string }[]) => void} setCrumbs
 * @property {(err: unknown) => void} onError
 * @property {(on: boolean) => void} setLive
 */

const view = find('#view');
const auth = find('#auth');
const keyForm = /** @type {HTMLFormElement} */ (find('#key-form'));
const keyInput = /** @type {HTMLInputElement} */ (keyForm.elements.namedItem('api-key'));
let dispose = () => {};

/** @param {{ text: string, href?: string }[]} items */
function setCrumbs(items) {
  const crumbs = items.map((c) => (c.href ? el('a', { href: c.href }, c.text) : el('span', {}, c.text)));
  find('#crumbs').replaceChildren(...crumbs.flatMap((c, i) => (i ? [el('span', { class: 'sep' }, '/'), c] : [c])));
}
/** @type {PageContext['setLive']} */
const setLive = (on) => { find('#live').hidden = !on; };
// The key controls only matter where a key is in use.
const showKeyControls = () => {
  find('#key-button').hidden = !getKey();
  find('#forget-key').hidden = !getKey();
};

/** @param {string} message */
function askForKey(message) {
  dispose();
  dispose = () => {};
  view.replaceChildren();
  auth.hidden = false;
  find('#auth-message').textContent = message;
  keyInput.value = '';
  keyInput.focus();
  showKeyControls();
}

/** @param {unknown} err */
function onError(err) {
  if (err instanceof AuthError) {
    askForKey(getKey() ? `The API refused this key: ${err.message}` : 'This service needs an API key.');
    return;
  }
  view.prepend(el('section', { class: 'card' }, el('p', { class: 'error' }, /** @type {{ message?: string }} */ (err)?.message ?? String(err ?? ''))));
}

function route() {
  dispose();
  auth.hidden = true;
  showKeyControls();
  const ctx = { setCrumbs, onError, setLive };
  const m = /^#\/searches\/([^/]+)$/.exec(location.hash);
  dispose = m ? showSearch(view, decodeURIComponent(m[1]), ctx) : showSearchList(view, ctx);
}

keyForm.addEventListener('submit', (e) => {
  e.preventDefault();
  setKey(keyInput.value.trim());
  route();
});
find('#forget-key').addEventListener('click', () => {
  setKey('');
  askForKey('Key forgotten. Enter another one, or reload if this service needs none.');
});
find('#key-button').addEventListener('click', () => askForKey(getKey() ? 'Enter a new key to replace the one kept in this browser.' : 'Enter an API key.'));

window.addEventListener('hashchange', route);
route();
