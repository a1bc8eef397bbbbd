// What the page's sections share: its state (the variants, the active one, demo users, titles, the
// visitor's ratings), the engine (worker) they ask, timings, and small lookups over them.
import { loadRatings } from './saved.js';

export const timings = { navigationToFirstRecommendations: null, firstTopNMs: null, benchmark: null, marks: {} };

export const mark = (name) => { timings.marks[name] = Math.round(performance.now()); };

export const state = {
  manifest: null,
  variants: [],          // [{id, label, file, objective, status, info, bytes, ms, error}]
  active: null,          // variant id the user/visitor sections use
  users: new Map(),      // demo users: id -> {train: [item ids], ratings: [{item, rating}], heldOut: [[item, rating]]}
  usersFile: null,       // Promise of users.json's loading, once someone asks for a demo user
  titles: new Map(),     // item id -> title (models/titles.json, shared by every variant)
  visitor: loadRatings(),  // item id -> {title, rating}, kept across reloads by saved.js
  pairItem: null,        // {item, title}
};

// The worker running the WebAssembly module (set by app.js once it starts), and whether it could not start
// (then that is the reason every model failed, said once, not per model).
export const engine = { client: null, failed: false };

// The pair section ("one user, one movie") is not needed for the first recommendations: its module is
// imported on first use, which start() (app.js) makes just after them. Once imported it is called directly
// (as when it was a static import); before, its table has nothing to clear.
let pairModule = null;
export function updatePair() {
  if (pairModule) return pairModule.updatePair();
  return import('./pair-section.js').then((m) => { pairModule = m; return m.updatePair(); });
}
export function clearPair() {
  if (pairModule) pairModule.clearPair();
}

export const NOT_STARTED = 'not loaded: the recommender could not start';

// `pending`: the same request already under way (index.html starts the manifest's).
export async function fetchJson(url, what, pending = null) {
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

export function variantById(id) {
  return state.variants.find((v) => v.id === id);
}

export function loadedVariants() {
  return state.variants.filter((v) => v.status === 'loaded');
}

// Whether the active variant is a ranking model (it folds users in and scores preferences, not stars).
export function activeRanking() {
  const v = variantById(state.active);
  return Boolean(v && v.info && v.info.foldIn);
}

export function modelsUrl(file) {
  return new URL(file, new URL('models/', location.href)).href;
}

export function titleOf(item) {
  return state.titles.get(String(item)) || `movie ${item}`;
}

export function notLoadedText() {
  const waiting = state.variants.filter((v) => v.status === 'waiting').length;
  return waiting ? ` ${waiting} variant${waiting > 1 ? 's are' : ' is'} not loaded: choose one above or compare every variant.` : '';
}
