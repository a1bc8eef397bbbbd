// The page's WebAssembly worker: downloads model files, keeps the loaded models and answers queries, so
// nothing heavy runs on the main thread. Messages: {id, op, ...args} in, {id, ok, result | error} out.
import { init, load, unsupportedReason } from './memrec.mjs';
import './memrec_wasm.mjs';  // memrec.mjs's own import, named here so both download at once, not one after the other

const models = new Map();  // variant id -> Model
// The titles every variant shares (models/titles.json; the model files carry none): raw item id -> title.
const shared = { titles: new Map(), folded: null };

// Start compiling the WebAssembly module as soon as the worker runs, before the page asks. Emscripten's own
// messages (e.g. "Aborted(CompileError ...)") go to the debug console only: the page says what happened in
// words through the init operation.
const t0 = performance.now();
const reason = unsupportedReason();
const quiet = (text) => console.debug(`memrec_wasm: ${text}`);
const ready = reason ? Promise.reject(new Error(reason)) : init({ print: quiet, printErr: quiet });
ready.catch(() => {});  // reported through the init operation

const WASM_FAILED = 'The recommender could not start: its WebAssembly file (memrec_wasm.wasm) is missing on the ' +
  'server or damaged. Reloading the page may help; otherwise the site needs to be rebuilt.';

// Downloads `url`, counting the body bytes as they arrive, and reads the compressed size from the
// browser's resource timing (what actually crossed the network; 0 if it came from a cache).
async function download(url, what = 'the model file') {
  const absolute = new URL(url, self.location.href).href;
  let response;
  try {
    response = await fetch(absolute, { cache: 'no-store' });
  } catch (e) {
    throw new Error(`${what} ${url} could not be downloaded (is the server running?)`);
  }
  if (response.status === 404) throw new Error(`${what} ${url} is missing on the server (404)`);
  if (!response.ok) throw new Error(`the server refused ${what} ${url} (HTTP ${response.status})`);
  const chunks = [];
  let body = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    body += value.byteLength;
  }
  const bytes = new Uint8Array(body);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const timing = performance.getEntriesByName(absolute).pop();
  const encoded = timing && timing.encodedBodySize > 0 ? timing.encodedBodySize : null;
  const header = Number(response.headers.get('content-length')) || null;
  const encoding = response.headers.get('content-encoding') || 'identity';
  // Bytes over the wire: resource timing when the browser reports it, else Content-Length (which, with a
  // content encoding, is the compressed size), else the decoded body.
  const wire = encoded ?? header ?? body;
  return { bytes, body, wire, encoding, fromTiming: encoded !== null };
}

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

  // Downloads the shared titles file once: {itemIds, titles} for the page, kept here for searching.
  async titles({ url }) {
    const got = await download(url, 'the movie titles');
    let doc;
    try {
      doc = JSON.parse(new TextDecoder().decode(got.bytes));
    } catch (e) {
      throw new Error(`the movie titles file ${url} is damaged: it is not valid JSON`);
    }
    // `memrec titles` writes integer ids as {firstId, titles by id (null: no such movie)}, others as lists.
    const ids = Number.isInteger(doc.firstId) && Array.isArray(doc.titles)
      ? doc.titles.map((t, i) => (t === null ? null : String(doc.firstId + i)))
      : Array.isArray(doc.itemIds) && Array.isArray(doc.titles) ? doc.itemIds.map(String) : null;
    if (!ids) throw new Error(`the movie titles file ${url} holds no titles`);
    shared.titles.clear();
    ids.forEach((id, i) => { if (id !== null) shared.titles.set(id, String(doc.titles[i] || '')); });
    shared.folded = null;
    return { itemIds: [...shared.titles.keys()], titles: [...shared.titles.values()] };
  },

  async load({ variant, url }) {
    const t0 = performance.now();
    const got = await download(url);
    const t1 = performance.now();
    const old = models.get(variant);
    if (old) {
      old.free();
      models.delete(variant);
    }
    let model;
    try {
      model = await load(got.bytes);
    } catch (e) {
      throw new Error(`the model file ${url} could not be read: ${e.message}`);
    }
    models.set(variant, model);
    const info = model.info();
    const t2 = performance.now();
    return {
      info,
      bytes: { file: got.body, wire: got.wire, encoding: got.encoding, fromTiming: got.fromTiming },
      ms: { download: t1 - t0, init: t2 - t1, total: t2 - t0 },
    };
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
        if (m.info().objective === 'implicit') {
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
    const once = m.info().objective === 'implicit' ? () => m.visitorTopN(ratings, k) : () => m.topN(user, k, exclude);
    once();  // warm up
    const t0 = performance.now();
    for (let i = 0; i < repeats; ++i) once();
    const topN = (performance.now() - t0) / repeats;
    return { topNMs: topN, items: m.info().items, foldIn: m.info().objective === 'implicit' };
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
  try {
    if (!ops[op]) throw new Error(`unknown operation ${op}`);
    const result = await ops[op](args);
    self.postMessage({ id, ok: true, result });
  } catch (e) {
    self.postMessage({ id, ok: false, error: e && e.message ? e.message : String(e) });
  }
};
