// The page's DOM helpers, and the #problems area where everything that can fail is reported in plain words.

export const $ = (id) => document.getElementById(id);

export const fmtInt = new Intl.NumberFormat('en-US');

const problemsShown = new Set();

export function problem(message) {
  if (problemsShown.has(message)) return;
  problemsShown.add(message);
  const p = document.createElement('p');
  p.className = 'problem';
  p.textContent = message;
  $('problems').append(p);
  console.error(message);
}

export function clear(el) {
  while (el.firstChild) el.firstChild.remove();
}

export function el(tag, props = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k === 'class') e.className = v;
    else e[k] = v;
  }
  e.append(...children.filter((c) => c !== null && c !== undefined));
  return e;
}

export function kb(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} KB`;
}

export function debounce(fn, ms) {
  let t = null;
  return (...args) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...args), ms);
  };
}
