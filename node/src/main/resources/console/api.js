// The node's REST API, as the console calls it: same origin, the bearer token from this tab's
// session storage in the Authorization header (never in a URL), problems as ApiError. Any 401
// forgets the token and sends the user back to sign-in.

const TOKEN = 'cairn.token';
const NOTICE = 'cairn.notice';

export const session = {
  token: () => sessionStorage.getItem(TOKEN),
  signIn: (token) => sessionStorage.setItem(TOKEN, token),
  signOut: () => sessionStorage.removeItem(TOKEN),
  /** A message for the sign-in page, said once. */
  notice: (text) => sessionStorage.setItem(NOTICE, text),
  takeNotice: () => {
    const text = sessionStorage.getItem(NOTICE);
    sessionStorage.removeItem(NOTICE);
    return text;
  },
};

/** The claims of a JWT, read without checking it (the node checks it on every request). */
export function claims(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = decodeURIComponent(
      Array.from(atob(part), (c) => '%' + c.charCodeAt(0).toString(16).padStart(2, '0')).join(''),
    );
    return JSON.parse(json);
  } catch {
    return null;
  }
}

/** A refused request: the HTTP status and the problem (RFC 9457) the node answered with. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? `HTTP ${status}`);
    this.status = status;
    this.problem = problem ?? {};
  }

  /** The problem type's last segment, such as "schema-violation". */
  get type() {
    return (this.problem.type ?? '').split('/').pop();
  }

  /** Each failing place, {path, message}: `errors` in Cairn's problems (`violations` elsewhere). */
  get violations() {
    return this.problem.errors ?? this.problem.violations ?? [];
  }
}

let unauthorized = () => {};

/** What to do when the node answers 401: called with the problem's detail. */
export function onUnauthorized(handler) {
  unauthorized = handler;
}

function headers(extra) {
  const all = Object.fromEntries(Object.entries(extra).filter(([, value]) => value !== undefined));
  const token = session.token();
  if (token) {
    all.Authorization = 'Bearer ' + token;
  }
  return all;
}

async function refused(response) {
  const type = response.headers.get('Content-Type') ?? '';
  let problem = null;
  if (type.includes('json')) {
    problem = await response.json().catch(() => null);
  } else {
    problem = { detail: (await response.text().catch(() => '')) || response.statusText };
  }
  const error = new ApiError(response.status, problem);
  if (response.status === 401) {
    unauthorized(error);
  }
  return error;
}

/**
 * One request. `body` is sent as JSON unless it is a string, Blob or File; answers {status,
 * headers, data} with data parsed as JSON when it is JSON, or throws an ApiError.
 */
export async function call(path, { method = 'GET', body, type = 'application/json', header = {}, signal } = {}) {
  const extra = { ...header };
  let payload;
  if (body !== undefined) {
    extra['Content-Type'] = type;
    payload = typeof body === 'string' || body instanceof Blob ? body : JSON.stringify(body);
  }
  const response = await fetch(path, {
    method,
    headers: headers(extra),
    body: payload,
    signal,
    cache: 'no-store',
    credentials: 'omit',
    redirect: 'error',
  });
  if (!response.ok) {
    throw await refused(response);
  }
  const contentType = response.headers.get('Content-Type') ?? '';
  const data = contentType.includes('json')
    ? await response.json()
    : contentType.startsWith('text/')
      ? await response.text()
      : null;
  return { status: response.status, headers: response.headers, data };
}

export const get = (path, options) => call(path, options).then((r) => r.data);

/**
 * Uploads a file with XMLHttpRequest, which (unlike fetch) reports how much of the body has been
 * sent: `onProgress(sent, total)`. The node reads an import as it folds it, so what has been sent
 * follows what has been imported. Answers {status, data} as `call` does, or throws an ApiError.
 */
export function upload(path, file, { type, header = {}, onProgress = () => {} } = {}) {
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    for (const [name, value] of Object.entries(headers({ 'Content-Type': type, ...header }))) {
      request.setRequestHeader(name, value);
    }
    request.upload.addEventListener('progress', (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size));
    request.addEventListener('error', () => reject(new ApiError(0, { detail: 'the upload failed: the node could not be reached' })));
    request.addEventListener('load', () => {
      let data = null;
      if ((request.getResponseHeader('Content-Type') ?? '').includes('json')) {
        try {
          data = JSON.parse(request.responseText);
        } catch {
          data = null;
        }
      }
      if (request.status >= 200 && request.status < 300) {
        resolve({ status: request.status, data });
        return;
      }
      const error = new ApiError(request.status, data ?? { detail: request.responseText || request.statusText });
      if (request.status === 401) {
        unauthorized(error);
      }
      reject(error);
    });
    request.send(file);
  });
}

/** A query string from an object, leaving out empty values. */
export function query(parameters) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) {
    if (value !== undefined && value !== null && value !== '') {
      search.set(name, value);
    }
  }
  const text = search.toString();
  return text ? '?' + text : '';
}

export const enc = encodeURIComponent;

/** Every page of a history (`items` and `next` as `after`), oldest first. */
export async function allEvents(path, signal) {
  const items = [];
  let after = 0;
  for (;;) {
    const page = await get(path + query({ after, limit: 1000 }), { signal });
    items.push(...page.items);
    if (page.next === null || page.next === undefined || page.items.length === 0) {
      return items;
    }
    after = page.next;
  }
}

/**
 * Reads a Server-Sent Events stream with fetch(), so that the token goes in the Authorization
 * header (EventSource cannot send headers, and a token must never be in a URL). Calls
 * `onOpen()` once connected and `onEvent({id, event, data})` for each event with data
 * (heartbeats have none); resolves when the stream ends, rejects on failure or abort.
 */
export async function stream(path, { signal, lastEventId, onOpen, onEvent }) {
  const extra = { Accept: 'text/event-stream' };
  if (lastEventId) {
    extra['Last-Event-ID'] = lastEventId;
  }
  const response = await fetch(path, {
    headers: headers(extra),
    signal,
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) {
    throw await refused(response);
  }
  onOpen?.();
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = parseEvent(buffer.slice(0, end));
      buffer = buffer.slice(end + 2);
      if (event.data) {
        onEvent(event);
      }
    }
  }
}

function parseEvent(block) {
  const event = { id: null, event: 'message', data: '' };
  const data = [];
  for (const line of block.split('\n')) {
    if (line.startsWith(':')) {
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (name === 'data') {
      data.push(value);
    } else if (name === 'id') {
      event.id = value;
    } else if (name === 'event') {
      event.event = value;
    }
  }
  event.data = data.join('\n');
  return event;
}
