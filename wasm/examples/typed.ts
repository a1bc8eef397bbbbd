// The whole memrec package API from TypeScript, checked against memrec.d.ts by `tsc --noEmit`
// (tests/node/types.test.mjs, which also runs demo()). mistakes() holds calls the types must refuse: if the
// declarations accepted one, tsc would fail with "Unused '@ts-expect-error' directive".
import {
  init, load, unsupportedReason, Model, MemrecError,
  type ModelSource, type ModelInfo, type VisitorRating, type VisitorRecommendation, type UserTopN, type PopularTopN,
} from 'memrec';

// A rating model's answers for `user`, a ranking model's for a visitor, and a damaged file's error.
export async function demo(ratingModel: ModelSource, rankingModel: ModelSource, user: string) {
  const reason: string | null = unsupportedReason();
  if (reason !== null) throw new Error(reason);
  await init();
  const model: Model = await load(ratingModel);
  const info: ModelInfo = model.info();
  const first: string = model.itemIds()[0];
  const title: string = model.titles()[0];
  const rating: number = model.predict(user, first);
  const many: Float32Array = model.predictMany(user, [first, model.itemIds()[1]]);
  const top: UserTopN | PopularTopN = model.topN(user, 5, [first]);
  const best: number = top.fallback === 'popular' ? top[0].count : top[0].rating;  // narrowed by `fallback`
  const scores: Float32Array = model.scoreUser(user);
  const rated = {
    first, objective: info.objective, items: info.items, dim: info.itemTable.dim, title, rating, many: Array.from(many),
    top: top.map((r) => r.item), best, scored: scores.length, known: model.hasUser(user),
    hasItem: model.hasItem(first), found: model.searchTitles('movie', 3).map((m) => m.title),
  };
  model.free();

  const ranking = await load(rankingModel);
  const ratings: VisitorRating[] = [{ item: first, rating: 5 }, { item: ranking.itemIds()[1], rating: 4 }];
  const recs: VisitorRecommendation[] = ranking.visitorTopN(ratings, 3);
  const visitor = {
    ratings, foldIn: ranking.info().foldIn, recs,
    because: recs.map((r) => (r.because === null ? '' : r.because.title)), scored: ranking.visitorScores(ratings).length,
  };
  ranking.free();

  let error = '';
  try {
    await load(new Uint8Array([1, 2, 3]));
  } catch (e) {
    if (!(e instanceof MemrecError)) throw e;
    error = e.message;  // the core's: "model file: ..."
  }
  return { rated, visitor, error };
}

// Never called: each line is a mistake tsc must report.
export function mistakes(model: Model, user: string): void {
  // @ts-expect-error: ratings are {item, rating} objects, not pairs
  model.visitorTopN([['1', 5]], 3);
  // @ts-expect-error: k is a number
  model.topN(user, '5');
  // @ts-expect-error: a Model comes from load(), never from new
  new Model();
  // @ts-expect-error: predict returns a number
  const wrong: string = model.predict(user, '1');
  // @ts-expect-error: a rating-model result may be the popularity fallback, which has no rating
  const score: number = model.topN(user, 5)[0].rating;
  // @ts-expect-error: load takes bytes, a URL or a path, not a number
  void load(42);
  void wrong;
  void score;
}
