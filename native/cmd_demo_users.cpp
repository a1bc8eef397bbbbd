// memrec demo-users: the per-user data the web demo needs and a model file does not hold. For the first
// users of the ratings file (in order of first appearance) it writes, as JSON, the movies each rated in
// the training split with their ratings (the page leaves them out of recommendations, as `memrec recommend`
// does, and folds them into models without a user table) and their
// held-out ratings (shown beside the model's predictions). The split is the model's own, rebuilt from the
// fraction and seed stored in it.
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "memrec/io.h"
#include "model_cli.h"

namespace memrec::cli {

namespace {
struct DemoUsersArgs {
    std::string model, out;
    int count = 300;
    DataOptions data;
    bool quiet = false;
};
}  // namespace

Command add_demo_users(CLI::App& root) {
    auto args = std::make_shared<DemoUsersArgs>();
    CLI::App* app =
        root.add_subcommand("demo-users", "write the web demo's users file: training movies and held-out ratings");
    app->footer("Example:\n  memrec demo-users web/models/memeff-int8.mrec --data ~/ml-1m --out web/models/users.json");
    app->add_option("model", args->model, "model file (.mrec): its split settings and vocabularies")->required();
    app->add_option("--out", args->out, "the JSON file to write")->required();
    app->add_option("--count", args->count, "how many users, in order of first appearance")->capture_default_str();
    args->data.add_to(*app);
    app->add_flag("-q,--quiet", args->quiet, "print nothing on success");

    return {app, [args, app]() {
                auto given = [&](const char* flag) { return app->get_option(flag)->count() > 0; };
                const ModelFile f = load_model(args->model);
                const ModelData md = load_model_data(f, args->data, *app, true);
                const Dataset& d = md.data;
                const int32_t count = std::min<int32_t>(args->count, d.users.size());
                std::vector<nlohmann::json> train(size_t(count), nlohmann::json::array());
                std::vector<nlohmann::json> train_ratings(size_t(count), nlohmann::json::array());
                std::vector<nlohmann::json> held(size_t(count), nlohmann::json::array());
                for (uint32_t k : md.split.train)
                    if (d.user[k] < count) {
                        train[size_t(d.user[k])].push_back(d.items.id(d.item[k]));
                        train_ratings[size_t(d.user[k])].push_back(d.rating[k]);
                    }
                for (uint32_t k : md.split.eval)
                    if (d.user[k] < count) held[size_t(d.user[k])].push_back({d.items.id(d.item[k]), d.rating[k]});

                nlohmann::json users = nlohmann::json::array();
                for (int32_t u = 0; u < count; ++u) {
                    if (md.user_to_model[size_t(u)] < 0) continue;  // not in the model: nothing to show
                    // trainRatings (parallel to train) lets the page fold a user into a model that stores no
                    // user table (ALS) from the same ratings it was trained on.
                    users.push_back({{"id", d.users.id(u)},
                                     {"train", train[size_t(u)]},
                                     {"trainRatings", train_ratings[size_t(u)]},
                                     {"heldOut", held[size_t(u)]}});
                }
                // File names only: the demo serves this file, and local paths are nobody's business.
                const nlohmann::json doc = {{"model", std::filesystem::path(args->model).filename().string()},
                                            {"data", std::filesystem::path(d.ratings_path).filename().string()},
                                            {"trainFraction", given("--train-fraction") ? args->data.train_fraction
                                                                                        : f.info.train_fraction},
                                            {"splitSeed", given("--split-seed") ? args->data.split_seed : f.info.split_seed},
                                            {"users", users}};
                write_file_atomic(args->out, doc.dump() + "\n");
                if (!args->quiet)
                    std::printf("wrote %zu users (training movies and held-out ratings) to %s\n", users.size(),
                                args->out.c_str());
                return 0;
            }};
}

}  // namespace memrec::cli
