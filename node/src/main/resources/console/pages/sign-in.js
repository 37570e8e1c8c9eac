// Sign-in: the user pastes a bearer token (`bin/cairn token --subject you --role admin` prints
// one). It is checked with one request and kept in this tab's session storage only.

import { ApiError, call, claims, session } from '../api.js';
import { field, fieldError, fill, go, h, pageTitle } from '../dom.js';

export async function render(main) {
  const notice = session.takeNotice();
  const token = h('textarea', {
    class: 'token',
    name: 'token',
    autocomplete: 'off',
    spellcheck: 'false',
    required: true,
    rows: '5',
  });
  const form = h(
    'form',
    { class: 'panel', id: 'sign-in-form', novalidate: true },
    field({
      id: 'token',
      label: 'Bearer token',
      hint: 'Paste the token that `bin/cairn token --subject you --role admin` prints. It stays in this tab until you sign out or close it.',
      control: token,
    }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', id: 'sign-in' }, 'Sign in')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = token.value.trim().replace(/^Bearer\s+/i, '');
    if (!value) {
      fieldError('token', 'Paste a token first.');
      return;
    }
    if (!claims(value)) {
      fieldError('token', 'This is not a JWT: it should be three parts separated by dots.');
      return;
    }
    session.signIn(value);
    try {
      await call('/v1/_collections');
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) {
        return; // back here, with the notice the 401 left
      }
      if (!(error instanceof ApiError && error.status === 403)) {
        session.signOut();
        fieldError('token', 'The node could not be asked: ' + error.message);
        return;
      }
    }
    const next = sessionStorage.getItem('cairn.next');
    sessionStorage.removeItem('cairn.next');
    go(next && next !== 'sign-in' ? next : '');
  });
  fill(
    main,
    pageTitle('Sign in', 'The console calls this node’s REST API with your token, like any client.'),
    notice ? h('div', { class: 'notice', role: 'alert', id: 'sign-in-notice' }, notice) : null,
    form,
  );
  if (session.token()) {
    main.append(h('p', {}, 'You are signed in. ', h('a', { href: '#/' }, 'Go to the start page'), '.'));
  }
}
