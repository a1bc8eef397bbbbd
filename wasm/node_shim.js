// Prepended to memrec_wasm.mjs (--extern-pre-js). Emscripten 3.1.6 emits CommonJS-style node code
// (__dirname, require) even in an ES module; under node, provide both from import.meta.url. Browsers and
// workers skip this: the imports only run when `process.versions.node` exists.
const memrecInNode = typeof process == "object" && typeof process.versions == "object" &&
                     typeof process.versions.node == "string";
var require = memrecInNode ? (await import("node:module")).createRequire(import.meta.url) : undefined;
var __dirname = memrecInNode ? (await import("node:url")).fileURLToPath(new URL(".", import.meta.url)) : "";
