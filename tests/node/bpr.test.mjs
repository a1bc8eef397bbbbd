// BPR models (objective 2, format 5) in the WebAssembly module: a model trained by `memrec train --objective
// bpr` on a synthetic file (`memrec synth`), with a full item table and with a quotient-remainder one,
// exported at int8, loads, says it folds users in, and gives a visitor the same top 10 and "because you
// liked" as the native `memrec recommend` on the same file.
//
// Inputs as tests/node/wasm.test.mjs (scripts/test-web.sh sets them up): MEMREC_WASM_DIR, MEMREC_BIN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cli, cliVisitorTopN } from './cli.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const wasmDir = path.resolve(process.env.MEMREC_WASM_DIR || path.join(repo, 'build-wasm/wasm'));
const memrec = await import(pathToFileURL(path.join(wasmDir, 'memrec.mjs')).href);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-bpr-'));
const models = new Map();  // table kind -> {file, model}


// A visitor: five of the items the synthetic file's user 1 rated highest.
let visitor = [];

before(async () => {
  await memrec.init({ wasmBinary: fs.readFileSync(path.join(wasmDir, 'memrec_wasm.wasm')) });
  const data = path.join(tmp, 'ratings.dat');
  cli(['synth', '--users', '400', '--items', '300', '--ratings', '24000', '--format', 'dat', '--out', data, '-q']);
  const lines = fs.readFileSync(data, 'utf8').split('\n').filter((l) => l.startsWith('1::'));
  visitor = lines.map((l) => l.split('::')).sort((a, b) => Number(b[2]) - Number(a[2])).slice(0, 5)
    .map(([, item, rating]) => ({ item, rating: Number(rating) }));
  for (const [kind, flags] of [['full', []], ['qr', ['--item-table', 'qr', '--item-buckets', '30']]]) {
    const f32 = path.join(tmp, `${kind}.mrec`), int8 = path.join(tmp, `${kind}-int8.mrec`);
    cli(['train', '--data', data, '--objective', 'bpr', '--dim', '8', '--epochs', '3', '--threads', '1', ...flags,
      '-q', '--out', f32]);
    cli(['export', f32, '--quantize', 'int8', '--out', int8, '-q']);
    models.set(kind, { file: int8, model: await memrec.load(fs.readFileSync(int8)) });
  }
});

after(() => {
  for (const { model } of models.values()) model.free();
  fs.rmSync(tmp, { recursive: true, force: true });
});

test('a BPR model loads as a fold-in model of objective bpr, with no user table', () => {
  for (const [kind, { model }] of models) {
    const info = model.info();
    assert.equal(info.objective, 'bpr', kind);
    assert.equal(info.foldIn, true, `${kind}: users folded in`);
    assert.equal(info.users, 0, `${kind}: no user rows`);
    assert.equal(info.itemTable.kind, kind === 'qr' ? 'qr' : 'full');
  }
});

test("a visitor's top 10 and its reasons equal the native memrec recommend on the same file", () => {
  for (const [kind, { file, model }] of models) {
    const items = model.visitorTopN(visitor, 10);
    const want = cliVisitorTopN(file, visitor, 10);
    assert.equal(want.length, 10, `${kind}: memrec recommend printed ${want.length} rows`);
    for (let r = 0; r < 10; ++r) {
      assert.ok(Math.abs(items[r].rating - want[r].rating) <= 5e-4 + 1e-6, `${kind} rank ${r + 1} score`);
      if (items[r].item !== want[r].item)
        assert.ok(Math.abs(items[r].rating - want[r].rating) < 2e-3, `${kind} rank ${r + 1}: wasm ${items[r].item}, cli ${want[r].item}`);
    }
    const rated = new Set(visitor.map((v) => v.item));
    assert.ok(items.every((x) => !rated.has(x.item)), `${kind}: rated items are not recommended`);
    assert.ok(items.some((x) => x.because && rated.has(x.because.item)), `${kind}: a reason names a rated item`);
  }
});
