// "Existing user": a demo user's top 10 from the active variant, and how it did on their held-out ratings
// (predicted stars for a rating model, each movie's place in the list for a ranking model).
import { ratingText } from './stars.js';
import { $, fmtInt, clear, el } from './dom.js';
import { timings, state, engine, variantById, activeRanking, titleOf } from './page.js';
import { demoUser } from './demo-users.js';

// A recommendation: the predicted stars of a rating model, or the preference score of a ranking model
// (which is no rating), and why ("because you liked ...") when the module says.
export function recItem(r, ranking = activeRanking()) {
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
    return engine.client.call('topN', { variant, user, k: 10, exclude: demo ? demo.train : [] });
  if (!demo) return { unknown: true };
  return { ...(await engine.client.call('visitorTopN', { variant, ratings: demo.ratings, k: 10 })), foldIn: true };
}

export async function showUser(user, first = false) {
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

export function friendlyUserError(message, user) {
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
    const preds = implicit ? await engine.client.call('ranks', { variant, ratings: demo.ratings, items })
      : await engine.client.call('predictMany', { variant, user, items });
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
