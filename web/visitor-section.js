// "New visitor": search movies, rate them with stars (kept across visits by saved.js), and the top 10
// folded in from those ratings.
import { starWidget } from './stars.js';
import { saveRatings } from './saved.js';
import { $, clear, el } from './dom.js';
import { state, engine, variantById } from './page.js';
import { recItem } from './user-section.js';

export async function search(input, list, onPick, withStars) {
  const query = input.value.trim();
  clear(list);
  if (!query || !state.active) return;
  let hits;
  try {
    hits = await engine.client.call('search', { variant: state.active, query, limit: 12 });
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

export function rateVisitor(hit, rating) {
  state.visitor.set(hit.item, { title: hit.title || `movie ${hit.item}`, rating });
  renderVisitorRated();
  search($('visitor-search'), $('visitor-results'), rateVisitor, true);
  updateVisitor();
}

export function renderVisitorRated() {
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

export async function updateVisitor() {
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
    const r = await engine.client.call('visitorTopN', { variant: state.active, ratings, k: 10 });
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
