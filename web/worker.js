// The page's WebAssembly worker: keeps the loaded models and answers queries, so nothing heavy runs on the
// main thread. The page downloads the files (download.js) and hands their bytes over: a module worker
// reads no message before its modules have loaded, and the downloads need not wait for that.
// Messages: {id, op, ...args} in, {id, ok, result | error} out.
import { init, load, unsupportedReason } from './memrec.mjs';
import './memrec_wasm.mjs';  // memrec.mjs's own import, named here so both download at once, not one after the other

const models = new Map();  // variant id -> Model
// The titles every variant shares (models/titles.json; the model files carry none): raw item id -> title.
const shared = { titles: new Map(), folded: null };

// The page downloads and compiles the .wasm while this worker loads its scripts, and posts the first
// message: {wasmModule} (compiled; null: fetch it here) or {wasmError}. Emscripten's own messages (e.g.
// "Aborted(CompileError ...)") go to the debug console only: the page says what happened in words through
// the init operation.
const t0 = performance.now();
const reason = unsupportedReason();
const quiet = (text) => console.debug(`memrec_wasm: ${text}`);
const compiled = new Promise((resolve) => {
  self.addEventListener('message', function first(event) {
    if (!event.data || event.data.op) return;
    self.removeEventListener('message', first);
    resolve(event.data);
  });
});
const ready = reason ? Promise.reject(new Error(reason)) : compiled.then(start);
ready.catch(() => {});  // reported through the init operation

function start({ wasmModule, wasmError }) {
  if (wasmError) throw new Error(wasmError);
  if (!wasmModule) return init({ print: quiet, printErr: quiet });
  let failed;
  const failure = new Promise((_, reject) => { failed = reject; });
  const instantiateWasm = (imports, done) => {
    WebAssembly.instantiate(wasmModule, imports).then((instance) => done(instance, wasmModule), failed);
    return {};  // exports arrive through done()
  };
  return Promise.race([init({ print: quiet, printErr: quiet, instantiateWasm }), failure]);
}

const WASM_FAILED = 'The recommender could not start: its WebAssembly file (memrec_wasm.wasm) is missing on the ' +
  'server or damaged. Reloading the page may help; otherwise the site needs to be rebuilt.';

const ops = {
  // Resolves when the module is ready: {ms} since the worker started.
  async init() {
    try {
      await ready;
    } catch (e) {
      console.debug(e);
      throw new Error(reason || WASM_FAILED);
    }
    return { ms: performance.now() - t0 };
  },

  // The titles every variant shares, by raw item id (app.js reads models/titles.json).
  titles({ itemIds, titles }) {
    shared.titles.clear();
    itemIds.forEach((id, i) => shared.titles.set(id, titles[i]));
    shared.folded = null;
    return true;
  },

  // Parses a model file's bytes (transferred from the page) as `variant`: its info and the set-up time.
  async load({ variant, bytes, url }) {
    const t0 = performance.now();
    const old = models.get(variant);
    if (old) {
      old.free();
      models.delete(variant);
    }
    let model;
    try {
      model = await load(bytes);
    } catch (e) {
      throw new Error(`the model file ${url} could not be read: ${e.message}`);
    }
    models.set(variant, model);
    return { info: model.info(), ms: performance.now() - t0 };
  },

  topN({ variant, user, k, exclude }) {
    const m = get(variant);
    const t0 = performance.now();
    const items = m.topN(user, k, exclude);
    return { items: titled(items), fallback: items.fallback || null, ms: performance.now() - t0 };
  },

  predictMany({ variant, user, items }) {
    const m = get(variant);
    const known = items.filter((i) => m.hasItem(i));
    const values = m.predictMany(user, known);
    const out = {};
    known.forEach((item, i) => { out[item] = values[i]; });
    return out;
  },

  visitorTopN({ variant, ratings, k }) {
    const m = get(variant);
    const t0 = performance.now();
    const items = m.visitorTopN(ratings, k);
    return { items: titled(items), ms: performance.now() - t0 };
  },

  // Preference score and rank (1 = best, among the movies not in `ratings`) of `items` for someone described
  // by `ratings`: what a ranking model says about a movie instead of a predicted rating.
  ranks({ variant, ratings, items }) {
    return rankItems(get(variant), ratings, items);
  },

  search({ variant, query, limit }) {
    return searchShared(get(variant), query, limit);
  },

  // The same user and movie in every loaded variant: a rating model predicts the user's stars (or says the
  // user is not in it); a ranking model folds in `ratings` (the user's training ratings, null if unknown)
  // and gives the movie's preference score and rank.
  pair({ user, item, ratings }) {
    const out = {};
    for (const [variant, m] of models) {
      try {
        if (m.info().foldIn) {
          out[variant] = ratings ? rankItems(m, ratings, [item])[item] || { unknownItem: true } : { unknownUser: true };
        } else {
          out[variant] = m.hasUser(user) ? { rating: m.predict(user, item) } : { unknownUser: true };
        }
      } catch (e) {
        out[variant] = { error: e.message };
      }
    }
    return out;
  },

  // Time of scoring the whole catalogue and taking the top k for one user, averaged over `repeats` runs. A
  // ranking model has no user table: its time includes folding in the user's `ratings`.
  bench({ variant, user, k, exclude, ratings, repeats }) {
    const m = get(variant);
    const once = m.info().foldIn ? () => m.visitorTopN(ratings, k) : () => m.topN(user, k, exclude);
    once();  // warm up
    const t0 = performance.now();
    for (let i = 0; i < repeats; ++i) once();
    const topN = (performance.now() - t0) / repeats;
    return { topNMs: topN, items: m.info().items, foldIn: m.info().foldIn };
  },

  // Builds each model's visitor prior and warms up the fitting code, so the first visitor waits for neither.
  warm() {
    for (const m of models.values()) m.visitorTopN([{ item: m.itemIds()[0], rating: 4 }], 10);
    return true;
  },

  // The worker's resource timing, with responseEnd moved onto the page's clock (the worker's starts later).
  resources({ pageOrigin }) {
    const shift = performance.timeOrigin - pageOrigin;
    return performance.getEntriesByType('resource').map((e) => ({ name: e.name, encodedBodySize: e.encodedBodySize,
      decodedBodySize: e.decodedBodySize, transferSize: e.transferSize, responseEnd: e.responseEnd + shift }));
  },

  free({ variant }) {
    const m = models.get(variant);
    if (m) m.free();
    models.delete(variant);
    return true;
  },
};

// Result rows get their titles from the shared titles (the model files carry none).
function titled(items) {
  for (const r of items) if (!r.title) r.title = shared.titles.get(r.item) || '';
  return items;
}

function rankItems(m, ratings, items) {
  const scores = m.visitorScores(ratings);
  const index = itemIndex(m);
  const rated = new Set(ratings.map((r) => index.get(String(r.item))));
  const out = {};
  for (const item of items) {
    const i = index.get(item);
    if (i === undefined) continue;
    let rank = 1;
    for (let j = 0; j < scores.length; ++j) if (scores[j] > scores[i] && !rated.has(j)) ++rank;
    out[item] = { score: scores[i], rank, of: scores.length - rated.size };
  }
  return out;
}

const indexes = new WeakMap();  // Model -> Map(raw item id -> dense index)

function itemIndex(m) {
  if (!indexes.has(m)) indexes.set(m, new Map(m.itemIds().map((id, i) => [id, i])));
  return indexes.get(m);
}

// Case-, accent- and punctuation-insensitive form of a title, as memrec.mjs's searchTitles folds them.
function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

// Titles of the shared file containing every word of `query` that the model knows, most rated first (by the
// model's own training counts). Without a shared file, the model's own titles.
function searchShared(m, query, limit) {
  if (shared.titles.size === 0) return m.searchTitles(query, limit);
  const words = fold(String(query)).split(' ').filter(Boolean);
  if (words.length === 0) return [];
  if (!shared.folded) shared.folded = [...shared.titles].map(([item, title]) => [item, title, fold(title)]);
  const index = itemIndex(m);
  const counts = m.info().itemCounts;
  const hits = shared.folded.filter(([item, , f]) => index.has(item) && words.every((w) => f.includes(w)));
  hits.sort((a, b) => counts[index.get(b[0])] - counts[index.get(a[0])] || index.get(a[0]) - index.get(b[0]));
  return hits.slice(0, limit).map(([item, title]) => ({ item, index: index.get(item), title }));
}

function get(variant) {
  const m = models.get(variant);
  if (!m) throw new Error(`the model "${variant}" is not loaded`);
  return m;
}

self.onmessage = async (event) => {
  const { id, op, ...args } = event.data;
  if (!op) return;  // the page's compiled module, taken above
  try {
    if (!ops[op]) throw new Error(`unknown operation ${op}`);
    const result = await ops[op](args);
    self.postMessage({ id, ok: true, result });
  } catch (e) {
    self.postMessage({ id, ok: false, error: e && e.message ? e.message : String(e) });
  }
};
