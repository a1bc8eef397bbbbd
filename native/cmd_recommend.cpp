// memrec recommend: a user's top-k movies by predicted rating, leaving out the movies they rated in the
// training split (so the data is read again, with the model's split). A user the model has never seen gets
// the k most-rated movies instead (memrec/serve.h), and the output says so. With --ratings or
// --ratings-file, a visitor's top k instead: folded in by FoldIn, as the demo page does (wasm/bindings.cpp),
// so the list is the page's for the same model and ratings.
#include <algorithm>
#include <cstdio>

#include "memrec/fold_in.h"
#include "memrec/serve.h"
#include "model_cli.h"
#include "visitor_ratings.h"

namespace memrec::cli {

namespace {
struct RecommendArgs {
    std::string model, user, ratings, ratings_file;
    int k = 10;
    DataOptions data;
    bool quiet = false;
};

// The model's items the user (a model index) rated in the training split, sorted, each once.
std::vector<int32_t> rated_in_training(const ModelData& md, int32_t user) {
    std::vector<int32_t> rated;
    for (uint32_t k : md.split.train)
        if (md.user_to_model[size_t(md.data.user[k])] == user) {
            const int32_t i = md.item_to_model[size_t(md.data.item[k])];
            if (i >= 0) rated.push_back(i);
        }
    std::sort(rated.begin(), rated.end());
    rated.erase(std::unique(rated.begin(), rated.end()), rated.end());
    return rated;
}

// The model's titles, or for a file exported without them the data's, which was read anyway.
std::vector<std::string> titles_of(const ModelFile& f, const ModelData& md) {
    std::vector<std::string> titles = f.titles;
    if (titles.empty() && !md.data.titles.empty()) {
        titles.assign(size_t(f.items.size()), "");
        for (int32_t i = 0; i < md.data.items.size(); ++i)
            if (md.item_to_model[size_t(i)] >= 0) titles[size_t(md.item_to_model[size_t(i)])] = md.data.titles[size_t(i)];
    }
    return titles;
}

void print_popular(const ModelFile& f, const RecommendArgs& args, const std::vector<ScoredItem>& top) {
    std::printf("user %s is not in the model: popularity fallback, the %d movies with most training ratings\n",
                args.user.c_str(), args.k);
    std::vector<int32_t> items;
    for (const auto& t : top) items.push_back(t.item);
    const auto mean = mean_predictions(*f.model, items);
    std::printf("%4s %10s %14s  %s\n", "rank", "ratings", "mean predicted", "movie");
    for (size_t r = 0; r < top.size(); ++r)
        std::printf("%4zu %10s %14.3f  %s\n", r + 1, format_count(int64_t(top[r].score)).c_str(), mean[r],
                    item_label(f, top[r].item).c_str());
}

// The visitor's top k, rated items left out: FoldIn's scores then top_k, as the page's recommendVisitor;
// each with the liked movie that contributes most to its score (FoldIn::because), as the page says it.
int run_visitor(const RecommendArgs& args) {
    const ModelFile f = load_model(args.model);
    const std::vector<RawRating> raw =
        args.ratings_file.empty() ? parse_ratings_list(args.ratings) : read_ratings_file(args.ratings_file);
    const std::vector<VisitorRating> ratings = resolve_ratings(f, raw);
    std::vector<int32_t> rated;
    for (const VisitorRating& r : ratings) rated.push_back(r.item);
    const FoldIn fold_in(*f.model);
    const FoldIn::Visitor visitor = fold_in.fit(ratings);
    const auto top = top_k(fold_in.scores(visitor), args.k, rated);
    std::vector<int32_t> items;
    for (const ScoredItem& s : top) items.push_back(s.item);
    const std::vector<int32_t> because = fold_in.because(visitor, items);
    const bool implicit = f.model->config().objective != Objective::Rating;
    if (!args.quiet)
        std::printf("visitor with %zu ratings: top %zu of %s movies, leaving out the rated ones\n", ratings.size(),
                    top.size(), format_count(f.items.size()).c_str());
    std::printf("%4s %10s  %s\n", "rank", implicit ? "score" : "predicted", "movie");
    for (size_t r = 0; r < top.size(); ++r) {
        const std::string reason =
            because[r] < 0 ? "" : "  because you liked " + item_title(f, ratings[size_t(because[r])].item);
        std::printf("%4zu %10.3f  %s%s\n", r + 1, top[r].score, item_label(f, top[r].item).c_str(), reason.c_str());
    }
    return 0;
}

int run_recommend(const RecommendArgs& args, const CLI::App& app) {
    if (args.user.empty()) return run_visitor(args);
    const ModelFile f = load_model(args.model);
    const int32_t user = f.users.find(args.user);
    if (user < 0) {
        if (f.item_counts.empty())
            throw Error("user " + args.user + " is not in the model, and the model has no popularity counts to fall "
                        "back on");
        print_popular(f, args, recommend(*f.model, f.item_counts, user, args.k, {}).items);
        return 0;
    }
    const ModelData md = load_model_data(f, args.data, app, args.quiet);
    const std::vector<std::string> titles = titles_of(f, md);
    const std::vector<int32_t> rated = rated_in_training(md, user);
    const auto top = recommend(*f.model, f.item_counts, user, args.k, rated).items;
    std::printf("user %s: top %zu of %s movies, leaving out the %zu rated in training\n", args.user.c_str(),
                top.size(), format_count(f.items.size()).c_str(), rated.size());
    std::printf("%4s %10s  %s\n", "rank", "predicted", "movie");
    for (size_t r = 0; r < top.size(); ++r) {
        const std::string& t = titles.empty() ? std::string() : titles[size_t(top[r].item)];
        const std::string label = t.empty() ? f.items.id(top[r].item) : f.items.id(top[r].item) + " " + t;
        std::printf("%4zu %10.3f  %s\n", r + 1, top[r].score, label.c_str());
    }
    return 0;
}
}  // namespace

Command add_recommend(CLI::App& root) {
    auto args = std::make_shared<RecommendArgs>();
    CLI::App* app = root.add_subcommand("recommend", "top-k movies for a user or a visitor, excluding the ones they rated");
    app->footer(
        "Examples:\n"
        "  memrec recommend m.mrec --user 1 -k 10\n"
        "  memrec recommend m8.mrec --user 1 --data ~/ml-1m\n"
        "  memrec recommend m.mrec --ratings 260:5,2571:5,589:5,1214:5\n"
        "  memrec recommend m.mrec --ratings-file mine.csv       lines item,rating (or item:rating)\n"
        "For --user the training data is read to leave out the movies the user rated in the training split.\n"
        "A visitor (--ratings, --ratings-file) is folded in as the demo page does: the same list as the page's.");
    app->add_option("model", args->model, "model file (.mrec)")->required();
    CLI::Option* user = app->add_option("--user", args->user, "user id, as in the ratings file");
    CLI::Option* ratings = app->add_option("--ratings", args->ratings, "a visitor's ratings: item:rating,... (raw ids)");
    CLI::Option* file = app->add_option("--ratings-file", args->ratings_file, "a visitor's ratings, a line each: item,rating");
    user->excludes(ratings)->excludes(file);
    ratings->excludes(file);
    app->parse_complete_callback([user, ratings, file] {
        if (!user->count() && !ratings->count() && !file->count())
            throw CLI::RequiredError("--user is required (or --ratings or --ratings-file for a visitor)",
                                     CLI::ExitCodes::RequiredError);
    });
    app->add_option("-k,--top", args->k, "how many movies")->capture_default_str();
    args->data.add_to(*app);
    app->add_flag("-q,--quiet", args->quiet, "print only the list");

    return {app, [args, app]() { return run_recommend(*args, *app); }};
}

}  // namespace memrec::cli
