// What a browser test of the demo page starts: the page's static server over web/ with the test models,
// the wasm build and Chart.js mounted, and a headless Chromium (Debian's /usr/bin/chromium driven by
// playwright-core) with a fresh profile. Inputs as for e2e.test.mjs: MEMREC_WASM_DIR, MEMREC_TEST_MODELS,
// CHROMIUM, MEMREC_E2E_OUT (the build folder screenshots go to).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const webDir = path.join(repo, 'web');
export const wasmDir = path.resolve(process.env.MEMREC_WASM_DIR || path.join(repo, 'build-wasm/wasm'));
export const modelsDir = path.resolve(process.env.MEMREC_TEST_MODELS || path.join(repo, 'build-wasm/test-models'));
export const chromiumPath = process.env.CHROMIUM || '/usr/bin/chromium';
export const outDir = path.resolve(process.env.MEMREC_E2E_OUT || path.join(repo, 'build-wasm'));
export const chartDir = path.join(repo, 'node_modules/chart.js/dist');

// The page, the wasm build and the test models, with `overrides` (URL path -> bytes, or null for a 404):
// resolves to startServer's {server, url}.
export function startTestServer(overrides = {}) {
  return startServer({
    root: webDir,
    port: 0,
    mounts: {
      '/models/': modelsDir,
      '/vendor/chart.umd.js': path.join(chartDir, 'chart.umd.min.js'),
      '/memrec.mjs': path.join(wasmDir, 'memrec.mjs'),
      '/memrec_wasm.mjs': path.join(wasmDir, 'memrec_wasm.mjs'),
      '/memrec_wasm.wasm': path.join(wasmDir, 'memrec_wasm.wasm'),
    },
    overrides,
  });
}

// Headless Chromium with the fresh profile `userDataDir`, at a desktop size.
export function launchBrowser(userDataDir) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
}

// Resolves to {baseUrl, context, close()}; `overrides` as startTestServer's.
export async function startPage({ overrides = {} } = {}) {
  for (const [what, p] of [['the wasm build', path.join(wasmDir, 'memrec_wasm.wasm')],
    ['the test models', path.join(modelsDir, 'manifest.json')], ['Chromium', chromiumPath],
    ['chart.js (npm install)', path.join(chartDir, 'chart.umd.min.js')]]) {
    if (!fs.existsSync(p)) throw new Error(`${what} is missing (${p}): run scripts/test-web.sh`);
  }
  const { server, url } = await startTestServer(overrides);
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-browser-'));
  const context = await launchBrowser(userDataDir);
  const close = async () => {
    await context.close();
    await new Promise((r) => server.close(r));
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  return { baseUrl: url, context, close };
}
