// Live: a collection's change feed (or every collection's), read with fetch() so the token goes in
// the Authorization header. Starts now (after the journal's newest offset) or from the beginning;
// after a dropped connection it resumes with Last-Event-ID, without a gap or a duplicate.

import { enc, get, stream } from '../api.js';
import { badge, field, fill, go, h, pageTitle, preview, problemBox, when } from '../dom.js';

const KEEP = 200;
const RETRY_MS = 2000;

export async function render(main, { search, signal }) {
  const collection = search.get('collection') ?? '';
  const from = search.get('from') ?? 'now';
  const collections = await get('/v1/_collections', { signal }).catch(() => ({ items: [] }));
  const name = h('input', { type: 'text', list: 'live-collections', value: collection, autocomplete: 'off', spellcheck: 'false' });
  const start = h('select', {}, h('option', { value: 'now', selected: from === 'now' }, 'Changes from now on'), h('option', { value: 'beginning', selected: from === 'beginning' }, 'Every change, from the beginning'));
  const form = h(
    'form',
    { class: 'panel', id: 'live-form' },
    h(
      'div',
      { class: 'row' },
      h('div', {}, field({ id: 'live-collection', label: 'Collection', hint: 'Empty: every collection.', control: name })),
      h('div', {}, field({ id: 'live-from', label: 'Start', control: start })),
      h('div', {}, h('button', { type: 'submit', id: 'live-start' }, 'Watch')),
    ),
    h('datalist', { id: 'live-collections' }, collections.items.map((c) => h('option', { value: c.name }))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams({ collection: name.value.trim(), from: start.value, watch: String(Date.now()) });
    go('live?' + next);
  });
  const watching = search.has('watch');
  const status = h('p', { id: 'live-status', role: 'status' }, watching ? 'Connecting…' : 'Not watching.');
  const count = h('span', { id: 'live-count' }, '0');
  const feed = h('ol', { class: 'feed', id: 'live-feed', 'aria-label': 'Changes, newest first' });
  const stop = h('button', { type: 'button', class: 'secondary', id: 'live-stop', disabled: !watching }, 'Stop');
  fill(
    main,
    pageTitle('Live', 'Every write, as the node commits it, from the change feed (Server-Sent Events).'),
    form,
    h('section', { class: 'panel', 'aria-labelledby': 'live-title' }, h('h2', { id: 'live-title' }, collection ? `Changes in ${collection}` : 'Changes in every collection'), h('div', { class: 'toolbar' }, status, stop), h('p', { class: 'muted' }, count, ' changes received (the newest 200 are kept).'), feed),
  );
  if (!watching) {
    return;
  }
  const controller = new AbortController();
  signal.addEventListener('abort', () => controller.abort());
  stop.addEventListener('click', () => {
    controller.abort();
    stop.disabled = true;
    status.textContent = 'Stopped.';
  });
  const path = collection ? `/v1/${enc(collection)}/_changes` : '/v1/_changes';
  let lastEventId = from === 'now' ? await journalHead(controller.signal) : null;
  let received = 0;
  // Runs until the user leaves or stops: reconnects after a dropped connection.
  (async () => {
    while (!controller.signal.aborted) {
      try {
        await stream(path, {
          signal: controller.signal,
          lastEventId,
          onOpen: () => (status.textContent = 'Connected: waiting for changes.'),
          onEvent: (event) => {
            if (event.id) {
              lastEventId = event.id;
            }
            if (event.event === 'failed') {
              status.textContent = 'The feed failed: ' + event.data;
              return;
            }
            received++;
            count.textContent = String(received);
            feed.prepend(entry(JSON.parse(event.data), event.id));
            while (feed.children.length > KEEP) {
              feed.lastChild.remove();
            }
          },
        });
        status.textContent = 'The node closed the feed; reconnecting…';
      } catch (error) {
        if (controller.signal.aborted) {
          return;
        }
        if (error.status === 401) {
          return;
        }
        fill(status, 'Disconnected (', error.message, '); reconnecting…');
        if (error.status && error.status !== 429 && error.status !== 503) {
          status.replaceWith(problemBox(error));
          return;
        }
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS));
    }
  })();
}

/** The journal's newest offset, so that "from now on" starts after it; null if unknown. */
async function journalHead(signal) {
  try {
    const projections = await get('/admin/projections', { signal });
    const newest = projections.flatMap((p) => p.slices.map((s) => s.newestOffset ?? 0));
    return newest.length ? String(Math.max(...newest)) : null;
  } catch {
    return null;
  }
}

function entry(change, offset) {
  return h(
    'li',
    { 'data-id': change.id, 'data-collection': change.collection },
    h('strong', {}, h('a', { href: `#/documents/${enc(change.collection)}/${enc(change.id)}` }, `${change.collection}/${change.id}`)),
    ' version ',
    change.version,
    ' ',
    badge(change.type, change.type === 'deleted' ? 'bad' : 'ok'),
    ' ',
    when(change.timestamp),
    ' by ',
    change.principal ?? 'unknown',
    change.requestId ? [' · request ', h('code', {}, change.requestId)] : null,
    h('span', { class: 'muted' }, ` · offset ${offset}`),
    h('div', {}, preview(change.change)),
  );
}
