// Minifies Emscripten's JS glue (memrec_wasm.mjs) in place after the link: Emscripten 3.1.6 at -Oz only
// strips its whitespace (renaming its locals needs --closure, whose compiler Debian does not ship), so the
// glue was 74.7 KB, 16.8 KB gzip -9, of what the page downloads before its first recommendations. The oxc
// minifier behind rolldown (a devDependency, package.json) renames locals and compresses: 39.7 KB, 11.8 KB
// gzip. Property names are kept (the glue's Module["..."] and the wasm imports are strings). Without
// node_modules (npm install not run) the glue is left as linked and this says so: it still works.
// Usage: node minify_glue.mjs FILE
import fs from 'node:fs';

const file = process.argv[2];
let minify;
try {
  ({ minify } = await import('rolldown/experimental'));
} catch {
  console.warn(`minify_glue: rolldown is not installed (npm install): ${file} left unminified`);
  process.exit(0);
}
const source = fs.readFileSync(file, 'utf8');
const out = await minify(file, source, { module: true, compress: true, mangle: true });
if (out.errors.length) {
  console.error(`minify_glue: ${file}: ${out.errors.map((e) => e.message).join('; ')}`);
  process.exit(1);
}
fs.writeFileSync(`${file}.tmp`, out.code);
fs.renameSync(`${file}.tmp`, file);
