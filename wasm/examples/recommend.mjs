// Recommendations for a visitor from the npm package memrec, in node (18+) without a bundler:
//   node recommend.mjs MODEL.mrec ITEM:RATING,ITEM:RATING,...
import { load } from 'memrec';

const [file, list] = process.argv.slice(2);
let model;
try {
  model = await load(file);  // a path, a file: or http(s) URL, or the file's bytes
  const info = model.info();
  console.log(`${info.objective} model: ${info.items} items, ${info.storage}, ${info.parameters} parameters`);
  const ratings = list.split(',').map((pair) => {
    const [item, rating] = pair.split(':');
    return { item, rating: Number(rating) };
  });
  // The visitor's vector is fitted from their ratings in the module; the rated items are left out.
  for (const [rank, r] of model.visitorTopN(ratings, 10).entries()) {
    const because = r.because ? `  because you liked ${r.because.title || r.because.item}` : '';
    console.log(`${rank + 1}\t${r.rating.toFixed(4)}\t${r.item}\t${r.title}${because}`);
  }
} catch (e) {
  console.error(`memrec: ${e.message}`);  // a MemrecError: the core's message, e.g. "model file: magic: ..."
  process.exitCode = 1;
} finally {
  model?.free();  // the model's WebAssembly memory
}
