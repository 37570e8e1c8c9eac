// The console's shell: hash routes to pages, the header, signing in and out. A page is a function
// (main, {params, search, signal}) that fills `main`; `signal` aborts when the user leaves it, so
// its streams and polling stop.

import { claims, onUnauthorized, session } from './api.js';
import { announce, fill, go, h, problemBox } from './dom.js';
import * as cluster from './pages/cluster.js';
import * as collections from './pages/collections.js';
import * as documents from './pages/documents.js';
import * as documentPage from './pages/document.js';
import * as health from './pages/health.js';
import * as live from './pages/live.js';
import * as replay from './pages/replay.js';
import * as signIn from './pages/sign-in.js';
import * as start from './pages/start.js';

/** [pattern, page, section of the header it belongs to]. */
const ROUTES = [
  [/^$/, start.render, null],
  [/^sign-in$/, signIn.render, null],
  [/^cluster$/, cluster.render, 'cluster'],
  [/^collections$/, collections.list, 'collections'],
  [/^collections\/_new$/, collections.edit, 'collections'],
  [/^collections\/([^/]+)$/, collections.show, 'collections'],
  [/^collections\/([^/]+)\/edit$/, collections.edit, 'collections'],
  [/^documents$/, documents.choose, 'documents'],
  [/^documents\/([^/]+)$/, documents.list, 'documents'],
  [/^documents\/([^/]+)\/_new$/, documents.create, 'documents'],
  [/^documents\/([^/]+)\/([^/]+)$/, documentPage.render, 'documents'],
  [/^live$/, live.render, 'live'],
  [/^replay$/, replay.projections, 'replay'],
  [/^replay\/journal$/, replay.journal, 'replay'],
  [/^replay\/audit$/, replay.audit, 'replay'],
  [/^replay\/check$/, replay.check, 'replay'],
  [/^replay\/backup$/, replay.backup, 'replay'],
  [/^health$/, health.render, 'health'],
];

const main = document.getElementById('main');
let leaving = null;

function location() {
  const hash = window.location.hash.replace(/^#\/?/, '');
  const at = hash.indexOf('?');
  return {
    path: at < 0 ? hash : hash.slice(0, at),
    search: new URLSearchParams(at < 0 ? '' : hash.slice(at + 1)),
  };
}

async function route() {
  leaving?.abort();
  const controller = new AbortController();
  leaving = controller;
  const { path, search } = location();
  showSignedIn();
  if (!session.token() && path !== 'sign-in') {
    sessionStorage.setItem('cairn.next', path + (search.toString() ? '?' + search : ''));
    go('sign-in');
    return;
  }
  let page = null;
  let params = [];
  let section = null;
  for (const [pattern, render, part] of ROUTES) {
    const match = pattern.exec(path);
    if (match) {
      page = render;
      params = match.slice(1).map(decodeURIComponent);
      section = part;
      break;
    }
  }
  for (const link of document.querySelectorAll('#nav a')) {
    if (link.dataset.page === section) {
      link.setAttribute('aria-current', 'page');
    } else {
      link.removeAttribute('aria-current');
    }
  }
  fill(main);
  main.setAttribute('aria-busy', 'true');
  try {
    if (!page) {
      fill(main, h('h1', { tabindex: '-1', id: 'page-title' }, 'No such page'), h('p', {}, h('a', { href: '#/' }, 'Go to the start page')));
    } else {
      await page(main, { params, search, signal: controller.signal });
    }
  } catch (error) {
    if (error?.name === 'AbortError' || controller.signal.aborted) {
      return;
    }
    if (error?.status !== 401) {
      main.append(problemBox(error));
    }
  } finally {
    if (leaving === controller) {
      main.removeAttribute('aria-busy');
      main.dataset.page = path.split('/')[0] || 'start';
      main.dataset.ready = String(Date.now());
    }
  }
  const title = document.getElementById('page-title');
  if (title && leaving === controller) {
    title.focus();
    announce(document.title);
  }
}

function showSignedIn() {
  const token = session.token();
  const signedIn = Boolean(token);
  document.getElementById('nav').hidden = !signedIn;
  document.getElementById('who').hidden = !signedIn;
  if (signedIn) {
    const c = claims(token) ?? {};
    const roles = Array.isArray(c.roles) ? c.roles.join(', ') : '';
    const expires = c.exp ? new Date(c.exp * 1000).toLocaleTimeString() : null;
    document.getElementById('who-name').textContent =
      (c.sub ?? 'signed in') + (roles ? ` (${roles})` : '') + (expires ? `, until ${expires}` : '');
  }
}

export function signOut(notice) {
  session.signOut();
  if (notice) {
    session.notice(notice);
  }
  if (location().path === 'sign-in') {
    route();
  } else {
    go('sign-in');
  }
}

onUnauthorized((error) => {
  const { path } = location();
  if (path !== 'sign-in') {
    sessionStorage.setItem('cairn.next', path);
  }
  signOut(
    'The node refused the token (' +
      (error.type || 'unauthorized') +
      '): it has expired or is not valid. Sign in again with a new one.',
  );
});

document.getElementById('sign-out').addEventListener('click', () => {
  sessionStorage.removeItem('cairn.next');
  signOut('Signed out: the token is forgotten.');
});

window.addEventListener('hashchange', route);
route();
