// The demo page as a visitor uses it, in headless Chromium: rating with the keyboard (one tab stop per
// movie, arrow keys, focus kept), ratings that survive a reload and a "clear" that clears them, a
// 390 x 844 phone without sideways scrolling of the page, error rows that wrap, the charts' layout,
// axe-core with no serious or critical violations on desktop and phone, and screenshots of both in
// build-wasm/screenshots/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { startPage, modelsDir, outDir } from './harness.mjs';

const manifest = JSON.parse(fs.readFileSync(path.join(modelsDir, 'manifest.json'), 'utf8'));
const users = JSON.parse(fs.readFileSync(path.join(modelsDir, manifest.users), 'utf8')).users;
const PHONE = { width: 390, height: 844 };
const shotDir = path.join(outDir, 'screenshots');

let baseUrl, context, close;
const pageErrors = [];

before(async () => {
  const good = manifest.variants.find((v) => v.id === manifest.default) || manifest.variants[0];
  const corrupt = Uint8Array.from(fs.readFileSync(path.join(modelsDir, good.file)), (b, i) => (i === 100 ? b ^ 0x5a : b));
  const broken = {
    ...manifest,
    variants: [{ id: 'corrupt', label: 'damaged file', file: 'corrupt.mrec' }, ...manifest.variants],
  };
  ({ baseUrl, context, close } = await startPage({
    overrides: { '/models/manifest-broken.json': JSON.stringify(broken), '/models/corrupt.mrec': corrupt },
  }));
});

after(async () => {
  if (close) await close();
});

async function openPage(query = '', viewport = null) {
  const page = await context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(`${baseUrl}${query}`);
  await page.waitForSelector('#user-recs li:nth-child(10)', { timeout: 30000 });
  return page;
}

// Movies with a title, from the demo users' held-out ratings (any movies would do).
async function titledMovies(page, n) {
  const titles = await page.evaluate(() => Object.fromEntries(window.memrecDemo.state.titles));
  const seen = new Set();
  const out = [];
  for (const u of users) {
    for (const [item] of u.heldOut) {
      const title = titles[String(item)];
      if (!title || title.startsWith('movie ') || seen.has(title)) continue;
      seen.add(title);
      out.push({ item: String(item), title });
      if (out.length === n) return out;
    }
  }
  throw new Error(`fewer than ${n} titled movies`);
}

// Where the keyboard focus is: the movie (list item), the list and the star.
const focusNow = (page) => page.evaluate(() => {
  const a = document.activeElement;
  return { item: a?.closest('[data-item]')?.dataset.item ?? null, list: a?.closest('ul, ol')?.id ?? null,
    stars: a?.dataset?.stars ?? null, checked: a?.getAttribute('aria-checked') ?? null };
});

async function waitFocus(page, want) {
  await page.waitForFunction((w) => {
    const a = document.activeElement;
    return a && a.closest('[data-item]')?.dataset.item === w.item && a.closest('ul')?.id === w.list &&
      a.dataset.stars === w.stars && a.getAttribute('aria-checked') === 'true';
  }, want, { timeout: 5000 }).catch(async () => {
    assert.deepEqual(await focusNow(page), { ...want, checked: 'true' }, 'where the focus is after rating');
  });
}

async function searchFor(page, title) {
  await page.fill('#visitor-search', title);
  await page.waitForSelector('#visitor-results li[data-item] .stars');
}

const rated = (page) => page.evaluate(() =>
  Object.fromEntries([...window.memrecDemo.state.visitor].map(([item, r]) => [item, r.rating])));

test('rating with the keyboard: one tab stop per movie, arrow keys, Home and End, focus kept', async () => {
  const page = await openPage();
  const [movie] = await titledMovies(page, 1);
  await searchFor(page, movie.title);
  await page.waitForSelector(`#visitor-results li[data-item="${movie.item}"]`);
  const results = await page.$$eval('#visitor-results li[data-item]', (lis) => lis.map((li) => li.dataset.item));

  // Tab from the search box reaches the first result's group; the next Tab the next movie's group.
  await page.focus('#visitor-search');
  await page.keyboard.press('Tab');
  assert.deepEqual(await focusNow(page), { item: results[0], list: 'visitor-results', stars: '1', checked: 'false' });
  if (results.length > 1) {
    await page.keyboard.press('Tab');
    assert.equal((await focusNow(page)).item, results[1], 'one tab stop per movie');
    await page.keyboard.press('Shift+Tab');
  }
  // To the chosen movie's group.
  while ((await focusNow(page)).item !== movie.item) await page.keyboard.press('Tab');

  const want = { item: movie.item, list: 'visitor-results' };
  for (const [key, stars] of [['ArrowRight', 2], ['ArrowRight', 3], ['ArrowUp', 4], ['ArrowLeft', 3], ['End', 5],
    ['ArrowRight', 5], ['Home', 1], ['ArrowDown', 1], ['ArrowRight', 2]]) {
    await page.keyboard.press(key);
    await waitFocus(page, { ...want, stars: String(stars) });
    await page.waitForFunction(([item, n]) => window.memrecDemo.state.visitor.get(item)?.rating === n,
      [movie.item, stars]);
  }
  // The rated list shows it too, and rating there keeps the focus there.
  await page.waitForSelector(`#visitor-rated li[data-item="${movie.item}"] [aria-checked="true"][data-stars="2"]`);
  await page.focus(`#visitor-rated li[data-item="${movie.item}"] [tabindex="0"]`);
  await page.keyboard.press('ArrowRight');
  await waitFocus(page, { item: movie.item, list: 'visitor-rated', stars: '3' });
  // Leaving the group and coming back lands on the checked star.
  await page.keyboard.press('Shift+Tab');
  await page.keyboard.press('Tab');
  assert.deepEqual(await focusNow(page), { item: movie.item, list: 'visitor-rated', stars: '3', checked: 'true' });
  await page.keyboard.press('ArrowLeft');
  await waitFocus(page, { item: movie.item, list: 'visitor-rated', stars: '2' });
  assert.deepEqual(await rated(page), { [movie.item]: 2 });

  // Targets of at least 24 x 24 px.
  const sizes = await page.$$eval('.star', (bs) => bs.map((b) => b.getBoundingClientRect())
    .map((r) => [r.width, r.height]));
  assert.ok(sizes.length >= 5);
  for (const [w, h] of sizes) assert.ok(w >= 24 && h >= 24, `a star of ${w} x ${h} px`);
  await page.click('#visitor-clear');
  await page.close();
});

test('ratings survive a reload; "clear my ratings" clears them', async () => {
  const page = await openPage();
  const movies = await titledMovies(page, 3);
  assert.equal(await page.isVisible('#visitor-clear'), false, 'nothing to clear yet');
  for (const [i, m] of movies.entries()) {
    await searchFor(page, m.title);
    await page.click(`#visitor-results li[data-item="${m.item}"] button[data-stars="${5 - i}"]`);
    await page.waitForSelector(`#visitor-rated li:nth-child(${i + 1})`);
  }
  await page.waitForSelector('#visitor-recs li:nth-child(10)');
  const before = await rated(page);

  await page.reload();
  await page.waitForSelector('#visitor-rated li:nth-child(3)');
  await page.waitForSelector('#visitor-recs li:nth-child(10)', { timeout: 30000 });
  assert.deepEqual(await rated(page), before);
  assert.deepEqual(await page.$$eval('#visitor-rated li', (lis) => lis.map((li) => li.dataset.item)),
    movies.map((m) => m.item));

  await page.click('#visitor-clear');
  assert.equal(await page.$$eval('#visitor-rated li', (lis) => lis.length), 0);
  assert.equal(await page.$$eval('#visitor-recs li', (lis) => lis.length), 0);
  assert.equal(await page.isVisible('#visitor-clear'), false);
  await page.reload();
  await page.waitForSelector('#user-recs li:nth-child(10)', { timeout: 30000 });
  assert.deepEqual(await rated(page), {});
  await page.close();
});

test('damaged or unavailable storage: the page starts without saved ratings and still rates', async () => {
  const page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  await page.goto(baseUrl);
  await page.evaluate(() => localStorage.setItem('memrec.visitor-ratings.v1', '{"not": "a list"'));
  await page.reload();
  await page.waitForSelector('#user-recs li:nth-child(10)', { timeout: 30000 });
  assert.deepEqual(await rated(page), {});
  await page.close();

  const blocked = await context.newPage();
  blocked.on('pageerror', (e) => pageErrors.push(e.message));
  await blocked.addInitScript(() => {
    Object.defineProperty(window, 'localStorage', { get() { throw new DOMException('blocked', 'SecurityError'); } });
  });
  await blocked.goto(baseUrl);
  await blocked.waitForSelector('#user-recs li:nth-child(10)', { timeout: 30000 });
  const [movie] = await titledMovies(blocked, 1);
  await searchFor(blocked, movie.title);
  await blocked.click(`#visitor-results li[data-item="${movie.item}"] button[data-stars="4"]`);
  await blocked.waitForSelector(`#visitor-rated li[data-item="${movie.item}"]`);
  await blocked.close();
});

// Fills the visitor section (three ratings and a search) so that every widget is on the page.
async function fillVisitor(page) {
  const movies = await titledMovies(page, 3);
  for (const m of movies) {
    await searchFor(page, m.title);
    await page.click(`#visitor-results li[data-item="${m.item}"] button[data-stars="4"]`);
    await page.waitForSelector(`#visitor-rated li[data-item="${m.item}"]`);
  }
  await page.waitForSelector('#visitor-recs li:nth-child(10)');
  await searchFor(page, movies[0].title.split(' ')[0]);
}

async function noSeriousAxeViolations(page, what) {
  const { violations } = await new AxeBuilder({ page }).analyze();
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const text = bad.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(', ')})`);
  for (const v of violations.filter((x) => !bad.includes(x))) console.log(`# axe (${what}, ${v.impact}): ${v.id}: ${v.help}`);
  assert.deepEqual(text, [], `${what}: axe-core found serious or critical violations`);
}

async function screenshot(page, name) {
  fs.mkdirSync(shotDir, { recursive: true });
  const file = path.join(shotDir, name);
  await page.screenshot({ path: file, fullPage: true });
  console.log(`# screenshot: ${file}`);
}

test('desktop: stars next to their titles, charts without an empty column, axe-core, screenshot', async (t) => {
  const page = await openPage();
  await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
  await fillVisitor(page);

  await t.test("the search results' stars sit next to their titles", async () => {
    const gaps = await page.$$eval('#visitor-results li[data-item]', (lis) => lis.map((li) =>
      li.querySelector('.stars').getBoundingClientRect().left - li.getBoundingClientRect().left));
    for (const gap of gaps) assert.ok(gap <= 40 * 16, `stars ${gap} px from the start of their row`);
  });

  await t.test('the chart grid has no empty column; each training run has its own epoch axis', async () => {
    const rows = await page.$$eval('.chart-grid > figure', (figs) => {
      const grid = figs[0].parentElement.getBoundingClientRect();
      const byTop = new Map();
      for (const f of figs) {
        const r = f.getBoundingClientRect();
        const row = byTop.get(Math.round(r.top)) || { left: Infinity, right: -Infinity };
        byTop.set(Math.round(r.top), { left: Math.min(row.left, r.left), right: Math.max(row.right, r.right) });
      }
      return [...byTop.values()].map((r) => (r.right - r.left) / grid.width);
    });
    for (const filled of rows) assert.ok(filled > 0.98, `a row of the chart grid is ${(filled * 100).toFixed(0)}% filled`);
    const axes = await page.evaluate(() => [...document.querySelectorAll('.multiples:has(#chart-curves) canvas')].map((c) => {
      const chart = window.Chart.getChart(c);
      const epochs = Math.max(...chart.data.datasets.flatMap((d) => d.data.map((p) => p.x)));
      return { max: chart.scales.x.max, epochs, legend: chart.legend ? chart.legend.height / chart.height : 0 };
    }));
    assert.ok(axes.length >= 1);
    for (const a of axes) {
      assert.equal(a.max, a.epochs, 'the epoch axis ends at the run\'s last epoch');
      assert.ok(a.legend < 0.2, `a legend takes ${(a.legend * 100).toFixed(0)}% of its chart`);
    }
  });

  await t.test("a ranking model's Recall@20 gets its own size panel", async () => {
    // The test models are rating models: draw the charts again with one of them posing as a ranking
    // model with top-N figures (info() as an implicit model's: no user table, no RMSE).
    const shown = await page.evaluate(async () => {
      const { drawCharts } = await import('./charts.js');
      const loaded = window.memrecDemo.state.variants.filter((v) => v.status === 'loaded');
      const last = loaded[loaded.length - 1];
      const ranking = { ...last, label: 'ranking model', info: { ...last.info, users: 0,
        eval: { ...last.info.eval, count: 0 }, ranking: { recall20: 0.21 } } };
      await drawCharts([...loaded.slice(0, -1), ranking]);
      const chart = window.Chart.getChart(document.getElementById('chart-size-recall'));
      const out = { visible: document.getElementById('chart-size-recall').closest('.panel').hidden === false,
        points: chart.data.datasets.map((d) => [d.label, d.data[0].y]) };
      await drawCharts(loaded);
      return out;
    });
    assert.deepEqual(shown, { visible: true, points: [['ranking model', 0.21]] });
  });

  await t.test("the sweep's whole frontier is drawn from sweep.json, the page's variants marked", async () => {
    const got = await page.evaluate(async () => {
      const sweep = await (await fetch('models/sweep.json')).json();
      const canvas = document.getElementById('chart-sweep-recall');
      const datasets = window.Chart.getChart(canvas).data.datasets;
      const ranked = sweep.results.filter((r) => typeof r.recall20 === 'number');
      return { ranked: ranked.length,
        stored: ranked.map((r) => r.storages.filter((s) => typeof s.recall20 === 'number').length),
        storages: datasets.filter((d) => d.label !== 'frontier' && d.label !== 'this page').map((d) => d.label),
        points: Number(canvas.dataset.points), frontier: Number(canvas.dataset.frontier),
        marked: Number(canvas.dataset.marked), line: datasets.find((d) => d.label === 'frontier').data,
        all: datasets.filter((d) => d.label !== 'frontier' && d.label !== 'this page').flatMap((d) => d.data),
        hidden: document.getElementById('sweep-figure').hidden };
    });
    assert.equal(got.hidden, false);
    assert.ok(got.ranked >= 2, 'sweep.json ranks at least two configurations');
    assert.deepEqual([...got.storages].sort(), ['f16', 'f32', 'int4', 'int8', 'pq4x8'], 'one set of points per storage');
    assert.ok(got.stored.every((n) => n === 5), 'each ranked configuration at every storage');
    assert.equal(got.points, 5 * got.ranked, 'a point per ranked configuration and storage');
    assert.equal(got.all.length, got.points);
    assert.ok(got.frontier >= 1 && got.frontier === got.line.length);
    for (const p of got.line) {
      const beaten = got.all.find((q) => (q.x <= p.x && q.y > p.y) || (q.x < p.x && q.y >= p.y));
      assert.equal(beaten, undefined, `frontier point ${JSON.stringify(p)} is beaten by ${JSON.stringify(beaten)}`);
    }
    assert.ok(got.marked >= 1, "the page's variants are marked");
  });

  await t.test('axe-core: no serious or critical violations', () => noSeriousAxeViolations(page, 'desktop'));
  await t.test('screenshot', () => screenshot(page, 'desktop.png'));
  await page.close();
});

test('phone (390 x 844): no sideways scrolling, key columns visible, axe-core, screenshot', async (t) => {
  const page = await openPage('', PHONE);
  await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
  await fillVisitor(page);

  await t.test('the page does not scroll sideways', async () => {
    const { scroll, inner } = await page.evaluate(() =>
      ({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth }));
    assert.ok(scroll <= inner, `the page is ${scroll} px wide on a ${inner} px screen`);
  });

  await t.test("every table cell and the lists' figures are within the screen", async () => {
    const cut = await page.evaluate(() => {
      const out = [];
      const width = window.innerWidth;
      for (const cell of document.querySelectorAll('#variant-table tbody td, #heldout-table tbody td, #pair-table tbody td')) {
        const r = cell.getBoundingClientRect();
        if (r.left < 0 || r.right > width + 0.5) out.push(`${cell.closest('table').id}: "${cell.textContent}" at ${r.left}-${r.right}`);
      }
      for (const el of document.querySelectorAll('.recs .pred, .recs .title')) {
        const r = el.getBoundingClientRect();
        if (el.scrollWidth > el.clientWidth + 0.5 || r.right > width + 0.5) out.push(`"${el.textContent}" cut at ${r.right}`);
      }
      return out;
    });
    assert.deepEqual(cut, []);
  });

  await t.test('axe-core: no serious or critical violations', () => noSeriousAxeViolations(page, 'phone'));
  await t.test('screenshot', () => screenshot(page, 'phone.png'));
  await page.close();
});

test('a long error message in a table row wraps instead of widening the table', async () => {
  for (const viewport of [null, PHONE]) {
    const page = await openPage('?manifest=models/manifest-broken.json', viewport);
    // Only the default variant loads at start: compare every variant, then wait for the last row.
    await page.waitForSelector('body[data-ready=true]', { timeout: 60000 });
    await page.click('#compare-all');
    await page.waitForSelector('#variant-table tr[data-variant="corrupt"][data-status="failed"]', { timeout: 60000 });
    await page.waitForFunction(() => !document.querySelector(
      '#variant-table tr[data-status="loading"], #variant-table tr[data-status="waiting"]'), null, { timeout: 60000 });
    const { table, wrap, cell } = await page.$eval('#variant-table tr[data-variant="corrupt"]', (r) => ({
      table: r.closest('table').getBoundingClientRect().width,
      wrap: r.closest('.table-wrap').clientWidth,
      cell: r.querySelector('td.error').getBoundingClientRect().height,
    }));
    if (!viewport) assert.ok(table <= wrap + 0.5, `the table is ${table} px wide in a ${wrap} px box`);
    assert.ok(cell > 30, 'the message wraps onto more lines');
    await page.close();
  }
});

test('no uncaught errors on the pages', () => {
  assert.deepEqual(pageErrors, []);
});
