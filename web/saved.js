// The visitor's ratings, kept in this browser's localStorage so that they survive a reload (they never
// leave the browser). The key is versioned: a later page that stores something else uses a new key rather
// than misreading this one. Storage may be absent or refuse writes (private mode, full quota, disabled
// cookies) and a stored value may be damaged: then the page simply starts without saved ratings.
const KEY = 'memrec.visitor-ratings.v1';

function storage() {
  try {
    return globalThis.localStorage || null;
  } catch {
    return null;  // reading localStorage itself throws where storage is blocked
  }
}

// Map item id -> {title, rating}, in the order rated; empty when nothing (valid) is stored.
export function loadRatings() {
  const ratings = new Map();
  try {
    const stored = JSON.parse(storage()?.getItem(KEY) || '[]');
    if (!Array.isArray(stored)) return ratings;
    for (const entry of stored) {
      if (!Array.isArray(entry)) continue;
      const [item, title, rating] = entry;
      if (typeof item === 'string' && typeof title === 'string' && Number.isInteger(rating) && rating >= 1 && rating <= 5)
        ratings.set(item, { title, rating });
    }
  } catch {
    // damaged JSON: start afresh
  }
  return ratings;
}

export function saveRatings(ratings) {
  try {
    const s = storage();
    if (!s) return;
    if (ratings.size === 0) s.removeItem(KEY);
    else s.setItem(KEY, JSON.stringify([...ratings].map(([item, r]) => [item, r.title, r.rating])));
  } catch {
    // not saved: the ratings still work for this visit
  }
}
