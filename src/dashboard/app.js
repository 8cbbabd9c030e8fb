// The dashboard's entry: hash routes (#/ the searches, #/searches/<id> one search) and the API key
// prompt, shown whenever the API answers 401 (authentication on and no key, or a key it refuses).
import { AuthError, getKey, setKey } from './api.js';
import { showSearch } from './search-view.js';
import { showSearchList } from './search-list.js';
import { esc } from './trials.js';

const view = document.getElementById('view');
const auth = document.getElementById('auth');
const keyForm = document.getElementById('key-form');
let dispose = () => {};

function setCrumbs(items) {
  document.getElementById('crumbs').innerHTML = items
    .map((c) => (c.href ? `<a href="${esc(c.href)}">${esc(c.text)}</a>` : `<span>${esc(c.text)}</span>`)).join('<span class="sep">/</span>');
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
  view.innerHTML = '';
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
  view.insertAdjacentHTML('afterbegin', `<section class="card"><p class="error">${esc(err?.message ?? err)}</p></section>`);
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
