// memrec eval: re-read the ratings a model was trained on, rebuild the same split (the stored fraction and
// seed unless given), map raw ids through the model's vocabularies and report MSE / RMSE / MAE on the eval
// split: how much a stored (possibly quantised) model lost against the one that was trained.
#include <cstdio>
#include <numeric>
#include <optional>

#include "model_cli.h"

namespace memrec::cli {

namespace {
struct EvalArgs {
    std::string model;
    DataOptions data;
    std::optional<int> threads;  // default: all cores
    bool quiet = false;
};
}  // namespace

Command add_eval(CLI::App& root) {
    auto args = std::make_shared<EvalArgs>();
    CLI::App* app = root.add_subcommand("eval", "evaluate a model file on the eval split of its training data");
    app->footer(
        "Examples:\n"
        "  memrec eval m8.mrec                 the data and split recorded in the model\n"
        "  memrec eval m.mrec --data ~/ml-1m   the same ratings from another place");
    app->add_option("model", args->model, "model file (.mrec)")->required();
    args->data.add_to(*app);
    app->add_option("--threads", args->threads, "evaluation threads (default: all cores)");
    app->add_flag("-q,--quiet", args->quiet, "print only the metrics");

    return {app, [args, app]() {
                const ModelFile f = load_model(args->model);
                const ModelData md = load_model_data(f, args->data, *app, args->quiet);

                // The eval ratings whose user and movie the model knows, in model indices.
                Dataset mapped;
                int64_t skipped = 0;
                for (uint32_t k : md.split.eval) {
                    const int32_t u = md.user_to_model[size_t(md.data.user[k])];
                    const int32_t i = md.item_to_model[size_t(md.data.item[k])];
                    if (u < 0 || i < 0) {
                        ++skipped;
                        continue;
                    }
                    mapped.user.push_back(u);
                    mapped.item.push_back(i);
                    mapped.rating.push_back(md.data.rating[k]);
                }
                if (mapped.size() == 0)
                    throw Error("no eval rating has a user and movie the model knows: is this the model's data?");
                std::vector<uint32_t> all(mapped.size());
                std::iota(all.begin(), all.end(), 0u);
                const Metrics m =
                    evaluate(*f.model, mapped, all, args->threads.value_or(default_threads()));

                if (skipped > 0)
                    std::printf("skipped %lld eval ratings whose user or movie is not in the model\n", (long long)skipped);
                std::printf("eval: mse %.6f  rmse %.6f  mae %.6f  (%s ratings, %s tables)\n", m.mse, m.rmse, m.mae,
                            format_count(m.count).c_str(), to_string(f.storage));
                if (!args->quiet && f.eval.count > 0)
                    std::printf("at training: mse %.6f  rmse %.6f  mae %.6f  (f32)\n", f.eval.mse, f.eval.rmse,
                                f.eval.mae);
                return 0;
            }};
}

}  // namespace memrec::cli
