// What the tests of the npm package share (tests/node/package.test.mjs, types.test.mjs and
// tests/browser/package.test.mjs, vite.test.mjs): the package directory the wasm build assembles, packed
// with `npm pack` and installed from the tarball into a fresh project (offline: it has no dependencies);
// small models trained by the native command on a `memrec synth` file with made-up titles; and the
// command's answers to compare with.
//
// Inputs (scripts/test-web.sh sets them): MEMREC_WASM_DIR (build-wasm/wasm, holding package/), MEMREC_BIN.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { cli, cliVisitorTopN, memrecBin, parseRows } from './cli.mjs';
import { fileURLToPath } from 'node:url';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const wasmDir = path.resolve(process.env.MEMREC_WASM_DIR || path.join(repo, 'build-wasm/wasm'));
export const packageDir = path.join(wasmDir, 'package');
export const examplesDir = path.join(repo, 'wasm/examples');
export { cli, cliVisitorTopN, memrecBin };

for (const [what, p] of [['the package (wasm build)', path.join(packageDir, 'package.json')],
  ['the native memrec command', memrecBin]]) {
  if (!fs.existsSync(p)) throw new Error(`${what} is missing (${p}): run scripts/test-web.sh`);
}

function run(cmd, args, options = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

// `npm pack`s the package into a temporary folder and installs the tarball into a new project there.
// Resolves to {root, project, tarball, installed}; remove `root` when done.
export function installPackage() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-package-'));
  const npmFlags = ['--no-audit', '--no-fund', '--loglevel=error', `--cache=${path.join(root, 'npm-cache')}`];
  const packed = JSON.parse(run('npm', ['pack', packageDir, '--json', `--pack-destination=${root}`, ...npmFlags]));
  const tarball = path.join(root, packed[0].filename);
  const project = path.join(root, 'project');
  fs.mkdirSync(project);
  fs.writeFileSync(path.join(project, 'package.json'),
    JSON.stringify({ name: 'memrec-consumer', private: true, type: 'module' }, null, 2));
  run('npm', ['install', '--offline', tarball, ...npmFlags], { cwd: project });
  return { root, project, tarball, files: packed[0].files.map((f) => f.path), installed: path.join(project, 'node_modules/memrec') };
}

// A synthetic MovieLens-1M-style folder (ratings.dat from `memrec synth`, movies.dat with made-up titles)
// and two models trained on it: a rating model (users and items) and an implicit-ALS ranking model (items
// only, users folded in). Returns {data, rating, ranking, visitor}: the visitor is five items user 1 rated
// highest, [{item, rating}].
export function trainModels(dir) {
  const data = path.join(dir, 'synth');
  fs.mkdirSync(data, { recursive: true });
  cli(['synth', '--users', '300', '--items', '200', '--ratings', '15000', '--format', 'dat', '--out',
    path.join(data, 'ratings.dat'), '-q']);
  const titles = [];
  for (let i = 1; i <= 200; ++i) titles.push(`${i}::Movie number ${i} (${1950 + (i % 70)})::Drama`);
  fs.writeFileSync(path.join(data, 'movies.dat'), titles.join('\n') + '\n');
  const rating = path.join(dir, 'rating.mrec'), ranking = path.join(dir, 'ranking.mrec');
  cli(['train', '--data', data, '--dim', '8', '--epochs', '10', '--lr', '0.01', '--threads', '1', '-q', '--out', rating]);
  cli(['train', '--data', data, '--objective', 'als', '--dim', '8', '--iterations', '5', '--threads', '1', '-q',
    '--out', ranking]);
  // The rating model's users with the items they rated in its training split (what topN leaves out).
  const usersFile = path.join(dir, 'users.json');
  cli(['demo-users', rating, '--data', data, '--out', usersFile, '--count', '3', '-q']);
  const users = JSON.parse(fs.readFileSync(usersFile, 'utf8')).users.map((u) => ({ id: u.id, train: u.train }));
  const lines = fs.readFileSync(path.join(data, 'ratings.dat'), 'utf8').split('\n').filter((l) => l.startsWith('1::'));
  const visitor = lines.map((l) => l.split('::')).sort((a, b) => Number(b[2]) - Number(a[2]) || a[1] - b[1])
    .slice(0, 5).map(([, item, r]) => ({ item, rating: Number(r) }));
  return { data, rating, ranking, users, visitor };
}

// `memrec recommend --user` (with the training data, whose split says what the user rated): [{item, rating}]
// best first (a known user: "rank predicted id title").
export function cliTopN(model, user, k, data) {
  return parseRows(cli(['recommend', model, '--user', user, '-k', String(k), '--data', data, '-q']));
}

// `memrec predict`: the predicted rating (6 decimals).
export function cliPredict(model, user, item) {
  const m = /predicted rating (-?[\d.]+)/.exec(cli(['predict', model, '--user', user, '--movie', item]));
  if (!m) throw new Error(`unexpected memrec predict output for ${user}/${item}`);
  return Number(m[1]);
}

// Whether two top-N lists agree: the same scores within the CLI's printed precision, the same items
// unless two scores tie at that precision.
export function sameList(got, want, what) {
  const problems = [];
  if (got.length !== want.length) problems.push(`${what}: ${got.length} items, the CLI ${want.length}`);
  for (let r = 0; r < Math.min(got.length, want.length); ++r) {
    if (Math.abs(got[r].rating - want[r].rating) > 5e-4 + 1e-6)
      problems.push(`${what} rank ${r + 1}: score ${got[r].rating}, the CLI ${want[r].rating}`);
    if (got[r].item !== want[r].item && Math.abs(got[r].rating - want[r].rating) >= 2e-3)
      problems.push(`${what} rank ${r + 1}: item ${got[r].item}, the CLI ${want[r].item}`);
  }
  return problems;
}
