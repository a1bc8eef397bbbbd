// The model picker: the variants' table, loading a variant into the worker, choosing the active one,
// "compare every variant" and the charts that compare the loaded ones.
import { download } from './download.js';
import { $, fmtInt, problem, clear, el, kb } from './dom.js';
import { state, engine, NOT_STARTED, variantById, loadedVariants, notLoadedText, updatePair } from './page.js';
import { showUser } from './user-section.js';
import { updateVisitor } from './visitor-section.js';

export async function loadVariant(v) {
  v.status = 'loading';
  renderVariantTable();
  try {
    const url = `models/${v.file}`;
    const t0 = performance.now();
    const got = await download(url);
    const t1 = performance.now();
    const r = await engine.client.call('load', { variant: v.id, bytes: got.bytes, url }, [got.bytes.buffer]);
    Object.assign(v, { status: 'loaded', info: r.info,
      bytes: { file: got.body, wire: got.wire, encoding: got.encoding, fromTiming: got.fromTiming },
      ms: { download: t1 - t0, init: r.ms, total: performance.now() - t0 } });
  } catch (e) {
    // Once the module could not start, that is the reason (said once), not the module's own words.
    Object.assign(v, { status: 'failed', error: engine.failed ? NOT_STARTED : e.message });
    if (!engine.failed) problem(`Model “${v.label}”: ${e.message}`);
  }
  renderVariantTable();
  return v.status === 'loaded';
}

// "Compare every variant": loads the rest, then refreshes what compares them.
export async function compareAll() {
  $('compare-all').disabled = true;
  for (const v of state.variants) if (v.status === 'waiting') await loadVariant(v);
  await updatePair();
  await redrawCharts();
  document.body.dataset.compared = 'true';
}

// The charts compare the loaded variants (training curves; bytes against RMSE or Recall@20); those not
// loaded are said.
export async function redrawCharts() {
  const loaded = loadedVariants();
  // No empty chart frames (style.css sets the grid's display, which the hidden attribute would not beat).
  document.querySelector('#charts .chart-grid').style.display = loaded.length ? '' : 'none';
  if (loaded.length === 0) return;
  try {
    const { drawCharts } = await import('./charts.js');  // not needed for the first recommendations
    await drawCharts(loaded, state.variants);
    $('charts-status').textContent = `Charts of the ${loaded.length} loaded variant${loaded.length > 1 ? 's' : ''}.` +
      notLoadedText();
  } catch (e) {
    $('charts-status').textContent = `The charts could not be drawn: ${e.message}`;
  }
}

const PURPOSE = {
  rating: 'Predicts stars; judged on RMSE.',
  ranking: 'Trained on what you liked; judged on its top 10.',
};

function tablesText(info) {
  const t = (x) => x.kind + (x.kind === 'md' ? ` ${x.blockDims.join('/')}` : x.buckets ? ` ${x.buckets}` : ` ${x.dim}`);
  return info.foldIn ? `none (fold-in) / ${t(info.itemTable)}` : `${t(info.userTable)} / ${t(info.itemTable)}`;
}

// The variant's own figures, as stored in its file (a ranking model's on two lines, to keep the table narrow).
function quality(info) {
  if (info.foldIn) {
    const r = info.ranking;
    return r ? [`Recall@20 ${r.recall20.toFixed(3)}, `, el('br'), `NDCG@100 ${r.ndcg100.toFixed(3)}`] : ['not stored'];
  }
  return [info.eval.count ? `RMSE ${info.eval.rmse.toFixed(4)}` : 'not stored'];
}

function variantRow(v) {
  const radio = el('input', { type: 'radio', name: 'variant', value: v.id, checked: v.id === state.active,
    disabled: v.status === 'failed' || v.status === 'loading' });
  radio.setAttribute('aria-label', `use ${v.label}`);
  radio.addEventListener('change', () => chooseVariant(v.id));
  // Before it loads, the manifest may name the variant's objective; every objective but "rating" ranks.
  const ranking = v.info ? v.info.foldIn : v.objective ? v.objective !== 'rating' : null;
  const purpose = ranking === null ? null : PURPOSE[ranking ? 'ranking' : 'rating'];
  const row = el('tr', { dataset: { variant: v.id, status: v.status } });
  const cells = [el('td', {}, radio), el('td', {}, v.label,
    // Plain weight inline: style.css makes a loaded row's label cell bold.
    purpose ? el('span', { class: 'purpose status' }, el('br'), purpose) : null)];
  if (v.status === 'loaded') {
    const i = v.info;
    const wire = `${kb(v.bytes.wire)}${v.bytes.encoding !== 'identity' ? ` (${v.bytes.encoding})` : ''}`;
    cells.push(el('td', {}, tablesText(i)), el('td', { class: 'num' }, fmtInt.format(i.parameters)),
      el('td', {}, i.storage), el('td', { class: 'num' }, kb(v.bytes.file)),
      el('td', { class: 'num', dataset: { bytes: String(v.bytes.wire) } }, wire),
      el('td', { class: 'num', title: `download ${v.ms.download.toFixed(0)} ms + set-up ${v.ms.init.toFixed(0)} ms` },
        `${v.ms.total.toFixed(0)} ms`),
      el('td', { class: 'num quality' }, ...quality(i)));
  } else if (v.status === 'failed') {
    cells.push(el('td', { colSpan: 7, class: 'error' }, v.error));
  } else {
    cells.push(el('td', { colSpan: 7, class: 'status' },
      v.status === 'loading' ? 'downloading…' : 'not loaded yet: choose it, or compare every variant'));
  }
  row.append(...cells);
  return row;
}

export function renderVariantTable() {
  const body = $('variant-table').tBodies[0];
  clear(body);
  for (const v of state.variants) body.append(variantRow(v));
}

// A variant chosen in the picker: loaded first if it is not yet.
async function chooseVariant(id) {
  const v = variantById(id);
  if (v.status === 'waiting' && !(await loadVariant(v))) {
    renderVariantTable();  // the previous choice stays checked
    return;
  }
  setActive(id);
  updatePair();
}

function setActive(id) {
  if (state.active === id) return;
  state.active = id;
  renderVariantTable();
  const user = $('user-id').value.trim();
  if (user) showUser(user);
  updateVisitor();
}
