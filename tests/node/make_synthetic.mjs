// Writes a small synthetic MovieLens-1M-style set (ratings.dat, movies.dat) for the web tests when no real
// data is available: ratings from a random low-rank taste model with popularity skew, so a trained model
// has something to learn and the mixed-dimension blocks have a head and a tail.
//   node tests/node/make_synthetic.mjs OUT_DIR [users=700] [items=1200] [per_user=60]
import fs from 'node:fs';
import path from 'node:path';

const [out, users = 700, items = 1200, perUser = 60] = process.argv.slice(2).map((a, i) => (i ? Number(a) : a));
if (!out) {
  console.error('usage: node tests/node/make_synthetic.mjs OUT_DIR [users] [items] [per_user]');
  process.exit(2);
}

// mulberry32: small, seeded, the same everywhere.
let seed = 12345;
function rand() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
function gauss() {
  return Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
}

const rank = 4;
const U = Array.from({ length: users }, () => Array.from({ length: rank }, gauss));
const V = Array.from({ length: items }, () => Array.from({ length: rank }, gauss));
const quality = Array.from({ length: items }, () => 0.6 * gauss());
// Zipf-like popularity: item i drawn with weight 1 / (i + 10).
const weights = Array.from({ length: items }, (_, i) => 1 / (i + 10));
const cumulative = [];
weights.reduce((s, w, i) => (cumulative[i] = s + w), 0);
const total = cumulative[items - 1];
function drawItem() {
  const x = rand() * total;
  let lo = 0, hi = items - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const lines = [];
let ts = 978300000;
for (let u = 0; u < users; ++u) {
  const n = Math.max(5, Math.round(perUser * (0.3 + 1.4 * rand())));
  const seen = new Set();
  for (let k = 0; k < n * 3 && seen.size < n; ++k) {
    const i = drawItem();
    if (seen.has(i)) continue;
    seen.add(i);
    let dot = 0;
    for (let d = 0; d < rank; ++d) dot += U[u][d] * V[i][d];
    const r = Math.min(5, Math.max(1, Math.round(3.5 + quality[i] + 0.45 * dot + 0.5 * gauss())));
    lines.push(`${u + 1}::${i + 1}::${r}::${ts++}`);
  }
}
const words = ['Silent', 'River', 'Night', 'Garden', 'Iron', 'Summer', 'Lost', 'City', 'Blue', 'Harbor', 'Winter',
  'Echo', 'Golden', 'Shadow', 'Paper', 'Storm', 'Glass', 'Little', 'Northern', 'Secret'];
const movies = [];
for (let i = 0; i < items; ++i) {
  const title = `${words[i % words.length]} ${words[Math.floor(i / words.length) % words.length]} ${i + 1}`;
  movies.push(`${i + 1}::${title} (${1950 + (i % 50)})::Drama`);
}
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'ratings.dat'), lines.join('\n') + '\n');
fs.writeFileSync(path.join(out, 'movies.dat'), movies.join('\n') + '\n');
console.log(`synthetic data: ${lines.length} ratings, ${users} users, ${items} items in ${out}`);
