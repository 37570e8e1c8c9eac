// The start page: every page of the console, and how this node is.

import { get } from '../api.js';
import { badge, fill, h, pageTitle } from '../dom.js';

const PAGES = [
  ['#/cluster', 'Cluster', 'Members with their status, roles and address; which node holds how many shards; leave and down.'],
  ['#/collections', 'Collections', 'Definitions with schema, indexes and rules; create and edit them; each definition’s history.'],
  ['#/documents', 'Documents', 'Lists with filters, sort and paging; a document’s JSON and its history: every version, diffs, revert.'],
  ['#/live', 'Live', 'The change feed of a collection, as it happens.'],
  ['#/replay', 'Replay tools', 'Projections with lag and state, pause and resume, rebuild, dead letters, the journal, the audit trail, replay check, export and import.'],
  ['#/health', 'Health', 'Readiness, the read model’s lag and the node’s key figures.'],
];

export async function render(main, { signal }) {
  const status = h('p', { id: 'start-status' }, 'Asking the node…');
  fill(
    main,
    pageTitle('Cairn console', 'See and operate the cluster, the collections, every document’s history and the replay tools.'),
    status,
    h(
      'ul',
      { class: 'cards' },
      PAGES.map(([href, title, text]) =>
        h('li', { class: 'card' }, h('h2', {}, h('a', { href }, title)), h('p', {}, text)),
      ),
    ),
  );
  try {
    const view = await get('/admin/cluster', { signal });
    const up = view.members.filter((m) => m.status === 'up').length;
    fill(
      status,
      'This node is ',
      h('span', { class: 'mono' }, view.self),
      '; ',
      badge(`${up} of ${view.members.length} members up`, up === view.members.length ? 'ok' : 'warn'),
      view.unreachable.length ? [' ', badge(`${view.unreachable.length} unreachable`, 'bad')] : null,
    );
  } catch (error) {
    if (error.status === 403) {
      fill(status, 'Your token has no admin role: the cluster, the replay tools and editing definitions will be refused.');
    } else if (error.status !== 401) {
      fill(status, 'The node did not say how the cluster is: ' + error.message);
    }
  }
}
