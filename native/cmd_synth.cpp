// memrec synth: write a synthetic rating file of a chosen shape (memrec/synth.h), e.g. MovieLens-25M's, to
// measure reading, memory and training at scales the real files here do not reach.
#include <chrono>
#include <cstdio>
#include <map>
#include <string>

#include "cli.h"
#include "memrec/io.h"
#include "memrec/synth.h"

namespace memrec::cli {

namespace {

struct Shape {
    int64_t users, items, ratings;
    bool half_stars;
};

// The shapes of the MovieLens sets: users, items that have ratings, ratings.
const std::map<std::string, Shape>& shapes() {
    static const std::map<std::string, Shape> s{{"ml-100k", {943, 1682, 100000, false}},
                                                {"ml-1m", {6040, 3706, 1000209, false}},
                                                {"ml-10m", {69878, 10677, 10000054, true}},
                                                {"ml-25m", {162541, 59047, 25000095, true}}};
    return s;
}

struct SynthArgs {
    SynthConfig config;
    std::string like;
    std::string format = "csv";
    std::string out;
    bool quiet = false;
};

int run_synth(SynthArgs args, const CLI::App& app) {
    SynthConfig& c = args.config;
    if (!args.like.empty()) {
        // The shape's counts, unless a flag gives its own.
        const Shape& s = shapes().at(args.like);
        if (app.count("--users") == 0) c.users = s.users;
        if (app.count("--items") == 0) c.items = s.items;
        if (app.count("--ratings") == 0) c.ratings = s.ratings;
        if (app.count("--half-stars") == 0) c.half_stars = s.half_stars;
    }
    c.validate();
    const SynthFormat format = args.format == "dat" ? SynthFormat::MovieLensDat : SynthFormat::MovieLensCsv;
    const auto t0 = std::chrono::steady_clock::now();
    size_t bytes = 0;
    write_file_atomic(args.out, [&](const std::function<void(std::string_view)>& write) {
        generate_ratings(c, format, [&](std::string_view piece) {
            bytes += piece.size();
            write(piece);
        });
    });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!args.quiet)
        std::printf("wrote %s: %s ratings by %s users of %s items (%s, %s stars, seed %llu) in %.1f s\n",
                    args.out.c_str(), format_count(c.ratings).c_str(), format_count(c.users).c_str(),
                    format_count(c.items).c_str(), format_bytes(double(bytes)).c_str(),
                    c.half_stars ? "half" : "whole", (unsigned long long)c.seed, s);
    return 0;
}

}  // namespace

Command add_synth(CLI::App& root) {
    auto args = std::make_shared<SynthArgs>();
    CLI::App* app = root.add_subcommand("synth", "write a synthetic rating file of a chosen shape (e.g. MovieLens-25M's)");
    app->footer(
        "Ratings come from a low-rank model plus noise (global mean, user and item biases, --rank factors),\n"
        "rounded to 1..5 (or 0.5..5 in halves); item popularity is Zipf (--item-skew) and user activity a\n"
        "capped power law (--user-skew) with at least --min-per-user ratings each; no pair is rated twice.\n"
        "The same seed writes the same file on every platform. --format csv writes MovieLens-25M's layout\n"
        "(userId,movieId,rating,timestamp), dat ml-1m's (user::item::rating::timestamp); memrec reads both.\n\n"
        "Examples:\n"
        "  memrec synth --like ml-25m --out synth-25m.csv         MovieLens-25M's shape (679 MB)\n"
        "  memrec synth --users 1000 --items 500 --ratings 50000 --format dat --out small.dat\n"
        "  memrec train --data synth-25m.csv --preset baseline --epochs 1");
    std::vector<std::string> names;
    for (const auto& [name, shape] : shapes()) names.push_back(name);
    app->add_option("--like", args->like, "start from a MovieLens set's shape: users, items, ratings, stars")
        ->check(CLI::IsMember(names));
    app->add_option("--users", args->config.users, "number of users")->capture_default_str();
    app->add_option("--items", args->config.items, "number of items")->capture_default_str();
    app->add_option("--ratings", args->config.ratings, "number of ratings")->capture_default_str();
    app->add_option("--min-per-user", args->config.min_per_user, "the least ratings a user has")->capture_default_str();
    app->add_option("--item-skew", args->config.item_skew, "Zipf exponent of item popularity")->capture_default_str();
    app->add_option("--user-skew", args->config.user_skew, "power-law exponent of user activity")
        ->capture_default_str();
    app->add_option("--rank", args->config.rank, "factors of the model behind the ratings")->capture_default_str();
    app->add_option("--noise", args->config.noise, "standard deviation of the noise, in stars")->capture_default_str();
    app->add_flag("--half-stars", args->config.half_stars, "ratings 0.5..5 in halves (default: whole stars 1..5)");
    app->add_option("--seed", args->config.seed, "random seed")->capture_default_str();
    app->add_option("--format", args->format, "csv (MovieLens-25M's layout) or dat (ml-1m's)")
        ->check(CLI::IsMember({"csv", "dat"}))
        ->capture_default_str();
    app->add_option("--out", args->out, "the file to write")->required();
    app->add_flag("-q,--quiet", args->quiet, "print nothing on success");
    return {app, [args, app] { return run_synth(*args, *app); }};
}

}  // namespace memrec::cli
