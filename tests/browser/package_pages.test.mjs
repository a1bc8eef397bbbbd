// The npm package in headless Chromium: without a bundler (wasm/examples/browser/index.html, which imports
// node_modules/memrec/index.js by a relative URL, from a static server), and through vite's dev server
// (wasm/examples/vite: `import { load } from 'memrec'`), pre-bundled and not. Each time the package comes from the `npm
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
  const wasm = [];  // paths the .wasm was fetched from
  page.on('response', (r) => {
    const where = new URL(r.url()).pathname;
    if (r.status() >= 400) failed.push(`${r.status()} ${where}`);
    else if (where.endsWith('.wasm')) wasm.push(where);
  });
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
    return { state, status, items, text, recs, failed, errors, wasm };
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
    assert.deepEqual(got.wasm, ['/node_modules/memrec/memrec_wasm.wasm']);
    const missing = await visit(`${url}index.html?model=missing.mrec&${query}`);
    assert.equal(missing.state, 'memrec-error');
    assert.match(missing.status, /missing\.mrec could not be downloaded: HTTP 404/);
  } finally {
    await new Promise((r) => server.close(r));
  }
});

// vite 8 pre-bundles the package into node_modules/.vite/deps/ and rewrites the wrapper's
// new URL('./memrec_wasm.wasm', import.meta.url) to the installed file; with optimizeDeps.exclude it serves
// the package as installed. Both must find the .wasm.
for (const [what, config] of [['pre-bundled (no vite config)', null],
  ['excluded from pre-bundling', "export default { optimizeDeps: { exclude: ['memrec'] } };\n"]]) {
  test(`through vite's dev server, ${what}: \`import { load } from 'memrec'\` finds its .wasm`, async () => {
    const app = pkg.project;
    for (const f of ['index.html', 'main.js']) fs.copyFileSync(path.join(examplesDir, 'vite', f), path.join(app, f));
    fs.mkdirSync(path.join(app, 'public'), { recursive: true });
    fs.copyFileSync(models.ranking, path.join(app, 'public/model.mrec'));
    fs.rmSync(path.join(app, 'vite.config.js'), { force: true });
    fs.rmSync(path.join(app, 'node_modules/.vite'), { recursive: true, force: true });
    if (config) fs.writeFileSync(path.join(app, 'vite.config.js'), config);
    const server = await createServer({
      root: app, configFile: config ? path.join(app, 'vite.config.js') : false, logLevel: 'warn', clearScreen: false,
      server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false },
    });
    await server.listen();
    try {
      const got = await visit(`${server.resolvedUrls.local[0]}?${query}`);
      assertRecommendations(got, `vite, ${what}`);
      assert.deepEqual(got.failed, []);
      assert.deepEqual(got.wasm, ['/node_modules/memrec/memrec_wasm.wasm']);
      const bundled = fs.existsSync(path.join(app, 'node_modules/.vite/deps/memrec.js'));
      assert.equal(bundled, !config, `vite ${bundled ? 'pre-bundled' : 'did not pre-bundle'} memrec`);
    } finally {
      await server.close();
    }
  });
}
