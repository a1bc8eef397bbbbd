// The native `memrec` command for node tests that compare the wasm module with it: MEMREC_BIN (default
// build/native/memrec), and the parsing of `recommend`'s quiet output.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const memrecBin = path.resolve(process.env.MEMREC_BIN || path.join(repo, 'build/native/memrec'));

// Runs `memrec args...` and returns its standard output; throws (with stderr) if it exits non-zero.
export function cli(args) {
  return execFileSync(memrecBin, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// `memrec recommend`'s quiet rows "rank score id [title] [  because you liked TITLE]", best first:
// [{item, rating: score, because: the liked title or ''}].
export function parseRows(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = /^\s*(\d+)\s+(-?[\d.]+)\s+(\S+)/.exec(line);
    if (!m) continue;
    const because = / {2}because you liked (.*)$/.exec(line);
    out.push({ item: m[3], rating: Number(m[2]), because: because ? because[1] : '' });
  }
  return out;
}

// `memrec recommend FILE --ratings-file LIST -k K -q` for a visitor's ratings [{item, rating}].
export function cliVisitorTopN(file, ratings, k) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-node-'));
  const list = path.join(dir, 'ratings.csv');
  try {
    fs.writeFileSync(list, ratings.map((r) => `${r.item},${r.rating}\n`).join(''));
    return parseRows(cli(['recommend', file, '--ratings-file', list, '-k', String(k), '-q']));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
