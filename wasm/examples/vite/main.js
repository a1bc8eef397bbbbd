// A visitor's recommendations in a vite app: `import ... from 'memrec'` and a model from public/.
// ?ratings=ITEM:RATING,... chooses the visitor's ratings.
import { load, MemrecError } from 'memrec';

const status = document.getElementById('status');
const list = document.getElementById('recommendations');
const ratings = (new URLSearchParams(location.search).get('ratings') || '1:5,2:4').split(',').map((pair) => {
  const [item, rating] = pair.split(':');
  return { item, rating: Number(rating) };
});

try {
  const model = await load('/model.mrec');
  const recs = model.visitorTopN(ratings, 10);
  for (const r of recs) {
    const li = document.createElement('li');
    li.dataset.item = r.item;
    li.textContent = (r.title || r.item) + (r.because ? ` (because you liked ${r.because.title || r.because.item})` : '');
    list.append(li);
  }
  status.textContent = `${model.info().items} items, ${ratings.length} of your ratings`;
  status.dataset.state = 'ready';
  window.memrecResult = { recs, objective: model.info().objective };
  model.free();
} catch (e) {
  status.textContent = e.message;
  status.dataset.state = e instanceof MemrecError ? 'memrec-error' : 'error';
}
