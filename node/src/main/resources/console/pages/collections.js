// Collections: the definitions (schema, indexes, rules), a definition's history, and a form that
// creates or replaces one, with the node's validation errors shown next to the field they concern.

import { ApiError, allEvents, call, enc, get } from '../api.js';
import { announce, badge, field, fieldError, fill, go, h, jsonBlock, pageTitle, pretty, problemBox, table, when } from '../dom.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export async function list(main, { signal }) {
  const collections = await get('/v1/_collections', { signal });
  fill(
    main,
    pageTitle('Collections', 'Every defined collection. A collection needs no definition to hold documents; one gives it a schema, indexes to filter and sort on, and access rules.'),
    h('div', { class: 'toolbar' }, h('a', { class: 'button', href: '#/collections/_new', id: 'new-collection' }, 'New collection')),
    collections.items.length === 0
      ? h('p', {}, 'No collection is defined yet.')
      : table(
          'Collection definitions',
          ['Name', { text: 'Version', class: 'num' }, 'Schema', 'Indexes', 'Rules', 'Updated'],
          collections.items.map((c) =>
            h(
              'tr',
              {},
              h('td', {}, h('a', { href: `#/collections/${enc(c.name)}` }, c.name)),
              h('td', { class: 'num' }, c.version),
              h('td', {}, c.definition.schema ? badge('schema', 'ok') : h('span', { class: 'muted' }, 'none')),
              h('td', {}, Object.keys(c.definition.indexes ?? {}).join(', ') || h('span', { class: 'muted' }, 'none')),
              h('td', {}, rulesSummary(c.definition.rules)),
              h('td', {}, when(c.updatedAt)),
            ),
          ),
        ),
  );
}

function rulesSummary(rules) {
  if (!rules) {
    return h('span', { class: 'muted' }, 'default');
  }
  return Object.entries(rules)
    .map(([operation, who]) => `${operation}: ${who.join(' | ')}`)
    .join('; ');
}

export async function show(main, { params: [name], signal }) {
  const [view, history] = await Promise.all([
    get(`/v1/_collections/${enc(name)}`, { signal }),
    allEvents(`/v1/_collections/${enc(name)}/events`, signal),
  ]);
  const definition = view.definition;
  fill(
    main,
    pageTitle(`Collection ${name}`, `Definition version ${view.version}, defined ${new Date(view.createdAt).toLocaleString()}.`),
    h(
      'div',
      { class: 'toolbar' },
      h('a', { class: 'button', href: `#/collections/${enc(name)}/edit`, id: 'edit-collection' }, 'Edit definition'),
      h('a', { class: 'button secondary', href: `#/documents/${enc(name)}` }, 'Documents'),
      h('a', { class: 'button secondary', href: `#/live?collection=${enc(name)}` }, 'Live changes'),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'definition-title' },
      h('h2', { id: 'definition-title' }, 'Definition'),
      h(
        'dl',
        { class: 'facts' },
        h('dt', {}, 'Owner pointer'),
        h('dd', {}, definition.owner ? h('code', {}, definition.owner) : 'none'),
        h('dt', {}, 'Snapshot every'),
        h('dd', {}, definition.snapshotEvery ? `${definition.snapshotEvery} events` : 'the node’s default'),
      ),
      h('h3', {}, 'Schema'),
      definition.schema ? jsonBlock(definition.schema, 'JSON Schema') : h('p', { class: 'muted' }, 'No schema: any JSON object is accepted.'),
      h('h3', {}, 'Indexes'),
      Object.keys(definition.indexes ?? {}).length === 0
        ? h('p', { class: 'muted' }, 'No index: lists can only be paged by id.')
        : table(
            'Indexes',
            ['Name', 'JSON Pointer', 'Type'],
            Object.entries(definition.indexes).map(([index, spec]) => h('tr', {}, h('td', {}, index), h('td', { class: 'mono' }, spec.path), h('td', {}, spec.type))),
          ),
      h('h3', {}, 'Rules'),
      table(
        'Access rules',
        ['Operation', 'Who may'],
        ['read', 'create', 'update', 'delete'].map((operation) =>
          h('tr', {}, h('td', {}, operation), h('td', {}, (definition.rules?.[operation] ?? ['authenticated']).join(', '))),
        ),
      ),
    ),
    h(
      'section',
      { class: 'panel', 'aria-labelledby': 'definition-history' },
      h('h2', { id: 'definition-history' }, 'History of the definition'),
      h(
        'ol',
        { class: 'timeline', reversed: true, id: 'definition-timeline' },
        [...history].reverse().map((entry) =>
          h(
            'li',
            {},
            h('strong', {}, `Version ${entry.version}`),
            ' ',
            badge(entry.type),
            h('div', { class: 'meta' }, when(entry.timestamp), ' by ', entry.principal ?? 'unknown', entry.requestId ? [' · request ', h('code', {}, entry.requestId)] : null),
            h('details', {}, h('summary', {}, 'The definition'), jsonBlock(entry.change, `Definition version ${entry.version}`)),
          ),
        ),
      ),
    ),
  );
}

/** The fields of the form, each a member of the definition (for mapping the node's errors). */
const FIELDS = ['schema', 'indexes', 'rules', 'owner', 'snapshotEvery'];

export async function edit(main, { params: [name], signal }) {
  const existing = name ? await get(`/v1/_collections/${enc(name)}`, { signal }) : null;
  const definition = existing?.definition ?? {};
  const controls = {
    name: h('input', { type: 'text', name: 'name', value: name ?? '', required: true, autocomplete: 'off', spellcheck: 'false', readonly: Boolean(existing) }),
    schema: h('textarea', { name: 'schema', rows: '12', spellcheck: 'false' }, definition.schema ? pretty(definition.schema) : ''),
    indexes: h('textarea', { name: 'indexes', rows: '6', spellcheck: 'false' }, definition.indexes && Object.keys(definition.indexes).length ? pretty(definition.indexes) : ''),
    rules: h('textarea', { name: 'rules', rows: '6', spellcheck: 'false' }, definition.rules ? pretty(definition.rules) : ''),
    owner: h('input', { type: 'text', name: 'owner', value: definition.owner ?? '', autocomplete: 'off', spellcheck: 'false' }),
    snapshotEvery: h('input', { type: 'number', name: 'snapshotEvery', min: '1', max: '100000', value: definition.snapshotEvery ?? '' }),
  };
  const formError = h('div', { id: 'definition-error' });
  const form = h(
    'form',
    { class: 'panel', id: 'definition-form', novalidate: true },
    field({ id: 'def-name', label: 'Name', hint: '1 to 64 letters, digits, “_” or “-”, starting with a letter or digit.', control: controls.name }),
    field({ id: 'def-schema', label: 'JSON Schema', hint: 'Draft 2020-12. Empty: no schema.', control: controls.schema }),
    field({ id: 'def-indexes', label: 'Indexes', hint: 'A JSON object: name → {"path": "/pointer", "type": "string" | "number" | "boolean" | "timestamp"}. Empty: none.', control: controls.indexes }),
    field({ id: 'def-rules', label: 'Rules', hint: 'A JSON object: read, create, update, delete → a list of "public", "authenticated", "owner", "role:<name>". Empty: any valid token.', control: controls.rules }),
    field({ id: 'def-owner', label: 'Owner pointer', hint: 'A JSON Pointer to the member holding each document’s owner, such as /owner. Empty: none.', control: controls.owner }),
    field({ id: 'def-snapshotEvery', label: 'Snapshot every', hint: 'Events between snapshots, 1 to 100000. Empty: the node’s default.', control: controls.snapshotEvery }),
    formError,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'save-definition' }, existing ? 'Save definition' : 'Create collection'), h('a', { class: 'button secondary', href: existing ? `#/collections/${enc(name)}` : '#/collections' }, 'Cancel')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(formError);
    const target = controls.name.value.trim();
    const body = {};
    let valid = true;
    fieldError('def-name', NAME.test(target) ? null : 'Use 1 to 64 letters, digits, “_” or “-”, starting with a letter or digit.');
    valid = NAME.test(target);
    for (const member of ['schema', 'indexes', 'rules']) {
      const text = controls[member].value.trim();
      fieldError('def-' + member, null);
      if (text) {
        try {
          body[member] = JSON.parse(text);
        } catch (error) {
          fieldError('def-' + member, 'This is not JSON: ' + error.message);
          valid = false;
        }
      }
    }
    fieldError('def-owner', null);
    fieldError('def-snapshotEvery', null);
    if (controls.owner.value.trim()) {
      body.owner = controls.owner.value.trim();
    }
    if (controls.snapshotEvery.value.trim()) {
      body.snapshotEvery = Number(controls.snapshotEvery.value);
    }
    if (!valid) {
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    try {
      await call(`/v1/_collections/${enc(target)}`, {
        method: 'PUT',
        body,
        header: existing ? { 'If-Match': `"${existing.version}"` } : { 'If-None-Match': '*' },
      });
      announce(`Collection ${target} saved.`);
      go(`collections/${enc(target)}`);
    } catch (error) {
      showProblem(error, form, formError);
    }
  });
  fill(main, pageTitle(existing ? `Edit ${name}` : 'New collection', 'The node checks the whole definition before anything is written and says what is wrong where.'), form);
}

/** The node's problem: each violation next to its field, the rest above the buttons. */
function showProblem(error, form, formError) {
  if (!(error instanceof ApiError)) {
    fill(formError, problemBox(error));
    return;
  }
  const byField = new Map();
  const elsewhere = [];
  for (const violation of error.violations) {
    const member = violation.path.split('/')[1] ?? '';
    const at = violation.path ? ` (at ${violation.path})` : '';
    if (FIELDS.includes(member)) {
      byField.set(member, [...(byField.get(member) ?? []), violation.message + at]);
    } else {
      elsewhere.push(violation.message + at);
    }
  }
  for (const [member, messages] of byField) {
    fieldError('def-' + member, messages);
  }
  if (error.type === 'invalid-name') {
    fieldError('def-name', error.problem.detail);
  }
  fill(formError, problemBox(error), elsewhere.length ? h('ul', {}, elsewhere.map((m) => h('li', {}, m))) : null);
  form.querySelector('[aria-invalid="true"]')?.focus();
}
