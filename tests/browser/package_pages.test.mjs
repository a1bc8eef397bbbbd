// The npm package in headless Chromium, twice: without a bundler (wasm/examples/browser/index.html, which
// imports node_modules/memrec/index.js by a relative URL, from a static server), and through vite's dev
// server (wasm/examples/vite: `import { load } from 'memrec'`). In both, the package comes from the `npm
// pack`ed tarball installed into a fresh project, the model (implicit ALS, trained by the native command)
// is fetched by URL, and the page must list the visitor's top 10 with its "because you liked" as `memrec
// recommend --ratings` prints them. A missing model shows the package's error, not a blank page.
//
// Inputs as tests/browser/e2e.test.mjs (scripts/test-web.sh sets them up): MEMREC_WASM_DIR, MEMREC_BIN,
// CHROMIUM.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createServer } from 'vite';
import { startServer } from '../../scripts/serve.mjs';
import { launchBrowser } from './harness.mjs';
import { examplesDir, installPackage, trainModels, cliVisitorTopN, sameList } from '../node/package_helpers.mjs';

let pkg, models, context, want, query;

before(async () => {
  pkg = installPackage();
  models = trainModels(pkg.root);
  want = cliVisitorTopN(models.ranking, models.visitor, 10);
  query = `ratings=${models.visitor.map((r) => `${r.item}:${r.rating}`).join(',')}`;
  const profile = fs.mkdtempSync(path.join(pkg.root, 'chromium-'));
  context = await launchBrowser(profile);
});

after(async () => {
  if (context) await context.close();
  if (pkg) fs.rmSync(pkg.root, { recursive: true, force: true });
});

// Opens `url`, waits for the page to finish (ready or an error) and returns {state, status, items, because,
// recs, failed}: what the page shows, its result, and the requests that failed.
async function visit(url) {
  const page = await context.newPage();
  const failed = [];
  const errors = [];
  page.on('response', (r) => { if (r.status() >= 400) failed.push(`${r.status()} ${new URL(r.url()).pathname}`); });
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(url);
    await page.waitForSelector('#status[data-state]', { timeout: 30000 }).catch(() => {
      throw new Error(`the page did not finish: ${JSON.stringify({ failed, errors })}`);
    });
    const state = await page.$eval('#status', (e) => e.dataset.state);
    const status = await page.textContent('#status');
    const items = await page.$$eval('#recommendations li', (lis) => lis.map((li) => li.dataset.item));
    const text = await page.$$eval('#recommendations li', (lis) => lis.map((li) => li.textContent));
    const recs = await page.evaluate(() => (window.memrecResult ? window.memrecResult.recs : null));
    return { state, status, items, text, recs, failed, errors };
  } finally {
    await page.close();
  }
}

function assertRecommendations(got, where) {
  assert.equal(got.state, 'ready', `${where}: ${got.status} ${JSON.stringify(got.failed)} ${JSON.stringify(got.errors)}`);
  assert.deepEqual(sameList(got.recs, want, where), []);
  assert.deepEqual(got.items, got.recs.map((r) => r.item));
  got.recs.forEach((r, i) => {
    if (r.item !== want[i].item) return;  // a tie at the CLI's precision
    assert.equal(r.because ? r.because.title : '', want[i].because, `${where} rank ${i + 1}: because`);
    if (want[i].because) assert.ok(got.text[i].endsWith(`(because you liked ${want[i].because})`), got.text[i]);
  });
  assert.ok(got.recs.some((r) => r.because), `${where}: nothing explained`);
}

test('without a bundler: the page imports node_modules/memrec/index.js by a relative URL', async () => {
  const site = path.join(pkg.root, 'site');
  fs.mkdirSync(site);
  fs.copyFileSync(path.join(examplesDir, 'browser/index.html'), path.join(site, 'index.html'));
  const { server, url } = await startServer({
    root: site, port: 0, mounts: { '/node_modules/memrec/': pkg.installed, '/model.mrec': models.ranking },
  });
  try {
    const got = await visit(`${url}index.html?${query}`);
    assertRecommendations(got, 'no bundler');
    assert.deepEqual(got.failed, []);
    const missing = await visit(`${url}index.html?model=missing.mrec&${query}`);
    assert.equal(missing.state, 'memrec-error');
    assert.match(missing.status, /missing\.mrec could not be downloaded: HTTP 404/);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

test("through vite's dev server: `import { load } from 'memrec'` finds its .wasm", async () => {
  const app = pkg.project;
  for (const f of ['index.html', 'main.js', 'vite.config.js']) fs.copyFileSync(path.join(examplesDir, 'vite', f), path.join(app, f));
  fs.mkdirSync(path.join(app, 'public'));
  fs.copyFileSync(models.ranking, path.join(app, 'public/model.mrec'));
  const server = await createServer({
    root: app, configFile: path.join(app, 'vite.config.js'), logLevel: 'warn', clearScreen: false,
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
  });
  await server.listen();
  try {
    const url = server.resolvedUrls.local[0];
    const got = await visit(`${url}?${query}`);
    assertRecommendations(got, 'vite');
    assert.deepEqual(got.failed, []);
  } finally {
    await server.close();
  }
});
