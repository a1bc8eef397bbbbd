// memrec eval: re-read the ratings a model was trained on, rebuild the same split (the stored fraction and
// seed unless given), map raw ids through the model's vocabularies and report MSE / RMSE / MAE on the eval
// split: how much a stored (possibly quantised) model lost against the one that was trained. With
// --protocol, the top-N figures (topn_cli.h) beside the popularity baseline's; with --split, the top-N
// figures on the visitors of a `memrec split` folder.
#include <cstdio>
#include <filesystem>
#include <optional>

#include "eval_data.h"
#include "memrec/io.h"
#include "memrec/reader.h"
#include "model_cli.h"
#include "topn_cli.h"

namespace memrec::cli {

namespace {
struct EvalArgs {
    std::string model;
    DataOptions data;
    TopNOptions topn;
    std::string split_dir;
    std::optional<int> threads;  // default: all cores
    bool quiet = false;
    int thread_count() const { return threads.value_or(default_threads()); }
};

// MSE / RMSE / MAE on the eval ratings whose user and movie the model knows.
void print_rating_metrics(const ModelFile& f, const ModelData& md, const EvalArgs& args) {
    int64_t skipped = 0;
    const Metrics m = eval_split_metrics(f, md, args.thread_count(), skipped);

    if (skipped > 0)
        std::printf("skipped %lld eval ratings whose user or movie is not in the model\n", (long long)skipped);
    std::printf("eval: mse %.6f  rmse %.6f  mae %.6f  (%s ratings, %s tables)\n", m.mse, m.rmse, m.mae,
                format_count(m.count).c_str(), to_string(f.storage));
    if (!args.quiet && f.eval.count > 0)
        std::printf("at training: mse %.6f  rmse %.6f  mae %.6f  (f32)\n", f.eval.mse, f.eval.rmse, f.eval.mae);
}

// Whether the ratings file of `data` (a folder or a file) is the one the model was trained on, by content.
bool holds_training_ratings(const ModelFile& f, const std::string& data) {
    namespace fs = std::filesystem;
    if (f.info.data_hash.empty()) return false;
    std::error_code ec;
    const std::string file = fs::is_directory(data, ec) ? find_ratings_file(data).first : data;
    return fs::is_regular_file(file, ec) && content_hash_of_file(file) == f.info.data_hash;
}

// The eval file: --eval-data, else the one the model was evaluated on at training (train --eval-data) when
// nothing else is asked for, found as named or beside the data ("" when there is none). A --data given wins
// over the recorded file unless it holds the very ratings the model was trained on (moved elsewhere): then a
// split of it would score the model on ratings it trained on.
std::string eval_file(const ModelFile& f, const EvalArgs& args, const CLI::App& app) {
    if (!args.data.eval_data.empty()) {
        if (!args.topn.protocol.empty() || !args.split_dir.empty())
            throw UsageError("--eval-data measures ratings: leave out --protocol and --split");
        if (f.model->config().objective != Objective::Rating)
            throw UsageError("--eval-data: an implicit model's scores are not ratings; rank with --protocol instead");
        return args.data.eval_data;
    }
    const std::string& name = f.info.reading.eval_data;
    if (name.empty() || !args.topn.protocol.empty() || !args.split_dir.empty() || app.count("--train-fraction") > 0)
        return "";
    namespace fs = std::filesystem;
    std::error_code ec;
    const std::string data = stored_data_options(f, args.data, app).resolve();
    if (app.count("--data") > 0 && !holds_training_ratings(f, data)) return "";
    const fs::path beside = fs::is_directory(data, ec) ? fs::path(data) : fs::path(data).parent_path();
    for (const fs::path& p : {fs::path(name), beside / name})
        if (fs::is_regular_file(p, ec)) return p.string();
    throw UsageError("this model was trained on all of " + f.info.data_source + " and evaluated on " + name +
                     " (train --eval-data), which is neither here nor beside the data: give --eval-data FILE");
}

// MSE / RMSE / MAE on a separate ratings file.
int eval_on_file(const ModelFile& f, const EvalArgs& args, const CLI::App& app, const std::string& file) {
    DataOptions opts = stored_data_options(f, args.data, app);  // the model's reading flags unless given
    opts.eval_data = file;
    EvalDataCounts c;
    std::string path;
    const Metrics m = evaluate_on_file(f, opts, args.thread_count(), c, path);
    if (!args.quiet || c.dropped > 0) std::printf("%s\n", eval_data_text(path, c, "the model").c_str());
    std::printf("eval: mse %.6f  rmse %.6f  mae %.6f  (%s ratings, %s tables)\n", m.mse, m.rmse, m.mae,
                format_count(m.count).c_str(), to_string(f.storage));
    return 0;
}

int run_eval(const EvalArgs& args, const CLI::App& app) {
    const ModelFile f = load_model(args.model);
    if (const std::string file = eval_file(f, args, app); !file.empty()) return eval_on_file(f, args, app, file);
    const float threshold = args.topn.positive_threshold;
    if (!args.split_dir.empty()) {
        print_topn(*f.model, split_dir_cases(f, args.split_dir, threshold), threshold, args.thread_count());
        return 0;
    }
    // An implicit model's output is a preference score, not a rating: its RMSE would mean nothing, so
    // without --protocol it is judged as it is used, on visitors folded in.
    const bool implicit = f.model->config().objective != Objective::Rating;
    if (implicit && args.topn.protocol.empty() && !args.quiet)
        std::printf("implicit model: its scores are not ratings (no RMSE); top-N figures on the visitors protocol\n");
    if (args.topn.visitors() || (implicit && args.topn.protocol.empty())) {
        print_topn(*f.model, model_visitor_cases(f, args.data, app, threshold, args.quiet), threshold,
                   args.thread_count());
        return 0;
    }
    const ModelData md = load_model_data(f, args.data, app, args.quiet);
    if (!implicit) print_rating_metrics(f, md, args);
    if (args.topn.protocol == "ratings") {
        const TopNCases c{false, rating_cases(md.data, md.split, threshold, md.user_to_model, md.item_to_model),
                          f.item_counts};
        print_topn(*f.model, c, threshold, args.thread_count());
    }
    return 0;
}
}  // namespace

Command add_eval(CLI::App& root) {
    auto args = std::make_shared<EvalArgs>();
    CLI::App* app = root.add_subcommand("eval", "evaluate a model file on the eval split of its training data");
    app->footer(
        "Examples:\n"
        "  memrec eval m8.mrec                        the data and split recorded in the model\n"
        "  memrec eval m.mrec --data ~/ml-1m          the same ratings from another place\n"
        "  memrec eval m.mrec --data other.csv        the eval split of other ratings (wins over an eval file the\n"
        "                                             model recorded, unless other.csv is its training file)\n"
        "  memrec eval m.mrec --protocol visitors     top 10/20/100 of held-out users folded in as the page does\n"
        "  memrec eval m.mrec --split visitors-42     the same on the files of `memrec split`\n"
        "  memrec eval m.mrec --eval-data u1.test     a separate file (ids the model lacks counted, not evaluated)");
    app->add_option("model", args->model, "model file (.mrec)")->required();
    args->data.add_to(*app);
    args->topn.add_to(*app,
                      "also rank: visitors (held-out users folded in from 80% of their ratings, judged on the "
                      "rest) | ratings (each user's own vector, judged on their eval ratings)");
    app->add_option("--split", args->split_dir, "rank the visitors of this `memrec split` folder (foldin.csv, targets.csv)")
        ->check(CLI::ExistingDirectory)
        ->excludes("--protocol");
    app->add_option("--eval-data", args->data.eval_data,
                    "evaluate on this ratings file (read as the model's data was, unless reading flags are given); "
                    "its ratings whose user or item the model lacks are counted and not evaluated");
    app->add_option("--threads", args->threads, "evaluation threads (default: all cores)");
    app->add_flag("-q,--quiet", args->quiet, "print only the metrics");

    return {app, [args, app]() { return run_eval(*args, *app); }};
}

}  // namespace memrec::cli
