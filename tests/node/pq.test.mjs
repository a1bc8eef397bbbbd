// Product-quantised model files in the WebAssembly module (issue 17): a ranking test model exported with
// `memrec export --quantize pq` loads, reports its storage, folds a visitor in and ranks every movie from
// its codes (per-subspace lookup tables) as the native `memrec recommend` does, and fast: the median of
// fitting a visitor and scoring every movie is at most 1 ms.
//
// Inputs as tests/node/wasm.test.mjs (scripts/test-web.sh sets them up): MEMREC_WASM_DIR, MEMREC_TEST_MODELS,
// MEMREC_BIN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cli, cliVisitorTopN } from './cli.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasmDir = path.resolve(process.env.MEMREC_WASM_DIR || path.join(repo, 'build-wasm/wasm'));
const modelsDir = path.resolve(process.env.MEMREC_TEST_MODELS || path.join(repo, 'build-wasm/test-models'));

const manifest = JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8'));
const users = JSON.parse(fs.readFileSync(path.join(modelsDir, manifest.users), 'utf8')).users;
const ranking = manifest.variants.find((v) => v.objective === 'implicit');
const memrec = await import(pathToFileURL(path.join(wasmDir, 'memrec.mjs')).href);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-pq-'));
let model = null;
let pqFile = null;


before(async () => {
  assert.ok(ranking, 'the test models hold a ranking (implicit) variant');
  await memrec.init({ wasmBinary: fs.readFileSync(path.join(wasmDir, 'memrec_wasm.wasm')) });
  const source = path.join(modelsDir, ranking.file);
  // Subspaces: the divisor of the item dim nearest dim / 4 (rank-small's 35 factors: 7 subspaces of 5).
  const src = await memrec.load(fs.readFileSync(source));
  const dim = src.info().itemTable.dim;
  src.free();
  let m = 1;
  for (let d = 1; d <= dim; ++d) if (dim % d === 0 && Math.abs(d - dim / 4) < Math.abs(m - dim / 4)) m = d;
  pqFile = path.join(tmp, 'pq.mrec');
  cli(['export', source, '--quantize', 'pq', '--pq-subspaces', String(m), '--pq-bits', '8', '--out', pqFile, '-q']);
  model = await memrec.load(fs.readFileSync(pqFile));
});

after(() => {
  if (model) model.free();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a pq file loads and says so', () => {
  const info = model.info();
  assert.equal(info.storage, 'pq');
  assert.equal(info.objective, 'implicit');
  assert.ok(info.items > 0);
});

test('a visitor\'s top 10 from the codes equals the native memrec recommend on the same file', () => {
  for (const u of users.slice(0, 3)) {
    const ratings = u.train.map((item, i) => ({ item, rating: u.trainRatings[i] }));
    const got = model.visitorTopN(ratings, 10);
    const want = cliVisitorTopN(pqFile, ratings, 10);
    assert.equal(want.length, 10, `memrec recommend printed ${want.length} rows`);
    for (let r = 0; r < 10; ++r) {
      if (got[r].item !== want[r].item)
        assert.ok(Math.abs(got[r].rating - want[r].rating) < 2e-3, `user ${u.id} rank ${r + 1}: wasm ${got[r].item}, cli ${want[r].item}`);
      assert.ok(Math.abs(got[r].rating - want[r].rating) <= 5e-4 + 1e-6, `user ${u.id} rank ${r + 1} score`);
    }
  }
});

test('folding a visitor in and scoring every movie from the codes takes at most 1 ms (median)', () => {
  const u = users[0];
  const ratings = u.train.slice(0, 10).map((item, i) => ({ item, rating: u.trainRatings[i] }));
  for (let i = 0; i < 20; ++i) model.visitorScores(ratings);  // warm up
  const times = [];
  for (let i = 0; i < 301; ++i) {
    const t0 = performance.now();
    model.visitorScores(ratings);
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const median = times[150];
  console.log(`# pq (${ranking.id}): fit a visitor from 10 ratings + score ${model.info().items} movies from codes: ` +
    `median ${median.toFixed(3)} ms over 301 calls (node)`);
  assert.ok(median <= 1, `median ${median} ms`);
});
