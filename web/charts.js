// The page's three charts, drawn with Chart.js (vendor/chart.umd.js, copied from node_modules by
// scripts/demo.sh and served locally: no CDN, so the page works offline). Chart.js is loaded only when the
// charts are drawn, after the first recommendations are on screen.
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

// Training curves: one pair of lines (train and eval RMSE) per distinct training run; quantised exports of
// the same run share its history, so the legend names the run's preset and the storages that share it. A
// run whose epoch was chosen by early stopping measured each epoch on its validation slice, not on eval.
function drawCurves(Chart, variants) {
  const runs = new Map();
  for (const v of variants) {
    const h = v.info.history;
    if (!h || h.length === 0) continue;
    const key = JSON.stringify(h.map((e) => [e.trainLoss, e.eval.rmse]));
    if (!runs.has(key)) {
      runs.set(key, { preset: v.info.training.preset || v.label, storages: [], history: h,
        validation: v.info.training.earlyStopping > 0 });
    }
    runs.get(key).storages.push(v.info.storage);
  }
  const datasets = [];
  let maxEpoch = 0;
  [...runs.values()].forEach((run, i) => {
    const color = COLORS[i % COLORS.length];
    const name = `${run.preset} (${run.storages.join(', ')})`;
    maxEpoch = Math.max(maxEpoch, ...run.history.map((e) => e.epoch));
    datasets.push({
      label: `${name}: train`,
      data: run.history.map((e) => ({ x: e.epoch, y: Math.sqrt(e.trainLoss) })),
      borderColor: color, backgroundColor: color, borderDash: [5, 4], tension: 0.2,
    });
    if (run.history.some((e) => e.eval.count > 0)) {
      datasets.push({
        label: `${name}: ${run.validation ? 'validation' : 'eval'}`,
        data: run.history.filter((e) => e.eval.count > 0).map((e) => ({ x: e.epoch, y: e.eval.rmse })),
        borderColor: color, backgroundColor: color, tension: 0.2,
      });
    }
  });
  replace(Chart, 'chart-curves', {
    type: 'line',
    data: { datasets },
    options: {
      animation: false,
      parsing: false,
      scales: {
        x: { type: 'linear', title: { display: true, text: 'epoch' }, ticks: { stepSize: 1 }, min: 1, max: Math.max(1, maxEpoch) },
        y: { title: { display: true, text: 'RMSE (rating units)' } },
      },
      plugins: { legend: { labels: { boxWidth: 12 } } },
    },
  });
}

// Size versus accuracy: bytes this page downloaded for each variant against the eval RMSE in its file.
function drawSize(Chart, variants) {
  const points = variants.filter((v) => v.info.eval.count > 0);
  const datasets = points.map((v, i) => ({
    label: v.label,
    data: [{ x: v.bytes.wire / 1024, y: v.info.eval.rmse }],
    backgroundColor: COLORS[i % COLORS.length],
    pointRadius: 7,
    pointHoverRadius: 9,
  }));
  replace(Chart, 'chart-size', {
    type: 'scatter',
    data: { datasets },
    options: {
      animation: false,
      scales: {
        x: { type: 'logarithmic', title: { display: true, text: 'downloaded (KB, log scale)' },
          ticks: { callback: niceLogTick } },
        y: { title: { display: true, text: 'eval RMSE' } },
      },
      plugins: {
        tooltip: {
          callbacks: {
            label: (c) => `${c.dataset.label}: ${kb(c.parsed.x * 1024)}, RMSE ${c.parsed.y.toFixed(4)}`,
          },
        },
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

export async function drawCharts(variants) {
  const Chart = await loadChartJs();
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  Chart.defaults.maintainAspectRatio = false;
  drawCurves(Chart, variants);
  drawSize(Chart, variants);
  drawPopularity(Chart, variants);
}
