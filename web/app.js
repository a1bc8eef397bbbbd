// The demo page: loads the default model variant listed in models/manifest.json (and the shared movie
// titles) into a worker (worker.js, which runs the WebAssembly module), shows the featured user's
// recommendations, then wires up the four sections (each in its own module); the other variants load
// when chosen or compared. Everything that can fail is reported in the #problems area (dom.js).
import { WorkerClient } from './client.js';
import { download } from './download.js';
import { $, fmtInt, problem, clear, debounce } from './dom.js';
import { timings, mark, state, engine, NOT_STARTED, fetchJson, variantById, titleOf, clearPair, updatePair }
  from './page.js';
import { addDemoUser, demoUsers } from './demo-users.js';
import { loadVariant, compareAll, redrawCharts, renderVariantTable } from './variants.js';
import { showUser } from './user-section.js';
import { search, rateVisitor, renderVisitorRated, updateVisitor } from './visitor-section.js';
import './tables.js';  // labels the table cells for the phone layout

async function start() {
  if (typeof WebAssembly !== 'object') {
    problem('This browser does not support WebAssembly, which the recommender runs on. ' +
      'Try a current version of Firefox, Chrome, Edge or Safari.');
    return;
  }
  if (typeof Worker !== 'function') {
    problem('This browser cannot run background workers, which the recommender needs.');
    return;
  }
  mark('app started');
  engine.client = new WorkerClient(window.memrecWorker || new URL('worker.js', import.meta.url), problem,
    window.memrecWorkerError || null);
  const started = engine.client.call('init');
  started.catch(() => {});  // reported below
  const params = new URLSearchParams(location.search);
  try {
    state.manifest = await fetchJson(params.get('manifest') || 'models/manifest.json', 'The list of models',
      params.get('manifest') ? null : window.memrecManifest);
  } catch (e) {
    problem(e.message);
    renderVariantTable();
    return;
  }
  mark('manifest');
  const m = state.manifest;
  state.variants = (m.variants || []).map((v) => ({ ...v, status: 'waiting' }));
  if (state.variants.length === 0) {
    console.info('memrec demo: the manifest lists no variants; run scripts/demo.sh to train and export them.');
    problem('This demo has no models to recommend with yet. Please try again later.');
    return;
  }
  const wanted = params.get('variant') || m.default;
  state.active = variantById(wanted) ? wanted : state.variants[0].id;
  if (m.featured) addDemoUser(m.featured);
  renderVariantTable();

  // Only what the first recommendations need: the default variant and the titles, downloading while the
  // worker compiles the WebAssembly module.
  const titles = loadTitles();
  const firstLoad = loadVariant(variantById(state.active));
  try {
    const init = await started;
    mark('wasm ready');
    $('engine').textContent = `WebAssembly module started in ${init.ms.toFixed(0)} ms.`;
  } catch (e) {
    engine.failed = true;
    problem(e.message);
    for (const v of state.variants) Object.assign(v, { status: 'failed', error: NOT_STARTED });
    renderVariantTable();
    return;
  }
  const first = (await firstLoad) || (await fallBack());
  await titles;
  mark('first model');
  if (first) await showFirst(params.get('user'));
  $('compare-all').disabled = false;
  if (state.visitor.size) updateVisitor();  // ratings from an earlier visit (saved.js)
  await updatePair();
  await engine.client.call('warm').catch(() => {});
  await benchmark();
  await redrawCharts();
  document.body.dataset.ready = 'true';
}

// The default variant failed: make the first other variant that loads active, and say why.
async function fallBack() {
  const failed = variantById(state.active);
  for (const v of state.variants) {
    if (v.status !== 'waiting') continue;
    if (await loadVariant(v)) {
      problem(`The default model “${failed.label}” could not be loaded, so the page uses “${v.label}” instead.`);
      state.active = v.id;
      renderVariantTable();
      return true;
    }
  }
  problem('None of the models could be loaded, so there are no recommendations to show.');
  return false;
}

// The featured user's recommendations (from the manifest: users.json is not needed for them), and the
// pair section preset to that user and one of their held-out movies.
async function showFirst(requested) {
  const featured = state.manifest.featured;
  const user = requested || (featured ? String(featured.id) : '1');
  $('user-id').value = user;
  $('pair-user').value = user;
  await showUser(user, true);
  const demo = state.users.get(user);
  if (demo && demo.heldOut.length) {
    const item = String(demo.heldOut[0][0]);
    state.pairItem = { item, title: titleOf(item) };
    $('pair-search').value = state.pairItem.title;
  }
}

// models/titles.json as `memrec titles` writes it: integer ids as {firstId, titles by id (null: no such
// movie)}, others as {itemIds, titles}. The worker gets a copy for searching.
async function loadTitles() {
  if (!state.manifest.titles) return;
  try {
    const got = await download(`models/${state.manifest.titles}`, 'the movie titles');
    let doc;
    try {
      doc = JSON.parse(new TextDecoder().decode(got.bytes));
    } catch (e) {
      throw new Error('the movie titles file is damaged: it is not valid JSON');
    }
    const ids = Number.isInteger(doc.firstId) && Array.isArray(doc.titles)
      ? doc.titles.map((t, i) => (t === null ? null : String(doc.firstId + i)))
      : Array.isArray(doc.itemIds) && Array.isArray(doc.titles) ? doc.itemIds.map(String) : null;
    if (!ids) throw new Error('the movie titles file holds no titles');
    ids.forEach((id, i) => { if (id !== null) state.titles.set(id, String(doc.titles[i] || '')); });
    await engine.client.call('titles', { itemIds: [...state.titles.keys()], titles: [...state.titles.values()] });
  } catch (e) {
    if (!engine.failed) problem(`Movie titles are not available (${e.message}): movies show by number.`);
  }
}

// Scoring every movie for one user and taking the top 10, averaged over 200 runs in the worker (for a
// ranking model, folding in the user's training ratings included).
async function benchmark(variant = state.active, show = true) {
  const v = variantById(variant);
  if (!v || v.status !== 'loaded') return null;
  const user = $('user-id').value.trim() || String(state.manifest.featured ? state.manifest.featured.id : '1');
  const demo = state.users.get(user) || state.users.values().next().value;
  try {
    const b = await engine.client.call('bench', { variant: v.id, user, k: 10, exclude: demo ? demo.train : [],
      ratings: demo ? demo.ratings : [], repeats: 200 });
    timings.benchmark = { variant: v.id, ...b };
    if (show)
      $('engine').textContent += ` Kernels: ${v.info.kernels}. Scoring all ${fmtInt.format(b.items)} movies and ` +
        `picking the top 10 takes ${b.topNMs.toFixed(3)} ms with ${v.label}${b.foldIn ? ' (folding in the user included)' : ''}.`;
    return timings.benchmark;
  } catch (e) {
    return null;  // informational only: no problem banner
  }
}

// Resource timing of the page and of the worker (which downloads the models, titles and the .wasm), with
// responseEnd on the page's clock.
async function resources() {
  const pick = (e) => ({ name: e.name, encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize,
    transferSize: e.transferSize, responseEnd: e.responseEnd });
  const page = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map(pick);
  return [...page, ...(await engine.client.call('resources', { pageOrigin: performance.timeOrigin }))];
}

function wire() {
  const go = () => {
    const user = $('user-id').value.trim();
    if (user) showUser(user);
  };
  $('user-go').addEventListener('click', go);
  $('user-id').addEventListener('change', go);
  $('user-id').addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
  // The demo users' list is wanted as soon as someone starts picking a user.
  for (const id of ['user-id', 'pair-user']) $(id).addEventListener('focus', () => { if (state.manifest) demoUsers(); });
  $('compare-all').addEventListener('click', compareAll);
  $('visitor-search').addEventListener('input',
    debounce(() => search($('visitor-search'), $('visitor-results'), rateVisitor, true), 80));
  $('pair-search').addEventListener('input', debounce(() => search($('pair-search'), $('pair-results'), (h) => {
    state.pairItem = { item: h.item, title: h.title || titleOf(h.item) };
    clear($('pair-results'));
    $('pair-search').value = state.pairItem.title;
    updatePair();
  }, false), 80));
  $('pair-user').addEventListener('change', updatePair);
  $('pair-user').addEventListener('input', () => { if (!$('pair-user').value.trim()) clearPair(); });
  $('visitor-clear').addEventListener('click', () => { state.visitor.clear(); renderVisitorRated(); updateVisitor(); });
  renderVisitorRated();
}

// For the end-to-end test and the curious: timings and a way to re-run the benchmark.
window.memrecDemo = { timings, state, benchmark: (variant) => benchmark(variant, false), resources };
wire();
start().catch((e) => problem(`Something went wrong: ${e.message}`));
