// The page's three charts, drawn with Chart.js (vendor/chart.umd.js, copied from node_modules by
// scripts/demo.sh and served locally: no CDN, so the page works offline). Chart.js is loaded only when the
// charts are drawn, after the first recommendations are on screen.
import { drawSweep } from './sweep-chart.js';

const COLORS = ['#1f6feb', '#d1495b', '#2a9d8f', '#e9a23b', '#7b4bb7', '#6c757d'];
const charts = {};
let chartJs = null;

export function loadChartJs() {
  if (!chartJs) {
    chartJs = new Promise((resolve, reject) => {
      if (globalThis.Chart) return resolve(globalThis.Chart);
      const s = document.createElement('script');
      s.src = 'vendor/chart.umd.js';
      s.onload = () => (globalThis.Chart ? resolve(globalThis.Chart) : reject(new Error('Chart.js did not load')));
      s.onerror = () => reject(new Error('the charting library (vendor/chart.umd.js) is missing on the server'));
      document.head.append(s);
    });
  }
  return chartJs;
}

function replace(Chart, id, config) {
  if (charts[id]) charts[id].destroy();
  charts[id] = new Chart(document.getElementById(id), config);
}

// Log-axis labels at 1, 2 and 5 times a power of ten only, as plain integers.
function niceLogTick(value) {
  const p = 10 ** Math.floor(Math.log10(value));
  const m = Math.round(value / p);
  return [1, 2, 5].includes(m) && Math.abs(value - m * p) < 1e-6 * p ? new Intl.NumberFormat('en-US').format(value) : '';
}

function kb(bytes) {
  return `${(bytes / 1024).toFixed(bytes < 10240 ? 1 : 0)} KB`;
}

// A rating model is judged by its eval RMSE; a ranking model (any objective whose users are folded in)
// stores no rating error, only top-N figures (Recall@20, which may be missing).
const isRanking = (v) => v.info.foldIn;

// The canvases of the training curves' small multiples, one per run: the first is the page's own
// (index.html), the others are made here, after dropping those of an earlier drawing.
function curveCanvases(count) {
  const first = document.getElementById('chart-curves');
  const box = first.closest('.multiples');
  for (const canvas of box.querySelectorAll('canvas:not(#chart-curves)')) {
    charts[canvas.id]?.destroy();
    delete charts[canvas.id];
    canvas.closest('.panel').remove();
  }
  const out = [first];
  for (let i = 2; i <= count; ++i) {
    const canvas = document.createElement('canvas');
    canvas.id = `chart-curves-${i}`;
    canvas.setAttribute('role', 'img');
    const panel = document.createElement('div');
    panel.className = 'panel';
    panel.append(canvas);
    box.append(panel);
    out.push(canvas);
  }
  return out;
}

// The distinct training runs among the variants: quantised exports of one run share its history, so a run
// is named by its preset and the storages that share it.
function trainingRuns(variants) {
  const runs = new Map();
  for (const v of variants) {
    const h = v.info.history;
    if (!h || h.length === 0) continue;
    const key = JSON.stringify(h.map((e) => [e.trainLoss, e.eval.rmse]));
    if (!runs.has(key)) {
      runs.set(key, { preset: v.info.training.preset || v.label, storages: [], history: h, ranking: isRanking(v),
        validation: v.info.training.earlyStopping > 0 });
    }
    runs.get(key).storages.push(v.info.storage);
  }
  return [...runs.values()];
}

// Training curves as small multiples: one chart per run, each with its own epoch axis (a 3-epoch run is
// not squeezed into a 25-epoch one); rating runs share one RMSE scale so that they compare at a glance. A
// run whose epoch was chosen by early stopping measured each epoch on its validation slice, not on eval.
function drawCurves(Chart, variants) {
  const runs = trainingRuns(variants);
  const curves = runs.map((run) => {
    const train = run.history.map((e) => ({ x: e.epoch, y: run.ranking ? e.trainLoss : Math.sqrt(e.trainLoss) }));
    const held = run.history.filter((e) => e.eval.count > 0).map((e) => ({ x: e.epoch, y: e.eval.rmse }));
    return { train, held };
  });
  const rmse = curves.filter((c, i) => !runs[i].ranking).flatMap((c) => [...c.train, ...c.held].map((p) => p.y));
  const canvases = curveCanvases(runs.length);
  runs.forEach((run, i) => {
    const color = COLORS[i % COLORS.length];
    const { train, held } = curves[i];
    const datasets = [{ label: run.ranking ? 'train loss' : 'train', data: train, borderColor: color,
      backgroundColor: color, borderDash: [5, 4], tension: 0.2, pointRadius: 2 }];
    if (held.length) {
      datasets.push({ label: run.validation ? 'validation' : 'eval', data: held, borderColor: color,
        backgroundColor: color, tension: 0.2, pointRadius: 2 });
    }
    const epochs = Math.max(...run.history.map((e) => e.epoch));
    const name = `${run.preset} (${run.storages.join(', ')})`;
    canvases[i].setAttribute('aria-label', `training curve of ${name} over ${epochs} epochs`);
    replace(Chart, canvases[i].id, {
      type: 'line',
      data: { datasets },
      options: {
        animation: false,
        parsing: false,
        scales: {
          x: { type: 'linear', title: { display: true, text: 'epoch' }, min: 1, max: Math.max(2, epochs),
            ticks: { precision: 0, maxTicksLimit: 8 } },
          y: run.ranking ? { title: { display: true, text: 'loss per positive' } }
            : { title: { display: true, text: 'RMSE' }, min: Math.floor(Math.min(...rmse) * 20) / 20,
              max: Math.ceil(Math.max(...rmse) * 20) / 20 },
        },
        plugins: {
          title: { display: true, text: name },
          legend: { position: 'bottom', labels: { boxWidth: 18, boxHeight: 2, padding: 6 } },
        },
      },
    });
  });
}

// Writes each point's dataset label beside it, instead of a legend that would take a third of the chart:
// right of the point, else left, above or below, whichever first overlaps no label already written.
const pointLabels = {
  id: 'pointLabels',
  afterDatasetsDraw(chart) {
    const { ctx, chartArea: area } = chart;
    ctx.save();
    ctx.font = `12px ${getComputedStyle(document.body).fontFamily}`;
    ctx.fillStyle = '#1d2329';
    ctx.textBaseline = 'middle';
    const points = chart.data.datasets.map((d, i) => chart.getDatasetMeta(i).data[0]).filter(Boolean);
    const taken = points.map((p) => ({ x: p.x - 7, y: p.y - 7, w: 14, h: 14 }));
    const overlaps = (a, b) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
    chart.data.datasets.forEach((d, i) => {
      const p = chart.getDatasetMeta(i).data[0];
      if (!p) return;
      const w = ctx.measureText(d.label).width;
      const h = 14;
      const places = [{ x: p.x + 10, y: p.y - h / 2 }, { x: p.x - 10 - w, y: p.y - h / 2 },
        { x: p.x - w / 2, y: p.y - 10 - h }, { x: p.x - w / 2, y: p.y + 10 }].map((b) => ({ ...b, w, h }));
      const inside = (b) => b.x >= area.left && b.x + w <= area.right && b.y >= area.top && b.y + h <= area.bottom;
      const box = places.find((b) => inside(b) && !taken.some((t) => overlaps(b, t))) || places[0];
      taken.push(box);
      ctx.textAlign = 'left';
      ctx.fillText(d.label, box.x, box.y + h / 2);
    });
    ctx.restore();
  },
};

// Size against quality, one panel per kind of model: the bytes this page downloaded for each variant
// against the eval RMSE in its file (rating models, lower is better) or its Recall@20 (ranking models,
// higher is better).
function drawSize(Chart, variants) {
  const rating = variants.filter((v) => !isRanking(v) && v.info.eval.count > 0);
  const ranking = variants.filter((v) => isRanking(v) && typeof v.info.ranking?.recall20 === 'number');
  sizeChart(Chart, 'chart-size', rating, (v) => v.info.eval.rmse, 'eval RMSE (lower is better)',
    (y) => `RMSE ${y.toFixed(4)}`);
  const recallPanel = document.getElementById('chart-size-recall').closest('.panel');
  recallPanel.hidden = ranking.length === 0;
  if (ranking.length) {
    sizeChart(Chart, 'chart-size-recall', ranking, (v) => v.info.ranking.recall20, 'Recall@20 (higher is better)',
      (y) => `Recall@20 ${y.toFixed(4)}`);
  }
  const unmeasured = variants.filter((v) => isRanking(v) && typeof v.info.ranking?.recall20 !== 'number');
  document.getElementById('size-caption').textContent = 'Bytes downloaded (compressed) against quality, per ' +
    'variant: eval RMSE for the rating models' + (ranking.length ? ', Recall@20 for the ranking models' : '') + '.' +
    (unmeasured.length ? ` No Recall@20 stored for ${unmeasured.map((v) => v.label).join(', ')}.` : '');
}

function sizeChart(Chart, id, variants, quality, axis, text) {
  const kbs = variants.map((v) => v.bytes.wire / 1024);
  const datasets = variants.map((v, i) => ({
    label: v.label,
    data: [{ x: v.bytes.wire / 1024, y: quality(v) }],
    backgroundColor: COLORS[i % COLORS.length],
    pointRadius: 6,
    pointHoverRadius: 8,
  }));
  replace(Chart, id, {
    type: 'scatter',
    data: { datasets },
    plugins: [pointLabels],
    options: {
      animation: false,
      layout: { padding: { top: 8, right: 12 } },
      scales: {
        // Room beyond the outermost points for their labels.
        x: { type: 'logarithmic', title: { display: true, text: 'downloaded (KB, log scale)' },
          min: Math.min(...kbs) / 1.5, max: Math.max(...kbs) * 1.5, ticks: { callback: niceLogTick, maxRotation: 0 } },
        y: { title: { display: true, text: axis }, grace: '10%' },
      },
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${kb(c.parsed.x * 1024)}, ${text(c.parsed.y)}` } },
      },
    },
  });
}

// Movie popularity: training ratings per movie, most popular first (log scale), coloured by the
// mixed-dimension block each movie falls in, which is what decides its embedding width.
function drawPopularity(Chart, variants) {
  const withCounts = variants.find((v) => v.info.itemCounts && v.info.itemCounts.length);
  if (!withCounts) return;
  const counts = Array.from(withCounts.info.itemCounts).sort((a, b) => b - a);
  const md = variants.find((v) => v.info.itemTable.kind === 'md');
  const ends = md ? [...md.info.itemTable.blockEnds, counts.length] : [counts.length];
  const dims = md ? md.info.itemTable.blockDims : [withCounts.info.dim];
  const datasets = [];
  let begin = 0;
  ends.forEach((end, b) => {
    const color = COLORS[b % COLORS.length];
    const data = [];
    // Share the boundary point so the coloured areas join up.
    for (let i = begin; i < Math.min(end + 1, counts.length); ++i) data.push({ x: i + 1, y: Math.max(counts[i], 0.8) });
    datasets.push({
      label: md ? `block ${b}: movies ${begin + 1}-${end} at ${dims[b]} dims` : `all movies (${dims[0]} dims)`,
      data,
      borderColor: color,
      backgroundColor: color + '55',
      fill: 'origin',
      pointRadius: 0,
      borderWidth: 1.5,
    });
    begin = end;
  });
  replace(Chart, 'chart-popularity', {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      normalized: true,
      scales: {
        x: { type: 'linear', min: 1, max: counts.length, title: { display: true, text: 'movies, most rated first' } },
        y: { type: 'logarithmic', min: 0.8, title: { display: true, text: 'training ratings (log scale)' },
          ticks: { callback: niceLogTick } },
      },
      plugins: { tooltip: { enabled: false } },
    },
  });
  document.getElementById('popularity-caption').textContent = md
    ? `Training ratings per movie, most popular first. The ${md.label} model cuts this ranking into ` +
      `${ends.length} blocks (at movie ${md.info.itemTable.blockEnds.join(' and ')}) and stores each block's ` +
      `embeddings at ${dims.join(' / ')} dimensions: popular movies get wide vectors, the long tail narrow ones.`
    : 'Training ratings per movie, most popular first.';
}

// `all`: every variant of the manifest, marked on the sweep's charts whether loaded or not.
export async function drawCharts(variants, all = variants) {
  const Chart = await loadChartJs();
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  drawCurves(Chart, variants);
  drawSize(Chart, variants);
  drawPopularity(Chart, variants);
  await drawSweep(Chart, replace, all);
}
