// The package's TypeScript declarations (memrec.d.ts): `tsc --noEmit` type-checks wasm/examples/typed.ts,
// which uses the whole API, against the installed tarball under node16/nodenext and bundler resolution;
// each line of its mistakes() must be refused (without its @ts-expect-error, tsc reports exactly those
// lines); every export of the module and every method of Model is declared, and nothing more; and the
// example, compiled, runs and agrees with the native command.
//
// Inputs as tests/node/wasm.test.mjs (scripts/test-web.sh sets them up): MEMREC_WASM_DIR, MEMREC_BIN.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { repo, examplesDir, installPackage, trainModels, cliPredict, cliVisitorTopN, sameList } from './package_helpers.mjs';

const tsc = path.join(repo, 'node_modules/typescript/bin/tsc');
const example = fs.readFileSync(path.join(examplesDir, 'typed.ts'), 'utf8');
let pkg;

before(() => {
  pkg = installPackage();
});

after(() => {
  if (pkg) fs.rmSync(pkg.root, { recursive: true, force: true });
});

// Runs tsc --noEmit over `files` ({name: source}, written into the installed project) with `resolution`:
// {status, errors: [{file, line, text}], output}.
function check(files, resolution) {
  for (const [name, source] of Object.entries(files)) fs.writeFileSync(path.join(pkg.project, name), source);
  const options = {
    strict: true, noEmit: true, target: 'es2022', lib: ['es2022', 'dom'], types: [], skipLibCheck: false,
    noUnusedLocals: true, exactOptionalPropertyTypes: true,
    ...(resolution === 'bundler' ? { module: 'esnext', moduleResolution: 'bundler' } : { module: 'nodenext', moduleResolution: 'nodenext' }),
  };
  const config = path.join(pkg.project, `tsconfig.${resolution}.json`);
  fs.writeFileSync(config, JSON.stringify({ compilerOptions: options, files: Object.keys(files) }, null, 2));
  const r = spawnSync(process.execPath, [tsc, '-p', config, '--pretty', 'false'], { cwd: pkg.project, encoding: 'utf8' });
  const errors = [];
  for (const m of r.stdout.matchAll(/^(\S+\.ts)\((\d+),\d+\): error (TS\d+: .*)$/gm))
    errors.push({ file: m[1], line: Number(m[2]), text: m[3] });
  return { status: r.status, errors, output: r.stdout + r.stderr };
}

// typed.ts with its @ts-expect-error lines blanked, and the lines (1-based) that must then be errors.
function withoutDirectives() {
  const expected = [];
  const lines = example.split('\n').map((l, i) => {
    if (!/^\s*\/\/ @ts-expect-error/.test(l)) return l;
    expected.push(i + 2);  // the line after the directive
    return '';
  });
  return { source: lines.join('\n'), expected };
}

test('tsc --noEmit accepts the example (nodenext); without @ts-expect-error it reports each mistake on its line', () => {
  const { source, expected } = withoutDirectives();
  assert.ok(expected.length >= 5, `only ${expected.length} mistakes in typed.ts`);
  const r = check({ 'typed.ts': example, 'unchecked.ts': source }, 'nodenext');
  assert.notEqual(r.status, 0);
  assert.deepEqual(r.errors.filter((e) => e.file !== 'unchecked.ts'), [], r.output);
  assert.deepEqual([...new Set(r.errors.map((e) => e.line))], expected, r.output);
});

test('tsc --noEmit accepts the example under bundler resolution (vite, esbuild)', () => {
  const r = check({ 'typed.ts': example }, 'bundler');
  assert.equal(r.status, 0, r.output);
});

test('memrec.d.ts declares every export and every Model method, and nothing the module lacks', async () => {
  const dts = path.join(pkg.installed, 'memrec.d.ts');
  // Only the names matter here (the tsc runs above check the file itself, skipLibCheck off): no lib to parse.
  const program = ts.createProgram([dts], { noLib: true, types: [] });
  const checker = program.getTypeChecker();
  const exports = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(dts)));
  const valueExports = exports.filter((s) => s.flags & ts.SymbolFlags.Value).map((s) => s.name).sort();
  const runtime = await import(pathToFileURL(path.join(pkg.installed, 'index.js')).href);
  assert.deepEqual(valueExports, Object.keys(runtime).sort());
  const model = exports.find((s) => s.name === 'Model');
  const declared = [...model.members.keys()].filter((k) => k !== '__constructor').sort();
  const methods = Object.getOwnPropertyNames(runtime.Model.prototype).filter((k) => k !== 'constructor').sort();
  assert.deepEqual(declared, methods);
});

test('the example, compiled, runs on the installed package and agrees with the native command', async () => {
  const models = trainModels(pkg.root);
  const js = ts.transpileModule(example, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
  const file = path.join(pkg.project, 'typed.js');
  fs.writeFileSync(file, js.outputText);
  const { demo } = await import(pathToFileURL(file).href);
  const user = models.users[0];
  const out = await demo(models.rating, new Uint8Array(fs.readFileSync(models.ranking)), user.id);
  assert.equal(out.rated.objective, 'rating');
  assert.equal(out.rated.items, 200);
  assert.equal(out.rated.known, true);
  assert.equal(out.rated.scored, 200);
  assert.equal(out.rated.found.length, 3);
  for (const t of out.rated.found) assert.match(t, /^Movie number \d+ \(\d{4}\)$/);
  assert.ok(Math.abs(out.rated.rating - cliPredict(models.rating, user.id, out.rated.first)) <= 2e-6);
  assert.ok(Math.abs(out.rated.many[0] - out.rated.rating) <= 1e-6);
  assert.equal(out.rated.top.length, 5);
  assert.ok(!out.rated.top.includes(out.rated.first), 'an excluded item was recommended');
  assert.equal(out.visitor.foldIn, true);
  assert.equal(out.visitor.scored, 200);
  const want = cliVisitorTopN(models.ranking, out.visitor.ratings, 3);
  assert.deepEqual(sameList(out.visitor.recs, want, 'visitor'), []);
  out.visitor.recs.forEach((r, i) => {
    if (r.item === want[i].item) assert.equal(out.visitor.because[i], want[i].because);
  });
  assert.match(out.error, /^model file: /);
});
