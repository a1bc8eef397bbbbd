// The main thread's side of worker.js: call(op, args) returns a Promise of the worker's answer.
export class WorkerClient {
  #worker;
  #next = 1;
  #pending = new Map();
  #fatal = null;  // why the worker cannot answer, once known
  #onFatal;

  // `worker` is a Worker already started (index.html starts it early) or the URL to start one;
  // `onFatal(message)` hears once about a worker that could not start or crashed; `earlyError` is such a
  // failure seen before this client existed.
  constructor(worker, onFatal, earlyError = null) {
    this.#onFatal = onFatal;
    try {
      this.#worker = worker instanceof Worker ? worker : new Worker(worker, { type: 'module' });
      // A worker started here fetches the .wasm itself (index.html's posts it compiled).
      if (!(worker instanceof Worker)) this.#worker.postMessage({ wasmModule: null });
    } catch (e) {
      this.#die(String(e && e.message ? e.message : e));
      return;
    }
    this.#worker.onmessage = (event) => {
      const { id, ok, result, error } = event.data;
      const p = this.#pending.get(id);
      if (!p) return;
      this.#pending.delete(id);
      if (ok) p.resolve(result);
      else p.reject(new Error(error));
    };
    this.#worker.onerror = (event) => {
      event.preventDefault();
      this.#die(event.message || 'failed to start');
    };
    this.#worker.onmessageerror = () => this.#die('it sent a message the page could not read');
    if (earlyError) this.#die(earlyError);
  }

  #die(reason) {
    if (this.#fatal) return;
    this.#fatal = 'The background worker that runs the recommender stopped or could not start ' +
      `(${reason}). This browser may not support module workers; try a current Firefox, Chrome, Edge or Safari.`;
    this.#onFatal(this.#fatal);
    for (const p of this.#pending.values()) p.reject(new Error(this.#fatal));
    this.#pending.clear();
  }

  // `transfer`: buffers among `args` handed over to the worker rather than copied.
  call(op, args = {}, transfer = []) {
    if (this.#fatal) return Promise.reject(new Error(this.#fatal));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage({ id, op, ...args }, transfer);
    });
  }
}
