// memrec as an npm package: the WebAssembly module (memrec_wasm.mjs + memrec_wasm.wasm) and the page's
// wrapper (memrec.mjs, which holds Model and every method), plus what an installed package needs: loading a
// model from a URL or a file path, and in node reading its .wasm from beside this file. Browsers and
// bundlers find the .wasm through the module's own new URL('memrec_wasm.wasm', import.meta.url), which
// vite rewrites when it pre-bundles the package. Types: memrec.d.ts. Nothing here computes: the core
// does, in the module.
import { init as startModule, load as loadBytes, Model, MemrecError, unsupportedReason } from './memrec.mjs';

export { Model, MemrecError, unsupportedReason };

const wasmUrl = new URL('./memrec_wasm.wasm', import.meta.url);
const inNode = typeof process === 'object' && typeof process.versions === 'object' &&
  typeof process.versions.node === 'string';

let started = null;

// Starts the WebAssembly module once (load() calls it; call it yourself to start early or to pass
// Emscripten options such as wasmBinary or instantiateWasm). Later calls return the same promise.
export function init(options = {}) {
  if (!started) {
    started = moduleOptions(options).then(startModule);
    started.catch(() => { started = null; });
  }
  return started;
}

async function moduleOptions(options) {
  const out = { ...options };
  if (out.wasmBinary || out.instantiateWasm || out.locateFile) return out;
  if (inNode && wasmUrl.protocol === 'file:') {
    // Emscripten 3.1.6's node loader would fetch() a file path: hand it the bytes instead.
    const { readFile } = await import('node:fs/promises');
    try {
      out.wasmBinary = await readFile(wasmUrl);
    } catch (e) {
      throw new MemrecError(`the WebAssembly file could not be read: ${e.message}`, e);
    }
  }
  return out;
}

// Raw bytes stay as they are; a URL (or a string with a scheme) is fetched; in node a string without a
// scheme, or a file: URL, is a path to read.
async function modelBytes(source, request) {
  if (source instanceof Uint8Array || source instanceof ArrayBuffer || ArrayBuffer.isView(source)) return source;
  if (typeof source !== 'string' && !(source instanceof URL))
    throw new MemrecError('load() needs a Uint8Array, an ArrayBuffer, a URL or a string (URL or file path)');
  const text = String(source);
  // "C:\models\x.mrec" is a Windows path, not a URL with scheme "c".
  const hasScheme = /^[a-z][a-z0-9+.-]+:/i.test(text);
  if (inNode && (!hasScheme || text.startsWith('file:'))) {
    const { readFile } = await import('node:fs/promises');
    const file = hasScheme ? new URL(text) : text;
    try {
      return await readFile(file);
    } catch (e) {
      throw new MemrecError(`the model file ${text} could not be read: ${e.message}`, e);
    }
  }
  const base = typeof document === 'object' && document && document.baseURI ? document.baseURI
    : (globalThis.location && globalThis.location.href) || undefined;
  const url = new URL(text, base);
  let response;
  try {
    response = await fetch(url, request);
  } catch (e) {
    throw new MemrecError(`the model ${url} could not be downloaded: ${e.message}`, e);
  }
  if (!response.ok) throw new MemrecError(`the model ${url} could not be downloaded: HTTP ${response.status}`);
  return response.arrayBuffer();
}

// A Model from a .mrec file's bytes, a URL, or (in node) a file path. Rejects with a MemrecError: the
// core's own message for a damaged file ("model file: ..."), the HTTP status or the file system's for
// one that could not be had.
export async function load(source, options = {}) {
  const { request, ...rest } = options;
  await init(rest);
  return loadBytes(await modelBytes(source, request));
}
