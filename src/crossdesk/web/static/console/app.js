// Console entry point: sign-in state. Shows the login form or the desk, and switches between
// them on sign-in, sign-out and an expired session.
import { h } from '../shared/dom.js';
import { initials } from '../shared/format.js';
import { DeskApi } from './api.js';
import { Desk } from './desk.js';
import { showLogin } from './login.js';

const base = new URL('../../', import.meta.url); // this file is BASE/static/console/app.js
const api = new DeskApi(base);
let desk = null;

document.getElementById('logout').addEventListener('click', async () => {
  try {
    await api.logout();
  } finally {
    signedOut();
  }
});

boot();

async function boot() {
  let profile;
  try {
    profile = await api.me();
  } catch (error) {
    if (error.status === 401) return signedOut();
    return showFatal(error.message);
  }
  const { agent, shop, features = {} } = profile;
  document.getElementById('shop-name').textContent = shop?.name ?? '';
  document.getElementById('me-name').textContent = agent.name;
  document.getElementById('me-avatar').textContent = initials(agent.name);
  document.getElementById('app').hidden = false;
  document.title = shop?.name ? `${shop.name} · crossdesk` : 'crossdesk';
  // Tools the desk runs without (CROSSDESK_COACH=none) are not offered at all.
  document.querySelector('[data-testid="suggest-reply"]').hidden = !features.coach;
  desk = new Desk({ api, base, me: agent, features, onSignedOut: signedOut });
  await desk.start();
}

function signedOut() {
  desk?.stop();
  desk = null;
  document.getElementById('app').hidden = true;
  history.replaceState(null, '', location.pathname);
  // Page state (views, timers, listeners) belongs to the old agent: start clean after sign-in.
  showLogin({ api, onSignedIn: () => location.reload() });
}

function showFatal(message) {
  document.body.replaceChildren(h('p', { class: 'fatal', role: 'alert' }, `crossdesk could not start: ${message}`));
}
