// Replay tools: the projections (state, lag, pause and resume, a rebuild with a live progress bar
// and ETA, dead letters with retry), the journal browser, the audit trail, the replay check, and
// export and import of the journal.

import { ApiError, call, enc, get, query, session, upload } from '../api.js';
import { announce, badge, confirm, duration, field, fieldError, fill, go, h, jsonBlock, number, pageTitle, preview, problemBox, table, when } from '../dom.js';

const POLL_MS = 250;

function subnav(current) {
  const pages = [
    ['replay', 'Projections'],
    ['replay/journal', 'Journal'],
    ['replay/audit', 'Audit trail'],
    ['replay/check', 'Replay check'],
    ['replay/backup', 'Export and import'],
  ];
  return h('nav', { class: 'subnav', 'aria-label': 'Replay tools' }, h('ul', {}, pages.map(([path, text]) => h('li', {}, h('a', { href: '#/' + path, 'aria-current': path === current ? 'page' : null }, text)))));
}

// ---- Projections -------------------------------------------------------------------------------

export async function projections(main, { signal }) {
  const list = h('div', { id: 'projections' });
  const message = h('div', { id: 'projection-message' });
  const rebuild = rebuildPanel(signal, () => refresh());
  fill(main, pageTitle('Replay tools', 'The read model is kept by projections of the journal; here they are held, resumed and rebuilt.'), subnav('replay'), message, list, rebuild);
  async function refresh() {
    const all = await get('/admin/projections', { signal });
    const letters = await Promise.all(all.map((p) => get(`/admin/projections/${enc(p.name)}/dead-letters`, { signal }).then((d) => d.items, () => [])));
    fill(list, all.map((p, i) => projectionPanel(p, letters[i], message, refresh)));
  }
  await refresh();
}

function projectionPanel(projection, letters, message, refresh) {
  const states = projection.slices.map((s) => s.state);
  const state = states.every((s) => s === 'paused') ? 'paused' : states.some((s) => s === 'failed') ? 'failed' : states.every((s) => s === 'running') ? 'running' : 'mixed';
  const lagEvents = Math.max(0, ...projection.slices.map((s) => s.lagEvents));
  const lagMillis = Math.max(0, ...projection.slices.map((s) => s.lagMillis));
  async function act(action) {
    try {
      const answer = await call(`/admin/projections/${enc(projection.name)}/${action}`, { method: 'POST' });
      fill(message, h('div', { class: 'notice success', role: 'status' }, `${projection.name}: ${answer.data.state}.`));
      announce(`${projection.name} is ${answer.data.state}.`);
      await refresh();
    } catch (error) {
      fill(message, problemBox(error));
    }
  }
  return h(
    'section',
    { class: 'panel projection', 'data-projection': projection.name, 'data-state': state, 'aria-labelledby': `projection-${projection.name}` },
    h('h2', { id: `projection-${projection.name}` }, `Projection ${projection.name} `, badge(state, state === 'running' ? 'ok' : state === 'failed' ? 'bad' : 'warn')),
    h('p', {}, `Lag: ${number(lagEvents)} events, ${duration(lagMillis / 1000)}. Dead letters: ${projection.deadLetters}.`),
    h(
      'div',
      { class: 'actions' },
      h('button', { type: 'button', class: 'secondary', id: `pause-${projection.name}`, disabled: state === 'paused', onclick: () => act('pause') }, 'Pause'),
      h('button', { type: 'button', class: 'secondary', id: `resume-${projection.name}`, disabled: state === 'running', onclick: () => act('resume') }, 'Resume'),
    ),
    h(
      'details',
      {},
      h('summary', {}, `${projection.slices.length} slices`),
      table(
        `Slices of ${projection.name}`,
        ['Slice', 'State', { text: 'Offset', class: 'num' }, { text: 'Newest', class: 'num' }, { text: 'Lag (events)', class: 'num' }, { text: 'Lag (ms)', class: 'num' }, 'Last error'],
        projection.slices.map((s) =>
          h('tr', {}, h('td', { class: 'mono' }, s.slice), h('td', {}, s.state), h('td', { class: 'num' }, number(s.offset)), h('td', { class: 'num' }, number(s.newestOffset)), h('td', { class: 'num' }, number(s.lagEvents)), h('td', { class: 'num' }, number(s.lagMillis)), h('td', {}, s.lastError ?? '')),
        ),
      ),
    ),
    h('h3', {}, 'Dead letters'),
    letters.length === 0
      ? h('p', { class: 'muted' }, 'None parked.')
      : table(
          `Dead letters of ${projection.name}`,
          [{ text: 'Offset', class: 'num' }, 'Document', { text: 'Version', class: 'num' }, 'Error', 'Parked', ''],
          letters.map((letter) => {
            const result = h('div', {});
            return h(
              'tr',
              {},
              h('td', { class: 'num' }, letter.offset),
              h('td', {}, h('a', { href: `#/documents/${enc(letter.collection)}/${enc(letter.id)}` }, `${letter.collection}/${letter.id}`)),
              h('td', { class: 'num' }, letter.version),
              h('td', {}, letter.error, ` (${letter.attempts} attempts)`),
              h('td', {}, when(letter.parkedAt)),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary',
                    onclick: async () => {
                      try {
                        await call(`/admin/projections/${enc(projection.name)}/dead-letters/${letter.offset}/retry`, { method: 'POST' });
                        announce(`Offset ${letter.offset} re-driven.`);
                        await refresh();
                      } catch (error) {
                        fill(result, problemBox(error));
                      }
                    },
                  },
                  'Retry',
                  h('span', { class: 'visually-hidden' }, ` offset ${letter.offset}`),
                ),
                result,
              ),
            );
          }),
        ),
  );
}

/** Rebuild of the read model: starts it, then follows its operation until it ends. */
function rebuildPanel(signal, refresh) {
  const collection = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const id = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const rate = h('input', { type: 'number', min: '1', max: '1000000', step: '1', inputmode: 'numeric' });
  const progress = h('progress', { id: 'rebuild-progress', max: '1', value: '0', 'aria-labelledby': 'rebuild-title', 'aria-describedby': 'rebuild-text' });
  const text = h('p', { id: 'rebuild-text', 'aria-live': 'polite' }, 'No rebuild started from this page.');
  const cancel = h('button', { type: 'button', class: 'secondary', id: 'rebuild-cancel', disabled: true }, 'Cancel rebuild');
  const start = h('button', { type: 'submit', id: 'rebuild-start' }, 'Rebuild');
  const message = h('div', {});
  const form = h(
    'form',
    { class: 'panel', id: 'rebuild-form', 'aria-labelledby': 'rebuild-title' },
    h('h2', { id: 'rebuild-title' }, 'Rebuild the read model'),
    h('p', { class: 'muted' }, 'Empty: every document, blue/green (lists keep answering from the old tables until the new ones have caught up). A collection, or a collection and an id: in place.'),
    h('div', { class: 'row' }, h('div', {}, field({ id: 'rebuild-collection', label: 'Collection', hint: 'Optional', control: collection })), h('div', {}, field({ id: 'rebuild-id', label: 'Document id', hint: 'Optional', control: id })), h('div', {}, field({ id: 'rebuild-rate', label: 'At most events/s', hint: 'Optional: spares the database', control: rate }))),
    h('div', { class: 'actions' }, start, cancel),
    progress,
    text,
    message,
  );
  let operation = null;
  cancel.addEventListener('click', async () => {
    if (operation) {
      await call(operation, { method: 'DELETE' }).catch((error) => fill(message, problemBox(error)));
    }
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(message);
    fieldError('rebuild-rate');
    const scope = {};
    if (collection.value.trim()) {
      scope.collection = collection.value.trim();
    }
    if (id.value.trim()) {
      scope.id = id.value.trim();
    }
    if (rate.value.trim()) {
      scope.maxEventsPerSecond = Number(rate.value.trim());
    }
    const ok = await confirm({
      title: 'Rebuild the read model?',
      message: scope.collection ? `Every document of ${scope.collection}${scope.id ? ' with id ' + scope.id : ''} is folded from its events again and its row replaced.` : 'Every document is folded from the journal into a second set of tables, which lists switch to once it has caught up.',
      action: 'Rebuild',
    });
    if (!ok) {
      return;
    }
    try {
      const started = await call('/admin/projections/documents/rebuild', { method: 'POST', body: scope });
      operation = started.headers.get('Location') ?? `/admin/operations/${enc(started.data.id)}`;
      start.disabled = true;
      cancel.disabled = false;
      await follow(started.data);
    } catch (error) {
      if (error?.problem?.detail?.includes('maxEventsPerSecond')) {
        fieldError('rebuild-rate', error.problem.detail);
      }
      fill(message, problemBox(error));
    } finally {
      start.disabled = false;
      cancel.disabled = true;
    }
  });
  /** Polls the operation until it is no longer running, showing each step. */
  async function follow(view) {
    const seen = [];
    for (;;) {
      show(view);
      seen.push(view.fraction);
      progress.dataset.seen = seen.join(' ');
      if (view.state !== 'running' && view.state !== 'cancelling') {
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      if (signal.aborted) {
        return;
      }
      view = await get(operation, { signal });
    }
  }
  function show(view) {
    progress.value = view.fraction ?? 0;
    progress.dataset.state = view.state;
    const percent = Math.round((view.fraction ?? 0) * 100);
    if (view.state === 'running' || view.state === 'cancelling') {
      text.textContent = `${view.state === 'cancelling' ? 'Cancelling' : 'Rebuilding'}: ${percent} %, ${number(view.done)} of ${number(view.total)} events, ${number(Math.round(view.eventsPerSecond))} events/s, about ${duration(view.etaSeconds)} left.`;
    } else {
      text.textContent = `Rebuild ${view.state}: ${number(view.done)} of ${number(view.total)} events in ${duration((new Date(view.finishedAt ?? Date.now()) - new Date(view.startedAt)) / 1000)}${view.message ? ': ' + view.message : ''}.`;
      refresh().catch(() => {});
    }
  }
  return form;
}

// ---- Journal -----------------------------------------------------------------------------------

export async function journal(main, { search, signal }) {
  const parameters = { after: search.get('after') ?? '', limit: search.get('limit') ?? '50', collection: search.get('collection') ?? '', since: search.get('since') ?? '' };
  const page = await get('/admin/journal' + query(parameters), { signal });
  const collection = h('input', { type: 'text', value: parameters.collection, autocomplete: 'off', spellcheck: 'false' });
  const after = h('input', { type: 'number', min: '0', value: parameters.after });
  const form = h(
    'form',
    { class: 'panel', id: 'journal-form' },
    h('div', { class: 'row' }, h('div', {}, field({ id: 'journal-collection', label: 'Collection', hint: 'Empty: all; _collections: the definitions', control: collection })), h('div', {}, field({ id: 'journal-after', label: 'After offset', control: after })), h('div', {}, h('button', { type: 'submit' }, 'Show'))),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    go('replay/journal' + query({ collection: collection.value.trim(), after: after.value }));
  });
  fill(
    main,
    pageTitle('Journal', 'Every event in the journal’s global order.'),
    subnav('replay/journal'),
    form,
    table(
      'Journal events',
      [{ text: 'Offset', class: 'num' }, 'Document', { text: 'Version', class: 'num' }, 'Type', 'When', 'Who', 'Request', 'Event'],
      page.items.map((e) =>
        h(
          'tr',
          {},
          h('td', { class: 'num' }, e.offset),
          h('td', {}, e.collection === '_collections' ? h('a', { href: `#/collections/${enc(e.id)}` }, `definition ${e.id}`) : h('a', { href: `#/documents/${enc(e.collection)}/${enc(e.id)}` }, `${e.collection}/${e.id}`)),
          h('td', { class: 'num' }, e.version),
          h('td', {}, badge(e.type)),
          h('td', {}, when(e.timestamp)),
          h('td', {}, e.principal),
          h('td', { class: 'mono' }, e.requestId ?? ''),
          h('td', {}, h('details', {}, h('summary', {}, preview(e.event)), jsonBlock(e.event, `Event at offset ${e.offset}`))),
        ),
      ),
    ),
    h('div', { class: 'actions' }, page.next ? h('a', { class: 'button secondary', href: '#/replay/journal' + query({ ...parameters, after: page.next }) }, 'Next page') : h('p', { class: 'muted' }, 'The end of the journal, for now.')),
  );
}

// ---- Audit trail -------------------------------------------------------------------------------

export async function audit(main, { search, signal }) {
  const before = search.get('before') ?? '';
  const page = await get('/admin/audit' + query({ before, limit: 50 }), { signal });
  fill(
    main,
    pageTitle('Audit trail', 'Who did which administrative operation, newest first.'),
    subnav('replay/audit'),
    table(
      'Audit trail',
      ['When', 'Who', 'Operation', { text: 'Status', class: 'num' }, 'Request', 'Parameters', 'Outcome'],
      page.items.map((e) =>
        h(
          'tr',
          {},
          h('td', {}, when(e.timestamp)),
          h('td', {}, e.principal),
          h('td', {}, h('strong', {}, e.operation)),
          h('td', { class: 'num' }, e.status),
          h('td', { class: 'mono' }, e.requestId ?? ''),
          h('td', {}, preview(e.parameters)),
          h('td', {}, h('details', {}, h('summary', {}, preview(e.outcome)), jsonBlock(e.outcome, 'Outcome'))),
        ),
      ),
    ),
    h('div', { class: 'actions' }, before ? h('a', { class: 'button secondary', href: '#/replay/audit' }, 'Newest') : null, page.next ? h('a', { class: 'button secondary', href: '#/replay/audit' + query({ before: page.next }) }, 'Older') : null),
  );
}

// ---- Replay check ------------------------------------------------------------------------------

export async function check(main) {
  const collection = h('input', { type: 'text', required: true, autocomplete: 'off', spellcheck: 'false' });
  const result = h('div', { id: 'check-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'panel', id: 'check-form' },
    field({ id: 'check-collection', label: 'Collection', hint: 'Every document is folded from its events with the code and schema running now; nothing is written.', control: collection }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Check')),
    result,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(result, h('p', {}, 'Checking…'));
    try {
      const report = await get('/admin/replay/check' + query({ collection: collection.value.trim() }), { method: 'POST' });
      fill(
        result,
        h('p', {}, `${number(report.documents)} documents, ${number(report.events)} events in ${report.millis} ms: `, badge(`${report.undecodable} undecodable`, report.undecodable ? 'bad' : 'ok'), ' ', badge(`${report.unappliable} unappliable`, report.unappliable ? 'bad' : 'ok'), ' ', badge(`${report.invalid} invalid`, report.invalid ? 'bad' : 'ok')),
        report.findings.length
          ? table('Findings', ['Id', 'Version', 'Kind', 'Message'], report.findings.map((f) => h('tr', {}, h('td', {}, h('a', { href: `#/documents/${enc(report.collection)}/${enc(f.id)}` }, f.id)), h('td', {}, f.version), h('td', {}, f.kind), h('td', {}, f.message))))
          : h('p', {}, 'No finding.'),
      );
    } catch (error) {
      fill(result, problemBox(error));
    }
  });
  fill(main, pageTitle('Replay check', 'A dry run before (or after) a code or schema change.'), subnav('replay/check'), form);
}

// ---- Export and import -------------------------------------------------------------------------

export async function backup(main) {
  const collection = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const exportStatus = h('p', { id: 'export-status', 'aria-live': 'polite' });
  const exportForm = h(
    'form',
    { class: 'panel', id: 'export-form', 'aria-labelledby': 'export-title' },
    h('h2', { id: 'export-title' }, 'Export'),
    field({ id: 'export-collection', label: 'Collection', hint: 'Empty: the whole journal. The file is NDJSON, one event a line.', control: collection }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Download export')),
    exportStatus,
  );
  exportForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    exportStatus.textContent = 'Exporting…';
    try {
      const response = await fetch('/admin/export' + query({ collection: collection.value.trim() }), { headers: { Authorization: 'Bearer ' + session.token() }, cache: 'no-store' });
      if (!response.ok) {
        throw new ApiError(response.status, await response.json().catch(() => null));
      }
      const reader = response.body.getReader();
      const chunks = [];
      let bytes = 0;
      let lines = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) {
          break;
        }
        chunks.push(value);
        bytes += value.length;
        lines += value.reduce((n, b) => n + (b === 10 ? 1 : 0), 0);
        exportStatus.textContent = `Exporting: ${number(lines)} events, ${number(Math.round(bytes / 1024))} KiB…`;
      }
      const url = URL.createObjectURL(new Blob(chunks, { type: 'application/x-ndjson' }));
      const link = h('a', { href: url, download: `cairn-export${collection.value.trim() ? '-' + collection.value.trim() : ''}.ndjson` }, 'Save the file again');
      document.body.append(link);
      link.click();
      link.remove();
      exportStatus.textContent = `Exported ${number(lines)} events (${number(Math.round(bytes / 1024))} KiB).`;
    } catch (error) {
      fill(exportStatus, problemBox(error));
    }
  });

  const file = h('input', { type: 'file', accept: '.ndjson,.gz,application/x-ndjson', required: true });
  const importStatus = h('div', { id: 'import-status', 'aria-live': 'polite' });
  const importProgress = h('progress', { id: 'import-progress', max: '1', value: '0', hidden: true, 'aria-label': 'Import', 'aria-describedby': 'import-status' });
  const importForm = h(
    'form',
    { class: 'panel', id: 'import-form', 'aria-labelledby': 'import-title' },
    h('h2', { id: 'import-title' }, 'Import'),
    field({ id: 'import-file', label: 'Export file', hint: 'NDJSON as the export writes it, or gzip (.gz). Events already here are skipped; a document whose history differs is reported and left alone.', control: file }),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Import')),
    importProgress,
    importStatus,
  );
  importForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const chosen = file.files[0];
    if (!chosen) {
      return;
    }
    const ok = await confirm({ title: 'Import this file?', message: `${chosen.name} (${number(Math.round(chosen.size / 1024))} KiB) is streamed into the journal through each document’s entity.`, action: 'Import' });
    if (!ok) {
      return;
    }
    importProgress.hidden = false;
    importProgress.value = 0;
    const line = h('p', {}, `Importing ${chosen.name}…`);
    fill(importStatus, line);
    const seen = [];
    try {
      const gzip = chosen.name.endsWith('.gz');
      const report = await upload('/admin/import', chosen, {
        type: 'application/x-ndjson',
        header: gzip ? { 'Content-Encoding': 'gzip' } : {},
        onProgress: (sent, total) => {
          const fraction = total > 0 ? Math.min(1, sent / total) : 0;
          importProgress.value = fraction;
          seen.push(fraction);
          importProgress.dataset.seen = seen.join(' ');
          line.textContent = sent < total
            ? `Importing ${chosen.name}: ${number(Math.round(sent / 1024))} of ${number(Math.round(total / 1024))} KiB sent…`
            : `Importing ${chosen.name}: all sent, waiting for the node's answer…`;
        },
      });
      let r = report.data;
      if (report.status === 202) {
        // Still writing when the node answered: the report is the operation's result.
        let view = r;
        importProgress.max = '1';
        while (view.state === 'running' || view.state === 'cancelling') {
          importProgress.value = view.fraction ?? 0;
          line.textContent = `Importing ${chosen.name}: ${number(view.done)} of ${number(view.total)} events written, ${number(Math.round(view.eventsPerSecond))} events/s…`;
          await new Promise((resolve) => setTimeout(resolve, POLL_MS));
          view = await get(`/admin/operations/${enc(view.id)}`);
        }
        if (view.state !== 'done') {
          throw new ApiError(0, { title: `Import ${view.state}`, detail: `${number(view.done)} of ${number(view.total)} events dealt with${view.message ? ': ' + view.message : ''}` });
        }
        r = view.result;
      }
      fill(importStatus, h('p', { class: 'notice success' }, `Imported ${number(r.imported)} events, skipped ${number(r.skipped)} already there, ${number(r.conflicting)} conflicting.`), r.conflicts.length ? table('Conflicts', ['Document', 'Version', 'Reason'], r.conflicts.map((c) => h('tr', {}, h('td', {}, `${c.collection}/${c.id}`), h('td', {}, c.version), h('td', {}, c.reason)))) : null);
    } catch (error) {
      fill(importStatus, problemBox(error));
    } finally {
      importProgress.hidden = true;
    }
  });
  fill(main, pageTitle('Export and import', 'Back the journal up to a file, and stream such a file back in.'), subnav('replay/backup'), exportForm, importForm);
}
