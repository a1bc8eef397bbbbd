// "One user, one movie": every loaded variant's answer for the pair, beside the held-out rating.
import { $, fmtInt, clear, el } from './dom.js';
import { state, engine, notLoadedText } from './page.js';
import { demoUser } from './demo-users.js';
import { friendlyUserError } from './user-section.js';

export function clearPair() {
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

export async function updatePair() {
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
    r = await engine.client.call('pair', { user, item, ratings: demo ? demo.ratings : null });
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
