#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli.h"
#include "memrec/reader.h"

namespace memrec::cli {

void DataOptions::add_to(CLI::App& app) {
    app.add_option("--data", path,
                   "MovieLens folder or ratings file (default: $MEMREC_DATA, else ./data; a folder of sets "
                   "means its ml-1m)");
    app.add_option("--train-fraction", train_fraction, "share of ratings in the training split");
    app.add_option("--split-seed", split_seed, "seed of the train/eval split");
}

std::string DataOptions::resolve() const {
    namespace fs = std::filesystem;
    std::string p = path;
    if (p.empty()) {
        const char* env = std::getenv("MEMREC_DATA");
        p = env && *env ? env : "data";
        std::error_code ec;
        if (p == "data" && !fs::exists(p, ec))
            throw UsageError("no ratings to read: give --data (a MovieLens folder or ratings file), set MEMREC_DATA, "
                             "or run scripts/fetch-data.sh to download them into data/");
    }
    // A folder of MovieLens sets (as $MEMREC_DATA is) rather than one set: use its ml-1m.
    std::error_code ec;
    if (fs::is_directory(p, ec)) {
        bool has_ratings = false;
        for (const char* f : {"ratings.dat", "u.data", "ratings.csv"}) has_ratings |= fs::exists(fs::path(p) / f, ec);
        if (!has_ratings && fs::is_directory(fs::path(p) / "ml-1m", ec)) p = (fs::path(p) / "ml-1m").string();
    }
    return p;
}

Dataset load_data(const DataOptions& opts, bool quiet) {
    const auto t0 = std::chrono::steady_clock::now();
    Dataset d = read_dataset(opts.resolve());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!quiet)
        std::printf("data: %s (%s): %s ratings, %s users, %s items, scale %g..%g, read in %.2f s\n",
                    d.ratings_path.c_str(), d.format.c_str(), format_count(int64_t(d.size())).c_str(),
                    format_count(d.users.size()).c_str(), format_count(d.items.size()).c_str(), d.min_rating,
                    d.max_rating, s);
    return d;
}

}  // namespace memrec::cli
