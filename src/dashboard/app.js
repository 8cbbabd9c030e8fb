// The dashboard's entry: hash routes (#/ the searches, #/searches/<id> one search) and the API key
// prompt, shown whenever the API answers 401 (authentication on and no key, or a key it refuses).
import { AuthError, getKey, setKey } from './api.js';
import { el } from './dom.js';
import { showSearch } from './search-view.js';
import { showSearchList } from './search-list.js';

const view = document.getElementById('view');
const auth = document.getElementById('auth');
const keyForm = document.getElementById('key-form');
let dispose = () => {};

function setCrumbs(items) {
  const crumbs = items.map((c) => (c.href ? el('a', { href: c.href }, c.text) : el('span', {}, c.text)));
  document.getElementById('crumbs').replaceChildren(...crumbs.flatMap((c, i) => (i ? [el('span', { class: 'sep' }, '/'), c] : [c])));
}
const setLive = (on) => { document.getElementById('live').hidden = !on; };
// The key controls only matter where a key is in use.
const showKeyControls = () => {
  document.getElementById('key-button').hidden = !getKey();
  document.getElementById('forget-key').hidden = !getKey();
};

function askForKey(message) {
  dispose();
  dispose = () => {};
  view.replaceChildren();
  auth.hidden = false;
  document.getElementById('auth-message').textContent = message;
  keyForm.elements['api-key'].value = '';
  keyForm.elements['api-key'].focus();
  showKeyControls();
}

function onError(err) {
  if (err instanceof AuthError) {
    askForKey(getKey() ? `The API refused this key: ${err.message}` : 'This service needs an API key.');
    return;
  }
  view.prepend(el('section', { class: 'card' }, el('p', { class: 'error' }, err?.message ?? err)));
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
  setKey(keyForm.elements['api-key'].value.trim());
  route();
});
document.getElementById('forget-key').addEventListener('click', () => {
  setKey('');
  askForKey('Key forgotten. Enter another one, or reload if this service needs none.');
});
document.getElementById('key-button').addEventListener('click', () => askForKey(getKey() ? 'Enter a new key to replace the one kept in this browser.' : 'Enter an API key.'));

window.addEventListener('hashchange', route);
route();
