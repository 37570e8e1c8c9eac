// One document: its current JSON, an editor, and its history as a timeline to step through. Each
// version shows who made it, when, with which request, and what it changed; any two versions can
// be compared (each read with ?version=N, the diff made here); the state at an instant is one
// read with ?at=; revert writes a new version equal to an old one, with If-Match on the head.

import { ApiError, allEvents, call, enc, get } from '../api.js';
import { announce, badge, confirm, field, fill, h, jsonBlock, pageTitle, pretty, problemBox, table, when } from '../dom.js';
import { diff } from '../json-diff.js';
import { parseObject, showWriteProblem } from './documents.js';

const WORDS = { add: 'added', remove: 'removed', replace: 'changed' };

export async function render(main, context) {
  const [collection, id] = context.params;
  const { signal } = context;
  const base = `/v1/${enc(collection)}/${enc(id)}`;
  const history = await allEvents(base + '/events', signal);
  const head = history[history.length - 1];
  const current = await get(base, { signal }).catch((error) => {
    if (error instanceof ApiError && error.type === 'deleted') {
      return null;
    }
    throw error;
  });
  const versions = new Map();
  /** The document at version n: its data, or null when that version is a deletion. */
  async function at(n) {
    if (!versions.has(n)) {
      versions.set(
        n,
        get(`${base}?version=${n}`, { signal }).then(
          (d) => d.data,
          (error) => {
            if (error instanceof ApiError && error.type === 'deleted') {
              return null;
            }
            versions.delete(n);
            throw error;
          },
        ),
      );
    }
    return versions.get(n);
  }
  const reload = () => render(main, context);

  const message = h('div', { id: 'document-message' });
  const selected = h('section', { class: 'panel', id: 'version-panel', 'aria-labelledby': 'version-title', 'aria-live': 'polite' });
  const timeline = h(
    'ol',
    { class: 'timeline', id: 'timeline', 'aria-label': 'Versions, newest first' },
    [...history].reverse().map((entry) =>
      h(
        'li',
        { 'data-version': entry.version },
        h('button', { type: 'button', class: 'version', 'data-version': entry.version, onclick: () => select(entry.version) }, `Version ${entry.version}`),
        ' ',
        badge(entry.type, entry.type === 'deleted' ? 'bad' : entry.type === 'reverted' ? 'warn' : 'ok'),
        h(
          'div',
          { class: 'meta' },
          when(entry.timestamp),
          h('br'),
          'by ',
          h('strong', { class: 'principal' }, entry.principal ?? 'unknown'),
          entry.requestId ? [h('br'), 'request ', h('code', { class: 'request-id' }, entry.requestId)] : null,
        ),
        h('details', {}, h('summary', {}, 'The change as written'), jsonBlock(entry.change, `Change of version ${entry.version}`)),
      ),
    ),
  );
  timeline.addEventListener('keydown', (event) => {
    const step = { ArrowUp: 1, ArrowDown: -1, Home: Infinity, End: -Infinity }[event.key];
    if (step === undefined || !(event.target instanceof HTMLButtonElement)) {
      return;
    }
    event.preventDefault();
    const now = Number(event.target.dataset.version);
    const next = Math.max(1, Math.min(head.version, now + step));
    select(next, true);
  });

  let chosen = head.version;
  async function select(version, focus = false) {
    chosen = version;
    for (const item of timeline.children) {
      item.setAttribute('aria-current', String(Number(item.dataset.version) === version));
    }
    if (focus) {
      timeline.querySelector(`button[data-version="${version}"]`)?.focus();
    }
    const entry = history.find((e) => e.version === version);
    const [state, previous] = await Promise.all([at(version), version > 1 ? at(version - 1) : Promise.resolve(undefined)]);
    if (chosen !== version) {
      return; // another version was chosen meanwhile
    }
    fill(
      selected,
      h('h2', { id: 'version-title' }, `Version ${version} of ${head.version}`),
      h(
        'div',
        { class: 'toolbar' },
        h('button', { type: 'button', class: 'secondary', id: 'older', disabled: version <= 1, onclick: () => select(version - 1) }, '← Older'),
        h('button', { type: 'button', class: 'secondary', id: 'newer', disabled: version >= head.version, onclick: () => select(version + 1) }, 'Newer →'),
        h(
          'button',
          { type: 'button', id: 'revert', disabled: version === head.version || state === null, onclick: () => revert(version) },
          `Revert to version ${version}`,
        ),
      ),
      h('p', { class: 'muted' }, entry.type, ' ', when(entry.timestamp), ' by ', entry.principal ?? 'unknown', entry.requestId ? [', request ', h('code', {}, entry.requestId)] : null),
      h('h3', {}, 'State at this version'),
      state === null ? h('p', { id: 'version-state' }, 'Deleted at this version.') : h('pre', { id: 'version-state', tabindex: '0', 'aria-label': `State at version ${version}` }, pretty(state)),
      h('h3', {}, version > 1 ? `What version ${version} changed` : 'Created with'),
      h('div', { id: 'version-change' }, diffTable(diff(previous ?? {}, state ?? {}))),
    );
  }

  async function revert(version) {
    const ok = await confirm({
      title: `Revert to version ${version}?`,
      message: `A new version ${head.version + 1} is written with the content of version ${version}. The history keeps every version.`,
      action: 'Revert',
    });
    if (!ok) {
      return;
    }
    try {
      const written = await call(base + '/revert', { method: 'POST', body: { version }, header: { 'If-Match': `"${head.version}"` } });
      announce(`Reverted: version ${written.data.version} equals version ${version}.`);
      sessionStorage.setItem('cairn.document-message', `Reverted: version ${written.data.version} has the content of version ${version}.`);
      await reload();
    } catch (error) {
      fill(message, problemBox(error));
    }
  }

  const compareFrom = h('select', { id: 'compare-from' }, history.map((e) => h('option', { value: e.version, selected: e.version === Math.max(1, head.version - 1) }, `Version ${e.version}`)));
  const compareTo = h('select', { id: 'compare-to' }, history.map((e) => h('option', { value: e.version, selected: e.version === head.version }, `Version ${e.version}`)));
  const compareResult = h('div', { id: 'diff-result', 'aria-live': 'polite' });
  const compare = h(
    'form',
    { class: 'panel', id: 'compare-form', 'aria-labelledby': 'compare-title' },
    h('h2', { id: 'compare-title' }, 'Compare two versions'),
    h('div', { class: 'row' }, h('div', {}, h('label', { for: 'compare-from' }, 'From'), compareFrom), h('div', {}, h('label', { for: 'compare-to' }, 'To'), compareTo), h('div', {}, h('button', { type: 'submit', id: 'compare' }, 'Compare'))),
    compareResult,
  );
  compare.addEventListener('submit', async (event) => {
    event.preventDefault();
    const from = Number(compareFrom.value);
    const to = Number(compareTo.value);
    try {
      const [a, b] = await Promise.all([at(from), at(to)]);
      const deleted = [a === null ? from : null, b === null ? to : null].filter(Boolean);
      fill(
        compareResult,
        h('p', {}, `From version ${from} to version ${to}:`, deleted.length ? ` (version ${deleted.join(' and ')} is a deletion, compared as empty)` : ''),
        diffTable(diff(a ?? {}, b ?? {})),
      );
    } catch (error) {
      fill(compareResult, problemBox(error));
    }
  });

  const instant = h('input', { type: 'datetime-local', step: '1' });
  const instantResult = h('div', { id: 'instant-result', 'aria-live': 'polite' });
  const atForm = h(
    'form',
    { class: 'panel', 'aria-labelledby': 'instant-title' },
    h('h2', { id: 'instant-title' }, 'State at an instant'),
    h('div', { class: 'row' }, h('div', {}, h('label', { for: 'instant' }, 'Instant (your local time)'), instant), h('div', {}, h('button', { type: 'submit' }, 'Show'))),
    instantResult,
  );
  instant.id = 'instant';
  atForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!instant.value) {
      return;
    }
    try {
      const iso = new Date(instant.value).toISOString();
      const past = await get(`${base}?at=${enc(iso)}`, { signal });
      fill(instantResult, h('p', {}, `At ${iso}: version ${past.version}.`), jsonBlock(past.data, `State at ${iso}`));
    } catch (error) {
      fill(instantResult, problemBox(error));
    }
  });

  const notice = sessionStorage.getItem('cairn.document-message');
  sessionStorage.removeItem('cairn.document-message');
  fill(
    main,
    pageTitle(`${collection}/${id}`, `${history.length} version${history.length === 1 ? '' : 's'}; ${current ? 'now at version ' + current.version : 'deleted at version ' + head.version}.`),
    h('div', { class: 'toolbar' }, h('a', { class: 'button secondary', href: `#/documents/${enc(collection)}` }, `All of ${collection}`)),
    message,
    notice ? h('div', { class: 'notice success', role: 'status', id: 'document-notice' }, notice) : null,
    currentPanel(collection, id, base, head, current, message, reload),
    h(
      'section',
      { 'aria-labelledby': 'history-title' },
      h('h2', { id: 'history-title' }, 'History'),
      h('div', { class: 'history' }, h('div', { class: 'panel' }, timeline), selected),
    ),
    compare,
    atForm,
  );
  await select(head.version);
}

function currentPanel(collection, id, base, head, current, message, reload) {
  const content = h('textarea', { rows: '10', spellcheck: 'false' }, current ? pretty(current.data) : '{\n}');
  const formError = h('div', { id: 'edit-error' });
  const form = h(
    'form',
    { id: 'edit-form', novalidate: true },
    field({ id: 'edit-content', label: current ? 'Edit the content' : 'Create it again', hint: `Saved with If-Match: "${head.version}", so a change made meanwhile is not overwritten.`, control: content }),
    formError,
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'submit', id: 'save-document' }, current ? 'Save' : 'Create again'),
      current ? h('button', { type: 'button', class: 'danger', id: 'delete-document', onclick: () => remove() }, 'Delete') : null,
    ),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(formError);
    const data = parseObject('edit-content', content.value);
    if (data === undefined) {
      content.focus();
      return;
    }
    try {
      const written = await call(base, { method: 'PUT', body: data, header: { 'If-Match': current ? `"${head.version}"` : undefined } });
      sessionStorage.setItem('cairn.document-message', `Saved: version ${written.data.version}.`);
      await reload();
    } catch (error) {
      showWriteProblem(error, 'edit-content', formError);
    }
  });
  async function remove() {
    const ok = await confirm({ title: `Delete ${collection}/${id}?`, message: 'A deletion is written as a new version; the history stays and the document can be created again.', action: 'Delete', danger: true });
    if (!ok) {
      return;
    }
    try {
      await call(base, { method: 'DELETE', header: { 'If-Match': `"${head.version}"` } });
      sessionStorage.setItem('cairn.document-message', 'Deleted.');
      await reload();
    } catch (error) {
      fill(message, problemBox(error));
    }
  }
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'current-title' },
    h('h2', { id: 'current-title' }, current ? `Current: version ${current.version}` : 'Deleted'),
    current
      ? [
          h('dl', { class: 'facts' }, h('dt', {}, 'Created'), h('dd', {}, when(current.createdAt)), h('dt', {}, 'Updated'), h('dd', {}, when(current.updatedAt))),
          h('pre', { id: 'current-json', tabindex: '0', 'aria-label': 'Current content' }, pretty(current.data)),
        ]
      : h('p', {}, `Deleted at version ${head.version}. Its history stays; saving creates it again.`),
    form,
  );
}

function diffTable(changes) {
  if (changes.length === 0) {
    return h('p', { class: 'diff-none' }, 'No difference.');
  }
  return h(
    'div',
    { class: 'diff' },
    table(
      'Differences',
      ['Change', 'Path', 'Before', 'After'],
      changes.map((c) =>
        h(
          'tr',
          { class: c.op, 'data-path': c.path },
          h('td', {}, WORDS[c.op]),
          h('td', { class: 'path' }, c.path || '(the whole document)'),
          h('td', {}, c.op === 'add' ? '' : h('pre', {}, pretty(c.before))),
          h('td', {}, c.op === 'remove' ? '' : h('pre', {}, pretty(c.after))),
        ),
      ),
    ),
  );
}
