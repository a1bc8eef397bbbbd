// memrec in JavaScript: a Promise API over the WebAssembly module (memrec_wasm.mjs + .wasm, built from
// wasm/bindings.cpp). Works in pages, workers and node.
//
//   import { load } from './memrec.mjs';
//   const model = await load(bytes);              // Uint8Array or ArrayBuffer of a .mrec file
//   model.info();                                 // sizes, kinds, storage, eval metrics, history, ...
//   model.predict('1', '1193');                   // predicted rating of user 1 for item 1193 (raw ids)
//   model.topN('1', 10, ['1193', '661']);         // [{item, index, title, rating}], excluding those items
//   model.visitorTopN([{item: '1', rating: 5}, ...], 10);  // for someone not in the model
//   model.scoreUser('1'), model.visitorScores(ratings);   // every item's predicted rating (Float32Array)
//   model.searchTitles('toy story', 20);          // [{item, index, title}]
//   model.free();                                 // releases the model's WebAssembly memory
//
// Failures (corrupt file, unknown id, no WebAssembly) reject or throw a MemrecError whose message is the
// core library's, e.g. "model file: magic: expected MREC, got ...".
import createMemrecModule from './memrec_wasm.mjs';

export class MemrecError extends Error {
  constructor(message, cause) {
    super(message);
    this.name = 'MemrecError';
    if (cause !== undefined) this.cause = cause;
  }
}

// A 1-function module using one simd128 instruction: validates only where WebAssembly SIMD exists.
const SIMD_PROBE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8,
  0, 65, 0, 253, 15, 253, 98, 11]);

// Why this environment cannot run the module, in words a visitor understands; null if it can.
export function unsupportedReason() {
  if (typeof WebAssembly !== 'object' || typeof WebAssembly.instantiate !== 'function')
    return 'This browser does not support WebAssembly, which the recommender runs on. ' +
      'Try a current version of Firefox, Chrome, Edge or Safari.';
  try {
    if (!WebAssembly.validate(SIMD_PROBE))
      return 'This browser supports WebAssembly but not its SIMD extension, which the recommender needs ' +
        '(Chrome 91+, Firefox 89+, Safari 16.4+).';
  } catch (e) {
    return 'WebAssembly is disabled in this browser.';
  }
  return null;
}

let modulePromise = null;

// Instantiates the WebAssembly module once. `options` go to Emscripten's factory: under node pass
// {wasmBinary: bytes of memrec_wasm.wasm}; in a browser the .wasm is fetched next to memrec_wasm.mjs.
export function init(options = {}) {
  if (!modulePromise) {
    const reason = unsupportedReason();
    if (reason) return Promise.reject(new MemrecError(reason));
    modulePromise = createMemrecModule({ ...options }).catch((e) => {
      modulePromise = null;
      throw new MemrecError(`the WebAssembly module could not be started: ${e && e.message ? e.message : e}`, e);
    });
  }
  return modulePromise;
}

// The binding methods return either their result or an Error built from the core's exception message.
function check(result) {
  if (result instanceof Error) throw new MemrecError(result.message);
  return result;
}

function toBytes(bytes) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new MemrecError('load() needs the model file as a Uint8Array or ArrayBuffer');
}

// Case-, accent- and punctuation-insensitive form of a title for searching.
function fold(s) {
  return s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
}

function visitorRatings(ratings) {
  const last = new Map();
  for (const r of ratings) last.set(String(r.item), Number(r.rating));
  return [...last].map(([item, rating]) => ({ item, rating }));
}

export class Model {
  #handle;
  #info = null;
  #titles = null;
  #folded = null;
  #itemIds = null;

  constructor(handle) {
    this.#handle = handle;
  }

  #live() {
    if (!this.#handle) throw new MemrecError('this model has been freed');
    return this.#handle;
  }

  // Everything the file says about the model (see wasm/bindings.cpp for the fields).
  info() {
    const handle = this.#live();  // a freed model refuses, cached or not
    if (!this.#info) this.#info = check(handle.info());
    return this.#info;
  }

  // Titles by dense item index ('' where unknown) and raw item ids by dense index.
  titles() {
    const handle = this.#live();
    if (!this.#titles) this.#titles = check(handle.titles());
    return this.#titles;
  }

  itemIds() {
    const handle = this.#live();
    if (!this.#itemIds) this.#itemIds = check(handle.itemIds());
    return this.#itemIds;
  }

  hasUser(user) {
    return check(this.#live().hasUser(String(user)));
  }

  hasItem(item) {
    return check(this.#live().itemIndex(String(item))) >= 0;
  }

  predict(user, item) {
    return check(this.#live().predict(String(user), String(item)));
  }

  // Predicted ratings of `user` for several items at once: a Float32Array in the order of `items`.
  predictMany(user, items) {
    return check(this.#live().predictMany(String(user), items.map(String)));
  }

  // The `k` best items for a user of the model, leaving out `exclude` (raw item ids, e.g. their training
  // ratings): [{item, index, title, rating}] best first.
  topN(user, k = 10, exclude = []) {
    return check(this.#live().recommendUser(String(user), k, exclude.map(String)));
  }

  // Predicted ratings of every item for a user of the model: a Float32Array by dense item index (the
  // order of itemIds()).
  scoreUser(user) {
    return check(this.#live().scoreUser(String(user)));
  }

  // The `k` best items for a visitor described only by ratings [{item, rating}] (raw ids; a later rating
  // of the same item replaces an earlier one). Their user vector is fitted in the module with the item
  // tables frozen; rated items are left out. [{item, index, title, rating, because}] best first, where
  // `because` is {item, title}: the movie they rated 4 or more that contributes most to the item's score
  // ("because you liked ..."), or null.
  visitorTopN(ratings, k = 10) {
    return check(this.#live().recommendVisitor(visitorRatings(ratings), k));
  }

  // Predicted ratings of every item for such a visitor: a Float32Array by dense item index.
  visitorScores(ratings) {
    return check(this.#live().scoreVisitor(visitorRatings(ratings)));
  }

  // Titles containing every word of `query` (ignoring case, accents and punctuation), most popular first.
  searchTitles(query, limit = 20) {
    const words = fold(String(query)).split(' ').filter(Boolean);
    if (words.length === 0) return [];
    const titles = this.titles();
    if (!this.#folded) this.#folded = titles.map(fold);
    const counts = this.info().itemCounts;
    const ids = this.itemIds();
    const hits = [];
    for (let i = 0; i < titles.length; ++i) {
      const t = this.#folded[i];
      if (words.every((w) => t.includes(w))) hits.push(i);
    }
    hits.sort((a, b) => counts[b] - counts[a] || a - b);
    return hits.slice(0, limit).map((i) => ({ item: ids[i], index: i, title: titles[i] }));
  }

  // Releases the WebAssembly memory of this model; the object is unusable afterwards.
  free() {
    if (this.#handle) {
      this.#handle.delete();
      this.#handle = null;
    }
  }
}

// Parses a .mrec file's bytes into a Model. Rejects with the loader's message if the file is corrupt.
export async function load(bytes, options = {}) {
  const module = await init(options);
  const data = toBytes(bytes);
  const handle = new module.Model();
  try {
    check(handle.load(data));
  } catch (e) {
    handle.delete();
    throw e;
  }
  return new Model(handle);
}
