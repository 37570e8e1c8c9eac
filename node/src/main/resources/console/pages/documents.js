// Documents: choose a collection, list its documents through the read model with the filters and
// sort its indexes allow (where.<field>.<op>, sort, limit, cursor), and create one.

import { ApiError, call, enc, get, query } from '../api.js';
import { announce, field, fieldError, fill, go, h, pageTitle, preview, problemBox, table, when } from '../dom.js';

const OPERATORS = ['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'in', 'prefix'];
const ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

export async function choose(main, { signal }) {
  const collections = await get('/v1/_collections', { signal });
  const name = h('input', { type: 'text', list: 'collection-names', autocomplete: 'off', spellcheck: 'false', required: true });
  const form = h(
    'form',
    { class: 'panel', id: 'choose-collection' },
    field({ id: 'collection-name', label: 'Collection', hint: 'A defined collection, or any other name: a collection holds documents without a definition too.', control: name }),
    h('datalist', { id: 'collection-names' }, collections.items.map((c) => h('option', { value: c.name }))),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Show documents')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (name.value.trim()) {
      go('documents/' + enc(name.value.trim()));
    }
  });
  fill(
    main,
    pageTitle('Documents', 'Pick a collection to list its documents.'),
    form,
    h('ul', { class: 'cards' }, collections.items.map((c) => h('li', { class: 'card' }, h('a', { href: `#/documents/${enc(c.name)}` }, c.name), h('p', { class: 'muted' }, Object.keys(c.definition.indexes ?? {}).length + ' indexes')))),
  );
}

export async function list(main, { params: [collection], search, signal }) {
  const definition = await get(`/v1/_collections/${enc(collection)}`, { signal }).catch((error) => {
    if (error instanceof ApiError && error.status === 404) {
      return null;
    }
    throw error;
  });
  const indexes = Object.keys(definition?.definition.indexes ?? {});
  const parameters = Object.fromEntries(search.entries());
  const response = await call(`/v1/${enc(collection)}` + query(parameters), { signal }).catch((error) => error);
  fill(
    main,
    pageTitle(`Documents in ${collection}`, definition ? null : 'This collection has no definition: no filters or sort, paging by id.'),
    h(
      'div',
      { class: 'toolbar' },
      h('a', { class: 'button', href: `#/documents/${enc(collection)}/_new`, id: 'new-document' }, 'New document'),
      definition ? h('a', { class: 'button secondary', href: `#/collections/${enc(collection)}` }, 'Definition') : null,
      h('a', { class: 'button secondary', href: `#/live?collection=${enc(collection)}` }, 'Live changes'),
    ),
    filterForm(collection, indexes, parameters),
    response instanceof Error ? problemBox(response) : results(collection, response, parameters),
  );
}

function filterForm(collection, indexes, parameters) {
  const rows = indexes.map((index) => {
    const current = Object.keys(parameters).find((p) => p === `where.${index}` || p.startsWith(`where.${index}.`));
    const op = current?.split('.')[2] ?? 'eq';
    return h(
      'div',
      { class: 'row filter', 'data-index': index },
      h('div', {}, h('label', { for: `op-${index}` }, index), h('select', { id: `op-${index}`, 'aria-label': `Operator for ${index}` }, OPERATORS.map((o) => h('option', { value: o, selected: o === op }, o)))),
      h('div', {}, h('label', { for: `value-${index}`, class: 'visually-hidden' }, `Value for ${index}`), h('input', { type: 'text', id: `value-${index}`, value: current ? parameters[current] : '', autocomplete: 'off' })),
    );
  });
  const sortValue = parameters.sort ?? '';
  const sort = h('input', { type: 'text', id: 'sort', value: sortValue, list: 'sort-fields', autocomplete: 'off', spellcheck: 'false' });
  const limit = h('input', { type: 'number', id: 'limit', min: '1', max: '1000', value: parameters.limit ?? '20' });
  const deleted = h('input', { type: 'checkbox', id: 'deleted', checked: parameters.deleted === 'true' });
  const form = h(
    'form',
    { class: 'panel', id: 'filter-form', 'aria-label': 'Filter and sort' },
    indexes.length ? h('fieldset', {}, h('legend', {}, 'Filters (declared indexes)'), rows) : h('p', { class: 'muted' }, 'No declared index: nothing to filter or sort on.'),
    h(
      'div',
      { class: 'row' },
      h('div', {}, h('label', { for: 'sort' }, 'Sort', h('span', { class: 'hint' }, 'Index names, comma-separated; “-” before one for descending')), sort, h('datalist', { id: 'sort-fields' }, indexes.flatMap((i) => [h('option', { value: i }), h('option', { value: '-' + i })]))),
      h('div', {}, h('label', { for: 'limit' }, 'Per page'), limit),
      h('div', {}, h('label', { for: 'deleted' }, deleted, ' Include deleted')),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'apply-filters' }, 'Apply'), h('a', { class: 'button secondary', href: `#/documents/${enc(collection)}` }, 'Clear')),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const row of form.querySelectorAll('.filter')) {
      const index = row.dataset.index;
      const value = row.querySelector('input').value.trim();
      const op = row.querySelector('select').value;
      if (value) {
        next.set(op === 'eq' ? `where.${index}` : `where.${index}.${op}`, value);
      }
    }
    if (sort.value.trim()) {
      next.set('sort', sort.value.trim());
    }
    if (limit.value) {
      next.set('limit', limit.value);
    }
    if (deleted.checked) {
      next.set('deleted', 'true');
    }
    go(`documents/${enc(collection)}?${next}`);
  });
  return form;
}

function results(collection, response, parameters) {
  const page = response.data;
  const lag = response.headers.get('Cairn-Read-Model-Lag');
  const stuck = response.headers.get('Cairn-Read-Model-Stuck');
  const nextParameters = new URLSearchParams({ ...parameters, cursor: page.next ?? '' });
  const firstParameters = new URLSearchParams(parameters);
  firstParameters.delete('cursor');
  return h(
    'section',
    { class: 'panel', 'aria-labelledby': 'results-title' },
    h('h2', { id: 'results-title' }, `${page.items.length} document${page.items.length === 1 ? '' : 's'}`, parameters.cursor ? ' (a later page)' : ''),
    h('p', { class: 'muted', id: 'read-model-lag' }, `From the read model, ${lag ?? '?'} ms behind the journal.`, stuck ? ` Stuck slices: ${stuck}.` : ''),
    page.items.length === 0
      ? h('p', {}, 'No document matches.')
      : table(
          'Documents',
          ['Id', { text: 'Version', class: 'num' }, 'Updated', 'Content'],
          page.items.map((d) =>
            h(
              'tr',
              { 'data-id': d.id },
              h('td', {}, h('a', { href: `#/documents/${enc(collection)}/${enc(d.id)}` }, d.id), d.deleted ? ' (deleted)' : ''),
              h('td', { class: 'num' }, d.version),
              h('td', {}, when(d.updatedAt)),
              h('td', {}, preview(d.data)),
            ),
          ),
        ),
    h(
      'div',
      { class: 'actions' },
      parameters.cursor ? h('a', { class: 'button secondary', href: `#/documents/${enc(collection)}?${firstParameters}` }, 'First page') : null,
      page.next ? h('a', { class: 'button secondary', id: 'next-page', href: `#/documents/${enc(collection)}?${nextParameters}` }, 'Next page') : null,
    ),
  );
}

export async function create(main, { params: [collection] }) {
  const id = h('input', { type: 'text', autocomplete: 'off', spellcheck: 'false' });
  const content = h('textarea', { rows: '12', spellcheck: 'false' }, '{\n  \n}');
  const formError = h('div', { id: 'document-error' });
  const form = h(
    'form',
    { class: 'panel', id: 'document-form', novalidate: true },
    field({ id: 'doc-id', label: 'Id', hint: 'Empty: the node chooses one. 1 to 128 letters, digits, “.”, “_”, “~” or “-”.', control: id }),
    field({ id: 'doc-content', label: 'Content', hint: 'A JSON object.', control: content }),
    formError,
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'create-document' }, 'Create'), h('a', { class: 'button secondary', href: `#/documents/${enc(collection)}` }, 'Cancel')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    fill(formError);
    const chosen = id.value.trim();
    fieldError('doc-id', chosen && !ID.test(chosen) ? 'Use 1 to 128 letters, digits, “.”, “_”, “~” or “-”, starting with a letter or digit.' : null);
    const data = parseObject('doc-content', content.value);
    if ((chosen && !ID.test(chosen)) || data === undefined) {
      form.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    try {
      const written = chosen
        ? await call(`/v1/${enc(collection)}/${enc(chosen)}`, { method: 'PUT', body: data, header: { 'If-None-Match': '*' } })
        : await call(`/v1/${enc(collection)}`, { method: 'POST', body: data });
      announce(`Document ${written.data.id} created.`);
      go(`documents/${enc(collection)}/${enc(written.data.id)}`);
    } catch (error) {
      showWriteProblem(error, 'doc-content', formError);
      if (error instanceof ApiError && (error.type === 'already-exists' || error.type === 'invalid-name')) {
        fieldError('doc-id', error.problem.detail);
      }
    }
  });
  fill(main, pageTitle(`New document in ${collection}`), form);
}

/** The JSON object in `text`, or undefined with the reason shown at the field `id`. */
export function parseObject(id, text) {
  try {
    const value = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      fieldError(id, 'A document is a JSON object: { … }.');
      return undefined;
    }
    fieldError(id, null);
    return value;
  } catch (error) {
    fieldError(id, 'This is not JSON: ' + error.message);
    return undefined;
  }
}

/** A refused write: schema violations next to the content field, the problem above the buttons. */
export function showWriteProblem(error, fieldId, formError) {
  if (error instanceof ApiError && error.violations.length) {
    fieldError(
      fieldId,
      error.violations.map((v) => `${v.path || '(the whole document)'}: ${v.message}`),
    );
  }
  fill(formError, problemBox(error));
  document.querySelector('[aria-invalid="true"]')?.focus();
}
