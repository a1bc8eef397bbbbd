// Downloads a file of the page's, counting the body bytes as they arrive, and reads the compressed size from
// the browser's resource timing (what actually crossed the network). Used by app.js for the model files and
// the shared titles, so the downloads start as soon as the manifest is read.
export async function download(url, what = 'the model file') {
  const absolute = new URL(url, self.location.href).href;
  // index.html may have asked for it already (the first variant and the titles): each response is used once.
  const early = self.memrecEarly && self.memrecEarly[absolute];
  if (early) delete self.memrecEarly[absolute];
  let response;
  try {
    response = await (early || fetch(absolute, { cache: 'no-store' }));
  } catch (e) {
    throw new Error(`${what} ${url} could not be downloaded (is the server running?)`);
  }
  if (response.status === 404) throw new Error(`${what} ${url} is missing on the server (404)`);
  if (!response.ok) throw new Error(`the server refused ${what} ${url} (HTTP ${response.status})`);
  const chunks = [];
  let body = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    body += value.byteLength;
  }
  const bytes = new Uint8Array(body);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.byteLength;
  }
  const timing = performance.getEntriesByName(absolute).pop();
  const encoded = timing && timing.encodedBodySize > 0 ? timing.encodedBodySize : null;
  const header = Number(response.headers.get('content-length')) || null;
  const encoding = response.headers.get('content-encoding') || 'identity';
  // Bytes over the wire: resource timing when the browser reports it, else Content-Length (which, with a
  // content encoding, is the compressed size), else the decoded body.
  const wire = encoded ?? header ?? body;
  return { bytes, body, wire, encoding, fromTiming: encoded !== null };
}
