// The page's WebAssembly worker: downloads model files, keeps the loaded models and answers queries, so
// nothing heavy runs on the main thread. Messages: {id, op, ...args} in, {id, ok, result | error} out.
import { init, load, unsupportedReason } from './memrec.mjs';

const models = new Map();  // variant id -> Model

// Start compiling the WebAssembly module as soon as the worker runs, before the page asks.
const t0 = performance.now();
const reason = unsupportedReason();
const ready = reason ? Promise.reject(new Error(reason)) : init();
ready.catch(() => {});  // reported through the init operation

// Downloads `url`, counting the body bytes as they arrive, and reads the compressed size from the
// browser's resource timing (what actually crossed the network; 0 if it came from a cache).
async function download(url) {
  const absolute = new URL(url, self.location.href).href;
  let response;
  try {
    response = await fetch(absolute, { cache: 'no-store' });
  } catch (e) {
    throw new Error(`the model file ${url} could not be downloaded (is the server running?)`);
  }
  if (response.status === 404) throw new Error(`the model file ${url} is missing on the server (404)`);
  if (!response.ok) throw new Error(`the server refused the model file ${url} (HTTP ${response.status})`);
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
    await ready;
    return { ms: performance.now() - t0 };
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
    model.titles();  // decode titles now, not on the first search
    const t2 = performance.now();
    return {
      info,
      bytes: { file: got.body, wire: got.wire, encoding: got.encoding, fromTiming: got.fromTiming },
      ms: { download: t1 - t0, init: t2 - t1, total: t2 - t0 },
    };
  },

  titles({ variant }) {
    const m = get(variant);
    return { titles: m.titles(), itemIds: m.itemIds() };
  },

  topN({ variant, user, k, exclude }) {
    const m = get(variant);
    const t0 = performance.now();
    const items = m.topN(user, k, exclude);
    return { items, fallback: items.fallback || null, ms: performance.now() - t0 };
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
    return { items, ms: performance.now() - t0 };
  },

  search({ variant, query, limit }) {
    return get(variant).searchTitles(query, limit);
  },

  // The same user and movie in every loaded variant.
  pair({ user, item }) {
    const out = {};
    for (const [variant, m] of models) {
      try {
        out[variant] = { rating: m.predict(user, item) };
      } catch (e) {
        out[variant] = { error: e.message };
      }
    }
    return out;
  },

  // Time of scoring the whole catalogue and taking the top k for one user, averaged over `repeats` runs.
  bench({ variant, user, k, exclude, repeats }) {
    const m = get(variant);
    m.topN(user, k, exclude);  // warm up
    const t0 = performance.now();
    for (let i = 0; i < repeats; ++i) m.topN(user, k, exclude);
    const topN = (performance.now() - t0) / repeats;
    return { topNMs: topN, items: m.info().items };
  },

  // Builds each model's visitor prior and warms up the fitting code, so the first visitor waits for neither.
  warm() {
    for (const m of models.values()) m.visitorTopN([{ item: m.itemIds()[0], rating: 4 }], 10);
    return true;
  },

  resources() {
    return performance.getEntriesByType('resource').map((e) => ({ name: e.name, encodedBodySize: e.encodedBodySize,
      decodedBodySize: e.decodedBodySize, transferSize: e.transferSize }));
  },

  free({ variant }) {
    const m = models.get(variant);
    if (m) m.free();
    models.delete(variant);
    return true;
  },
};

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
