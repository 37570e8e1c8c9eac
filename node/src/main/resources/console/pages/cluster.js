// Cluster: the members as this node sees them, the shard map as bars, leave and down.

import { call, enc, get } from '../api.js';
import { announce, badge, confirm, fill, h, number, pageTitle, problemBox, svg, table } from '../dom.js';

const REFRESH_MS = 5000;

export async function render(main, { signal }) {
  const members = h('section', { class: 'panel', 'aria-labelledby': 'members-title' });
  const shards = h('section', { class: 'panel', 'aria-labelledby': 'shards-title' });
  const message = h('div', { id: 'cluster-message' });
  fill(
    main,
    pageTitle('Cluster', 'Every member as this node sees it. Refreshed every 5 seconds.'),
    h('div', { class: 'toolbar' }, h('button', { type: 'button', class: 'secondary', onclick: () => refresh() }, 'Refresh now')),
    message,
    members,
    shards,
  );
  async function refresh() {
    const [view, map] = await Promise.all([
      get('/admin/cluster', { signal }),
      get('/admin/cluster/shards', { signal }).catch((error) => error),
    ]);
    fill(members, h('h2', { id: 'members-title' }, 'Members'), memberTable(view, message, refresh));
    fill(shards, h('h2', { id: 'shards-title' }, 'Shards per node'), map instanceof Error ? problemBox(map) : shardPicture(map));
  }
  await refresh();
  const timer = setInterval(() => {
    // Not while a confirmation is open: its member's row must stay where the focus returns.
    if (!document.getElementById('confirm').open) {
      refresh().catch(() => {});
    }
  }, REFRESH_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
}

function memberTable(view, message, refresh) {
  const unreachable = new Set(view.unreachable);
  return table(
    'Cluster members',
    ['Address', 'Status', 'Roles', 'Data centre', '', 'Actions'],
    view.members.map((member) =>
      h(
        'tr',
        { 'data-address': member.address },
        h('td', { class: 'mono' }, member.address),
        h('td', {}, badge(member.status, member.status === 'up' ? 'ok' : 'warn'), unreachable.has(member.address) ? [' ', badge('unreachable', 'bad')] : null),
        h('td', {}, member.roles.filter((r) => !r.startsWith('dc-')).join(', ') || '–'),
        h('td', {}, member.dataCenter),
        h('td', {}, member.address === view.leader ? badge('leader') : null, ' ', member.address === view.self ? badge('this node') : null),
        h(
          'td',
          {},
          h('div', { class: 'actions' },
            h('button', { type: 'button', class: 'secondary', onclick: () => act(member, 'leave', message, refresh) }, 'Leave', h('span', { class: 'visually-hidden' }, ' ' + member.address)),
            h('button', { type: 'button', class: 'danger', onclick: () => act(member, 'down', message, refresh) }, 'Down', h('span', { class: 'visually-hidden' }, ' ' + member.address)),
          ),
        ),
      ),
    ),
  );
}

async function act(member, action, message, refresh) {
  const leave = action === 'leave';
  const ok = await confirm({
    title: leave ? 'Let this member leave?' : 'Mark this member as down?',
    message: leave
      ? `${member.address} hands its shards to the other members and stops. Its documents answer from the others.`
      : `${member.address} is removed from the cluster at once, without handing anything off. Only do this for a member that is gone (unreachable and not coming back); a down member must be restarted to join again.`,
    action: leave ? 'Leave' : 'Down',
    danger: true,
  });
  if (!ok) {
    announce('Cancelled.');
    return;
  }
  try {
    await call(`/admin/cluster/members/${enc(member.address)}/${action}`, { method: 'POST' });
    fill(message, h('div', { class: 'notice success', role: 'status' }, `Asked ${member.address} to ${action}.`));
    await refresh();
  } catch (error) {
    fill(message, problemBox(error));
  }
}

/** One bar per node: its share of the shards, and of the documents in memory. */
function shardPicture(map) {
  const regions = [...map.regions].sort((a, b) => a.address.localeCompare(b.address));
  const totalShards = Math.max(1, regions.reduce((n, r) => n + r.shardCount, 0));
  const totalDocs = Math.max(1, regions.reduce((n, r) => n + r.entityCount, 0));
  const rowHeight = 44;
  const labelWidth = 230;
  const barWidth = 520;
  const width = labelWidth + barWidth + 120;
  const picture = svg(
    'svg',
    {
      class: 'bars',
      viewBox: `0 0 ${width} ${Math.max(1, regions.length) * rowHeight + 10}`,
      role: 'img',
      'aria-label': regions.map((r) => `${r.address}: ${r.shardCount} shards, ${r.entityCount} documents in memory`).join('; ') || 'No shards are allocated yet',
    },
    regions.map((r, i) => {
      const y = i * rowHeight + 6;
      const shardWidth = (barWidth * r.shardCount) / totalShards;
      const docWidth = (barWidth * r.entityCount) / totalDocs;
      return svg(
        'g',
        {},
        svg('text', { x: 0, y: y + 14 }, shortAddress(r.address)),
        svg('rect', { class: 'bar-track', x: labelWidth, y, width: barWidth, height: 16, rx: 3 }),
        svg('rect', { class: 'bar-shards', x: labelWidth, y, width: shardWidth, height: 16, rx: 3 }),
        svg('text', { x: labelWidth + barWidth + 8, y: y + 13 }, `${r.shardCount} shards`),
        svg('rect', { class: 'bar-track', x: labelWidth, y: y + 20, width: barWidth, height: 12, rx: 3 }),
        svg('rect', { class: 'bar-docs', x: labelWidth, y: y + 20, width: docWidth, height: 12, rx: 3 }),
        svg('text', { x: labelWidth + barWidth + 8, y: y + 31 }, `${r.entityCount} docs`),
      );
    }),
  );
  return h(
    'div',
    { id: 'shard-map' },
    h('p', { class: 'muted' }, `${map.entityType}: ${number(map.numberOfShards)} shards in all. Blue: shards held; green: documents in memory.`),
    picture,
    table(
      'Shards per node',
      ['Node', { text: 'Shards', class: 'num' }, { text: 'Documents in memory', class: 'num' }],
      regions.map((r) => h('tr', {}, h('td', { class: 'mono' }, r.address), h('td', { class: 'num' }, number(r.shardCount)), h('td', { class: 'num' }, number(r.entityCount)))),
    ),
    map.unanswered.length ? h('p', { class: 'muted' }, `Did not report in time (not counted above): ${map.unanswered.join(', ')}.`) : null,
  );
}

function shortAddress(address) {
  return address.replace(/^pekko:\/\/[^@]+@/, '');
}
