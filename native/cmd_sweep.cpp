// memrec sweep: trains a grid of model configurations on one split and reports, for each, its size
// (parameters, model-file bytes at f32 and int8) against its accuracy (eval RMSE and MAE at f32 and after
// an int8 round trip), and marks the Pareto frontier of bytes versus RMSE. With --topn (on whenever the
// grid has an implicit ALS entry, which has no RMSE) it also ranks for new visitors as `memrec eval
// --protocol visitors` does: 10% of users are held out whole before the split and folded in (FoldIn, the
// page's code); Recall@20 and NDCG@100 are reported, and the frontier of int8 bytes against int8 Recall@20
// is marked. With --storages (f16, int4, ...) every entry is also stored and measured at those storages,
// and a second table gives the frontier over every (entry, storage) pair: which configuration at which
// storage buys the best RMSE or Recall@20 for its bytes.
//
// Every grid entry is a string of `memrec train` flags, so each row reproduces with
// `memrec train --data ... <flags>` (the JSON carries the exact flags). Training settings given to sweep
// override the entries'. Choices (the epoch count) use early stopping on a validation slice of the
// training split; the eval split is only measured.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "memrec/training_run.h"
#include "memrec/als.h"
#include "memrec/bpr.h"
#include "memrec/io.h"
#include "memrec/model_file.h"
#include "memrec/pq.h"
#include "model_cli.h"
#include "topn_cli.h"

namespace memrec::cli {

namespace {

// Training shared by the default grid: the tuned presets' (dense Adam, lazy L2, early stopping with
// patience 3 on a 2% validation slice, at most 100 epochs). Tuned on the validation slice (docs/accuracy.md).
const char* const kSweepTraining =
    "--adam dense --lr 0.001 --l2 0.0006 --epochs 100 --early-stopping 3 --validation-fraction 0.02";

// The default grid: full tables from 256 dims down to 2, with and without biases (the tuned presets with
// their own learning rate and L2, as the sweep's settings would otherwise override them); the reference's
// compressed model; quotient-remainder items with each combiner against the hashing trick at the same
// parameter count (800 rows), and the same on the user side (1,200 rows); mixed-dimension items by the
// alpha rule and by a parameter budget. Tables of shared rows get no L2: their rows are in almost every
// batch, and L2 that strong pulls a mult-combined table to zero. About two minutes on two cores.
const std::vector<std::string>& default_grid() {
    static const std::vector<std::string> grid{
        "--preset large --lr 0.0005 --l2 0.0005 --lr-decay 0.8",
        "--dim 128 --biases --lr 0.0005 --l2 0.0005 --lr-decay 0.8",
        "--preset baseline --biases",
        "--preset baseline --biases --dim 32",
        "--preset baseline --biases --dim 16",
        "--preset small",
        "--preset baseline --biases --dim 8",
        "--preset baseline --dim 8",
        "--preset tiny --lr 0.0005 --l2 0.0003",
        "--preset baseline --biases --dim 2",
        "--preset memeff --l2-user 0",
        "--preset memeff --biases --l2-user 0",
        "--dim 8 --biases --item-table qr --item-buckets 400 --combiner mult --l2-item 0",
        "--dim 8 --biases --item-table qr --item-buckets 400 --combiner add --l2-item 0",
        "--dim 8 --biases --item-table qr --item-buckets 400 --combiner concat --l2-item 0",
        "--dim 8 --biases --item-table hash --item-buckets 800 --l2-item 0",
        "--dim 8 --biases --user-table qr --user-buckets 600 --l2-user 0",
        "--dim 8 --biases --user-table hash --user-buckets 1200 --l2-user 0",
        "--dim 16 --biases --item-table md --alpha 0.2",
        "--dim 16 --biases --item-table md --alpha 0.3 --item-budget 30000",
    };
    return grid;
}

struct SweepArgs {
    DataOptions data;
    std::vector<std::string> storages;  // measured beside f32 and int8
    ModelOptions training;  // overrides of every entry's training settings
    std::optional<int64_t> budget;  // none: every configuration
    std::string json, grid_file;
    bool quiet = false;
    bool topn = false;
};

// An entry stored at one storage and measured as loaded back from those bytes.
struct Stored {
    Storage storage = Storage::F32;
    PqOptions pq;       // Storage::Pq: subspaces and bits
    std::string name;   // "int4", "pq8x8"
    int64_t bytes = 0;
    Metrics eval;      // rating entries
    TopNMetrics topn;  // ranked entries
    bool frontier_rmse = false, frontier_recall = false;  // over every entry at every storage
};

struct Row {
    std::string flags;
    std::string description;
    std::string preset;  // the preset the entry starts from (the page matches its variants by it)
    int64_t parameters = 0;
    int64_t bytes_f32 = 0, bytes_int8 = 0;
    Metrics eval, eval_int8, validation;
    int best_epoch = 0, epochs_run = 0;
    double seconds = 0;
    bool frontier_f32 = false, frontier_int8 = false;
    bool implicit = false;  // ALS or BPR: no RMSE, ranked only
    const char* objective = "rating";  // its objective's name (enum_codes.h)
    bool ranked = false;    // has top-N figures
    TopNMetrics topn, topn_int8;
    bool frontier_recall = false;  // int8 bytes against int8 Recall@20
    std::vector<Stored> stored;    // f32, int8, then the --storages asked for
};

constexpr double kNone = std::numeric_limits<double>::infinity();
double rmse_f32(const Row& r) { return r.implicit ? kNone : r.eval.rmse; }
double rmse_int8(const Row& r) { return r.implicit ? kNone : r.eval_int8.rmse; }
double minus_recall_int8(const Row& r) { return r.ranked ? -r.topn_int8.recall20 : kNone; }

std::string describe_table(const TableConfig& t) {
    std::ostringstream s;
    s << to_string(t.kind);
    if (t.kind == TableKind::QuotientRemainder)
        s << "(" << (t.buckets ? std::to_string(t.buckets) : std::string("rows/50")) << "," << to_string(t.combiner) << ")";
    if (t.kind == TableKind::Hashed) s << "(" << t.buckets << ")";
    if (t.kind == TableKind::MixedDimension) {
        s << "(";
        if (t.block_dims.empty()) s << "alpha " << t.alpha;
        else
            for (size_t i = 0; i < t.block_dims.size(); ++i) s << (i ? "/" : "") << t.block_dims[i];
        s << ")";
    }
    return s.str();
}

Preset entry_preset(const std::string& flags, int threads) {
    CLI::App tmp{"sweep entry"};
    ModelOptions mo;
    mo.add_to(tmp);
    add_value_checks(tmp);
    // The sweep's training settings come first and an entry's own flags after them: the last one wins.
    for (CLI::Option* o : tmp.get_options([](CLI::Option*) { return true; }))
        o->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    try {
        tmp.parse(flags, false);
    } catch (const CLI::ParseError& e) {
        throw UsageError("sweep entry '" + flags + "': " + e.what());
    }
    Preset p = mo.build(mo.preset);
    p.train.threads = threads;
    return p;
}

// An entry's flags after the sweep's training settings; an ALS or BPR entry's alone, as ALS has no learning
// rate and no early stopping (its iterations are its epochs) and BPR has its own defaults.
std::string entry_flags(const std::string& own, int threads) {
    if (entry_preset(own, threads).model.objective != Objective::Rating) return own;
    return std::string(kSweepTraining) + " " + own;
}

// Marks the rows on the lower-left frontier of (bytes, loss): no other row is at most as large and better.
// Rows without the figure (loss kNone) are never marked.
template <class Bytes, class Loss, class Mark>
void mark_frontier(std::vector<Row>& rows, Bytes bytes, Loss loss, Mark mark) {
    std::vector<size_t> idx(rows.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        return bytes(rows[a]) != bytes(rows[b]) ? bytes(rows[a]) < bytes(rows[b]) : loss(rows[a]) < loss(rows[b]);
    });
    double best = kNone;
    for (size_t i : idx)
        if (loss(rows[i]) < best) {
            best = loss(rows[i]);
            mark(rows[i]) = true;
        }
}

// The entries of a --grid file: one line of train flags each, # starts a comment. `where` gets each
// entry's "FILE:LINE: ", which a bad entry's message starts with.
std::vector<std::string> read_grid(const std::string& path, std::vector<std::string>& where) {
    std::vector<std::string> grid;
    std::ifstream in(path);
    if (!in) throw UsageError("cannot read --grid " + path);
    int number = 0;
    for (std::string line; std::getline(in, line);) {
        ++number;
        const auto hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        grid.push_back(line);
        where.push_back(path + ":" + std::to_string(number) + ": ");
    }
    if (grid.empty()) throw UsageError("--grid " + path + " has no entries");
    return grid;
}

// Trains one rating entry (early stopping on a validation slice when its settings ask for it).
std::vector<EpochStats> train_rating(Row& r, Model& model, const Preset& p, const Dataset& data, const Split& split,
                                     const DataOptions& opts) {
    // The eval split is measured once, at the end, not after every epoch.
    const Split train_only{split.train, {}};
    Trainer trainer(model, p.train);
    const TrainingOutcome outcome = run_training(trainer, model, data, train_only, opts.split_seed);
    r.best_epoch = outcome.best_epoch;
    r.epochs_run = outcome.epochs_run;
    r.validation = outcome.best_validation;
    return trainer.history();
}

// The visitors folded in as the page does (the popularity baseline is not needed per entry).
TopNMetrics rank_visitors(const Model& model, const TopNCases& cases, int threads) {
    const FoldIn fold_in(model);
    return evaluate_topn(cases.cases, fold_in_recommender(fold_in), cases.item_counts, threads);
}

// Trains an entry and measures it at f32 and after an int8 round trip: RMSE for a rating entry, the
// visitors' top-N figures when `cases` has any.
void train_and_measure(Row& r, Model& model, const Preset& p, const Dataset& data, const Split& split,
                       const DataOptions& opts, const TopNCases& cases, int threads) {
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<EpochStats> history;
    if (p.model.objective == Objective::Bpr) {
        TrainConfig t = p.train;
        t.threads = threads;
        history = train_bpr(model, data, split.train, t);
        r.best_epoch = r.epochs_run = static_cast<int>(history.size());
    } else if (r.implicit) {
        AlsConfig config = als_config(p.model, p.train);
        config.threads = threads;
        history = train_als(model, data, split.train, config);
        r.best_epoch = r.epochs_run = static_cast<int>(history.size());
    } else {
        history = train_rating(r, model, p, data, split, opts);
    }
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

    ModelFile f = training_metadata(p, data, split, opts, history);
    if (!r.implicit) f.eval = r.eval = evaluate(model, data, split.eval, threads);
    r.ranked = !cases.cases.empty();
    if (r.ranked) r.topn = rank_visitors(model, cases, threads);
    for (Stored& s : r.stored) {
        std::string bytes;
        with_model(f, model, [&](ModelFile& file) { bytes = serialize_model(file, s.storage, false, s.pq); });
        s.bytes = static_cast<int64_t>(bytes.size());
        if (s.storage == Storage::F32) {  // the trained model itself, measured above
            s.eval = r.eval;
            s.topn = r.topn;
            continue;
        }
        const ModelFile loaded = parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        if (!r.implicit) s.eval = evaluate(*loaded.model, data, split.eval, threads);
        if (r.ranked) s.topn = rank_visitors(*loaded.model, cases, threads);
    }
    r.bytes_f32 = r.stored[0].bytes;
    r.bytes_int8 = r.stored[1].bytes;
    r.eval_int8 = r.stored[1].eval;
    r.topn_int8 = r.stored[1].topn;
}

// The frontier column: which of the frontiers (f32 and int8 RMSE, int8 Recall@20) a row is on.
std::string frontier_marks(const Row& r) {
    std::string mark = r.frontier_int8 && r.frontier_f32 ? "f32+int8"
                       : r.frontier_int8                 ? "int8"
                       : r.frontier_f32                  ? "f32"
                                                         : "";
    if (r.frontier_recall) mark += mark.empty() ? "recall" : "+recall";
    return mark;
}

std::string rmse_text(bool implicit, double rmse, int width) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%*.4f", width, rmse);
    return implicit ? std::string(size_t(width) - 1, ' ') + "-" : std::string(buf);
}

// Marks the frontiers and prints the rows by int8 bytes; returns that order. The top-N columns appear
// only when some row was ranked, so a sweep without --topn prints what it always has.
std::vector<size_t> print_results(std::vector<Row>& rows) {
    // Frontiers: f32 bytes against the f32 model's RMSE, int8 bytes against the int8 model's (and its Recall@20).
    mark_frontier(rows, [](const Row& r) { return r.bytes_f32; }, rmse_f32, [](Row& r) -> bool& { return r.frontier_f32; });
    mark_frontier(rows, [](const Row& r) { return r.bytes_int8; }, rmse_int8, [](Row& r) -> bool& { return r.frontier_int8; });
    mark_frontier(rows, [](const Row& r) { return r.bytes_int8; }, minus_recall_int8,
                  [](Row& r) -> bool& { return r.frontier_recall; });
    const bool ranked = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.ranked; });

    std::vector<size_t> order(rows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rows[a].bytes_int8 < rows[b].bytes_int8; });
    std::printf("\n%-62s %10s %10s %10s %7s %7s %9s %6s %7s ", "model", "params", "f32", "int8", "rmse", "mae",
                "rmse int8", "epoch", "seconds");
    if (ranked) std::printf("%9s %9s %9s ", "recall@20", "ndcg@100", "r@20 int8");
    std::printf("%s\n", "frontier");
    for (size_t i : order) {
        const Row& r = rows[i];
        std::printf("%-62s %10s %10s %10s %s %s %s %6d %7.1f ", r.description.c_str(),
                    format_count(r.parameters).c_str(), format_bytes(double(r.bytes_f32)).c_str(),
                    format_bytes(double(r.bytes_int8)).c_str(), rmse_text(r.implicit, r.eval.rmse, 7).c_str(),
                    rmse_text(r.implicit, r.eval.mae, 7).c_str(), rmse_text(r.implicit, r.eval_int8.rmse, 9).c_str(),
                    r.best_epoch, r.seconds);
        if (ranked && r.ranked)
            std::printf("%9.4f %9.4f %9.4f ", r.topn.recall20, r.topn.ndcg100, r.topn_int8.recall20);
        else if (ranked)
            std::printf("%9s %9s %9s ", "-", "-", "-");
        std::printf("%s\n", frontier_marks(r).c_str());
    }
    if (std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.implicit; }))
        std::printf("implicit (ALS, BPR) models score preferences, not ratings: they have no RMSE (-)\n");
    return order;
}

// The frontier over every entry at every storage, marked in each Stored; then, when more storages than f32
// and int8 were measured, a table of every pair by bytes.
void storage_frontiers(std::vector<Row>& rows, bool print) {
    struct Point {
        Row* row;
        Stored* stored;
    };
    std::vector<Point> points;
    for (Row& r : rows)
        for (Stored& s : r.stored) points.push_back({&r, &s});
    std::sort(points.begin(), points.end(), [](const Point& a, const Point& b) { return a.stored->bytes < b.stored->bytes; });
    auto mark = [&](auto loss, auto flag) {
        double best = kNone;
        for (size_t i = 0; i < points.size();) {  // points of equal size: the best of them only
            size_t j = i, pick = i;
            for (; j < points.size() && points[j].stored->bytes == points[i].stored->bytes; ++j)
                if (loss(points[j]) < loss(points[pick])) pick = j;
            if (loss(points[pick]) < best) {
                best = loss(points[pick]);
                flag(points[pick]) = true;
            }
            i = j;
        }
    };
    mark([](const Point& p) { return p.row->implicit ? kNone : p.stored->eval.rmse; },
         [](Point& p) -> bool& { return p.stored->frontier_rmse; });
    mark([](const Point& p) { return p.row->ranked ? -p.stored->topn.recall20 : kNone; },
         [](Point& p) -> bool& { return p.stored->frontier_recall; });
    if (!print) return;
    const bool ranked = std::any_of(rows.begin(), rows.end(), [](const Row& r) { return r.ranked; });
    std::printf("\nevery storage (frontier over all of them):\n%-62s %-7s %10s %9s ", "model", "storage", "bytes", "rmse");
    if (ranked) std::printf("%9s %9s ", "recall@20", "ndcg@100");
    std::printf("%s\n", "frontier");
    for (const Point& p : points) {
        const Stored& s = *p.stored;
        std::printf("%-62s %-7s %10s %s ", p.row->description.c_str(), s.name.c_str(),
                    format_bytes(double(s.bytes)).c_str(), rmse_text(p.row->implicit, s.eval.rmse, 9).c_str());
        if (ranked && p.row->ranked) std::printf("%9.4f %9.4f ", s.topn.recall20, s.topn.ndcg100);
        else if (ranked) std::printf("%9s %9s ", "-", "-");
        std::printf("%s\n", s.frontier_rmse && s.frontier_recall ? "rmse+recall"
                             : s.frontier_rmse                   ? "rmse"
                             : s.frontier_recall                 ? "recall"
                                                                 : "");
    }
}

// An implicit row's RMSE fields are null (it has none); a ranked row gets its top-N figures.
void add_ranking_json(nlohmann::json& o, const Row& r) {
    o["objective"] = r.objective;
    o["preset"] = r.preset;
    if (r.implicit)
        for (const char* k : {"eval_rmse", "eval_mae", "eval_rmse_int8", "eval_mae_int8", "validation_rmse"}) o[k] = nullptr;
    if (!r.ranked) return;
    o["recall20"] = r.topn.recall20;
    o["ndcg100"] = r.topn.ndcg100;
    o["recall20_int8"] = r.topn_int8.recall20;
    o["ndcg100_int8"] = r.topn_int8.ndcg100;
    o["frontier_recall"] = r.frontier_recall;
}

// Every storage the entry was measured at, with the frontier over all entries and storages.
nlohmann::json storages_json(const Row& r) {
    nlohmann::json a = nlohmann::json::array();
    for (const Stored& s : r.stored) {
        nlohmann::json o{{"storage", s.name}, {"bytes", s.bytes}};
        o["eval_rmse"] = r.implicit ? nlohmann::json(nullptr) : nlohmann::json(s.eval.rmse);
        if (r.ranked) {
            o["recall20"] = s.topn.recall20;
            o["ndcg100"] = s.topn.ndcg100;
        }
        o["frontier_rmse"] = s.frontier_rmse;
        o["frontier_recall"] = s.frontier_recall;
        a.push_back(o);
    }
    return a;
}

void write_json(const std::vector<Row>& rows, const std::vector<size_t>& order, const Dataset& data,
                const Split& split, const DataOptions& opts, const TopNCases& cases, const std::string& path) {
    nlohmann::json j;
    // With --topn the data is the training users' (the visitors held out first).
    if (!cases.cases.empty()) j["protocol"] = "visitors";
    j["data"] = data.ratings_path;
    j["train_fraction"] = opts.train_fraction;
    j["split_seed"] = opts.split_seed;
    j["train_ratings"] = split.train.size();
    j["eval_ratings"] = split.eval.size();
    j["results"] = nlohmann::json::array();
    for (size_t i : order) {
        const Row& r = rows[i];
        j["results"].push_back({{"model", r.description},
                                {"flags", r.flags},
                                {"parameters", r.parameters},
                                {"bytes_f32", r.bytes_f32},
                                {"bytes_int8", r.bytes_int8},
                                {"eval_rmse", r.eval.rmse},
                                {"eval_mae", r.eval.mae},
                                {"eval_rmse_int8", r.eval_int8.rmse},
                                {"eval_mae_int8", r.eval_int8.mae},
                                {"validation_rmse", r.validation.rmse},
                                {"best_epoch", r.best_epoch},
                                {"epochs_run", r.epochs_run},
                                {"seconds", r.seconds},
                                {"frontier_f32", r.frontier_f32},
                                {"frontier_int8", r.frontier_int8}});
        add_ranking_json(j["results"].back(), r);
        j["results"].back()["storages"] = storages_json(r);
    }
    write_file_atomic(path, j.dump(2) + "\n");
}

// Holds 10% of users out whole (the visitors of `eval --protocol visitors`, same seed); `data` becomes
// the other users' data, which the sweep then splits as usual.
TopNCases hold_out(Dataset& data, const DataOptions& opts, bool quiet) {
    Split unused;
    return hold_out_visitors(data, unused, opts, 0.02, TopNOptions{}.positive_threshold, quiet);
}

void print_progress(const Row& r) {
    std::printf("    epoch %d of %d, %.1f s: ", r.best_epoch, r.epochs_run, r.seconds);
    if (!r.implicit) std::printf("eval rmse %.4f (int8 %.4f), ", r.eval.rmse, r.eval_int8.rmse);
    if (r.ranked) std::printf("recall@20 %.4f (int8 %.4f), ", r.topn.recall20, r.topn_int8.recall20);
    std::printf("%s f32, %s int8\n", format_bytes(double(r.bytes_f32)).c_str(), format_bytes(double(r.bytes_int8)).c_str());
    std::fflush(stdout);
}

}  // namespace

Command add_sweep(CLI::App& root) {
    auto args = std::make_shared<SweepArgs>();
    CLI::App* app = root.add_subcommand("sweep", "train a grid of configurations and chart bytes against RMSE");
    app->footer(
        "Every entry is a list of `memrec train` flags on top of the sweep's training settings\n"
        "(" + std::string(kSweepTraining) + "); training flags given here override them.\n"
        "Examples:\n"
        "  memrec sweep --data ~/ml-1m --json sweep.json     the default grid\n"
        "  memrec sweep --budget 118000                      only models with at most 118,000 parameters\n"
        "  memrec sweep --grid my-grid.txt --epochs 20       entries from a file, one line of flags each\n"
        "  memrec sweep --topn --json sweep.json             also Recall@20 and NDCG@100 of held-out visitors\n"
        "  memrec sweep --storages f16,int4,pq8x8            also each entry at f16, int4 and as product codes\n"
        "                                                    (8 subspaces of 8 bits), and the frontier\n"
        "                                                    over every entry at every storage\n"
        "With --topn the held-out visitors' ratings are out of every split: RMSE is then measured on the\n"
        "other users' eval split.");
    args->data.add_to(*app);
    args->training.add_training_flags(*app);
    app->add_option("--budget", args->budget, "skip configurations with more parameters than this");
    app->add_option("--grid", args->grid_file, "entries from this file: one line of train flags each (# comments)");
    app->add_option("--json", args->json, "also write the results as JSON to this file");
    app->add_flag("-q,--quiet", args->quiet, "print only the results table");
    app->add_option("--storages", args->storages,
                    "also store and measure every entry at these storages (f16, int4, pqMxB: M subspaces of B bits), "
                    "besides f32 and int8")
        ->delimiter(',');
    app->add_flag("--topn", args->topn,
                  "also rank for held-out visitors (Recall@20, NDCG@100, as `eval --protocol visitors`); "
                  "on when the grid has an --objective als entry");

    return {app, [args, app]() {
                std::vector<std::string> where;  // a --grid file's "FILE:LINE: " of each entry
                std::vector<std::string> grid =
                    args->grid_file.empty() ? default_grid() : read_grid(args->grid_file, where);
                const int threads = args->training.training.given<int>("--threads").value_or(default_threads());
                // The training flags given here, appended to every entry; threads are the machine's, not an entry's.
                const std::string overrides = given_training_flags(*app, "--threads");
                std::vector<std::pair<std::string, Preset>> entries;
                for (size_t i = 0; i < grid.size(); ++i) {
                    const std::string at = i < where.size() ? where[i] : std::string();
                    try {
                        const std::string flags = entry_flags(grid[i] + overrides, threads);
                        entries.emplace_back(flags, entry_preset(flags, threads));
                    } catch (const UsageError& e) {
                        throw UsageError(at + e.what());
                    } catch (const ConfigError& e) {
                        throw ConfigError(at + e.what());
                    }
                }

                Dataset data = load_data(args->data, args->quiet);
                for (size_t i = 0; i < entries.size(); ++i) {
                    try {
                        fit_preset_to_data(entries[i].second, data);
                    } catch (const UsageError& e) {  // named by its grid line, or its flags
                        throw UsageError((i < where.size() ? where[i] : "sweep entry '" + entries[i].first + "': ") +
                                         e.what());
                    }
                }
                const bool topn = args->topn || std::any_of(entries.begin(), entries.end(), [](const auto& e) {
                                      return e.second.model.objective != Objective::Rating;
                                  });
                const TopNCases cases = topn ? hold_out(data, args->data, args->quiet) : TopNCases{};
                const Split split = split_dataset(data, args->data.train_fraction, args->data.split_seed);
                const auto item_counts = count_items(data, split.train);
                const auto user_counts = count_users(data, split.train);
                if (!args->quiet)
                    std::printf("split: %zu train, %zu eval; %zu configurations\n", split.train.size(),
                                split.eval.size(), entries.size());

                std::vector<Stored> storages(2);
                storages[0].name = "f32";
                storages[1].storage = Storage::Int8;
                storages[1].name = "int8";
                for (const std::string& name : args->storages) {
                    Stored st;
                    st.name = name;
                    int m = 0, b = 0;
                    char end = 0;
                    if (name.rfind("pq", 0) == 0) {
                        if (std::sscanf(name.c_str(), "pq%dx%d%c", &m, &b, &end) != 2)
                            throw UsageError("--storages: '" + name + "' is not pqMxB (M subspaces of B bits, e.g. pq8x8)");
                        st.storage = Storage::Pq;
                        st.pq.subspaces = m;
                        st.pq.bits = b;
                        st.pq.validate();
                    } else {
                        st.storage = parse_storage(name);
                        if (st.storage == Storage::Pq) throw UsageError("--storages: give pq as pqMxB, e.g. pq8x8");
                    }
                    if (std::none_of(storages.begin(), storages.end(), [&](const Stored& o) { return o.name == name; }))
                        storages.push_back(st);
                }
                std::vector<Row> rows;
                for (size_t index = 0; index < entries.size(); ++index) {
                    const std::string& flags = entries[index].first;  // not a structured binding: the lambda
                    Preset& p = entries[index].second;                 // below captures them
                    Row r;
                    r.stored = storages;
                    r.implicit = p.model.objective != Objective::Rating;  // no RMSE
                    r.objective = to_string(p.model.objective);
                    const std::string at = index < where.size() ? where[index] : std::string();
                    auto build_model = [&]() {
                        try {
                            return p.model.objective == Objective::Implicit
                                       ? als_model(als_config(p.model, p.train), data.users.size(),
                                                   data.items.size(), data.max_rating)
                                       : Model(p.model, data.users.size(), data.items.size(), data.max_rating,
                                               item_counts, user_counts, p.train.seed);
                        } catch (const ConfigError& e) {
                            throw ConfigError(at + e.what());  // a shape that does not fit the data
                        }
                    };
                    Model model = build_model();
                    r.flags = flags;
                    r.preset = p.name;
                    r.description = (p.model.objective == Objective::Bpr ? "bpr, user "
                                     : r.implicit                          ? "als, user "
                                                                           : "user ") + describe_table(p.model.user) +
                                    ", item " + describe_table(p.model.item) + ", dim " +
                                    std::to_string(p.model.user.dim) + (p.model.user_bias ? ", biases" : "");
                    r.parameters = model.parameter_count();
                    if (args->budget && r.parameters > *args->budget) {
                        if (!args->quiet)
                            std::printf("skip (%s parameters > budget): %s\n", format_count(r.parameters).c_str(),
                                        flags.c_str());
                        continue;
                    }
                    if (!args->quiet) {
                        std::printf("[%zu/%zu] %s (%s parameters)\n", rows.size() + 1, entries.size(),
                                    flags.c_str(), format_count(r.parameters).c_str());
                        std::fflush(stdout);
                    }
                    train_and_measure(r, model, p, data, split, args->data, cases, threads);
                    if (!args->quiet) print_progress(r);
                    rows.push_back(std::move(r));
                }
                if (rows.empty()) throw UsageError("no configuration fits the budget");
                const std::vector<size_t> order = print_results(rows);
                storage_frontiers(rows, storages.size() > 2);
                if (!args->json.empty()) write_json(rows, order, data, split, args->data, cases, args->json);
                return 0;
            }};
}

}  // namespace memrec::cli
