// Run by tests/node/package.test.mjs inside a project that installed the memrec tarball (node, no bundler):
// imports the package by its name, answers what the test asks and prints the answers as JSON for the test
// to hold against the native command.
//   node package_check.mjs REQUEST.json   (request: {rating, ranking, users: [{id, train}], items, visitor})
import fs from 'node:fs';
import http from 'node:http';
import { pathToFileURL } from 'node:url';
import * as memrec from 'memrec';

const request = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

async function failure(promiseOrFn) {
  try {
    await (typeof promiseOrFn === 'function' ? promiseOrFn() : promiseOrFn);
    return null;
  } catch (e) {
    return { error: e instanceof Error, memrecError: e instanceof memrec.MemrecError, name: e.name, message: e.message };
  }
}

// The ranking model over http, from a server of our own on 127.0.0.1 (and a 404 beside it).
const server = http.createServer((req, res) => {
  if (req.url === '/ranking.mrec') res.end(fs.readFileSync(request.ranking));
  else { res.statusCode = 404; res.end('not found'); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

const rating = await memrec.load(request.rating);  // a file path
const bytes = fs.readFileSync(request.ranking);
const loaded = {
  fileUrl: await memrec.load(pathToFileURL(request.ranking)),
  fileUrlString: await memrec.load(pathToFileURL(request.ranking).href),
  uint8Array: await memrec.load(new Uint8Array(bytes)),
  arrayBuffer: await memrec.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)),
  http: await memrec.load(`${base}/ranking.mrec`),
};
const ranking = loaded.http;
const out = {
  exports: Object.keys(memrec).sort(),
  info: { rating: rating.info(), ranking: ranking.info() },
  sources: Object.fromEntries(Object.entries(loaded).map(([k, m]) => [k, m.visitorTopN(request.visitor, 5)])),
  predict: request.users.map((u) => request.items.map((i) => rating.predict(u.id, i))),
  topN: request.users.map((u) => rating.topN(u.id, 10, u.train)),
  fallback: (() => { const t = rating.topN('no-such-user', 3); return { fallback: t.fallback, items: t.map((r) => r.item) }; })(),
  visitor: { rating: rating.visitorTopN(request.visitor, 10), ranking: ranking.visitorTopN(request.visitor, 10) },
  errors: {
    corrupt: await failure(memrec.load(new Uint8Array(bytes.subarray(0, 100)))),
    notModel: await failure(memrec.load(new TextEncoder().encode('<html>not a model</html>'))),
    missingFile: await failure(memrec.load(`${request.rating}.missing`)),
    http404: await failure(memrec.load(`${base}/missing.mrec`)),
    badSource: await failure(memrec.load(42)),
    unknownItem: await failure(() => rating.predict(request.users[0].id, 'no-such-item')),
    fallbackUser: await failure(() => ranking.scoreUser('1')),
  },
};
rating.free();
out.errors.freed = await failure(() => rating.info());
for (const m of Object.values(loaded)) m.free();
server.close();
process.stdout.write(JSON.stringify(out, (k, v) => (ArrayBuffer.isView(v) ? Array.from(v) : v)));
