// A 1-5 star rating widget: one radio group per movie, usable with mouse, touch, keyboard and screen
// readers. The group is one tab stop (the checked star, else the first); arrow keys change the rating,
// Home and End pick 1 and 5, Space and Enter rate the focused star.
// starWidget(label, value, onRate) returns the element; onRate(n) is called with the chosen rating.
//
// Rating re-renders the page's lists, which removes the focused star from the document. So the widget
// remembers which movie's group (its list item's data-item, in which list) was just rated, and a group
// created for the same movie in the same list within a moment takes the focus back, unless the visitor
// has already moved it elsewhere.
const STEP = { ArrowRight: 1, ArrowUp: 1, ArrowLeft: -1, ArrowDown: -1 };
const RESTORE_WITHIN_MS = 2000;
let justRated = null;  // {movie, list, until}

const whereIs = (group) => ({
  movie: group.closest('[data-item]')?.dataset.item ?? group.getAttribute('aria-label'),
  list: group.closest('[id]')?.id ?? '',
});

function takeFocusBack(group) {
  if (!justRated || performance.now() > justRated.until || !group.isConnected) return;
  const here = whereIs(group);
  if (here.movie !== justRated.movie || here.list !== justRated.list) return;
  const active = document.activeElement;
  if (active && active !== document.body && active.isConnected) return;  // the visitor moved on
  justRated = null;
  group.querySelector('[tabindex="0"]').focus();
}

export function starWidget(label, value, onRate) {
  const group = document.createElement('span');
  group.className = 'stars';
  group.setAttribute('role', 'radiogroup');
  group.setAttribute('aria-label', `Your rating for ${label}`);
  const buttons = [];
  const show = (checked) => {
    for (const b of buttons) {
      const n = Number(b.dataset.stars);
      b.classList.toggle('on', Boolean(checked) && n <= checked);
      b.setAttribute('aria-checked', String(n === checked));
      b.tabIndex = n === (checked || 1) ? 0 : -1;
    }
  };
  const rate = (n) => {
    show(n);
    buttons[n - 1].focus();
    justRated = { ...whereIs(group), until: performance.now() + RESTORE_WITHIN_MS };
    onRate(n);
  };
  for (let n = 1; n <= 5; ++n) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'star';
    b.textContent = '★';
    b.dataset.stars = String(n);
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-label', `${n} star${n > 1 ? 's' : ''}`);
    b.title = `${n} star${n > 1 ? 's' : ''}`;
    b.addEventListener('click', () => rate(n));
    buttons.push(b);
  }
  group.append(...buttons);
  show(value);
  group.addEventListener('keydown', (e) => {
    const current = Number(e.target.dataset.stars) || value || 1;
    let n = null;
    if (e.key in STEP) n = Math.min(5, Math.max(1, current + STEP[e.key]));
    else if (e.key === 'Home') n = 1;
    else if (e.key === 'End') n = 5;
    if (n === null) return;
    e.preventDefault();
    rate(n);
  });
  group.addEventListener('mouseover', (e) => {
    const n = Number(e.target.dataset && e.target.dataset.stars);
    if (!n) return;
    for (const b of buttons) b.classList.toggle('hover', Number(b.dataset.stars) <= n);
  });
  group.addEventListener('mouseleave', () => {
    for (const b of buttons) b.classList.remove('hover');
  });
  if (justRated) requestAnimationFrame(() => takeFocusBack(group));
  return group;
}

// A read-only rendering of a predicted rating: "★★★★☆ 4.21".
export function ratingText(r) {
  const full = Math.max(0, Math.min(5, Math.round(r)));
  return '★'.repeat(full) + '☆'.repeat(5 - full);
}
