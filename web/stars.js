// A 1-5 star rating widget: five buttons in a radio group, usable with mouse, keyboard and screen readers.
// starWidget(label, value, onRate) returns the element; onRate(n) is called with the chosen rating.
export function starWidget(label, value, onRate) {
  const group = document.createElement('span');
  group.className = 'stars';
  group.setAttribute('role', 'radiogroup');
  group.setAttribute('aria-label', `Your rating for ${label}`);
  for (let n = 1; n <= 5; ++n) {
    const b = document.createElement('button');
    b.type = 'button';
    b.className = 'star' + (value && n <= value ? ' on' : '');
    b.textContent = '★';
    b.dataset.stars = String(n);
    b.setAttribute('role', 'radio');
    b.setAttribute('aria-checked', String(value === n));
    b.setAttribute('aria-label', `${n} star${n > 1 ? 's' : ''}`);
    b.title = `${n} star${n > 1 ? 's' : ''}`;
    b.addEventListener('click', () => onRate(n));
    group.append(b);
  }
  group.addEventListener('mouseover', (e) => {
    const n = Number(e.target.dataset && e.target.dataset.stars);
    if (!n) return;
    for (const b of group.children) b.classList.toggle('hover', Number(b.dataset.stars) <= n);
  });
  group.addEventListener('mouseleave', () => {
    for (const b of group.children) b.classList.remove('hover');
  });
  return group;
}

// A read-only rendering of a predicted rating: "★★★★☆ 4.21".
export function ratingText(r) {
  const full = Math.max(0, Math.min(5, Math.round(r)));
  return '★'.repeat(full) + '☆'.repeat(5 - full);
}
