// End-to-end test of the demo page in headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core): load the page, check only the default variant loads before the first recommendations,
// compare every variant, switch variants, compare a user's top 10 with `memrec recommend`, rate movies as a
// new visitor (and, on ml-1m, the two taste profiles of the ranking issue), check failures are shown in
// words, and measure and print the budgets:
//   .wasm <= 217 KB and <= 80 KB gzip; first recommendations <= 0.8 s after navigation (median of 3);
//   everything transferred before them <= 193 KB compressed; scoring every movie + top 10 <= 2 ms.
//
// Inputs as for tests/node/wasm.test.mjs (MEMREC_WASM_DIR, MEMREC_TEST_MODELS, MEMREC_BIN), plus
// CHROMIUM (default /usr/bin/chromium) and MEMREC_E2E_OUT (where the screenshot goes; default build-wasm).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { repo, webDir, wasmDir, modelsDir, chromiumPath, outDir, chartDir, startTestServer, launchBrowser }
  from './harness.mjs';

const memrecBin = path.resolve(process.env.MEMREC_BIN || path.join(repo, 'build/native/memrec'));

for (const [what, p] of [['the wasm build', path.join(wasmDir, 'memrec_wasm.wasm')],
  ['the test models', path.join(modelsDir, 'manifest.json')], ['the native memrec command', memrecBin],
  ['Chromium', chromiumPath], ['chart.js (npm install)', path.join(chartDir, 'chart.umd.min.js')]]) {
  if (!fs.existsSync(p)) throw new Error(`${what} is missing (${p}): run scripts/test-web.sh`);
}

const manifest = JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8'));
const users = JSON.parse(fs.readFileSync(path.join(modelsDir, manifest.users), 'utf8')).users;
const byId = new Map(users.map((u) => [u.id, u]));
const defaultVariant = manifest.variants.find((v) => v.id === manifest.default) || manifest.variants[0];
const figures = [];  // the budget lines printed at the end

function figure(line) {
  figures.push(line);
  console.log(`# ${line}`);
}

// The page's own code before the first recommendations: everything it loads except models, demo data and
// the charts and the pair section (charts.js, the charting library and pair-section.js load after them).
const PAGE_CODE = ['index.html', 'style.css', 'app.js', 'dom.js', 'page.js', 'demo-users.js', 'variants.js',
  'user-section.js', 'visitor-section.js', 'client.js', 'download.js', 'stars.js', 'saved.js', 'tables.js',
  'worker.js', 'memrec.mjs', 'memrec_wasm.mjs'];

// --- the native command ----------------------------------------------------------------------------

// `memrec recommend` for a user of variant `v`: by id for a rating model; for a ranking model (no user
// table) by folding in the user's training ratings, as the page does.
function cliTopN(v, user, k = 10) {
  const file = path.join(modelsDir, v.file);
  const args = ['recommend', file, '-k', String(k), '-q'];
  if (v.objective === 'implicit') {
    const u = byId.get(user) || manifest.featured;
    const list = path.join(userDataDir, `ratings-${user}.csv`);
    fs.writeFileSync(list, u.train.map((item, i) => `${item},${u.trainRatings[i]}\n`).join(''));
    args.push('--ratings-file', list);
  } else {
    args.push('--user', user);
  }
  if (manifest.data) args.push('--data', manifest.data);
  const out = execFileSync(memrecBin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const rows = [];
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(-?[\d.]+)\s+(\S+)/.exec(line);
    if (m) rows.push({ rating: Number(m[2]), item: m[3] });
  }
  return rows;
}

// The shown list equals the CLI's, allowing a swap only between scores equal at the CLI's 3 decimals.
function assertSameTopN(shown, want, what) {
  assert.equal(shown.length, want.length, `${what}: ${shown.length} shown, ${want.length} from the CLI`);
  for (let r = 0; r < want.length; ++r) {
    if (shown[r].item === want[r].item) continue;
    const other = want.find((w) => w.item === shown[r].item);
    assert.ok(other && Math.abs(other.rating - want[r].rating) <= 1e-3,
      `${what}: rank ${r + 1} shows ${shown[r].item}, memrec recommend has ${want[r].item}`);
  }
  for (let r = 0; r < want.length; ++r)
    assert.ok(Math.abs(shown[r].rating - want[r].rating) <= 0.006, `${what}: rank ${r + 1} rating`);
}

async function shownTopN(page, list = '#user-recs') {
  return page.$$eval(`${list} li`, (lis) => lis.map((li) => ({
    item: li.dataset.item,
    rating: Number(li.querySelector('.pred').textContent.trim().split(' ').pop()),
    because: li.querySelector('.because') ? li.querySelector('.because').textContent : null,
  })));
}

// --- server and browser ----------------------------------------------------------------------------

let server, baseUrl, context, userDataDir;
const pageErrors = [];

before(async () => {
  userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-e2e-'));
  const good = fs.readFileSync(path.join(modelsDir, defaultVariant.file));
  const corrupt = Uint8Array.from(good, (b, i) => (i === Math.floor(good.length * 0.6) ? b ^ 0x5a : b));
  const damaged = [{ id: 'corrupt', label: 'damaged file', file: 'corrupt.mrec' },
    { id: 'missing', label: 'missing file', file: 'missing.mrec' }];
  const broken = { ...manifest, default: 'corrupt', variants: damaged };
  // The default is damaged, the next missing: the page must fall back to the real variants after them.
  const fallback = { ...manifest, default: 'corrupt', variants: [...damaged, ...manifest.variants] };
  ({ server, url: baseUrl } = await startTestServer({
    '/models/manifest-broken.json': JSON.stringify(broken),
    '/models/manifest-fallback.json': JSON.stringify(fallback),
    '/models/corrupt.mrec': corrupt,
    '/models/missing.mrec': null,
    '/models/manifest-none.json': null,
  }));

  context = await launchBrowser(userDataDir);
});

after(async () => {
  if (context) await context.close();
  if (server) await new Promise((r) => server.close(r));
  if (userDataDir) fs.rmSync(userDataDir, { recursive: true, force: true });
  if (figures.length) console.log(`\nbudgets measured by the browser test:\n${figures.map((f) => `  ${f}`).join('\n')}`);
});

async function openPage(query = '', base = baseUrl) {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${base}${query}`);
  return page;
}

// --- tests -----------------------------------------------------------------------------------------

// The raw budget was 200 KB until product codes (the pq reader and lookup-table scoring, about 7 KB) and
// version 5's fields took the module to 213 KB; 220 KB then; 217 KB (2% over the 217,351 bytes measured)
// since the loader stopped linking the mixed-dimension dim rules (docs/web-demo.md). What a visitor
// downloads is the gzip figure, and the first-load budget below counts it with everything else.
test('the .wasm is within 217 KB, and 80 KB gzip-compressed', () => {
  const wasm = fs.readFileSync(path.join(wasmDir, 'memrec_wasm.wasm'));
  const gz = zlib.gzipSync(wasm, { level: 9 }).length;
  figure(`.wasm: ${(wasm.length / 1024).toFixed(1)} KB raw (${wasm.length} bytes), ${(gz / 1024).toFixed(1)} KB gzip -9 (budget 217 / 80 KB)`);
  assert.ok(wasm.length <= 217 * 1024, `.wasm is ${wasm.length} bytes`);
  assert.ok(gz <= 80 * 1024, `.wasm is ${gz} bytes gzip-compressed`);
});

// Resource timing of the page and its worker up to the first recommendations: [{name, bytes}] by URL path.
async function firstLoadResources(page) {
  const { first, entries } = await page.evaluate(async () => ({
    first: window.memrecDemo.timings.navigationToFirstRecommendations,
    entries: await window.memrecDemo.resources(),
  }));
  const byName = new Map();
  for (const e of entries) {
    if (e.responseEnd > first) continue;
    const name = new URL(e.name).pathname.replace(/^\//, '') || 'index.html';
    byName.set(name, Math.max(byName.get(name) || 0, e.encodedBodySize));
  }
  return byName;
}

const diskGzip = (name) => {
  const file = name === 'memrec.mjs' || name.startsWith('memrec_wasm') ? path.join(wasmDir, name)
    : name.startsWith('models/') ? path.join(modelsDir, name.slice(7)) : path.join(webDir, name);
  return zlib.gzipSync(fs.readFileSync(file), { level: 9 }).length;
};

test('the page: first recommendations, variants, users, a visitor, charts', async (t) => {
  const page = await openPage();

  // The median of three navigations after this first one. The first page a freshly launched browser opens
  // also pays for the browser's own start (a new renderer process, cold font and script caches: its first
  // layout and module evaluation measured 100-150 ms each, against 30-60 ms later), which is not the page's
  // cost; it is printed, not counted. On a shared 2-core machine one navigation varies by hundreds of
  // milliseconds with whatever else runs (a median of 0.55 s idle measured 1.1 s beside a compile), so a
  // set of three that misses the budget is followed by one more set, and the test fails only when both
  // miss; every navigation is printed.
  await t.test('first recommendations on screen within 0.8 s of navigation (median of 3)', async () => {
    const firstRecommendations = async (p) => {
      await p.waitForSelector('#user-recs li:nth-child(10)', { timeout: 20000 });
      return (await p.evaluate(() => window.memrecDemo.timings)).navigationToFirstRecommendations;
    };
    const medianOfThree = async () => {
      const runs = [];
      for (let i = 0; i < 3; ++i) {
        const again = await openPage();
        runs.push(await firstRecommendations(again));
        await again.close();
      }
      return { ms: [...runs].sort((a, b) => a - b)[1], runs };
    };
    const coldBrowser = await firstRecommendations(page);
    // That page goes on after its first recommendations (a benchmark, the charts): let it finish, so the
    // navigations measured do not share the two cores with it.
    await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
    const sets = [await medianOfThree()];
    if (sets[0].ms > 800) sets.push(await medianOfThree());
    const { ms } = sets[sets.length - 1];
    const text = sets.map((x) => `median ${x.ms.toFixed(0)} of ${x.runs.map((r) => r.toFixed(0)).join(', ')}`).join('; then ');
    figure(`first recommendations on screen ${ms.toFixed(0)} ms after navigation with ${defaultVariant.id}: ${text} ms ` +
      `(budget 800 ms; the browser's first page: ${coldBrowser.toFixed(0)} ms)`);
    assert.ok(ms <= 800, `first recommendations after ${text} ms`);
  });

  await t.test('before the first recommendations: only the default variant, <= 193 KB compressed', async () => {
    const byName = await firstLoadResources(page);
    const models = [...byName.keys()].filter((n) => n.endsWith('.mrec'));
    assert.deepEqual(models, [`models/${defaultVariant.file}`], 'model files downloaded before the first recommendations');
    assert.ok(!byName.has(`models/${manifest.users}`), 'the demo users file was downloaded at start');
    // The pair section's module is imported after the first recommendations (page.js).
    assert.ok(!byName.has('pair-section.js'), 'pair-section.js was downloaded before the first recommendations');
    // What the first recommendations need; the worker's own script may be missing from resource timing in
    // some versions: then it counts as served (gzip -9 of the file).
    for (const name of [...PAGE_CODE, 'memrec_wasm.wasm', `models/${defaultVariant.file}`, `models/${manifest.titles}`])
      if (!byName.get(name)) byName.set(name, diskGzip(name));
    const total = [...byName.values()].reduce((a, b) => a + b, 0);
    const parts = [...byName].sort((a, b) => b[1] - a[1]).map(([n, b]) => `${n} ${(b / 1024).toFixed(1)}`);
    figure(`transferred before the first recommendations: ${(total / 1024).toFixed(1)} KB compressed (budget 193 KB): ${parts.join(', ')}`);
    // 200 KB until the glue was minified and the pair section deferred (189.3 KB measured, then): 2% over that.
    assert.ok(total <= 193 * 1024, `${total} bytes`);
  });

  await t.test('the shown top 10 equals memrec recommend for the same model file', async () => {
    const user = await page.$eval('#user-recs', (e) => e.dataset.user);
    assert.equal(user, String(manifest.featured.id));
    assert.equal(await page.$eval('#user-recs', (e) => e.dataset.variant), defaultVariant.id);
    assertSameTopN(await shownTopN(page), cliTopN(defaultVariant, user), `${defaultVariant.id} user ${user}`);
    await page.waitForSelector('#heldout-table tbody tr');
    const heldOut = await page.$$eval('#heldout-table tbody tr', (rows) => rows.length);
    assert.equal(heldOut, manifest.featured.heldOut.length);
    if (defaultVariant.objective === 'implicit') {
      assert.match(await page.textContent('#heldout-summary'), /not stars/);
      assert.match(await page.textContent('#heldout-model'), /Rank/);
    }
    assert.match(await page.textContent(`#variant-table tr[data-variant="${defaultVariant.id}"]`),
      defaultVariant.objective === 'implicit' ? /judged on its top 10\..*Recall@20 0\.\d{3}, NDCG@100 0\.\d{3}/s : /RMSE 0\.\d{4}/);
  });

  await t.test('the other variants load after "compare every variant"', async () => {
    const before = [...(await firstLoadResources(page)).keys()];
    assert.ok(before.length > 0);
    const waiting = await page.$$eval('#variant-table tr[data-status=waiting]', (rows) => rows.length);
    assert.equal(waiting, manifest.variants.length - 1);
    // Choosing a variant in the picker loads it (only it) and the lists follow.
    const chosen = manifest.variants.find((v) => v.id !== defaultVariant.id);
    await page.check(`input[name=variant][value="${chosen.id}"]`);
    await page.waitForSelector(`#user-recs[data-variant="${chosen.id}"] li:nth-child(10)`);
    assert.equal(await page.$$eval('#variant-table tr[data-status=waiting]', (rows) => rows.length), waiting - 1);
    await page.check(`input[name=variant][value="${defaultVariant.id}"]`);
    await page.waitForSelector(`#user-recs[data-variant="${defaultVariant.id}"] li:nth-child(10)`);
    await page.click('#compare-all');
    await page.waitForSelector('body[data-compared=true]', { timeout: 60000 });
    const all = await page.evaluate(() => window.memrecDemo.resources());
    for (const v of manifest.variants)
      assert.ok(all.some((e) => e.name.endsWith(`/models/${v.file}`)), `${v.file} was not downloaded`);
  });

  await t.test('every variant loads and reports what it downloaded, and its own figures', async () => {
    for (const v of manifest.variants) {
      const row = await page.$(`#variant-table tr[data-variant="${v.id}"]`);
      assert.equal(await row.getAttribute('data-status'), 'loaded', `${v.id} did not load`);
      const wire = Number(await row.$eval('td[data-bytes]', (td) => td.dataset.bytes));
      const onDisk = fs.statSync(path.join(modelsDir, v.file)).size;
      const gz = zlib.gzipSync(fs.readFileSync(path.join(modelsDir, v.file)), { level: 9 }).length;
      assert.ok(Math.abs(wire - gz) <= 64, `${v.id}: page says ${wire} bytes downloaded, gzip -9 is ${gz}`);
      const quality = await row.$eval('td.quality', (td) => td.textContent);
      assert.match(quality, v.objective === 'implicit' ? /^Recall@20 0\.\d+, NDCG@100 0\.\d+$/ : /^RMSE \d\.\d{4}$/);
      figure(`${v.id}: ${onDisk} bytes on disk, ${wire} bytes downloaded (gzip), as measured by the page; ${quality}`);
    }
  });

  await t.test('switching variant and user updates the list, still equal to the CLI', async () => {
    const other = manifest.variants.find((v) => v.id !== defaultVariant.id && v.storage === 'f32') || manifest.variants[0];
    await page.check(`input[name=variant][value="${other.id}"]`);
    await page.waitForSelector(`#user-recs[data-variant="${other.id}"] li:nth-child(10)`);
    const user = await page.$eval('#user-recs', (e) => e.dataset.user);
    assertSameTopN(await shownTopN(page), cliTopN(other, user), `${other.id} user ${user}`);

    const next = users[Math.min(5, users.length - 1)].id;
    await page.fill('#user-id', next);
    await page.press('#user-id', 'Enter');
    await page.waitForSelector(`#user-recs[data-user="${next}"][data-variant="${other.id}"] li:nth-child(10)`);
    assertSameTopN(await shownTopN(page), cliTopN(other, next), `${other.id} user ${next}`);

    await page.check(`input[name=variant][value="${defaultVariant.id}"]`);
    await page.waitForSelector(`#user-recs[data-variant="${defaultVariant.id}"][data-user="${next}"] li:nth-child(10)`);
    assertSameTopN(await shownTopN(page), cliTopN(defaultVariant, next), `${defaultVariant.id} user ${next}`);
  });

  await t.test('the pair section: every variant, an unknown user said, a cleared id clears it', async () => {
    await page.fill('#pair-user', String(manifest.featured.id));
    await page.dispatchEvent('#pair-user', 'change');
    await page.waitForFunction((n) => document.querySelectorAll('#pair-table tr[data-status=answered]').length === n,
      manifest.variants.length);
    await page.fill('#pair-user', '99999999');
    await page.dispatchEvent('#pair-user', 'change');
    await page.waitForFunction(() => /There is no user “99999999”/.test(document.getElementById('pair-choice').textContent));
    for (const cell of await page.$$eval('#pair-table tbody td:nth-child(2)', (tds) => tds.map((td) => td.textContent)))
      assert.match(cell, /no user “99999999”/);
    await page.fill('#pair-user', '');
    assert.equal((await page.textContent('#pair-choice')).trim(), '');
    assert.equal(await page.$$eval('#pair-table tbody tr', (rows) => rows.length), 0);
  });

  await t.test('a new visitor rates 3 movies and gets recommendations', async () => {
    const titles = await page.evaluate(() => Object.fromEntries(window.memrecDemo.state.titles));
    // Three movies with a title, from the first user's held-out ratings (any movies would do).
    const picks = users[0].heldOut.map(([item, rating]) => ({ item: String(item), rating, title: titles[String(item)] }))
      .filter((p) => p.title && !p.title.startsWith('movie ')).slice(0, 3);
    assert.equal(picks.length, 3, 'not enough titled movies to rate');
    for (const [i, p] of picks.entries()) {
      await page.fill('#visitor-search', p.title);
      const star = `#visitor-results li[data-item="${p.item}"] button[data-stars="${Math.round(p.rating)}"]`;
      await page.waitForSelector(star);
      await page.click(star);
      await page.waitForSelector(`#visitor-rated li:nth-child(${i + 1})`);
    }
    await page.waitForSelector('#visitor-recs li:nth-child(10)');
    const status = await page.textContent('#visitor-status');
    const ms = Number(/in ([\d.]+) ms/.exec(status)[1]);
    figure(`visitor: fit from 3 ratings + score every movie + top 10 in ${ms.toFixed(2)} ms in the worker (well under 100 ms)`);
    assert.ok(ms < 100, status);
    const recs = await shownTopN(page, '#visitor-recs');
    for (const p of picks) assert.ok(!recs.some((r) => r.item === p.item), 'a rated movie was recommended back');
    // "because you liked ..." names one of the rated movies, when the module says why.
    for (const r of recs.filter((x) => x.because))
      assert.ok(picks.some((p) => r.because === `because you liked ${p.title}`), r.because);
  });

  // A ranking model keeps no user vectors: each list also folds the user in (one dim x dim solve from the
  // user's ratings), timed with it under its own budget.
  await t.test('scoring every movie and taking the top 10 takes <= 2 ms in Chromium (fold-in + that <= 5 ms)', async () => {
    for (const v of manifest.variants) {
      const b = await page.evaluate((variant) => window.memrecDemo.benchmark(variant), v.id);
      const budget = b.foldIn ? 5 : 2;
      figure(`${v.id}: ${b.foldIn ? 'folding in a user + ' : ''}scoring all ${b.items} movies + top 10 for one user: ` +
        `${b.topNMs.toFixed(3)} ms in Chromium (budget ${budget} ms)`);
      assert.ok(b.topNMs <= budget, `${v.id}: ${b.topNMs} ms`);
    }
  });

  await t.test('charts are drawn; screenshot saved', async () => {
    const drawn = await page.evaluate(() => ['chart-curves', 'chart-size', 'chart-popularity']
      .map((id) => Boolean(window.Chart && window.Chart.getChart(document.getElementById(id)))));
    assert.deepEqual(drawn, [true, true, true]);
    fs.mkdirSync(outDir, { recursive: true });
    const shot = path.join(outDir, 'e2e-screenshot.png');
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`# screenshot: ${shot}`);
  });

  await t.test('no uncaught errors on the page', () => {
    assert.deepEqual(pageErrors, []);
  });
  await page.close();
});

// Genres by movie id from $MEMREC_DATA/ml-1m/movies.dat, or null when the test models are not ml-1m.
function ml1mGenres() {
  const file = manifest.data && path.basename(manifest.data) === 'ml-1m' ? path.join(manifest.data, 'movies.dat') : null;
  if (!file || !fs.existsSync(file)) return null;
  const genres = new Map();
  for (const line of fs.readFileSync(file, 'latin1').split('\n')) {
    const [id, , g] = line.split('::');
    if (g) genres.set(id, g.trim().split('|'));
  }
  return genres;
}

// A visitor rates `ids` 5 stars through the page's search and star widgets; returns the shown top 10.
async function visitorTopTen(ids) {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.addInitScript(() => { try { localStorage.clear(); } catch (e) { /* no storage: nothing saved */ } });
  await page.goto(baseUrl);
  await page.waitForSelector('#user-recs li:nth-child(10)', { timeout: 20000 });
  const titles = await page.evaluate(() => Object.fromEntries(window.memrecDemo.state.titles));
  for (const id of ids) {
    await page.fill('#visitor-search', titles[id]);
    const star = `#visitor-results li[data-item="${id}"] button[data-stars="5"]`;
    await page.waitForSelector(star);
    await page.click(star);
    await page.waitForSelector(`#visitor-rated li[data-item="${id}"]`);
  }
  await page.waitForFunction((n) => /From your (\d+) ratings/.exec(document.getElementById('visitor-status').textContent)?.[1] === String(n),
    ids.length);
  const recs = await shownTopN(page, '#visitor-recs');
  await page.close();
  return recs.map((r) => r.item);
}

test('the default model follows a visitor\'s taste (ranking issue: Sci-Fi fan, animation fan)', async (t) => {
  const genres = ml1mGenres();
  if (!genres) {
    t.skip('the test models are not ml-1m');
    return;
  }
  const scifi = await visitorTopTen(['260', '2571', '589', '1214']);  // Star Wars IV, The Matrix, T2, Alien
  const animation = await visitorTopTen(['1', '364', '588', '595', '2081']);  // Toy Story, Lion King, Aladdin, ...
  const count = (list, wanted) => list.filter((id) => (genres.get(id) || []).some((g) => wanted.includes(g))).length;
  const shared = scifi.filter((id) => animation.includes(id)).length;
  figure(`taste through the page (${defaultVariant.id}): Sci-Fi fan ${count(scifi, ['Sci-Fi'])}/10 Sci-Fi, animation fan ` +
    `${count(animation, ['Animation', "Children's"])}/10 Animation or Children's, ${shared} shared`);
  assert.ok(count(scifi, ['Sci-Fi']) >= 5, `Sci-Fi fan: ${scifi}`);
  assert.ok(count(animation, ['Animation', "Children's"]) >= 6, `animation fan: ${animation}`);
  assert.ok(count(animation, ['Animation']) >= 1, `no animation for the animation fan: ${animation}`);
  assert.ok(shared <= 2, `the two lists share ${shared} movies`);
});

test('failures are shown on the page in plain words', async (t) => {
  await t.test('a corrupt model and a missing model', async () => {
    const page = await openPage('?manifest=models/manifest-broken.json');
    await page.waitForSelector('#problems .problem:nth-child(2)', { timeout: 20000 });
    const text = await page.textContent('#problems');
    assert.match(text, /damaged file.*could not be read: model file: /s);
    assert.match(text, /missing file.*missing on the server/s);
    await page.waitForFunction(() => /None of the models could be loaded/.test(document.getElementById('problems').textContent));
    assert.equal(await page.$$eval('#variant-table tr[data-status=waiting]', (rows) => rows.length), 0);
    await page.close();
  });

  await t.test('a damaged default model: the page falls back to another variant and fills its sections', async () => {
    const page = await openPage('?manifest=models/manifest-fallback.json');
    await page.waitForSelector('#user-recs li:nth-child(10)', { timeout: 20000 });
    const text = await page.textContent('#problems');
    assert.match(text, /default model “damaged file” could not be loaded, so the page uses “[^”]+” instead/);
    const active = await page.$eval('#user-recs', (e) => e.dataset.variant);
    assert.equal(active, manifest.variants[0].id);
    await page.waitForSelector('#pair-table tr[data-status=answered]');
    await page.waitForSelector('#heldout-table tbody tr');
    await page.close();
  });

  await t.test('no list of models: words for a visitor, the command for the developer in the console', async () => {
    const page = await context.newPage();
    const console = [];
    page.on('console', (m) => console.push(m.text()));
    await page.goto(`${baseUrl}?manifest=models/manifest-none.json`);
    await page.waitForSelector('#problems .problem');
    const text = await page.textContent('#problems');
    assert.match(text, /not on the server yet/);
    assert.doesNotMatch(text, /scripts\//);
    assert.ok(console.some((m) => /scripts\/demo\.sh/.test(m)), console.join('\n'));
    await page.close();
  });

  for (const [what, body] of [['missing', null], ['invalid', new TextEncoder().encode('<html>not wasm</html>')]]) {
    await t.test(`a ${what} .wasm: plain words, no row left waiting, no uncaught error`, async () => {
      const broken = await startTestServer({ '/memrec_wasm.wasm': body });
      const errors = [];
      const page = await context.newPage();
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(broken.url);
      await page.waitForSelector('#problems .problem', { timeout: 20000 });
      await page.waitForFunction(() => document.querySelectorAll('#variant-table tr[data-status=failed]').length > 0);
      const text = await page.textContent('#problems');
      assert.match(text, /WebAssembly file \(memrec_wasm\.wasm\) is missing on the server or damaged/);
      assert.doesNotMatch(text, /Aborted|CompileError|ASSERTIONS/);
      assert.equal(await page.$$eval('#variant-table tr[data-status=waiting], #variant-table tr[data-status=loading]',
        (rows) => rows.length), 0);
      assert.deepEqual(errors, []);
      await page.close();
      await new Promise((r) => broken.server.close(r));
    });
  }

  await t.test('a browser without WebAssembly', async () => {
    const page = await context.newPage();
    await page.addInitScript(() => { delete globalThis.WebAssembly; });
    await page.goto(baseUrl);
    await page.waitForSelector('#problems .problem');
    assert.match(await page.textContent('#problems'), /does not support WebAssembly/);
    await page.close();
  });
});
