// memrec sweep: trains a grid of model configurations on one split and reports, for each, its size
// (parameters, model-file bytes at f32 and int8) against its accuracy (eval RMSE and MAE at f32 and after
// an int8 round trip), and marks the Pareto frontier of bytes versus RMSE.
//
// Every grid entry is a string of `memrec train` flags, so each row reproduces with
// `memrec train --data ... <flags>` (the JSON carries the exact flags). Training settings given to sweep
// override the entries'. Choices (the epoch count) use early stopping on a validation slice of the
// training split; the eval split is only measured.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli.h"
#include "memrec/training_run.h"
#include "memrec/io.h"
#include "memrec/model_file.h"
#include "model_cli.h"

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
    ModelOptions training;  // overrides of every entry's training settings
    std::optional<int64_t> budget;  // none: every configuration
    std::string json, grid_file;
    bool quiet = false;
};

struct Row {
    std::string flags;
    std::string description;
    int64_t parameters = 0;
    int64_t bytes_f32 = 0, bytes_int8 = 0;
    Metrics eval, eval_int8, validation;
    int best_epoch = 0, epochs_run = 0;
    double seconds = 0;
    bool frontier_f32 = false, frontier_int8 = false;
};

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

// Marks the rows on the lower-left frontier of (bytes, rmse): no other row is at most as large and better.
template <class Bytes, class Mark>
void mark_frontier(std::vector<Row>& rows, Bytes bytes, Mark mark) {
    std::vector<size_t> idx(rows.size());
    for (size_t i = 0; i < idx.size(); ++i) idx[i] = i;
    std::sort(idx.begin(), idx.end(), [&](size_t a, size_t b) {
        return bytes(rows[a]) != bytes(rows[b]) ? bytes(rows[a]) < bytes(rows[b]) : rows[a].eval.rmse < rows[b].eval.rmse;
    });
    double best = 1e300;
    for (size_t i : idx)
        if (rows[i].eval.rmse < best) {
            best = rows[i].eval.rmse;
            mark(rows[i]) = true;
        }
}

// The entries of a --grid file: one line of train flags each, # starts a comment.
std::vector<std::string> read_grid(const std::string& path) {
    std::vector<std::string> grid;
    std::ifstream in(path);
    if (!in) throw UsageError("cannot read --grid " + path);
    for (std::string line; std::getline(in, line);) {
        const auto hash = line.find('#');
        if (hash != std::string::npos) line.resize(hash);
        if (line.find_first_not_of(" \t\r") != std::string::npos) grid.push_back(line);
    }
    if (grid.empty()) throw UsageError("--grid " + path + " has no entries");
    return grid;
}

// Trains one entry (early stopping on a validation slice when its settings ask for it) and measures it
// at f32 and after an int8 round trip.
void train_and_measure(Row& r, Model& model, const Preset& p, const Dataset& data, const Split& split,
                       const DataOptions& opts, int threads) {
    // The eval split is measured once, at the end, not after every epoch.
    const Split train_only{split.train, {}};
    const auto t0 = std::chrono::steady_clock::now();
    Trainer trainer(model, p.train);
    const TrainingOutcome outcome =
        run_training(trainer, model, data, train_only, opts.split_seed);
    r.best_epoch = outcome.best_epoch;
    r.epochs_run = outcome.epochs_run;
    r.validation = outcome.best_validation;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    r.eval = evaluate(model, data, split.eval, threads);

    ModelFile f = training_metadata(p, data, split, opts, trainer.history());
    f.eval = r.eval;
    std::string int8;
    with_model(f, model, [&](ModelFile& file) {
        r.bytes_f32 = static_cast<int64_t>(serialize_model(file, Storage::F32, false).size());
        int8 = serialize_model(file, Storage::Int8, false);
    });
    r.bytes_int8 = static_cast<int64_t>(int8.size());
    const ModelFile loaded = parse_model(reinterpret_cast<const uint8_t*>(int8.data()), int8.size());
    r.eval_int8 = evaluate(*loaded.model, data, split.eval, threads);
}

// Marks both frontiers and prints the rows by int8 bytes; returns that order.
std::vector<size_t> print_results(std::vector<Row>& rows) {
    // Frontiers: f32 bytes against the f32 model's RMSE, int8 bytes against the int8 model's.
    mark_frontier(rows, [](const Row& r) { return r.bytes_f32; }, [](Row& r) -> bool& { return r.frontier_f32; });
    {
        std::vector<Row> tmp = rows;
        for (auto& t : tmp) t.eval = t.eval_int8;
        mark_frontier(tmp, [](const Row& r) { return r.bytes_int8; }, [](Row& r) -> bool& { return r.frontier_int8; });
        for (size_t i = 0; i < rows.size(); ++i) rows[i].frontier_int8 = tmp[i].frontier_int8;
    }

    std::vector<size_t> order(rows.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return rows[a].bytes_int8 < rows[b].bytes_int8; });
    std::printf("\n%-62s %10s %10s %10s %7s %7s %9s %6s %7s %s\n", "model", "params", "f32", "int8",
                "rmse", "mae", "rmse int8", "epoch", "seconds", "frontier");
    for (size_t i : order) {
        const Row& r = rows[i];
        std::string mark = r.frontier_int8 && r.frontier_f32 ? "f32+int8"
                           : r.frontier_int8                 ? "int8"
                           : r.frontier_f32                  ? "f32"
                                                             : "";
        std::printf("%-62s %10s %10s %10s %7.4f %7.4f %9.4f %6d %7.1f %s\n", r.description.c_str(),
                    format_count(r.parameters).c_str(), format_bytes(double(r.bytes_f32)).c_str(),
                    format_bytes(double(r.bytes_int8)).c_str(), r.eval.rmse, r.eval.mae, r.eval_int8.rmse,
                    r.best_epoch, r.seconds, mark.c_str());
    }
    return order;
}

void write_json(const std::vector<Row>& rows, const std::vector<size_t>& order, const Dataset& data,
                const Split& split, const DataOptions& opts, const std::string& path) {
    nlohmann::json j;
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
    }
    write_file_atomic(path, j.dump(2) + "\n");
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
        "  memrec sweep --grid my-grid.txt --epochs 20       entries from a file, one line of flags each");
    args->data.add_to(*app);
    args->training.add_training_flags(*app);
    app->add_option("--budget", args->budget, "skip configurations with more parameters than this");
    app->add_option("--grid", args->grid_file, "entries from this file: one line of train flags each (# comments)");
    app->add_option("--json", args->json, "also write the results as JSON to this file");
    app->add_flag("-q,--quiet", args->quiet, "print only the results table");

    return {app, [args, app]() {
                std::vector<std::string> grid = args->grid_file.empty() ? default_grid() : read_grid(args->grid_file);
                const int threads = args->training.training.given<int>("--threads").value_or(default_threads());
                // The training flags given here, appended to every entry; threads are the machine's, not an entry's.
                const std::string overrides = given_training_flags(*app, "--threads");
                std::vector<std::pair<std::string, Preset>> entries;
                for (const auto& g : grid) {
                    const std::string flags = std::string(kSweepTraining) + " " + g + overrides;
                    entries.emplace_back(flags, entry_preset(flags, threads));
                }

                Dataset data = load_data(args->data, args->quiet);
                const Split split = split_dataset(data, args->data.train_fraction, args->data.split_seed);
                const auto item_counts = count_items(data, split.train);
                const auto user_counts = count_users(data, split.train);
                if (!args->quiet)
                    std::printf("split: %zu train, %zu eval; %zu configurations\n", split.train.size(),
                                split.eval.size(), entries.size());

                std::vector<Row> rows;
                for (auto& [flags, p] : entries) {
                    Model model(p.model, data.users.size(), data.items.size(), data.max_rating, item_counts,
                                user_counts, p.train.seed);
                    Row r;
                    r.flags = flags;
                    r.description = "user " + describe_table(p.model.user) +
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
                    train_and_measure(r, model, p, data, split, args->data, threads);
                    if (!args->quiet) {
                        std::printf("    epoch %d of %d, %.1f s: eval rmse %.4f (int8 %.4f), %s f32, %s int8\n",
                                    r.best_epoch, r.epochs_run, r.seconds, r.eval.rmse, r.eval_int8.rmse,
                                    format_bytes(double(r.bytes_f32)).c_str(), format_bytes(double(r.bytes_int8)).c_str());
                        std::fflush(stdout);
                    }
                    rows.push_back(std::move(r));
                }
                if (rows.empty()) throw UsageError("no configuration fits the budget");
                const std::vector<size_t> order = print_results(rows);
                if (!args->json.empty()) write_json(rows, order, data, split, args->data, args->json);
                return 0;
            }};
}

}  // namespace memrec::cli
