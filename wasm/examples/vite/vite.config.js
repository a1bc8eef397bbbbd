// Pre-bundling would copy memrec's module into node_modules/.vite/deps/, away from the .wasm it finds by
// new URL('./memrec_wasm.wasm', import.meta.url): serve the package as it is installed.
export default {
  optimizeDeps: { exclude: ['memrec'] },
};
