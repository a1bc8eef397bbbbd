// memrec split: write the visitors split (memrec/visitor_split.h) as CSV files, so that any other library
// can be trained and scored on exactly the folds memrec uses: train.csv (the training users' ratings),
// foldin.csv and targets.csv (the held-out visitors'), each "user,item,rating" with the raw ids.
#include <cstdio>
#include <filesystem>
#include <string>

#include "cli.h"
#include "memrec/io.h"
#include "memrec/visitor_split.h"
#include "topn_cli.h"

namespace memrec::cli {

namespace {
struct SplitArgs {
    DataOptions data;
    std::string protocol = "visitors";
    std::string out;
    bool quiet = false;
};

std::string ratings_csv(const Dataset& data, const std::vector<uint32_t>& indices) {
    std::string s = "user,item,rating\n";
    char rating[32];
    for (uint32_t k : indices) {
        std::snprintf(rating, sizeof rating, "%g", double(data.rating[k]));
        s += data.users.id(data.user[k]) + "," + data.items.id(data.item[k]) + "," + rating + "\n";
    }
    return s;
}

std::vector<uint32_t> flatten(const std::vector<std::vector<uint32_t>>& groups) {
    std::vector<uint32_t> out;
    for (const auto& g : groups) out.insert(out.end(), g.begin(), g.end());
    return out;
}

int run_split(const SplitArgs& args) {
    namespace fs = std::filesystem;
    const Dataset data = load_data(args.data, args.quiet);
    const VisitorSplit vs = split_visitors(data, kHeldOutUsers, kFoldInFraction, args.data.split_seed);
    fs::create_directories(args.out);
    const std::vector<uint32_t> foldin = flatten(vs.foldin), targets = flatten(vs.targets);
    write_file_atomic((fs::path(args.out) / "train.csv").string(), ratings_csv(data, vs.train));
    write_file_atomic((fs::path(args.out) / "foldin.csv").string(), ratings_csv(data, foldin));
    write_file_atomic((fs::path(args.out) / "targets.csv").string(), ratings_csv(data, targets));
    std::printf("split (visitors, seed %llu): %zu training ratings, %zu visitors with %zu fold-in and %zu target "
                "ratings, in %s\n",
                (unsigned long long)args.data.split_seed, vs.train.size(), vs.visitors.size(), foldin.size(),
                targets.size(), args.out.c_str());
    return 0;
}
}  // namespace

Command add_split(CLI::App& root) {
    auto args = std::make_shared<SplitArgs>();
    CLI::App* app = root.add_subcommand("split", "write the visitors split as CSV files for other libraries");
    app->footer(
        "Writes DIR/train.csv, DIR/foldin.csv and DIR/targets.csv (user,item,rating; raw ids): 10% of users held\n"
        "out whole, 80% of each one's ratings folded in, the rest targets. Score a model on it with\n"
        "memrec eval MODEL --split DIR.\n"
        "Example:\n"
        "  memrec split --data ~/ml-1m --out visitors-42");
    app->add_option("--data", args->data.path,
                    "MovieLens folder or ratings file (default: $MEMREC_DATA, else ./data; a folder of sets "
                    "means its ml-1m)");
    app->add_option("--protocol", args->protocol, "the split to write: visitors")
        ->check(CLI::IsMember({"visitors"}))
        ->capture_default_str();
    app->add_option("--out", args->out, "folder to write the three files into (created if missing)")->required();
    app->add_option("--seed,--split-seed", args->data.split_seed, "seed of the split")->capture_default_str();
    args->data.add_read_flags(*app);
    app->add_flag("-q,--quiet", args->quiet, "print only the summary line");
    return {app, [args]() { return run_split(*args); }};
}

}  // namespace memrec::cli
