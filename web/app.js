// The demo page: loads the model variants listed in models/manifest.json into a worker (worker.js, which
// runs the WebAssembly module), then wires up the four sections. Everything that can fail is reported in
// the #problems area in plain words.
import { WorkerClient } from './client.js';
import { starWidget, ratingText } from './stars.js';
import { drawCharts } from './charts.js';
import { loadRatings, saveRatings } from './saved.js';
import './tables.js';  // labels the table cells for the phone layout

const $ = (id) => document.getElementById(id);
const fmtInt = new Intl.NumberFormat('en-US');
const timings = { navigationToFirstRecommendations: null, firstTopNMs: null, benchmark: null, marks: {} };
const mark = (name) => { timings.marks[name] = Math.round(performance.now()); };

const state = {
  manifest: null,
  variants: [],          // [{id, label, file, status, info, bytes, ms, error}]
  active: null,          // variant id the user/visitor sections use
  users: new Map(),      // demo users: id -> {train: [item ids], heldOut: [[item, rating]]}
  titles: new Map(),     // item id -> title (from the first loaded variant)
  visitor: loadRatings(),  // item id -> {title, rating}, kept across reloads by saved.js
  pairItem: null,        // {item, title}
};

// ---------------------------------------------------------------------------------------------------
// Problems, shown to the visitor

const problemsShown = new Set();

function problem(message) {
  if (problemsShown.has(message)) return;
  problemsShown.add(message);
  const p = document.createElement('p');
  p.className = 'problem';
  p.textContent = message;
  $('problems').append(p);
  console.error(message);
}

function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'class') e.className = v;
    else e[k] = v;
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

function kb(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

// ---------------------------------------------------------------------------------------------------
// Startup

let client = null;
let engineFailed = false;  // the worker or the WebAssembly module could not start: said once, not per model

async function fetchJson(url, what) {
  let r;
  try {
    r = await fetch(url, { cache: 'no-cache' });
  } catch (e) {
    throw new Error(`${what} (${url}) could not be downloaded: is the server still running?`);
  }
  if (r.status === 404)
    throw new Error(`${what} (${url}) is missing. Run scripts/demo.sh, which trains and exports the models.`);
  if (!r.ok) throw new Error(`${what} (${url}) could not be downloaded (HTTP ${r.status}).`);
  try {
    return await r.json();
  } catch (e) {
    throw new Error(`${what} (${url}) is damaged: it is not valid JSON.`);
  }
}

function variantById(id) {
  return state.variants.find((v) => v.id === id);
}

function loadedVariants() {
  return state.variants.filter((v) => v.status === 'loaded');
}

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
  client = new WorkerClient(window.memrecWorker || new URL('worker.js', import.meta.url), problem,
    window.memrecWorkerError || null);
  const started = client.call('init');
  const params = new URLSearchParams(location.search);
  try {
    state.manifest = await fetchJson(params.get('manifest') || 'models/manifest.json', 'The list of models');
  } catch (e) {
    problem(e.message);
    renderVariantTable();
    return;
  }
  mark('manifest');
  const m = state.manifest;
  state.variants = (m.variants || []).map((v) => ({ ...v, status: 'waiting' }));
  if (state.variants.length === 0) {
    problem('The list of models is empty: run scripts/demo.sh to train and export them.');
    return;
  }
  const wanted = params.get('variant') || m.default;
  state.active = variantById(wanted) ? wanted : state.variants[0].id;
  renderVariantTable();

  const usersPromise = m.users
    ? fetchJson(new URL(m.users, new URL('models/', location.href)).href, 'The demo users file')
      .catch((e) => { problem(`${e.message} The “existing user” section can still recommend, but not show held-out ratings.`); return null; })
    : Promise.resolve(null);

  // The active variant first, so recommendations show as early as possible (its download overlaps the
  // WebAssembly start-up in the worker); the rest after.
  const firstLoad = loadVariant(variantById(state.active));
  try {
    const init = await started;
    mark('wasm ready');
    $('engine').textContent = `WebAssembly module started in ${init.ms.toFixed(0)} ms.`;
  } catch (e) {
    engineFailed = true;
    problem(e.message);
    return;
  }
  const first = await firstLoad;
  mark('first model');
  const users = await usersPromise;
  mark('users');
  if (users) {
    for (const u of users.users) state.users.set(String(u.id), { train: u.train.map(String), heldOut: u.heldOut });
    fillUserList();
  }
  if (first) {
    const user = params.get('user') || (state.users.size ? state.users.keys().next().value : '1');
    $('user-id').value = user;
    $('pair-user').value = user;
    await showUser(user, true);
    const demo = state.users.get(user);
    if (demo && demo.heldOut.length) {
      const item = String(demo.heldOut[0][0]);
      state.pairItem = { item, title: state.titles.get(item) || `movie ${item}` };
      $('pair-search').value = state.pairItem.title;
    }
  } else {
    // The default variant failed: try to make another one active.
    for (const v of state.variants) {
      if (v.status !== 'waiting') continue;
      if (await loadVariant(v)) {
        setActive(v.id);
        break;
      }
    }
  }
  if (state.visitor.size) updateVisitor();  // ratings from an earlier visit (saved.js)
  for (const v of state.variants) if (v.status === 'waiting') await loadVariant(v);
  await updatePair();
  await client.call('warm').catch(() => {});
  await benchmark();
  try {
    if (loadedVariants().length) {
      await drawCharts(loadedVariants());
      $('charts-status').textContent = '';
    }
  } catch (e) {
    $('charts-status').textContent = `The charts could not be drawn: ${e.message}`;
  }
  document.body.dataset.ready = 'true';
}

async function loadVariant(v) {
  v.status = 'loading';
  renderVariantTable();
  try {
    const r = await client.call('load', { variant: v.id, url: `models/${v.file}` });
    Object.assign(v, { status: 'loaded', info: r.info, bytes: r.bytes, ms: r.ms });
    if (state.titles.size === 0) {
      const t = await client.call('titles', { variant: v.id });
      t.itemIds.forEach((id, i) => state.titles.set(id, t.titles[i] || `movie ${id}`));
    }
  } catch (e) {
    Object.assign(v, { status: 'failed', error: e.message });
    if (!engineFailed) problem(`Model “${v.label}”: ${e.message}`);
  }
  renderVariantTable();
  return v.status === 'loaded';
}

// ---------------------------------------------------------------------------------------------------
// Model picker

function tablesText(info) {
  const t = (x) => x.kind + (x.kind === 'md' ? ` ${x.blockDims.join('/')}` : x.buckets ? ` ${x.buckets}` : ` ${x.dim}`);
  return `${t(info.userTable)} / ${t(info.itemTable)}`;
}

function renderVariantTable() {
  const body = $('variant-table').tBodies[0];
  clear(body);
  for (const v of state.variants) {
    const radio = el('input', { type: 'radio', name: 'variant', value: v.id, checked: v.id === state.active,
      disabled: v.status !== 'loaded' && v.id !== state.active });
    radio.setAttribute('aria-label', `use ${v.label}`);
    radio.addEventListener('change', () => setActive(v.id));
    const row = el('tr', { dataset: { variant: v.id, status: v.status } });
    const cells = [el('td', {}, radio), el('td', {}, v.label)];
    if (v.status === 'loaded') {
      const i = v.info;
      const wire = `${kb(v.bytes.wire)}${v.bytes.encoding !== 'identity' ? ` (${v.bytes.encoding})` : ''}`;
      cells.push(el('td', {}, tablesText(i)), el('td', { class: 'num' }, fmtInt.format(i.parameters)),
        el('td', {}, i.storage), el('td', { class: 'num' }, kb(v.bytes.file)),
        el('td', { class: 'num', dataset: { bytes: String(v.bytes.wire) } }, wire),
        el('td', { class: 'num', title: `download ${v.ms.download.toFixed(0)} ms + set-up ${v.ms.init.toFixed(0)} ms` },
          `${v.ms.total.toFixed(0)} ms`),
        el('td', { class: 'num' }, i.eval.count ? i.eval.rmse.toFixed(4) : 'not stored'));
    } else if (v.status === 'failed') {
      cells.push(el('td', { colSpan: 7, class: 'error' }, v.error));
    } else {
      cells.push(el('td', { colSpan: 7, class: 'status' }, v.status === 'loading' ? 'downloading…' : 'waiting'));
    }
    row.append(...cells);
    body.append(row);
  }
}

function setActive(id) {
  if (state.active === id) return;
  state.active = id;
  renderVariantTable();
  const user = $('user-id').value.trim();
  if (user) showUser(user);
  updateVisitor();
}

// ---------------------------------------------------------------------------------------------------
// Existing user

function fillUserList() {
  const list = $('user-list');
  clear(list);
  for (const id of state.users.keys()) list.append(el('option', { value: id }));
}

function recItem(r) {
  return el('li', { dataset: { item: r.item } }, el('div', { class: 'rec' },
    el('span', { class: 'title' }, r.title || `movie ${r.item}`),
    el('span', { class: 'pred', title: `predicted ${r.rating.toFixed(3)}` },
      el('span', { class: 'mini-stars', ariaHidden: 'true' }, ratingText(r.rating)), ` ${r.rating.toFixed(2)}`)));
}

function popularItem(r) {
  return el('li', { dataset: { item: r.item } }, el('div', { class: 'rec' },
    el('span', { class: 'title' }, r.title || `movie ${r.item}`),
    el('span', { class: 'pred' }, `${fmtInt.format(r.count)} ratings`)));
}

let userRequest = 0;

async function showUser(user, first = false) {
  const ticket = ++userRequest;
  const variant = state.active;
  const status = $('user-status');
  const recs = $('user-recs');
  const demo = state.users.get(user);
  status.textContent = 'computing…';
  try {
    const r = await client.call('topN', { variant, user, k: 10, exclude: demo ? demo.train : [] });
    if (ticket !== userRequest) return;
    clear(recs);
    for (const item of r.items) recs.append(r.fallback ? popularItem(item) : recItem(item));
    recs.dataset.user = user;
    recs.dataset.variant = variant;
    if (r.fallback) {
      status.textContent = `There is no user “${user}” in ${variantById(variant).label}: these are the most rated movies instead.`;
      clearHeldOut();
      return;
    }
    status.textContent = `${variantById(variant).label}: scored every movie and picked 10 in ${r.ms.toFixed(2)} ms` +
      (demo ? `, leaving out the ${demo.train.length} movies this user rated in training.` :
        '. This user is not among the demo users, so movies they already rated may appear.');
    if (first && timings.navigationToFirstRecommendations === null) {
      timings.navigationToFirstRecommendations = performance.now();
      timings.firstTopNMs = r.ms;
      status.textContent += ` First recommendations on screen ${timings.navigationToFirstRecommendations.toFixed(0)} ms after navigation.`;
    }
  } catch (e) {
    if (ticket !== userRequest) return;
    clear(recs);
    status.textContent = '';
    recs.append(el('li', { class: 'error' }, friendlyUserError(e.message, user)));
    clearHeldOut();
    return;
  }
  await showHeldOut(user, variant, ticket);
}

function friendlyUserError(message, user) {
  if (/unknown user/.test(message)) return `There is no user “${user}” in this model.`;
  return message;
}

function clearHeldOut() {
  clear($('heldout-table').tBodies[0]);
  $('heldout-summary').textContent = '';
}

async function showHeldOut(user, variant, ticket) {
  const demo = state.users.get(user);
  const body = $('heldout-table').tBodies[0];
  if (!demo) {
    clearHeldOut();
    $('heldout-summary').textContent = state.users.size
      ? 'Held-out ratings are only known for the demo users listed in the box.'
      : 'No demo users file: held-out ratings are not available.';
    return;
  }
  const items = demo.heldOut.map(([item]) => String(item));
  const preds = await client.call('predictMany', { variant, user, items });
  if (ticket !== userRequest) return;
  clear(body);
  let se = 0, n = 0;
  const rows = demo.heldOut.map(([item, rating]) => ({ item: String(item), rating, pred: preds[String(item)] }))
    .sort((a, b) => b.rating - a.rating || (b.pred ?? 0) - (a.pred ?? 0));
  for (const r of rows) {
    if (r.pred !== undefined) {
      se += (r.pred - r.rating) ** 2;
      ++n;
    }
    body.append(el('tr', { dataset: { item: r.item } },
      el('td', {}, state.titles.get(r.item) || `movie ${r.item}`),
      el('td', { class: 'num' }, r.rating.toFixed(1)),
      el('td', { class: 'num' }, r.pred === undefined ? 'unknown movie' : r.pred.toFixed(2))));
  }
  $('heldout-summary').textContent = n
    ? `${n} held-out ratings; RMSE of the model's predictions for this user: ${Math.sqrt(se / n).toFixed(3)}.`
    : 'This user has no held-out ratings.';
}

// ---------------------------------------------------------------------------------------------------
// New visitor

function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}

async function search(input, list, onPick, withStars) {
  const query = input.value.trim();
  clear(list);
  if (!query || !state.active) return;
  let hits;
  try {
    hits = await client.call('search', { variant: state.active, query, limit: 12 });
  } catch (e) {
    list.append(el('li', { class: 'error' }, e.message));
    return;
  }
  if (input.value.trim() !== query) return;  // a newer search is on its way
  if (hits.length === 0) list.append(el('li', { class: 'status' }, 'No movie matches.'));
  for (const h of hits) {
    const title = h.title || `movie ${h.item}`;
    const li = el('li', { dataset: { item: h.item } });
    if (withStars) {
      const current = state.visitor.get(h.item);
      li.append(el('span', { class: 'title' }, title), starWidget(title, current && current.rating, (n) => onPick(h, n)));
    } else {
      const b = el('button', { type: 'button', class: 'pick' }, title);
      b.addEventListener('click', () => onPick(h));
      li.append(b);
    }
    list.append(li);
  }
}

function rateVisitor(hit, rating) {
  state.visitor.set(hit.item, { title: hit.title || `movie ${hit.item}`, rating });
  renderVisitorRated();
  search($('visitor-search'), $('visitor-results'), rateVisitor, true);
  updateVisitor();
}

function renderVisitorRated() {
  saveRatings(state.visitor);
  const list = $('visitor-rated');
  clear(list);
  for (const [item, r] of state.visitor) {
    const remove = el('button', { type: 'button', class: 'remove', title: 'forget this rating' }, '✕');
    remove.setAttribute('aria-label', `forget your rating of ${r.title}`);
    remove.addEventListener('click', () => {
      state.visitor.delete(item);
      renderVisitorRated();
      updateVisitor();
    });
    list.append(el('li', { dataset: { item } }, el('span', { class: 'title' }, r.title),
      starWidget(r.title, r.rating, (n) => rateVisitor({ item, title: r.title }, n)), remove));
  }
}

let visitorRequest = 0;

async function updateVisitor() {
  const status = $('visitor-status');
  const recs = $('visitor-recs');
  const ticket = ++visitorRequest;
  const n = state.visitor.size;
  if (n < 3) {
    clear(recs);
    status.textContent = n === 0 ? 'Rate at least 3 movies.' : `Rate ${3 - n} more movie${3 - n > 1 ? 's' : ''}.`;
    return;
  }
  const ratings = [...state.visitor].map(([item, r]) => ({ item, rating: r.rating }));
  try {
    const r = await client.call('visitorTopN', { variant: state.active, ratings, k: 10 });
    if (ticket !== visitorRequest) return;
    clear(recs);
    for (const item of r.items) recs.append(recItem(item));
    status.textContent = `From your ${n} ratings, with ${variantById(state.active).label}: fitted your taste ` +
      `and scored every movie in ${r.ms.toFixed(2)} ms.`;
  } catch (e) {
    if (ticket !== visitorRequest) return;
    clear(recs);
    status.textContent = `Could not compute recommendations: ${e.message}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Pair query

async function updatePair() {
  const body = $('pair-table').tBodies[0];
  clear(body);
  const user = $('pair-user').value.trim();
  if (!user || !state.pairItem) return;
  const { item, title } = state.pairItem;
  $('pair-choice').textContent = `User ${user} and “${title}”.`;
  const r = await client.call('pair', { user, item });
  const demo = state.users.get(user);
  const held = demo && demo.heldOut.find(([i]) => String(i) === item);
  const heldText = held ? held[1].toFixed(1) : demo && demo.train.includes(item) ? 'rated in training' : '—';
  for (const v of state.variants) {
    const got = r[v.id];
    if (!got) continue;
    body.append(el('tr', { dataset: { variant: v.id } }, el('td', {}, v.label),
      el('td', { class: got.error ? 'error' : 'num' }, got.error ? friendlyUserError(got.error, user) : got.rating.toFixed(3)),
      el('td', { class: 'num' }, heldText)));
  }
}

// ---------------------------------------------------------------------------------------------------
// Benchmark shown on the page (and read by the browser test)

// Scoring every movie for one user and taking the top 10, averaged over 200 runs in the worker.
async function benchmark(variant = state.active, show = true) {
  const v = variantById(variant);
  if (!v || v.status !== 'loaded') return null;
  const user = $('user-id').value.trim() || (state.users.size ? state.users.keys().next().value : '1');
  const demo = state.users.get(user);
  try {
    const b = await client.call('bench', { variant: v.id, user, k: 10, exclude: demo ? demo.train : [], repeats: 200 });
    timings.benchmark = { variant: v.id, ...b };
    if (show)
      $('engine').textContent += ` Kernels: ${v.info.kernels}. Scoring all ${fmtInt.format(b.items)} movies and ` +
        `picking the top 10 takes ${b.topNMs.toFixed(3)} ms with ${v.label}.`;
    return timings.benchmark;
  } catch (e) {
    return null;  // informational only: no problem banner
  }
}

// Resource timing of the page and of the worker (which downloads the models and the .wasm).
async function resources() {
  const pick = (e) => ({ name: e.name, encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize,
    transferSize: e.transferSize });
  const page = [...performance.getEntriesByType('navigation'), ...performance.getEntriesByType('resource')].map(pick);
  return [...page, ...(await client.call('resources'))];
}

// ---------------------------------------------------------------------------------------------------

function wire() {
  const go = () => {
    const user = $('user-id').value.trim();
    if (user) showUser(user);
  };
  $('user-go').addEventListener('click', go);
  $('user-id').addEventListener('change', go);
  $('user-id').addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
  $('visitor-search').addEventListener('input',
    debounce(() => search($('visitor-search'), $('visitor-results'), rateVisitor, true), 80));
  $('pair-search').addEventListener('input', debounce(() => search($('pair-search'), $('pair-results'), (h) => {
    state.pairItem = { item: h.item, title: h.title || `movie ${h.item}` };
    clear($('pair-results'));
    $('pair-search').value = state.pairItem.title;
    updatePair();
  }, false), 80));
  $('pair-user').addEventListener('change', updatePair);
  $('visitor-clear').addEventListener('click', () => { state.visitor.clear(); renderVisitorRated(); updateVisitor(); });
  renderVisitorRated();
}

// For the end-to-end test and the curious: timings and a way to re-run the benchmark.
window.memrecDemo = { timings, state, benchmark: (variant) => benchmark(variant, false), resources };

wire();
start().catch((e) => problem(`Something went wrong: ${e.message}`));
