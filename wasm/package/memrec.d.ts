// Types of the memrec package (index.js, which re-exports Model, MemrecError and unsupportedReason from
// memrec.mjs). Ids are the raw ids of the ratings file the model was trained on; numbers are accepted and
// converted to strings. Every method throws a MemrecError carrying the core's message.

/** A raw user or item id, as in the ratings file ("1193"); numbers are converted with String(). */
export type Id = string | number;

/** The failure of any memrec call: its message is the core library's, e.g. "unknown item id 'x'". */
export declare class MemrecError extends Error {
  constructor(message: string, cause?: unknown);
  readonly name: 'MemrecError';
  cause?: unknown;
}

/** Why this environment cannot run the module (no WebAssembly, no SIMD), in words for a visitor; null if it can. */
export declare function unsupportedReason(): string | null;

/** Options passed to Emscripten's module factory. */
export interface InitOptions {
  /** The bytes of memrec_wasm.wasm (node reads them beside the package's module by default). */
  wasmBinary?: ArrayBuffer | Uint8Array;
  /** Where the module's files are (by default the .wasm beside the module): (file name, default folder) -> URL. */
  locateFile?: (file: string, prefix: string) => string;
  /** Emscripten's instantiateWasm hook, e.g. to reuse a WebAssembly.Module compiled elsewhere. */
  instantiateWasm?: (
    imports: WebAssembly.Imports,
    done: (instance: WebAssembly.Instance, module?: WebAssembly.Module) => void,
  ) => object;
  /** Where the module's own output goes (default console.log / console.warn). */
  print?: (text: string) => void;
  printErr?: (text: string) => void;
}

/** What load() accepts: the file's bytes, a URL to fetch, or in node a file path or file: URL. */
export type ModelSource = Uint8Array | ArrayBuffer | ArrayBufferView | URL | string;

export interface LoadOptions extends InitOptions {
  /** Passed to fetch() when the source is an http(s) URL (signal, credentials, headers...). */
  request?: RequestInit;
}

/** Starts the WebAssembly module (once; load() calls it). Resolves to the Emscripten module object. */
export declare function init(options?: InitOptions): Promise<unknown>;

/** Parses a .mrec model file. Rejects with a MemrecError ("model file: ..." for a damaged file). */
export declare function load(source: ModelSource, options?: LoadOptions): Promise<Model>;

/** A rating a visitor gave; a later rating of the same item replaces an earlier one. */
export interface VisitorRating {
  item: Id;
  rating: number;
}

/** An item as the model names it: raw id, dense index (into titles(), itemIds(), score arrays), title ('' if none). */
export interface ItemRef {
  item: string;
  index: number;
  title: string;
}

/** A recommendation with its score: the predicted rating (rating models) or preference (ranking models). */
export interface Recommendation extends ItemRef {
  rating: number;
}

/** One of the most popular items, what topN() answers for a user the model does not know. */
export interface PopularRecommendation extends ItemRef {
  /** How many ratings the item had in training. */
  count: number;
}

/** topN() for a user of the model: best first. */
export interface UserTopN extends Array<Recommendation> {
  fallback?: undefined;
}

/** topN() for a user the model does not know (every user of a fold-in model): the most popular items. */
export interface PopularTopN extends Array<PopularRecommendation> {
  fallback: 'popular';
}

/** The liked movie behind a visitor's recommendation ("because you liked ..."). */
export interface Because {
  item: string;
  title: string;
}

export interface VisitorRecommendation extends Recommendation {
  /** The item rated 4 or more that contributes most to this one's score, or null. */
  because: Because | null;
}

export interface TitleMatch {
  item: string;
  index: number;
  title: string;
}

export type TableKind = 'full' | 'qr' | 'md' | 'hash';

/** An embedding table: its size and the settings its kind stores. */
export interface TableInfo {
  kind: TableKind;
  dim: number;
  rows: number;
  parameters: number;
  /** qr and hash tables */
  buckets?: number;
  /** qr tables */
  combiner?: 'mult' | 'add' | 'concat';
  /** md tables: block ends in frequency order, and the dim of each block (one more than blockEnds) */
  blockEnds?: number[];
  blockDims?: number[];
  paramBudget?: number;
  projectionBias?: boolean;
}

export interface Metrics {
  mse: number;
  rmse: number;
  mae: number;
  count: number;
}

/** The top-N figures training measured (stored by ranking trainings). */
export interface RankingFigures {
  protocol: string;
  positiveThreshold: number;
  recall20: number;
  ndcg100: number;
  hr10: number;
  coverage10: number;
  popularityPercentile: number;
  users: number;
  skipped: number;
}

export interface EpochStats {
  epoch: number;
  trainLoss: number;
  trainMae: number;
  eval: Metrics;
  seconds: number;
  ratingsPerSecond: number;
}

/** How the model was trained: the data, the split, and every training setting under its key. */
export interface TrainingInfo {
  preset: string;
  dataSource: string;
  dataHash: string;
  dataFormat: string;
  trainFraction: number;
  splitSeed: number;
  seed: number;
  minRating: number;
  maxRating: number;
  epochs: number;
  batchSize: number;
  learningRate: number;
  earlyStopping: number;
  adam: string;
  optimizer: string;
  [setting: string]: string | number | boolean;
}

export interface ModelInfo {
  parameters: number;
  users: number;
  items: number;
  dim: number;
  /** The largest rating (the output scale). */
  scale: number;
  storage: 'f32' | 'f16' | 'int8' | 'int4' | 'pq';
  /** 'rating' predicts stars; the ranking objectives score preferences learnt from what was liked. */
  objective: 'rating' | 'implicit' | 'bpr';
  /** True when the model keeps no users: a user is folded in from their ratings (visitorTopN). */
  foldIn: boolean;
  userTable: TableInfo;
  itemTable: TableInfo;
  biases: { global: boolean; user: boolean; item: boolean };
  components: Array<{ name: string; shape: string; parameters: number }>;
  eval: Metrics;
  ranking: RankingFigures | null;
  history: EpochStats[];
  /** Whether eval and ranking were measured on this file's stored tables, not the trained f32 model's. */
  figuresOfStoredTables: boolean;
  training: TrainingInfo;
  /** Training ratings per item, by dense index. */
  itemCounts: Float64Array;
  titleCount: number;
  /** The scoring kernels in use ('simd128'). */
  kernels: string;
}

/** A loaded model, in the module's memory until free(). Made by load(). */
export declare class Model {
  private constructor(handle: unknown);
  /** Everything the file says about the model. */
  info(): ModelInfo;
  /** Titles by dense item index ('' where the file has none). */
  titles(): string[];
  /** Raw item ids by dense item index. */
  itemIds(): string[];
  hasUser(user: Id): boolean;
  hasItem(item: Id): boolean;
  /** Predicted rating; for a user the model does not know, the item's mean prediction over its users. */
  predict(user: Id, item: Id): number;
  /** Predicted ratings of one user for several items, in their order. */
  predictMany(user: Id, items: readonly Id[]): Float32Array;
  /** The k best items for a user of the model, leaving out `exclude` (e.g. what they rated). */
  topN(user: Id, k?: number, exclude?: readonly Id[]): UserTopN | PopularTopN;
  /** Predicted rating of every item for a user of the model, by dense item index. */
  scoreUser(user: Id): Float32Array;
  /** The k best items for someone described only by ratings (folded in; rated items left out), each with its reason. */
  visitorTopN(ratings: readonly VisitorRating[], k?: number): VisitorRecommendation[];
  /** Every item's score for such a visitor, by dense item index. */
  visitorScores(ratings: readonly VisitorRating[]): Float32Array;
  /** Titles containing every word of `query` (ignoring case, accents, punctuation), most rated first. */
  searchTitles(query: string, limit?: number): TitleMatch[];
  /** Releases the model's WebAssembly memory; any later call throws. */
  free(): void;
}
