// The WebAssembly module under node (node --test): the same model files give the same predictions and
// top-10 lists as the native `memrec` command, corrupt files fail with the loader's message, a new
// visitor's fitted vector behaves like a user's, and scoring the catalogue is fast.
//
// Inputs (scripts/test-web.sh sets them up):
//   MEMREC_WASM_DIR     build-wasm/wasm: memrec_wasm.{mjs,wasm}, memrec.mjs, memrec_wasm_kernel_check.js
//   MEMREC_TEST_MODELS  a folder with manifest.json, users.json and the .mrec files it lists
//   MEMREC_BIN          the native memrec command (build/native/memrec)
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cli, cliVisitorTopN, memrecBin } from './cli.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasmDir = path.resolve(process.env.MEMREC_WASM_DIR || path.join(repo, 'build-wasm/wasm'));
const modelsDir = path.resolve(process.env.MEMREC_TEST_MODELS || path.join(repo, 'build-wasm/test-models'));

for (const [what, p] of [['the wasm build', path.join(wasmDir, 'memrec_wasm.wasm')],
  ['the test models', path.join(modelsDir, 'manifest.json')], ['the native memrec command', memrecBin]]) {
  if (!fs.existsSync(p)) throw new Error(`${what} is missing (${p}): run scripts/test-web.sh`);
}

const manifest = JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8'));
const users = JSON.parse(fs.readFileSync(path.join(modelsDir, manifest.users), 'utf8')).users;
// Rating models (with a user table) and ranking models (implicit ALS: item side only, users folded in).
const ratingVariants = manifest.variants.filter((v) => v.objective !== 'implicit');
const rankingVariants = manifest.variants.filter((v) => v.objective === 'implicit');
const wasmBinary = fs.readFileSync(path.join(wasmDir, 'memrec_wasm.wasm'));
const memrec = await import(pathToFileURL(path.join(wasmDir, 'memrec.mjs')).href);
const loaded = new Map();  // variant id -> Model

function modelPath(v) {
  return path.join(modelsDir, v.file);
}

// --- the native command, parsed --------------------------------------------------------------------


// `memrec recommend -q`: rows "rank predicted movie-id title...", or for the popularity fallback
// "rank ratings mean-predicted movie-id title...".
function cliTopN(file, user, k) {
  const args = ['recommend', file, '--user', user, '-k', String(k), '-q'];
  if (manifest.data) args.push('--data', manifest.data);
  const rows = [];
  for (const line of cli(args).split('\n')) {
    const popular = /^\s*(\d+)\s+([\d,]+)\s+(-?[\d.]+)\s+(\S+)/.exec(line);
    const m = popular ? null : /^\s*(\d+)\s+(-?[\d.]+)\s+(\S+)/.exec(line);
    if (popular) rows.push({ rank: Number(popular[1]), count: Number(popular[2].replace(/,/g, '')), rating: Number(popular[3]), item: popular[4] });
    else if (m) rows.push({ rank: Number(m[1]), rating: Number(m[2]), item: m[3] });
  }
  return rows;
}

function cliPredict(file, user, item) {
  const out = cli(['predict', file, '--user', user, '--movie', item]);
  const m = /predicted rating (-?[\d.]+)/.exec(out);
  assert.ok(m, `unexpected memrec predict output: ${out}`);
  return Number(m[1]);
}

function close(a, b, tol = 1e-5) {
  return Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
}

// --- tests -----------------------------------------------------------------------------------------

before(async () => {
  await memrec.init({ wasmBinary });
  for (const v of manifest.variants) loaded.set(v.id, await memrec.load(fs.readFileSync(modelPath(v))));
});

after(() => {
  for (const m of loaded.values()) m.free();
});

test('simd128 kernels agree with the scalar reference within 1e-5 relative', () => {
  const r = spawnSync(process.execPath, [path.join(wasmDir, 'memrec_wasm_kernel_check.js')], { encoding: 'utf8' });
  assert.equal(r.status, 0, `kernel check failed:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /active kernels: simd128/);
  assert.doesNotMatch(r.stdout, /FAIL/);
});

test('model info matches the file', () => {
  for (const v of ratingVariants) {
    const info = loaded.get(v.id).info();
    assert.equal(info.kernels, 'simd128');
    assert.equal(info.storage, v.storage, `${v.id}: storage`);
    assert.equal(info.objective, 'rating', `${v.id}: objective`);
    assert.equal(info.foldIn, false, `${v.id}: users looked up`);
    assert.ok(info.parameters > 0 && info.users > 0 && info.items > 0);
    assert.equal(info.itemCounts.length, info.items);
    assert.ok(info.history.length >= 1, `${v.id}: history stored`);
    // tiny is trained with early stopping (patience 3 on a 2% validation slice); the reference's are not.
    assert.equal(info.training.earlyStopping, v.id.startsWith('tiny') ? 3 : 0, `${v.id}: early stopping`);
    assert.ok(info.eval.count > 0 && info.eval.rmse > 0.5 && info.eval.rmse < 1.5, `${v.id}: eval RMSE ${info.eval.rmse}`);
    if (info.itemTable.kind === 'md') assert.equal(info.itemTable.blockDims.length, info.itemTable.blockEnds.length + 1);
  }
});

test('top-10 lists and predicted ratings equal the native CLI on the same files (1e-5)', () => {
  const sample = [users[0], users[1], users[Math.min(users.length - 1, 17)]];
  for (const v of ratingVariants) {
    const m = loaded.get(v.id);
    for (const u of sample) {
      const want = cliTopN(modelPath(v), u.id, 10);
      const got = m.topN(u.id, 10, u.train);
      assert.equal(got.length, 10);
      assert.equal(want.length, 10, `memrec recommend printed ${want.length} rows`);
      for (let r = 0; r < 10; ++r) {
        // The CLI prints 3 decimals; items must match unless two scores tie at that precision.
        if (got[r].item !== want[r].item)
          assert.ok(Math.abs(got[r].rating - want[r].rating) < 2e-3,
            `${v.id} user ${u.id} rank ${r + 1}: wasm ${got[r].item} (${got[r].rating}), cli ${want[r].item} (${want[r].rating})`);
        assert.ok(Math.abs(got[r].rating - want[r].rating) <= 5e-4 + 1e-6, `${v.id} user ${u.id} rank ${r + 1} rating`);
      }
      // Full-precision check of every listed rating against `memrec predict` (6 decimals).
      for (const r of got.slice(0, 3)) {
        const cliRating = cliPredict(modelPath(v), u.id, r.item);
        assert.ok(close(r.rating, cliRating, 2e-6) || Math.abs(r.rating - cliRating) <= 1e-5,
          `${v.id} user ${u.id} item ${r.item}: wasm ${r.rating}, cli ${cliRating}`);
        assert.ok(Math.abs(m.predict(u.id, r.item) - r.rating) <= 1e-6);
      }
      // Training items are never recommended.
      const train = new Set(u.train);
      for (const r of got) assert.ok(!train.has(r.item), `${v.id}: recommended training item ${r.item}`);
    }
    // Held-out pairs: predictMany agrees with the CLI.
    const u = users[0];
    const items = u.heldOut.slice(0, 3).map(([i]) => String(i));
    const many = m.predictMany(u.id, items);
    items.forEach((item, i) => {
      const want = cliPredict(modelPath(v), u.id, item);
      assert.ok(Math.abs(many[i] - want) <= 1e-5, `${v.id} predictMany ${u.id}/${item}: ${many[i]} vs ${want}`);
    });
  }
});

test('ranking models: item side only, their top-N figures, a demo user folded in as the CLI does', () => {
  for (const v of rankingVariants) {
    const m = loaded.get(v.id);
    const info = m.info();
    assert.equal(info.objective, 'implicit', `${v.id}: objective`);
    assert.equal(info.foldIn, true, `${v.id}: users folded in`);
    assert.equal(info.users, 0, `${v.id}: no user table`);
    assert.ok(info.ranking && info.ranking.recall20 > 0 && info.ranking.ndcg100 > 0, `${v.id}: top-N figures stored`);
    for (const u of users.slice(0, 3)) {
      const ratings = u.train.map((item, i) => ({ item, rating: u.trainRatings[i] }));
      const got = m.visitorTopN(ratings, 10);
      const want = cliVisitorTopN(modelPath(v), ratings, 10);
      assert.equal(want.length, 10, `memrec recommend printed ${want.length} rows`);
      for (let r = 0; r < 10; ++r) {
        if (got[r].item !== want[r].item)
          assert.ok(Math.abs(got[r].rating - want[r].rating) < 2e-3, `${v.id} user ${u.id} rank ${r + 1}`);
        assert.ok(Math.abs(got[r].rating - want[r].rating) <= 5e-4 + 1e-6, `${v.id} user ${u.id} rank ${r + 1} score`);
      }
    }
  }
});

test('an unknown user gets the popularity fallback, as in the CLI', () => {
  const v = ratingVariants[0];
  const m = loaded.get(v.id);
  const got = m.topN('no-such-user', 5, []);
  assert.equal(got.fallback, 'popular');
  const want = cliTopN(modelPath(v), 'no-such-user', 5);
  assert.deepEqual(got.map((r) => r.item), want.map((r) => r.item));
  assert.deepEqual(got.map((r) => r.count), want.map((r) => r.count));
  const item = got[0].item;
  assert.ok(Math.abs(m.predict('no-such-user', item) - cliPredict(modelPath(v), 'no-such-user', item)) <= 1e-5);
  assert.throws(() => m.predict(users[0].id, 'no-such-movie'), /unknown item id 'no-such-movie'/);
});

test('corrupt and truncated model files fail with the loader\'s message', async () => {
  const good = fs.readFileSync(modelPath(ratingVariants[0]));
  const cases = {
    empty: new Uint8Array(0),
    'bad magic': Uint8Array.from(good, (b, i) => (i === 0 ? b ^ 0xff : b)),
    'future version': Uint8Array.from(good, (b, i) => (i === 4 ? 99 : b)),
    truncated: good.subarray(0, Math.floor(good.length / 2)),
    'flipped byte': Uint8Array.from(good, (b, i) => (i === Math.floor(good.length * 0.7) ? b ^ 0x5a : b)),
    'not a model': new TextEncoder().encode('<html>404 not found</html>'),
  };
  const module = await memrec.init();
  const heapBefore = module.HEAPU8.length;
  for (const [name, bytes] of Object.entries(cases)) {
    await assert.rejects(memrec.load(bytes), (e) => {
      assert.ok(e instanceof memrec.MemrecError, `${name}: ${e}`);
      assert.match(e.message, /^model file: /, `${name}: ${e.message}`);
      return true;
    }, name);
  }
  // A failed load leaves the module usable and frees what it allocated.
  for (let i = 0; i < 20; ++i) await assert.rejects(memrec.load(cases.truncated));
  assert.equal(module.HEAPU8.length, heapBefore, 'memory grew across failed loads');
  const again = await memrec.load(good);
  assert.equal(again.topN(users[0].id, 10, users[0].train).length, 10);
  again.free();
  assert.throws(() => again.info(), /freed/);
});

test('loading and freeing a model repeatedly does not grow memory', async () => {
  const bytes = fs.readFileSync(modelPath(ratingVariants[0]));
  const module = await memrec.init();
  (await memrec.load(bytes)).free();
  const heap = module.HEAPU8.length;
  for (let i = 0; i < 15; ++i) {
    const m = await memrec.load(bytes);
    m.topN(users[0].id, 10, users[0].train);
    m.visitorTopN([{ item: users[0].train[0], rating: 5 }], 10);
    m.free();
  }
  assert.equal(module.HEAPU8.length, heap);
});

// Pearson correlation of two equal-length arrays.
function correlation(a, b) {
  const n = a.length;
  const ma = a.reduce((s, x) => s + x, 0) / n, mb = b.reduce((s, x) => s + x, 0) / n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) ** 2;
    sbb += (b[i] - mb) ** 2;
  }
  return sab / Math.sqrt(saa * sbb);
}

test('a new visitor: the fitted vector follows their ratings and ranks like a trained user', () => {
  for (const v of ratingVariants) {
    const m = loaded.get(v.id);
    const ids = m.itemIds();
    const correlations = [];
    let fitErr = 0, priorErr = 0, userErr = 0, n = 0;
    for (const u of users.slice(0, 60)) {
      if (u.heldOut.length < 10) continue;
      // The visitor rates the user's held-out movies as the user did (the model never saw these ratings).
      const ratings = u.heldOut.map(([item, rating]) => ({ item: String(item), rating }));
      const recs = m.visitorTopN(ratings, 10);
      // The same list as sorting visitorScores.
      const scores = m.visitorScores(ratings);
      assert.ok(Math.abs(scores[recs[0].index] - recs[0].rating) < 1e-6);
      assert.equal(recs.length, 10);
      const rated = new Set(ratings.map((r) => r.item));
      for (const r of recs) assert.ok(!rated.has(r.item), 'a rated movie was recommended back');
      for (let i = 1; i < recs.length; ++i) assert.ok(recs[i - 1].rating >= recs[i].rating);

      // The visitor's predictions for every movie rank them much as the trained user's vector does.
      correlations.push(correlation(Array.from(m.visitorScores(ratings)), Array.from(m.scoreUser(u.id))));
      // Leave one rating out: fitted on the others, the visitor's predictions of the left-out ratings are
      // closer than the prior's (the typical user's, i.e. a visitor with no ratings).
      const prior = m.visitorScores([]);
      const trained = m.scoreUser(u.id);
      for (let k = 0; k < Math.min(5, ratings.length); ++k) {
        const left = ratings[k];
        const index = ids.indexOf(left.item);
        const fit = m.visitorScores(ratings.filter((_, j) => j !== k));
        fitErr += (fit[index] - left.rating) ** 2;
        priorErr += (prior[index] - left.rating) ** 2;
        userErr += (trained[index] - left.rating) ** 2;
        ++n;
      }
    }
    const mean = correlations.reduce((s, x) => s + x, 0) / correlations.length;
    const fitRmse = Math.sqrt(fitErr / n), priorRmse = Math.sqrt(priorErr / n), userRmse = Math.sqrt(userErr / n);
    console.log(`# ${v.id}: visitor vs trained user ranking correlation ${mean.toFixed(3)} over ${correlations.length} users; ` +
      `leave-one-out RMSE fitted ${fitRmse.toFixed(3)}, typical user ${priorRmse.toFixed(3)}, ` +
      `trained user ${userRmse.toFixed(3)} (${n} ratings)`);
    assert.ok(mean > 0.5, `${v.id}: visitor rankings barely follow the trained users' (r = ${mean})`);
    // Where the model tells users apart (its own user vectors beat the typical user), so must the fit.
    if (userRmse < 0.98 * priorRmse) assert.ok(fitRmse < priorRmse, `${v.id}: fitting did not improve on the prior`);
    else assert.ok(fitRmse <= 1.01 * priorRmse, `${v.id}: fitting made predictions worse than the prior`);
  }
});

// `memrec recommend --ratings`: the "because you liked <title>" of each row ('' for none), best first.
function cliBecause(file, ratings, k) {
  const list = ratings.map((r) => `${r.item}:${r.rating}`).join(',');
  const out = cli(['recommend', file, '--ratings', list, '-k', String(k), '-q']);
  return out.split('\n').filter((l) => /^\s*\d+\s/.test(l)).map((l) => {
    const m = / {2}because you liked (.*)$/.exec(l);
    return m ? m[1] : '';
  });
}

test('each visitor recommendation names the liked movie behind it, as the command line does', () => {
  for (const v of manifest.variants) {
    const m = loaded.get(v.id);
    let named = 0;
    for (const u of users.slice(0, 10)) {
      if (u.heldOut.length < 5) continue;
      const ratings = u.heldOut.map(([item, rating]) => ({ item: String(item), rating }));
      const liked = new Set(ratings.filter((r) => r.rating >= 4).map((r) => r.item));
      const recs = m.visitorTopN(ratings, 10);
      for (const r of recs) {
        if (r.because === null) continue;
        ++named;
        assert.ok(liked.has(r.because.item), `${v.id}: because ${r.because.item}, not a liked movie`);
        assert.equal(r.because.title, m.titles()[m.itemIds().indexOf(r.because.item)]);
      }
      const expected = recs.map((r) => (r.because === null ? '' : r.because.title || r.because.item));
      assert.deepEqual(cliBecause(modelPath(v), ratings, 10), expected, `${v.id}: user ${u.id}`);
    }
    assert.ok(named > 0, `${v.id}: no recommendation was explained`);
  }
});

test('a visitor with a handful of ratings is answered in well under 100 ms', () => {
  const v = manifest.variants.find((x) => x.id === manifest.default) || manifest.variants[0];
  const m = loaded.get(v.id);
  const u = users.find((x) => x.heldOut.length >= 5) || users[0];
  const ratings = u.heldOut.slice(0, 5).map(([item, rating]) => ({ item: String(item), rating }));
  m.visitorTopN(ratings, 10);
  const t0 = performance.now();
  const reps = 50;
  for (let i = 0; i < reps; ++i) m.visitorTopN(ratings, 10);
  const ms = (performance.now() - t0) / reps;
  console.log(`# ${v.id}: fit a visitor from 5 ratings + score ${m.info().items} items + top 10 + because: ${ms.toFixed(3)} ms (node)`);
  assert.ok(ms < 20, `visitor recommendations took ${ms} ms`);
});

test('scoring every item and taking the top 10 is fast', () => {
  for (const v of ratingVariants) {
    const m = loaded.get(v.id);
    const u = users[0];
    m.topN(u.id, 10, u.train);
    const reps = 200;
    const t0 = performance.now();
    for (let i = 0; i < reps; ++i) m.topN(u.id, 10, u.train);
    const ms = (performance.now() - t0) / reps;
    console.log(`# ${v.id}: score ${m.info().items} items + top 10 for one user: ${ms.toFixed(3)} ms (node)`);
    assert.ok(ms < 5, `${v.id}: ${ms} ms`);
  }
});

test('title search ignores case, accents and punctuation', () => {
  const m = loaded.get(ratingVariants[0].id);
  const titles = m.titles();
  const i = titles.findIndex((t) => /[a-z]{4,}/i.test(t));
  if (i < 0) return;  // a model without titles
  const word = /[a-z]{4,}/i.exec(titles[i])[0];
  const hits = m.searchTitles(word.toUpperCase(), 50);
  assert.ok(hits.length >= 1);
  for (const h of hits) assert.match(h.title.toLowerCase(), new RegExp(word.toLowerCase()));
  assert.deepEqual(m.searchTitles('   ', 5), []);
});
