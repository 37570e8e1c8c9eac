// Health: this node's readiness, each member's status, the read model's lag, and a few figures
// from /metrics with small charts of the last minutes (sampled every 5 s while the page is open).

import { ApiError, call, get } from '../api.js';
import { badge, fill, h, number, pageTitle, problemBox, svg, table } from '../dom.js';

const SAMPLE_MS = 5000;
const KEEP = 36;

export async function render(main, { signal }) {
  const ready = h('section', { class: 'panel', id: 'readiness', 'aria-labelledby': 'ready-title' });
  const members = h('section', { class: 'panel', 'aria-labelledby': 'members-health-title' });
  const readModel = h('section', { class: 'panel', 'aria-labelledby': 'read-model-title' });
  const figures = h('ul', { class: 'figures', id: 'figures', 'aria-label': 'Key figures' });
  fill(
    main,
    pageTitle('Health', 'Sampled every 5 seconds while this page is open.'),
    ready,
    h('section', { class: 'panel', 'aria-labelledby': 'figures-title' }, h('h2', { id: 'figures-title' }, 'Key figures of this node'), figures),
    readModel,
    members,
  );
  const samples = [];
  async function sample() {
    const [readiness, cluster, slices, metrics] = await Promise.all([
      call('/health/ready', { signal }).then(() => null, (error) => error),
      get('/admin/cluster', { signal }).catch((error) => error),
      get('/health/read-model', { signal }).catch((error) => error),
      call('/metrics', { signal }).then((r) => r.data, (error) => error),
    ]);
    fill(
      ready,
      h('h2', { id: 'ready-title' }, 'Readiness'),
      readiness === null
        ? h('p', { id: 'ready-state' }, badge('ready', 'ok'), ' This node is an Up member and its journal database answers.')
        : h('div', { id: 'ready-state' }, badge('not ready', 'bad'), problemBox(readiness)),
    );
    fill(
      members,
      h('h2', { id: 'members-health-title' }, 'Members'),
      cluster instanceof Error
        ? problemBox(cluster)
        : table('Members', ['Address', 'Status', 'Reachable'], cluster.members.map((m) => h('tr', {}, h('td', { class: 'mono' }, m.address), h('td', {}, badge(m.status, m.status === 'up' ? 'ok' : 'warn')), h('td', {}, cluster.unreachable.includes(m.address) ? badge('unreachable', 'bad') : badge('reachable', 'ok'))))),
    );
    fill(
      readModel,
      h('h2', { id: 'read-model-title' }, 'Read model'),
      slices instanceof ApiError && slices.status === 503
        ? problemBox(slices)
        : slices instanceof Error
          ? problemBox(slices)
          : [
              h('p', {}, `Largest lag: ${number(slices.lagMillis)} ms.`),
              table('Read model slices', ['Slice', { text: 'Projected', class: 'num' }, { text: 'Newest', class: 'num' }, { text: 'Lag (ms)', class: 'num' }, 'Stuck'], slices.slices.map((s) => h('tr', {}, h('td', { class: 'mono' }, s.slice), h('td', { class: 'num' }, number(s.projectedOrdering)), h('td', { class: 'num' }, number(s.newestOrdering)), h('td', { class: 'num' }, number(s.lagMillis)), h('td', {}, s.stuck ? badge('stuck', 'bad') : 'no')))),
            ],
    );
    if (metrics instanceof Error) {
      fill(figures, h('li', {}, problemBox(metrics)));
      return;
    }
    const m = parse(metrics);
    samples.push({ at: Date.now(), ...m });
    if (samples.length > KEEP) {
      samples.shift();
    }
    fill(figures, FIGURES.map((f) => figure(f, samples)));
  }
  await sample();
  const timer = setInterval(() => sample().catch(() => {}), SAMPLE_MS);
  signal.addEventListener('abort', () => clearInterval(timer));
}

/** Each figure: a name, how to read it from consecutive samples, and how to show it. */
const FIGURES = [
  { name: 'Requests per second', value: (a, b) => (a ? (b.requests - a.requests) / ((b.at - a.at) / 1000) : null), format: (v) => v.toFixed(1) },
  { name: 'Mean latency', value: (a, b) => (a && b.requests > a.requests ? (1000 * (b.seconds - a.seconds)) / (b.requests - a.requests) : null), format: (v) => v.toFixed(1) + ' ms' },
  { name: 'Projection lag', value: (a, b) => b.lagSeconds * 1000, format: (v) => Math.round(v) + ' ms' },
  { name: 'Documents in memory', value: (a, b) => b.entities, format: (v) => number(v) },
  { name: 'Events written', value: (a, b) => b.events, format: (v) => number(v) },
  { name: 'Heap used', value: (a, b) => b.heap / 1048576, format: (v) => v.toFixed(0) + ' MiB' },
];

function figure(spec, samples) {
  const values = samples.map((s, i) => spec.value(samples[i - 1], s)).filter((v) => v !== null && Number.isFinite(v));
  const latest = values[values.length - 1];
  return h(
    'li',
    { class: 'figure' },
    h('div', { class: 'muted' }, spec.name),
    h('div', { class: 'value' }, latest === undefined ? '–' : spec.format(latest)),
    sparkline(values, spec.name),
  );
}

function sparkline(values, name) {
  const width = 200;
  const height = 40;
  const max = Math.max(...values, 1e-9);
  const min = Math.min(...values, 0);
  const step = width / Math.max(1, KEEP - 1);
  const points = values.map((v, i) => `${(i * step).toFixed(1)},${(height - 2 - ((v - min) / (max - min || 1)) * (height - 4)).toFixed(1)}`).join(' ');
  return svg('svg', { class: 'spark', viewBox: `0 0 ${width} ${height}`, preserveAspectRatio: 'none', role: 'img', 'aria-label': `${name}, last ${values.length} samples` }, values.length > 1 ? svg('polyline', { points }) : null);
}

/** The few series the figures read, summed over their labels. */
function parse(text) {
  const sums = { requests: 0, seconds: 0, lagSeconds: 0, entities: 0, events: 0, heap: 0 };
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) {
      continue;
    }
    const space = line.lastIndexOf(' ');
    const series = line.slice(0, space);
    const value = Number(line.slice(space + 1));
    if (!Number.isFinite(value)) {
      continue;
    }
    const name = series.split('{')[0];
    if (name === 'cairn_http_requests_seconds_count') {
      sums.requests += value;
    } else if (name === 'cairn_http_requests_seconds_sum') {
      sums.seconds += value;
    } else if (name === 'cairn_projection_lag_seconds') {
      sums.lagSeconds = Math.max(sums.lagSeconds, value);
    } else if (name === 'cairn_entities_active') {
      sums.entities += value;
    } else if (name === 'cairn_journal_events_written_total') {
      sums.events += value;
    } else if (name === 'jvm_memory_used_bytes' && series.includes('area="heap"')) {
      sums.heap += value;
    }
  }
  return sums;
}
