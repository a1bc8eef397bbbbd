#!/usr/bin/env node
// A small static file server for the demo page: 127.0.0.1 only, correct MIME types (application/wasm for
// the module, so browsers can compile it while it streams), gzip for text, JSON, .wasm and .mrec when the
// browser accepts it, as a production static server would. No caching headers beyond no-cache: the page
// measures what it downloads. It serves only the page's kinds of files (the extensions in MIME), never a
// dotfile (models/.stamp holds the trainer's data path), and answers a malformed request with a 4xx
// instead of failing on it: anyone who can reach the demo must not be able to stop it.
//
//   node scripts/serve.mjs [--root web] [--host 127.0.0.1] [--port 8080] [--mount /models/=DIR]
//                          [--mount /file.js=PATH]
//
// Also importable: startServer({root, host, port, mounts, overrides}) resolves to {server, url}; the
// browser test uses `overrides` (URL path -> bytes, or null for 404) to serve corrupt or missing files.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.mrec': 'application/octet-stream',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const COMPRESS = new Set(['.html', '.js', '.mjs', '.css', '.json', '.wasm', '.mrec', '.svg', '.txt', '.map']);
const MAX_URL = 2048;  // the page's longest URL is well under 200 characters

const gzipCache = new Map();  // absolute path -> {mtimeMs, size, gz}

function gzipped(file, stat, bytes) {
  const hit = gzipCache.get(file);
  if (hit && hit.mtimeMs === stat.mtimeMs && hit.size === stat.size) return hit.gz;
  const gz = zlib.gzipSync(bytes, { level: 9 });
  gzipCache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, gz });
  return gz;
}

// The file a URL path maps to, or null if it escapes its root. A mount whose prefix ends in '/' maps a
// folder; any other maps one exact path to one file.
function resolvePath(urlPath, root, mounts) {
  let base = root;
  let rest = urlPath;
  for (const [prefix, target] of Object.entries(mounts)) {
    if (!prefix.endsWith('/')) {
      if (urlPath === prefix) return target;
      continue;
    }
    if (urlPath.startsWith(prefix)) {
      base = target;
      rest = urlPath.slice(prefix.length);
      break;
    }
  }
  const file = path.resolve(base, '.' + path.posix.normalize('/' + rest));
  if (file !== base && !file.startsWith(base + path.sep)) return null;
  return file;
}

function send(req, res, status, type, bytes, compressible, file, stat) {
  const headers = { 'Content-Type': type, 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
  let body = bytes;
  if (compressible && bytes.length > 256 && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
    body = file ? gzipped(file, stat, bytes) : zlib.gzipSync(bytes, { level: 9 });
    headers['Content-Encoding'] = 'gzip';
    headers.Vary = 'Accept-Encoding';
  }
  headers['Content-Length'] = String(body.length);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}

function notFound(req, res, urlPath) {
  send(req, res, 404, MIME['.txt'], Buffer.from(`not found: ${urlPath}\n`), false);
}

// The URL path a request asks for, or {status, message} when it is one this server refuses: other
// methods, overlong or undecodable URLs, control characters or backslashes, '.' or '..' segments that
// survive URL normalisation because they were percent-encoded (/..%2f..%2fetc), dotfiles, and extensions
// that are not the page's.
function requestedPath(req) {
  if (req.method !== 'GET' && req.method !== 'HEAD') return { status: 405, message: 'method not allowed' };
  if (req.url.length > MAX_URL) return { status: 414, message: 'URL too long' };
  if (!req.url.startsWith('/')) return { status: 400, message: 'bad request' };
  let urlPath;
  try {
    urlPath = decodeURIComponent(new URL(req.url, 'http://localhost').pathname);
  } catch {
    return { status: 400, message: 'bad request' };
  }
  if (/[\x00-\x1f\x7f\\]/.test(urlPath)) return { status: 400, message: 'bad request' };
  if (urlPath.endsWith('/')) urlPath += 'index.html';
  const segments = urlPath.split('/').slice(1);
  if (segments.some((s) => s === '.' || s === '..')) return { status: 400, message: 'bad request' };
  if (segments.some((s) => s.startsWith('.')) || !MIME[path.extname(urlPath).toLowerCase()])
    return { status: 404, message: `not found: ${urlPath}` };
  return { urlPath };
}

// Compresses every compressible file under the root and the mounts now, as a static server serving
// precompressed files would have done at deploy time, so no request waits for gzip.
function precompressAll(absRoot, absMounts) {
  const walk = (p) => {
    let stat;
    try {
      stat = fs.statSync(p);
    } catch {
      return;
    }
    if (stat.isDirectory()) {
      for (const name of fs.readdirSync(p)) walk(path.join(p, name));
    } else if (stat.isFile() && COMPRESS.has(path.extname(p).toLowerCase())) {
      gzipped(p, stat, fs.readFileSync(p));
    }
  };
  walk(absRoot);
  for (const target of Object.values(absMounts)) walk(target);
}

export function startServer({ root = 'web', host = '127.0.0.1', port = 8080, mounts = {}, overrides = {},
  quiet = true, tryNextPorts = 0, precompress = true } = {}) {
  const absRoot = path.resolve(root);
  const absMounts = Object.fromEntries(Object.entries(mounts).map(([p, d]) => [p, path.resolve(d)]));
  if (precompress) precompressAll(absRoot, absMounts);
  const serve = (req, res) => {
    const { urlPath, status, message } = requestedPath(req);
    if (!urlPath) return send(req, res, status, MIME['.txt'], Buffer.from(`${message}\n`), false);
    const ext = path.extname(urlPath).toLowerCase();
    const type = MIME[ext];
    if (Object.prototype.hasOwnProperty.call(overrides, urlPath)) {
      const o = overrides[urlPath];
      if (o === null) return notFound(req, res, urlPath);
      return send(req, res, 200, type, Buffer.from(o), COMPRESS.has(ext));
    }
    const file = resolvePath(urlPath, absRoot, absMounts);
    if (!file) return notFound(req, res, urlPath);
    fs.stat(file, (err, stat) => {
      if (err || !stat.isFile()) return notFound(req, res, urlPath);
      fs.readFile(file, (err2, bytes) => {
        if (err2) return send(req, res, 500, MIME['.txt'], Buffer.from('could not read the file\n'), false);
        if (!quiet) console.log(`${req.method} ${urlPath} ${bytes.length}`);
        send(req, res, 200, type, bytes, COMPRESS.has(ext), file, stat);
      });
    });
  };
  // Whatever a request does wrong that the checks above did not foresee costs that request, not the server.
  const server = http.createServer((req, res) => {
    try {
      serve(req, res);
    } catch (e) {
      if (!quiet) console.error(`${req.method} ${req.url}: ${e.message}`);
      if (!res.headersSent) send(req, res, 500, MIME['.txt'], Buffer.from('server error\n'), false);
      else res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    let attempt = 0;
    const listen = (p) => {
      server.once('error', (e) => {
        if (e.code === 'EADDRINUSE' && attempt < tryNextPorts) {
          ++attempt;
          listen(p + 1);
        } else {
          reject(e);
        }
      });
      server.listen(p, host, () => {
        const addr = server.address();
        resolve({ server, url: `http://${host}:${addr.port}/` });
      });
    };
    listen(port);
  });
}

// Command line.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const opts = { root: 'web', host: '127.0.0.1', port: 8080, mounts: {}, quiet: true, tryNextPorts: 20 };
  for (let i = 0; i < args.length; ++i) {
    const a = args[i];
    const value = () => {
      if (i + 1 >= args.length) {
        console.error(`serve.mjs: ${a} needs a value`);
        process.exit(2);
      }
      return args[++i];
    };
    if (a === '--root') opts.root = value();
    else if (a === '--host') opts.host = value();
    else if (a === '--port') {
      opts.port = Number(value());
      opts.tryNextPorts = 0;
    } else if (a === '--mount') {
      const [prefix, dir] = value().split('=');
      opts.mounts[prefix] = dir;
    } else if (a === '--verbose') opts.quiet = false;
    else if (a === '-h' || a === '--help') {
      console.log('usage: node scripts/serve.mjs [--root web] [--host 127.0.0.1] [--port 8080] [--mount /prefix/=DIR] [--verbose]');
      process.exit(0);
    } else {
      console.error(`serve.mjs: unknown option ${a}`);
      process.exit(2);
    }
  }
  if (!fs.existsSync(path.join(opts.root, 'index.html'))) {
    console.error(`serve.mjs: ${opts.root}/index.html does not exist`);
    process.exit(1);
  }
  try {
    const { url } = await startServer(opts);
    console.log(`memrec demo: serving ${opts.root}/ at ${url}  (Ctrl+C to stop)`);
  } catch (e) {
    console.error(`serve.mjs: cannot listen on ${opts.host}:${opts.port}: ${e.message}`);
    process.exit(1);
  }
}
