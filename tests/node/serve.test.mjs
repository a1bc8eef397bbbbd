// The demo's static server (scripts/serve.mjs) under malformed requests: each gets a 4xx, the server keeps
// serving, and only the page's files are served (no dotfiles such as models/.stamp, no other extensions,
// nothing outside the root). Requests go over raw sockets so that the exact bytes reach the server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../scripts/serve.mjs';

let server, port, tmp;

before(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'memrec-serve-'));
  const root = path.join(tmp, 'web');
  fs.mkdirSync(path.join(root, 'models'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>page</title>');
  fs.writeFileSync(path.join(root, 'app.js'), 'export {};\n');
  fs.writeFileSync(path.join(root, 'models', 'manifest.json'), '{"variants": []}');
  fs.writeFileSync(path.join(root, 'models', '.stamp'), '/home/trainer/data/ml-1m|123');
  fs.writeFileSync(path.join(root, 'notes.sh'), 'echo not a page file\n');
  fs.writeFileSync(path.join(tmp, 'secret.txt'), 'outside the root\n');
  ({ server } = await startServer({ root, port: 0 }));
  port = server.address().port;
});

after(async () => {
  if (server) await new Promise((r) => server.close(r));
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

// Sends `raw` as is and resolves to {status, body} (status 0 if the server closed without answering).
function rawRequest(raw) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks = [];
    socket.setTimeout(5000, () => socket.destroy(new Error('no answer within 5 s')));
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, body: text.slice(text.indexOf('\r\n\r\n') + 4) });
    });
    socket.write(raw, 'latin1');
  });
}

const request = (method, target) =>
  rawRequest(`${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);

async function assertStillServing() {
  const r = await request('GET', '/');
  assert.equal(r.status, 200, 'a normal request after the malformed one');
  assert.match(r.body, /<title>page<\/title>/);
}

const MALFORMED = [
  ['a null byte', 'GET', '/%00'],
  ['a null byte before an extension', 'GET', '/index.html%00.js'],
  ['a control character', 'GET', '/app%0a.js'],
  ['encoded traversal', 'GET', '/..%2f..%2fetc/passwd'],
  ['encoded traversal with dots', 'GET', '/%2e%2e%2f%2e%2e%2fsecret.txt'],
  ['encoded traversal in a folder', 'GET', '/models/..%2f..%2fsecret.txt'],
  ['backslash traversal', 'GET', '/models/..%5c..%5csecret.txt'],
  ['plain traversal', 'GET', '/../secret.txt'],
  ['an overlong path', 'GET', `/${'a'.repeat(5000)}.js`],
  ['an overlong path beyond the header limit', 'GET', `/${'a'.repeat(20000)}.js`],
  ['bad percent-encoding', 'GET', '/%zz.js'],
  ['a truncated UTF-8 sequence', 'GET', '/%E0%A4%A.js'],
  ['invalid UTF-8', 'GET', '/%C0%AF.js'],
  ['an absolute URL', 'GET', 'http://example.com/index.html'],
  ['an asterisk', 'OPTIONS', '*'],
  ['POST', 'POST', '/index.html'],
  ['PUT', 'PUT', '/index.html'],
  ['DELETE', 'DELETE', '/index.html'],
  ['TRACE', 'TRACE', '/'],
  ['an unknown method', 'BREW', '/'],
  ['a dotfile', 'GET', '/models/.stamp'],
  ['an encoded dotfile', 'GET', '/models/%2estamp'],
  ['a file type the page does not use', 'GET', '/notes.sh'],
  ['a missing file', 'GET', '/missing.js'],
];

for (const [what, method, target] of MALFORMED) {
  test(`${what}: a 4xx, then the server still serves`, async () => {
    const r = await request(method, target);
    assert.ok(r.status >= 400 && r.status < 500, `${method} ${target.slice(0, 60)}: status ${r.status}`);
    assert.doesNotMatch(r.body, /outside the root|trainer|not a page file/);
    await assertStillServing();
  });
}

test('a request that is not HTTP: the connection is refused politely, the server still serves', async () => {
  const r = await rawRequest('\x00\x01 garbage\r\n\r\n');
  assert.ok(r.status === 0 || (r.status >= 400 && r.status < 500), `status ${r.status}`);
  await assertStillServing();
});

test("the page's files are served, GET and HEAD", async () => {
  assert.equal((await request('GET', '/app.js')).status, 200);
  assert.equal((await request('GET', '/models/manifest.json')).status, 200);
  const head = await request('HEAD', '/index.html');
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
  await assertStillServing();
});
