// The sweep's frontier (models/sweep.json, written by `memrec sweep --storages ...` in
// scripts/make-web-models.sh): every configuration it trained as bytes against eval RMSE and against
// Recall@20 at every storage it measured (f32, f16, int8, int4, ...), one colour per storage, the frontier
// over all of them (no smaller file does better) drawn as a line, and the page's variants marked where the
// sweep trained their preset at their storage. Fetched only when the charts are drawn, after the first
// recommendations.

// The points of one quality: [{bytes, y, preset, storage}] for each row and storage that has the figure
// (`key`: eval_rmse or recall20). A sweep.json without `storages` (older memrec) has f32 and int8 only.
function sweepPoints(results, key) {
  const points = [];
  for (const r of results) {
    const stored = r.storages || [
      { storage: 'f32', bytes: r.bytes_f32, [key]: r[key] },
      { storage: 'int8', bytes: r.bytes_int8, [key]: r[`${key}_int8`] },
    ];
    for (const s of stored)
      if (typeof s[key] === 'number') points.push({ bytes: s.bytes, y: s[key], preset: r.preset, storage: s.storage });
  }
  return points;
}

const STORAGE_COLOURS = { f32: '#6c757d99', f16: '#8c6bb199', int8: '#2a9d8f99', int4: '#e9c46acc' };
const colour = (storage) => STORAGE_COLOURS[storage] || (storage.startsWith('pq') ? '#e76f51cc' : '#6c757d88');

// The points no other point beats at the same size or less (`better(a, b)`: a is strictly better).
export function frontier(points, better) {
  const sorted = [...points].sort((a, b) => a.bytes - b.bytes || (better(a.y, b.y) ? -1 : better(b.y, a.y) ? 1 : 0));
  const out = [];
  for (const p of sorted) if (!out.length || better(p.y, out[out.length - 1].y)) out.push(p);
  return out;
}

// A manifest id is `${preset}-${storage}` (scripts/make-web-models.sh).
const presetOf = (v) => v.id.slice(0, v.id.length - v.storage.length - 1);

function sweepChart(Chart, replace, id, points, better, variants, axis) {
  const line = frontier(points, better);
  const marked = variants.map((v) => ({ v, p: points.find((p) => p.preset === presetOf(v) && p.storage === v.storage) }))
    .filter((m) => m.p);
  const xy = (p) => ({ x: p.bytes / 1024, y: p.y });
  const canvas = document.getElementById(id);
  canvas.dataset.points = String(points.length);
  canvas.dataset.frontier = String(line.length);
  canvas.dataset.marked = String(marked.length);
  replace(Chart, id, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'frontier', data: line.map(xy), showLine: true, borderColor: '#1f6feb', backgroundColor: '#1f6feb', pointRadius: 3 },
        ...[...new Set(points.map((p) => p.storage))].map((storage) => ({
          label: storage, data: points.filter((p) => p.storage === storage).map(xy),
          backgroundColor: colour(storage), pointRadius: 3 })),
        { label: 'this page', data: marked.map((m) => xy(m.p)), backgroundColor: '#d1495b', pointRadius: 7,
          pointStyle: 'rectRot', labels: marked.map((m) => m.v.label) },
      ],
    },
    options: {
      animation: false,
      scales: {
        x: { type: 'logarithmic', title: { display: true, text: 'model file (KB, log scale)' } },
        y: { title: { display: true, text: axis }, grace: '5%' },
      },
      plugins: {
        legend: { position: 'bottom', labels: { boxWidth: 10 } },
        tooltip: { callbacks: { label: (c) => `${c.dataset.labels?.[c.dataIndex] ?? c.dataset.label}: ` +
          `${c.parsed.x.toFixed(1)} KB, ${c.parsed.y.toFixed(4)}` } },
      },
    },
  });
}

// Draws both panels; hides the figure when there is no sweep.json (the page works without it).
export async function drawSweep(Chart, replace, variants) {
  const figure = document.getElementById('sweep-figure');
  const r = await fetch('models/sweep.json', { cache: 'no-cache' }).catch(() => null);
  figure.hidden = !r || !r.ok;
  if (figure.hidden) return;
  const { results } = await r.json();
  sweepChart(Chart, replace, 'chart-sweep-rmse', sweepPoints(results, 'eval_rmse'),
    (a, b) => a < b, variants, 'eval RMSE (lower is better)');
  sweepChart(Chart, replace, 'chart-sweep-recall', sweepPoints(results, 'recall20'),
    (a, b) => a > b, variants, 'Recall@20 (higher is better)');
}
