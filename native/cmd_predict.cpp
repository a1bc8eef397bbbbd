// memrec predict: the predicted rating of one movie by one user, both given as the dataset's raw ids. A user
// the model has never seen gets the popularity fallback (the movie's mean predicted rating over every user
// the model knows), and the output says so; an unknown movie is an error.
#include <cstdio>

#include "memrec/serve.h"
#include "model_cli.h"

namespace memrec::cli {

namespace {
struct PredictArgs {
    std::string model, user, movie;
};
}  // namespace

Command add_predict(CLI::App& root) {
    auto args = std::make_shared<PredictArgs>();
    CLI::App* app = root.add_subcommand("predict", "predict one user's rating of one movie");
    app->footer("Example:\n  memrec predict m.mrec --user 1 --movie 1193");
    app->add_option("model", args->model, "model file (.mrec)")->required();
    app->add_option("--user", args->user, "user id, as in the ratings file")->required();
    app->add_option("--movie", args->movie, "movie id, as in the ratings file")->required();

    return {app, [args]() {
                const ModelFile f = load_model(args->model);
                const int32_t item = f.items.find(args->movie);
                if (item < 0)
                    throw Error("movie " + args->movie + " is not in the model (it knows " +
                                format_count(f.items.size()) + " movies, ids as in the ratings file)");
                const RatingAnswer a = predict_rating(*f.model, f.users.find(args->user), item);
                if (!a.fallback) {
                    std::printf("user %s, movie %s: predicted rating %.6f\n", args->user.c_str(),
                                item_label(f, item).c_str(), a.rating);
                } else {
                    std::printf("user %s is not in the model: popularity fallback, the movie's mean predicted rating "
                                "over all %s users\n",
                                args->user.c_str(), format_count(f.users.size()).c_str());
                    std::printf("user %s, movie %s: predicted rating %.6f (fallback; %s training ratings)\n",
                                args->user.c_str(), item_label(f, item).c_str(), a.rating,
                                f.item_counts.empty() ? "?" : format_count(f.item_counts[size_t(item)]).c_str());
                }
                return 0;
            }};
}

}  // namespace memrec::cli
