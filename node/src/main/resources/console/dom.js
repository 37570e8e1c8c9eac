// Building the page: elements from data (text is always text, never parsed as HTML), the
// announcer for screen readers, the confirmation dialog, and the formats the pages share.

/**
 * An element: h('button', {type: 'button', onclick: f}, 'Save'). Attributes whose value is null,
 * undefined or false are left out, true gives an empty attribute, on* are listeners, and value
 * and checked are set as properties. Children are nodes, strings, numbers or arrays of them.
 */
export function h(tag, attributes, ...children) {
  const element = tag.includes(':')
    ? document.createElementNS('http://www.w3.org/2000/svg', tag.slice(tag.indexOf(':') + 1))
    : document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === null || value === undefined || value === false) {
      continue;
    }
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), value);
    } else if (name === 'value' || name === 'checked') {
      element[name] = value;
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/** Goes to the page at `path` (the part after "#/"). */
export function go(path) {
  window.location.hash = '#/' + path;
}

/** An SVG element: svg('rect', {x: 0, ...}). */
export function svg(tag, attributes, ...children) {
  return h('svg:' + tag, attributes, ...children);
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) {
      continue;
    }
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replaces what `parent` holds. */
export function fill(parent, ...children) {
  parent.replaceChildren();
  return append(parent, children);
}

/** Says `text` to screen readers (the page's one polite live region). */
export function announce(text) {
  const announcer = document.getElementById('announcer');
  announcer.textContent = '';
  // A new text node after clearing makes screen readers read it again even if it is the same.
  queueMicrotask(() => (announcer.textContent = text));
}

/** Asks for a confirmation in a modal dialog; resolves true only for the confirm button. */
export function confirm({ title, message, action = 'Confirm', danger = false }) {
  const dialog = document.getElementById('confirm');
  document.getElementById('confirm-title').textContent = title;
  document.getElementById('confirm-message').textContent = message;
  const ok = document.getElementById('confirm-ok');
  ok.textContent = action;
  ok.className = danger ? 'danger' : '';
  const opener = document.activeElement;
  return new Promise((resolve) => {
    dialog.addEventListener(
      'close',
      () => {
        resolve(dialog.returnValue === 'ok');
        if (opener instanceof HTMLElement) {
          opener.focus();
        }
      },
      { once: true },
    );
    dialog.returnValue = 'cancel';
    dialog.showModal();
    document.getElementById('confirm-cancel').focus();
  });
}

/** A timestamp as the reader's local time, with the exact instant as machine-readable text. */
export function when(iso) {
  if (!iso) {
    return h('span', { class: 'muted' }, '–');
  }
  const date = new Date(iso);
  return h('time', { datetime: iso, title: iso }, date.toLocaleString());
}

export function pretty(value) {
  return JSON.stringify(value, null, 2);
}

export function jsonBlock(value, label) {
  return h('pre', { tabindex: '0', 'aria-label': label ?? 'JSON' }, pretty(value));
}

/** One line of JSON, for previews in tables. */
export function preview(value) {
  const text = JSON.stringify(value);
  return h('span', { class: 'preview mono', title: text }, text ?? 'null');
}

export function badge(text, kind) {
  return h('span', { class: 'badge ' + (kind ?? '') }, text);
}

export function table(caption, headings, rows) {
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      caption ? h('caption', { class: 'visually-hidden' }, caption) : null,
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          headings.map((heading) =>
            typeof heading === 'string'
              ? h('th', { scope: 'col' }, heading)
              : h('th', { scope: 'col', class: heading.class }, heading.text),
          ),
        ),
      ),
      h('tbody', {}, rows),
    ),
  );
}

/** A labelled form control with a place for its error, tied together for screen readers. */
export function field({ id, label, hint, control }) {
  control.id = id;
  const described = [];
  let hintElement = null;
  if (hint) {
    hintElement = h('span', { class: 'hint', id: id + '-hint' }, hint);
    described.push(hintElement.id);
  }
  const error = h('div', { class: 'field-error', id: id + '-error', role: 'alert' });
  described.push(error.id);
  control.setAttribute('aria-describedby', described.join(' '));
  return h('div', { class: 'field' }, h('label', { for: id }, label, hintElement), control, error);
}

/** Shows `messages` as the error of the field `id` (none: clears it). */
export function fieldError(id, messages) {
  const control = document.getElementById(id);
  const error = document.getElementById(id + '-error');
  if (!control || !error) {
    return false;
  }
  const list = [].concat(messages ?? []).filter(Boolean);
  if (list.length === 0) {
    control.removeAttribute('aria-invalid');
    error.replaceChildren();
  } else {
    control.setAttribute('aria-invalid', 'true');
    fill(error, list.length === 1 ? list[0] : h('ul', {}, list.map((m) => h('li', {}, m))));
  }
  return true;
}

/** An error box for a failed request or a problem the server answered with. */
export function problemBox(error) {
  const problem = error?.problem ?? {};
  return h(
    'div',
    { class: 'alert', role: 'alert' },
    h('strong', {}, problem.title ?? 'Something went wrong'),
    h('p', {}, problem.detail ?? error?.message ?? String(error)),
    problem.type ? h('p', { class: 'muted mono' }, problem.type) : null,
  );
}

/** The page's heading, which takes the focus after navigation so screen readers start there. */
export function pageTitle(text, lead) {
  document.title = text + ' · Cairn console';
  return [h('h1', { tabindex: '-1', id: 'page-title' }, text), lead ? h('p', { class: 'lead' }, lead) : null];
}

export function number(n) {
  return n === null || n === undefined ? '–' : Number(n).toLocaleString();
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined) {
    return '–';
  }
  const s = Math.round(seconds);
  if (s < 60) {
    return s + ' s';
  }
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}
