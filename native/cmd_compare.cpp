// memrec compare: the reference experiment. Trains the baseline and the memory-efficient model on the same
// split with the same training settings and prints them side by side. Presets that choose their epoch by
// early stopping (the tuned ones) train on the split minus a validation slice and report the eval figures
// of their best validation epoch; their per-epoch rows are left empty, as those epochs saw validation data.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "eval_data.h"
#include "memrec/training_run.h"
#include "memrec/io.h"
#include "model_cli.h"
#include "train_report.h"

namespace memrec::cli {

namespace {

struct CompareArgs {
    DataOptions data;
    ModelOptions training;
    std::string presets = "baseline,memeff";
    std::string json;
    bool quiet = false;
};

struct Result {
    std::string name;
    int64_t parameters = 0;
    std::vector<EpochStats> history;  // eval metrics per epoch; validation metrics if early_stopping
    bool early_stopping = false;
    int best_epoch = 0;
    Metrics eval;                   // of the final model (the best validation epoch's, with early stopping)
    ModelFile file;                 // the trained model and its metadata, as `memrec train --out` would write it
    std::vector<StoredSize> sizes;  // that file at f32, f16, int8, int4 (measured after all presets trained)
};

// A progress bar and a line per epoch unless quiet: all eval figures, or with early stopping the
// validation RMSE (the eval figures of those epochs are not shown: the choice must not see them).
TrainingCallbacks report(bool quiet, bool early_stopping) {
    TrainingCallbacks c;
    c.progress = progress_printer(quiet);
    if (quiet) return c;
    c.on_epoch = [early_stopping](const EpochStats& e) {
        if (early_stopping)
            std::printf("  epoch %d: validation rmse %.4f\n", e.epoch, e.eval.rmse);
        else
            print_epoch(e);
        return true;
    };
    return c;
}

// Trains one preset on the split and measures its accuracy (its sizes are measured later, together).
Result train_preset(const CompareArgs& args, const Preset& p, const Dataset& data, const Split& split,
                    const std::vector<int64_t>& item_counts, const std::vector<int64_t>& user_counts) {
    Model model(p.model, data.users.size(), data.items.size(), data.max_rating, item_counts, user_counts,
                p.train.seed);
    if (!args.quiet) {
        std::printf("\n");
        print_summary(p.name, model);
        std::printf("training %s: %d epochs, batch %lld, lr %g, %s, %d threads\n", p.name.c_str(),
                    p.train.epochs, (long long)p.train.batch_size, p.train.adam.learning_rate,
                    optimizer_text(p.train.adam).c_str(), p.train.threads);
    }
    Trainer trainer(model, p.train);
    Result r;
    r.name = p.name;
    r.parameters = model.parameter_count();
    const TrainingOutcome outcome = run_training(trainer, model, data, split, args.data.split_seed,
                                                 report(args.quiet, p.train.early_stopping > 0));
    r.early_stopping = outcome.early_stopping;
    r.best_epoch = outcome.best_epoch;
    r.history = trainer.history();
    // Without early stopping the model is the last epoch's, which that epoch already measured on split.eval
    // with the same evaluate() and thread count: those figures, not a second pass.
    // With early stopping the model went back to its best epoch, whose eval figures are measured here.
    if (!outcome.early_stopping && outcome.completed && !r.history.empty())
        r.eval = r.history.back().eval;
    else
        r.eval = evaluate(model, data, split.eval, p.train.threads);
    r.file = training_metadata(p, data, split, args.data, r.history);
    r.file.model = std::make_unique<Model>(std::move(model));  // the trainer is done with it
    return r;
}

// The side-by-side table.
void print_table(const std::vector<Result>& results) {
    std::printf("\n%-26s", "");
    for (const auto& r : results) std::printf("%22s", r.name.c_str());
    std::printf("\n%-26s", "parameters");
    for (const auto& r : results) std::printf("%22s", format_count(r.parameters).c_str());
    std::printf("\n%-26s", "megabytes (f32)");
    for (const auto& r : results) std::printf("%22.3f", 4.0 * double(r.parameters) / (1 << 20));
    for (size_t k = 0; k < results.front().sizes.size(); ++k) {
        const char* storage = to_string(results.front().sizes[k].storage);
        std::printf("\n%-26s", (std::string("file bytes ") + storage + " / gzip").c_str());
        for (const auto& r : results) {
            const StoredSize& z = r.sizes[k];
            std::printf("%22s", (format_count(z.bytes) + " / " + (z.gzip < 0 ? "n/a" : format_count(z.gzip))).c_str());
        }
    }
    size_t epochs = 0;  // rows of per-epoch eval figures: presets without early stopping
    for (const auto& r : results)
        if (!r.early_stopping) epochs = std::max(epochs, r.history.size());
    for (size_t e = 0; e < epochs; ++e) {
        std::printf("\n%-26s", ("epoch " + std::to_string(e + 1) + " eval MSE / MAE").c_str());
        for (const auto& r : results) {
            char cell[32] = "-";
            if (!r.early_stopping && e < r.history.size())
                std::snprintf(cell, sizeof cell, "%.4f / %.4f", r.history[e].eval.mse, r.history[e].eval.mae);
            std::printf("%22s", cell);
        }
    }
    std::printf("\n%-26s", "epochs (kept / run)");
    for (const auto& r : results)
        std::printf("%22s", (std::to_string(r.best_epoch) + " / " + std::to_string(r.history.size()) +
                             (r.early_stopping ? " (early stop)" : ""))
                                .c_str());
    std::printf("\n%-26s", "final eval MSE / MAE");
    for (const auto& r : results) {
        char cell[32];
        std::snprintf(cell, sizeof cell, "%.4f / %.4f", r.eval.mse, r.eval.mae);
        std::printf("%22s", cell);
    }
    std::printf("\n%-26s", "final eval RMSE");
    for (const auto& r : results) std::printf("%22.4f", r.eval.rmse);
    std::printf("\n%-26s", "training seconds");
    for (const auto& r : results) {
        double s = 0;
        for (const auto& e : r.history) s += e.seconds;
        std::printf("%22.2f", s);
    }
    std::printf("\n%-26s", "ratings/s (median epoch)");
    for (const auto& r : results) {
        std::vector<double> v;
        for (const auto& e : r.history) v.push_back(e.ratings_per_second);
        std::sort(v.begin(), v.end());
        std::printf("%22.0f", v[v.size() / 2]);
    }
    std::printf("\n(file bytes: the .mrec without titles, as `memrec train --out` writes it; `memrec export` also "
                "sorts full tables' ids)\n");
}

void write_json(const std::vector<Result>& results, const std::string& path) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& r : results)
        j.push_back({{"preset", r.name},
                     {"parameters", r.parameters},
                     {"bytes_f32", 4 * r.parameters},
                     {"file_bytes", {{"f32", r.sizes[0].bytes}, {"f16", r.sizes[1].bytes}, {"int8", r.sizes[2].bytes}, {"int4", r.sizes[3].bytes}}},
                     {"gzip_bytes", {{"f32", r.sizes[0].gzip}, {"f16", r.sizes[1].gzip}, {"int8", r.sizes[2].gzip}, {"int4", r.sizes[3].gzip}}},
                     {"early_stopping", r.early_stopping},
                     {"best_epoch", r.best_epoch},
                     {"eval", {{"mse", r.eval.mse}, {"rmse", r.eval.rmse}, {"mae", r.eval.mae}}},
                     {"history", nlohmann::json::parse(history_json(r.history))}});
    write_file_atomic(path, j.dump(2) + "\n");
}

}  // namespace

Command add_compare(CLI::App& root) {
    auto args = std::make_shared<CompareArgs>();
    CLI::App* app = root.add_subcommand("compare", "train several presets on one split and compare them");
    app->footer(
        "Examples:\n"
        "  memrec compare --data ~/ml-1m                  the reference's two models, reference settings\n"
        "  memrec compare --adam lazy --threads 2         the same with lazy Adam\n"
        "  memrec compare --presets baseline,memeff --json compare.json");
    args->data.add_to(*app);
    args->data.add_eval_data(*app);
    args->training.add_training_flags(*app);
    app->add_option("--presets", args->presets, "comma-separated presets to train")->capture_default_str();
    app->add_option("--json", args->json, "also write the comparison as JSON to this file");
    app->add_flag("-q,--quiet", args->quiet, "print only the comparison table");

    return {app, [args]() {
                std::vector<std::string> names;
                for (size_t b = 0, e; b <= args->presets.size(); b = e + 1) {
                    e = args->presets.find(',', b);
                    if (e == std::string::npos) e = args->presets.size();
                    if (e > b) names.push_back(args->presets.substr(b, e - b));
                }
                if (names.empty()) throw UsageError("--presets needs at least one preset");
                std::vector<Preset> presets;
                for (const auto& n : names) presets.push_back(args->training.build(n));

                start_ratings_hash(args->data);  // the model files' data hash, while the parser reads
                Dataset data = load_data(args->data, args->quiet);
                for (Preset& p : presets) fit_preset_to_data(p, data);
                Split split = split_or_eval_data(data, args->data, args->quiet);
                const auto item_counts = count_items(data, split.train);
                const auto user_counts = count_users(data, split.train);
                if (!args->quiet)
                    std::printf("split: %zu train, %zu eval\n", split.train.size(), split.eval.size());

                std::vector<Result> results;
                for (const Preset& p : presets)
                    results.push_back(train_preset(*args, p, data, split, item_counts, user_counts));
                // The size table: every preset's files on two threads at once (a thread beside training
                // would only slow the trainer's two).
                std::vector<const ModelFile*> files;
                for (const Result& r : results) files.push_back(&r.file);
                const auto sizes = stored_sizes(files, false);
                for (size_t k = 0; k < results.size(); ++k) results[k].sizes = sizes[k];
                print_table(results);
                if (!args->json.empty()) write_json(results, args->json);
                return 0;
            }};
}

}  // namespace memrec::cli
