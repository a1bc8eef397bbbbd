// The npm package (wasm/package/, assembled in build-wasm/wasm/package/) in node without a bundler: `npm
// pack`ed and installed from the tarball into a fresh project, imported by its name, it loads models
// trained by the native command (from a path, file: URL, bytes, ArrayBuffer and http URL) and gives the
// same predictions, top-N lists, visitor top-N and "because you liked" as `memrec predict` and `memrec
// recommend`; failures are Errors with the core's message. The JavaScript example of docs/embedding.md
// (wasm/examples/recommend.mjs) runs against the installed package and prints the CLI's list.
//
// Inputs as tests/node/wasm.test.mjs (scripts/test-web.sh sets them up): MEMREC_WASM_DIR, MEMREC_BIN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import {
  repo, wasmDir, packageDir, examplesDir, installPackage, trainModels, cliTopN, cliVisitorTopN, cliPredict, sameList,
} from './package_helpers.mjs';

let pkg, models, answers;

before(() => {
  pkg = installPackage();
  models = trainModels(pkg.root);
  const request = {
    rating: models.rating, ranking: models.ranking, users: models.users, items: ['1', '5', '42'],
    visitor: models.visitor,
  };
  fs.writeFileSync(path.join(pkg.root, 'request.json'), JSON.stringify(request));
  fs.copyFileSync(path.join(repo, 'tests/node/package_check.mjs'), path.join(pkg.project, 'check.mjs'));
  answers = JSON.parse(execFileSync(process.execPath, ['check.mjs', path.join(pkg.root, 'request.json')],
    { cwd: pkg.project, encoding: 'utf8' }));
});

after(() => {
  if (pkg) fs.rmSync(pkg.root, { recursive: true, force: true });
});

test('the tarball holds the module, its .wasm (the build\'s, byte for byte), the wrapper, types and README', () => {
  for (const f of ['package.json', 'README.md', 'index.js', 'memrec.mjs', 'memrec_wasm.mjs', 'memrec_wasm.wasm', 'memrec.d.ts'])
    assert.ok(pkg.files.includes(f), `${f} is not in the tarball (${pkg.files.join(', ')})`);
  assert.deepEqual(fs.readFileSync(path.join(pkg.installed, 'memrec_wasm.wasm')),
    fs.readFileSync(path.join(wasmDir, 'memrec_wasm.wasm')));
  assert.deepEqual(fs.readFileSync(path.join(pkg.installed, 'memrec.mjs')), fs.readFileSync(path.join(repo, 'wasm/memrec.mjs')));
  const json = JSON.parse(fs.readFileSync(path.join(pkg.installed, 'package.json'), 'utf8'));
  assert.equal(json.name, 'memrec');
  assert.equal(json.type, 'module');
  assert.equal(json.engines.node, '>=18');
  assert.deepEqual(json.exports['.'], { types: './memrec.d.ts', default: './index.js' });
  assert.match(json.version, /^\d+\.\d+\.\d+$/);
});

test('the package exports load, init, Model, MemrecError and unsupportedReason', () => {
  assert.deepEqual(answers.exports, ['MemrecError', 'Model', 'init', 'load', 'unsupportedReason']);
});

test('every source kind loads the same model: path, file: URL, bytes, ArrayBuffer, http URL', () => {
  const want = cliVisitorTopN(models.ranking, models.visitor, 5);
  for (const [source, list] of Object.entries(answers.sources))
    assert.deepEqual(sameList(list, want, source), []);
  assert.equal(answers.info.ranking.objective, 'implicit');
  assert.equal(answers.info.ranking.foldIn, true);
  assert.equal(answers.info.rating.objective, 'rating');
  assert.equal(answers.info.rating.users, 300);
  assert.equal(answers.info.rating.items, 200);
  assert.equal(answers.info.rating.itemCounts.length, 200);
  assert.equal(answers.info.rating.titleCount, 200);
});

test('predict and top-N for users of the model equal memrec predict and memrec recommend', () => {
  const users = models.users.map((u) => u.id), items = ['1', '5', '42'];
  users.forEach((u, ui) => items.forEach((item, ii) => {
    const want = cliPredict(models.rating, u, item);
    assert.ok(Math.abs(answers.predict[ui][ii] - want) <= 2e-6, `predict ${u}/${item}: ${answers.predict[ui][ii]}, CLI ${want}`);
  }));
  users.forEach((u, ui) => {
    const got = answers.topN[ui];
    assert.equal(got.length, 10);
    assert.deepEqual(sameList(got, cliTopN(models.rating, u, 10, models.data), `user ${u}`), []);
    assert.match(got[0].title, /^Movie number \d+ \(\d{4}\)$/);
    const train = new Set(models.users[ui].train);
    for (const r of got) assert.ok(!train.has(r.item), `user ${u}: training item ${r.item} recommended`);
  });
  assert.equal(answers.fallback.fallback, 'popular');
  assert.equal(answers.fallback.items.length, 3);
});

test('a visitor\'s top 10 and its "because you liked" equal memrec recommend --ratings, for both objectives', () => {
  for (const kind of ['rating', 'ranking']) {
    const got = answers.visitor[kind];
    const want = cliVisitorTopN(models[kind], models.visitor, 10);
    assert.deepEqual(sameList(got, want, kind), []);
    const rated = new Set(models.visitor.map((r) => r.item));
    const liked = new Set(models.visitor.filter((r) => r.rating >= 4).map((r) => r.item));
    let named = 0;
    got.forEach((r, i) => {
      assert.ok(!rated.has(r.item), `${kind}: rated item ${r.item} recommended back`);
      if (r.because) {
        ++named;
        assert.ok(liked.has(r.because.item), `${kind}: because ${r.because.item}, not a liked item`);
      }
      if (r.item === want[i].item) assert.equal(r.because ? r.because.title : '', want[i].because, `${kind} rank ${i + 1}`);
    });
    assert.ok(named > 0, `${kind}: nothing explained`);
  }
});

test('failures are Errors (MemrecError) with the core\'s or the source\'s message', () => {
  const e = answers.errors;
  for (const [name, f] of Object.entries(e)) {
    assert.ok(f, `${name}: did not fail`);
    assert.ok(f.error && f.memrecError && f.name === 'MemrecError', `${name}: ${JSON.stringify(f)}`);
  }
  assert.match(e.corrupt.message, /^model file: /);
  assert.match(e.notModel.message, /^model file: magic/);
  assert.match(e.missingFile.message, /rating\.mrec\.missing could not be read: ENOENT/);
  assert.match(e.http404.message, /missing\.mrec could not be downloaded: HTTP 404/);
  assert.match(e.badSource.message, /load\(\) needs/);
  assert.equal(e.unknownItem.message, "unknown item id 'no-such-item'");
  assert.match(e.fallbackUser.message, /unknown user id '1'/);
  assert.match(e.freed.message, /freed/);
});

test('the JavaScript example of docs/embedding.md runs on the installed package and prints memrec recommend\'s list', () => {
  const example = fs.readFileSync(path.join(examplesDir, 'recommend.mjs'), 'utf8');
  const docs = fs.readFileSync(path.join(repo, 'docs/embedding.md'), 'utf8');
  assert.ok(docs.includes('```js\n' + example + '```'), 'docs/embedding.md does not hold wasm/examples/recommend.mjs verbatim');
  fs.writeFileSync(path.join(pkg.project, 'recommend.mjs'), example);
  const list = models.visitor.map((r) => `${r.item}:${r.rating}`).join(',');
  for (const kind of ['rating', 'ranking']) {
    const out = execFileSync(process.execPath, ['recommend.mjs', models[kind], list], { cwd: pkg.project, encoding: 'utf8' });
    const lines = out.trim().split('\n');
    assert.match(lines[0], kind === 'rating' ? /^rating model: 200 items, f32/ : /^implicit model: 200 items/);
    const got = lines.slice(1).map((l) => {
      const [, rating, item, rest] = l.split('\t');
      const because = / {2}because you liked (.*)$/.exec(rest);
      return { item, rating: Number(rating), because: because ? because[1] : '' };
    });
    const want = cliVisitorTopN(models[kind], models.visitor, 10);
    assert.deepEqual(sameList(got, want, kind), []);
  }
  // A damaged file: the core's message on stderr, exit status 1.
  const bad = path.join(pkg.root, 'bad.mrec');
  fs.writeFileSync(bad, 'not a model');
  assert.throws(() => execFileSync(process.execPath, ['recommend.mjs', bad, list], { cwd: pkg.project, stdio: 'pipe' }),
    (err) => err.status === 1 && /^memrec: model file: magic: expected "MREC"/.test(String(err.stderr)));
});

test('the package directory and wasm/package agree: the build copied the current sources', () => {
  for (const f of ['index.js', 'memrec.d.ts', 'README.md'])
    assert.deepEqual(fs.readFileSync(path.join(packageDir, f)), fs.readFileSync(path.join(repo, 'wasm/package', f)), f);
});
