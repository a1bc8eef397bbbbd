// The demo page: loads the default model variant listed in models/manifest.json (and the shared movie
// titles) into a worker (worker.js, which runs the WebAssembly module), shows the featured user's
// recommendations, then wires up the four sections; the other variants load when chosen or compared.
// Everything that can fail is reported in the #problems area in plain words.
import { WorkerClient } from './client.js';
import { download } from './download.js';
import { starWidget, ratingText } from './stars.js';
import { loadRatings, saveRatings } from './saved.js';
import './tables.js';  // labels the table cells for the phone layout

const $ = (id) => document.getElementById(id);
const fmtInt = new Intl.NumberFormat('en-US');
const timings = { navigationToFirstRecommendations: null, firstTopNMs: null, benchmark: null, marks: {} };
const mark = (name) => { timings.marks[name] = Math.round(performance.now()); };

const state = {
  manifest: null,
  variants: [],          // [{id, label, file, objective, status, info, bytes, ms, error}]
  active: null,          // variant id the user/visitor sections use
  users: new Map(),      // demo users: id -> {train: [item ids], ratings: [{item, rating}], heldOut: [[item, rating]]}
  usersFile: null,       // Promise of users.json's loading, once someone asks for a demo user
  titles: new Map(),     // item id -> title (models/titles.json, shared by every variant)
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
const NOT_STARTED = 'not loaded: the recommender could not start';

// `pending`: the same request already under way (index.html starts the manifest's).
async function fetchJson(url, what, pending = null) {
  let r;
  try {
    r = await (pending || fetch(url, { cache: 'no-cache' }));
  } catch (e) {
    throw new Error(`${what} could not be downloaded: the site may be down. Try again in a moment.`);
  }
  if (r.status === 404) {
    // The visitor cannot fix this; the developer reading the console can.
    console.info(`memrec demo: ${url} is missing. Run scripts/demo.sh, which trains and exports the models.`);
    throw new Error(`${what} is not on the server yet, so there is nothing to recommend with. Please try again later.`);
  }
  if (!r.ok) throw new Error(`${what} could not be downloaded (the server answered HTTP ${r.status}).`);
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

function modelsUrl(file) {
  return new URL(file, new URL('models/', location.href)).href;
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
    engineFailed = true;
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
  await client.call('warm').catch(() => {});
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
    await client.call('titles', { itemIds: [...state.titles.keys()], titles: [...state.titles.values()] });
  } catch (e) {
    if (!engineFailed) problem(`Movie titles are not available (${e.message}): movies show by number.`);
  }
}

function titleOf(item) {
  return state.titles.get(String(item)) || `movie ${item}`;
}

async function loadVariant(v) {
  v.status = 'loading';
  renderVariantTable();
  try {
    const url = `models/${v.file}`;
    const t0 = performance.now();
    const got = await download(url);
    const t1 = performance.now();
    const r = await client.call('load', { variant: v.id, bytes: got.bytes, url }, [got.bytes.buffer]);
    Object.assign(v, { status: 'loaded', info: r.info,
      bytes: { file: got.body, wire: got.wire, encoding: got.encoding, fromTiming: got.fromTiming },
      ms: { download: t1 - t0, init: r.ms, total: performance.now() - t0 } });
  } catch (e) {
    // Once the module could not start, that is the reason (said once), not the module's own words.
    Object.assign(v, { status: 'failed', error: engineFailed ? NOT_STARTED : e.message });
    if (!engineFailed) problem(`Model “${v.label}”: ${e.message}`);
  }
  renderVariantTable();
  return v.status === 'loaded';
}

// "Compare every variant": loads the rest, then refreshes what compares them.
async function compareAll() {
  $('compare-all').disabled = true;
  for (const v of state.variants) if (v.status === 'waiting') await loadVariant(v);
  await updatePair();
  await redrawCharts();
  document.body.dataset.compared = 'true';
}

function notLoadedText() {
  const waiting = state.variants.filter((v) => v.status === 'waiting').length;
  return waiting ? ` ${waiting} variant${waiting > 1 ? 's are' : ' is'} not loaded: choose one above or compare every variant.` : '';
}

// The charts compare the loaded variants (training curves; bytes against RMSE or Recall@20); those not
// loaded are said.
async function redrawCharts() {
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

// ---------------------------------------------------------------------------------------------------
// Model picker

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

function renderVariantTable() {
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

// ---------------------------------------------------------------------------------------------------
// Existing user

function addDemoUser(u) {
  const train = u.train.map(String);
  const ratings = train.map((item, i) => ({ item, rating: u.trainRatings ? u.trainRatings[i] : 5 }));
  state.users.set(String(u.id), { train, ratings, heldOut: u.heldOut });
}

// users.json, loaded once when someone asks for a user other than the featured one.
function demoUsers() {
  if (!state.usersFile) {
    state.usersFile = !state.manifest || !state.manifest.users ? Promise.resolve(false)
      : fetchJson(modelsUrl(state.manifest.users), 'The demo users file').then((doc) => {
        for (const u of doc.users) addDemoUser(u);
        fillUserList();
        return true;
      }).catch((e) => {
        problem(`${e.message} The “existing user” section only knows the featured user.`);
        return false;
      });
  }
  return state.usersFile;
}

async function demoUser(user) {
  if (!state.users.has(user)) await demoUsers();
  return state.users.get(user);
}

function fillUserList() {
  const list = $('user-list');
  clear(list);
  for (const id of state.users.keys()) list.append(el('option', { value: id }));
}

// Whether the active variant is a ranking model (it folds users in and scores preferences, not stars).
function activeRanking() {
  const v = variantById(state.active);
  return Boolean(v && v.info && v.info.foldIn);
}

// A recommendation: the predicted stars of a rating model, or the preference score of a ranking model
// (which is no rating), and why ("because you liked ...") when the module says.
function recItem(r, ranking = activeRanking()) {
  const pred = ranking
    ? el('span', { class: 'pred', title: 'preference score: higher means a better match, not a star rating' },
      `score ${r.rating.toFixed(3)}`)
    : el('span', { class: 'pred', title: `predicted ${r.rating.toFixed(3)}` },
      el('span', { class: 'mini-stars', ariaHidden: 'true' }, ratingText(r.rating)), ` ${r.rating.toFixed(2)}`);
  const because = r.because && r.because.item
    ? el('span', { class: 'because status' }, `because you liked ${titleOf(r.because.item)}`) : null;
  return el('li', { dataset: { item: r.item } }, el('div', { class: 'rec' },
    el('span', { class: 'title' }, r.title || titleOf(r.item)), pred), because);
}

function popularItem(r) {
  return el('li', { dataset: { item: r.item } }, el('div', { class: 'rec' },
    el('span', { class: 'title' }, r.title || titleOf(r.item)),
    el('span', { class: 'pred' }, `${fmtInt.format(r.count)} ratings`)));
}

let userRequest = 0;

// A rating model looks the user up in its user table; a ranking model keeps none and folds in the demo
// user's training ratings, as it does a visitor's.
async function userTopN(user, variant, demo) {
  if (!variantById(variant).info.foldIn)
    return client.call('topN', { variant, user, k: 10, exclude: demo ? demo.train : [] });
  if (!demo) return { unknown: true };
  return { ...(await client.call('visitorTopN', { variant, ratings: demo.ratings, k: 10 })), foldIn: true };
}

async function showUser(user, first = false) {
  const ticket = ++userRequest;
  const variant = state.active;
  const status = $('user-status');
  const recs = $('user-recs');
  status.textContent = 'computing…';
  const demo = await demoUser(user);
  if (ticket !== userRequest) return;
  const label = variantById(variant).label;
  try {
    const r = await userTopN(user, variant, demo);
    if (ticket !== userRequest) return;
    clear(recs);
    if (r.unknown) {
      status.textContent = `There is no demo user “${user}”: ${label} keeps no user table and recommends from a ` +
        'user\'s ratings, which are known for the demo users in the list.';
      clearHeldOut();
      return;
    }
    for (const item of r.items) recs.append(r.fallback ? popularItem(item) : recItem(item));
    recs.dataset.user = user;
    recs.dataset.variant = variant;
    if (r.fallback) {
      status.textContent = `There is no user “${user}” in ${label}: these are the most rated movies instead.`;
      clearHeldOut();
      return;
    }
    status.textContent = r.foldIn
      ? `${label}: folded in this user's ${demo.train.length} training ratings and scored every movie in ${r.ms.toFixed(2)} ms.`
      : `${label}: scored every movie and picked 10 in ${r.ms.toFixed(2)} ms` +
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
  if (!demo) {
    clearHeldOut();
    $('heldout-summary').textContent = 'Held-out ratings are only known for the demo users listed in the box.';
    return;
  }
  const implicit = variantById(variant).info.foldIn;
  const items = demo.heldOut.map(([item]) => String(item));
  try {
    const preds = implicit ? await client.call('ranks', { variant, ratings: demo.ratings, items })
      : await client.call('predictMany', { variant, user, items });
    if (ticket !== userRequest) return;
    $('heldout-model').textContent = implicit ? 'Rank in the model\'s list' : 'Predicted';
    (implicit ? renderHeldOutRanks : renderHeldOutRatings)(demo, preds);
  } catch (e) {
    if (ticket !== userRequest) return;
    clearHeldOut();
    $('heldout-summary').textContent = `The held-out ratings could not be scored: ${e.message}`;
  }
}

function heldOutRow(item, rating, modelText) {
  return el('tr', { dataset: { item } }, el('td', {}, titleOf(item)),
    el('td', { class: 'num' }, rating.toFixed(1)), el('td', { class: 'num' }, modelText));
}

function renderHeldOutRatings(demo, preds) {
  const body = $('heldout-table').tBodies[0];
  clear(body);
  let se = 0, n = 0;
  const rows = demo.heldOut.map(([item, rating]) => ({ item: String(item), rating, pred: preds[String(item)] }))
    .sort((a, b) => b.rating - a.rating || (b.pred ?? 0) - (a.pred ?? 0));
  for (const r of rows) {
    if (r.pred !== undefined) {
      se += (r.pred - r.rating) ** 2;
      ++n;
    }
    body.append(heldOutRow(r.item, r.rating, r.pred === undefined ? 'unknown movie' : r.pred.toFixed(2)));
  }
  $('heldout-summary').textContent = n
    ? `${n} held-out ratings; RMSE of the model's predictions for this user: ${Math.sqrt(se / n).toFixed(3)}.`
    : 'This user has no held-out ratings.';
}

// A ranking model predicts no stars: each held-out movie's place in the user's list says how well it did.
function renderHeldOutRanks(demo, ranks) {
  const body = $('heldout-table').tBodies[0];
  clear(body);
  const rows = demo.heldOut.map(([item, rating]) => ({ item: String(item), rating, r: ranks[String(item)] }))
    .sort((a, b) => b.rating - a.rating || (a.r ? a.r.rank : Infinity) - (b.r ? b.r.rank : Infinity));
  for (const { item, rating, r } of rows)
    body.append(heldOutRow(item, rating, r ? `${fmtInt.format(r.rank)} of ${fmtInt.format(r.of)}` : 'unknown movie'));
  const liked = rows.filter((x) => x.rating >= 4 && x.r);
  const hits = liked.filter((x) => x.r.rank <= 20).length;
  $('heldout-summary').textContent = liked.length
    ? `${hits} of the ${liked.length} held-out movies this user rated 4 or 5 are in the model's top 20 for them. ` +
      'A ranking model scores preference, not stars, so there is no RMSE to show.'
    : 'This user rated none of their held-out movies 4 or 5. A ranking model scores preference, not stars.';
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

function clearPair() {
  clear($('pair-table').tBodies[0]);
  $('pair-choice').textContent = '';
}

function pairCell(got, user) {
  if (got.error) return el('td', { class: 'error' }, friendlyUserError(got.error, user));
  if (got.unknownUser) return el('td', { class: 'status' }, `no user “${user}” in this model`);
  if (got.unknownItem) return el('td', { class: 'status' }, 'this model does not know the movie');
  if (got.rank !== undefined)
    return el('td', { class: 'num', title: 'ranking model: a preference score, not a star rating' },
      `rank ${fmtInt.format(got.rank)} of ${fmtInt.format(got.of)} (score ${got.score.toFixed(3)})`);
  return el('td', { class: 'num' }, got.rating.toFixed(3));
}

let pairRequest = 0;

async function updatePair() {
  const ticket = ++pairRequest;
  const user = $('pair-user').value.trim();
  if (!user || !state.pairItem) {
    clearPair();
    return;
  }
  const { item, title } = state.pairItem;
  const demo = await demoUser(user);
  let r;
  try {
    r = await client.call('pair', { user, item, ratings: demo ? demo.ratings : null });
  } catch (e) {
    r = null;
    $('pair-choice').textContent = `The variants could not be asked: ${e.message}`;
  }
  if (ticket !== pairRequest || !r) return;
  const known = demo || Object.values(r).some((g) => g.rating !== undefined);
  $('pair-choice').textContent = known
    ? `User ${user} and “${title}”. Rating models predict stars; ranking models give the movie's place in the ` +
      `user's list.${notLoadedText()}`
    : `There is no user “${user}”: not among the demo users, nor in any loaded model.${notLoadedText()}`;
  const body = $('pair-table').tBodies[0];
  clear(body);
  const held = demo && demo.heldOut.find(([i]) => String(i) === item);
  const heldText = held ? held[1].toFixed(1) : demo && demo.train.includes(item) ? 'rated in training' : '—';
  for (const v of state.variants) {
    const got = r[v.id];
    const cell = got ? pairCell(got, user)
      : el('td', { class: 'status' }, v.status === 'failed' ? 'could not be loaded' : 'not loaded');
    body.append(el('tr', { dataset: { variant: v.id, status: got ? 'answered' : v.status } },
      el('td', {}, v.label), cell, el('td', { class: 'num' }, heldText)));
  }
}

// ---------------------------------------------------------------------------------------------------
// Benchmark shown on the page (and read by the browser test)

// Scoring every movie for one user and taking the top 10, averaged over 200 runs in the worker (for a
// ranking model, folding in the user's training ratings included).
async function benchmark(variant = state.active, show = true) {
  const v = variantById(variant);
  if (!v || v.status !== 'loaded') return null;
  const user = $('user-id').value.trim() || String(state.manifest.featured ? state.manifest.featured.id : '1');
  const demo = state.users.get(user) || state.users.values().next().value;
  try {
    const b = await client.call('bench', { variant: v.id, user, k: 10, exclude: demo ? demo.train : [],
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
  return [...page, ...(await client.call('resources', { pageOrigin: performance.timeOrigin }))];
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
