// --data and the flags that say how to read it: the split (--train-fraction, --split-seed) and, for a
// delimited file of one's own, --delimiter, --user-column, --item-column, --rating-column, --no-header,
// --min-rating/--max-rating and --duplicates; --eval-data (eval_data.cpp) for a separate eval file.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>

#include "cli.h"
#include "memrec/error.h"
#include "memrec/reader.h"
#include "memrec/train_fields.h"

namespace memrec::cli {

void DataOptions::add_to(CLI::App& app) {
    app.add_option("--data", path,
                   "MovieLens folder or ratings file (default: $MEMREC_DATA, else ./data; a folder of sets "
                   "means its ml-1m)");
    app.add_option("--train-fraction", train_fraction, "share of ratings in the training split");
    app.add_option("--split-seed", split_seed, "seed of the train/eval split");
    add_read_flags(app);
}

void DataOptions::add_read_flags(CLI::App& app) {
    const char* group = "Reading your own files";
    app.add_option("--delimiter", delimiter,
                   "a delimited ratings file's field separator: one character, or tab, comma, semicolon, pipe, "
                   "space (reads --data as a delimited file; default ',')")
        ->group(group);
    app.add_option("--user-column", user_column, "the user id column: header name or 1-based number (default user)")
        ->group(group);
    app.add_option("--item-column", item_column, "the item id column: header name or 1-based number (default item)")
        ->group(group);
    app.add_option("--rating-column", rating_column,
                   "the rating column: header name or 1-based number (default rating)")
        ->group(group);
    app.add_flag("--no-header", no_header, "the first line is data: columns are numbers (default 1, 2, 3)")->group(group);
    app.add_option("--min-rating", min_rating, "lowest rating allowed (default: the format's, or the data's)")
        ->group(group);
    app.add_option("--max-rating", max_rating,
                   "highest rating allowed, and the model's output scale (default: the format's, or the data's)")
        ->group(group);
    app.add_option("--duplicates", duplicates,
                   "a (user,item) pair on several lines: error (default) | last (its last rating) | mean | count "
                   "(implicit events: the rating is the number of lines)")
        ->group(group);
}

void DataOptions::add_eval_data(CLI::App& app) {
    app.add_option("--eval-data", eval_data,
                   "evaluate on this ratings file (read like --data) and train on --data whole; ids it has that "
                   "training has not are counted and reported");
}

namespace {

char parse_delimiter(const std::string& s) {
    if (s == "tab" || s == "\\t" || s == "\t") return '\t';
    if (s == "comma") return ',';
    if (s == "semicolon") return ';';
    if (s == "pipe") return '|';
    if (s == "space") return ' ';
    if (s.size() != 1)
        throw UsageError("--delimiter: expected one character (or tab, comma, semicolon, pipe, space), got '" + s +
                         "'");
    if (s[0] == '"' || s[0] == '\n' || s[0] == '\r')
        throw UsageError("--delimiter: a quote or a newline cannot separate fields");
    return s[0];
}

void check_column(const std::string& flag, const std::string& value) {
    if (value.empty()) return;
    bool digits = true;
    for (char c : value) digits &= c >= '0' && c <= '9';
    if (digits && (value.size() > 9 || std::stoul(value) == 0))
        throw UsageError(flag + ": column numbers start at 1, got " + value);
}

}  // namespace

ReadOptions DataOptions::read_options() const {
    ReadOptions ro;
    const bool delimited = !delimiter.empty() || !user_column.empty() || !item_column.empty() ||
                           !rating_column.empty() || no_header;
    if (delimited) ro.format = RatingFormat::Delimited;
    if (!delimiter.empty()) ro.delimited.delimiter = parse_delimiter(delimiter);
    check_column("--user-column", user_column);
    check_column("--item-column", item_column);
    check_column("--rating-column", rating_column);
    if (!user_column.empty()) ro.delimited.user_column = user_column;
    if (!item_column.empty()) ro.delimited.item_column = item_column;
    if (!rating_column.empty()) ro.delimited.rating_column = rating_column;
    ro.delimited.has_header = !no_header;
    for (const auto& [flag, value] : {std::pair{"--min-rating", min_rating}, std::pair{"--max-rating", max_rating}})
        if (value && !std::isfinite(*value))
            throw UsageError(std::string(flag) + ": expected a finite number");
    if (min_rating) ro.min_rating = static_cast<float>(*min_rating);
    if (max_rating) ro.max_rating = static_cast<float>(*max_rating);
    if (min_rating && max_rating && *min_rating > *max_rating)
        throw UsageError("--min-rating " + std::to_string(*min_rating) + " is above --max-rating " +
                         std::to_string(*max_rating));
    if (!duplicates.empty()) {
        try {
            ro.duplicates = parse_duplicate_policy(duplicates);
        } catch (const ConfigError&) {
            throw UsageError("--duplicates: expected error, last, mean or count, got '" + duplicates + "'");
        }
    }
    if (!rating_column.empty() && ro.duplicates == DuplicatePolicy::Count)
        throw UsageError("--rating-column and --duplicates count: counting events reads no rating column");
    return ro;
}

bool DataOptions::any_read_flag() const {
    return !delimiter.empty() || !user_column.empty() || !item_column.empty() || !rating_column.empty() ||
           no_header || min_rating || max_rating || !duplicates.empty();
}

ReadingInfo DataOptions::reading_info() const {
    const ReadOptions ro = read_options();
    ReadingInfo r;
    r.delimited = ro.format == RatingFormat::Delimited;
    if (r.delimited) r.columns = ro.delimited;
    r.duplicates = ro.duplicates;
    r.min_given = min_rating.has_value();
    r.max_given = max_rating.has_value();
    return r;
}

void DataOptions::use_reading(const ReadingInfo& r, float min, float max) {
    if (r.delimited) {
        delimiter = std::string(1, r.columns.delimiter);
        user_column = r.columns.user_column;
        item_column = r.columns.item_column;
        rating_column = r.columns.rating_column;
        no_header = !r.columns.has_header;
        // Counting events reads no rating column: the recorded default name is not a given column.
        if (r.duplicates == DuplicatePolicy::Count) rating_column.clear();
    }
    if (r.duplicates != DuplicatePolicy::Error) duplicates = to_string(r.duplicates);
    if (r.min_given) min_rating = min;
    if (r.max_given) max_rating = max;
}

void warn(const Warn& to, const std::string& message) {
    if (to)
        to(message);
    else
        std::fprintf(stderr, "memrec: %s\n", message.c_str());
}

std::string reading_flags(const ReadingInfo& r, float min, float max) {
    std::string s;
    if (r.delimited) {
        const char d = r.columns.delimiter;
        const std::string delim = d == '\t' ? "tab" : d == ' ' ? "space" : std::string(1, d);
        s = "--delimiter '" + delim + "' --user-column '" + r.columns.user_column + "' --item-column '" +
            r.columns.item_column + "'";
        if (r.duplicates != DuplicatePolicy::Count) s += " --rating-column '" + r.columns.rating_column + "'";
        if (!r.columns.has_header) s += " --no-header";
    }
    if (r.duplicates != DuplicatePolicy::Error) s += std::string(s.empty() ? "" : " ") + "--duplicates " + to_string(r.duplicates);
    if (r.min_given) s += (s.empty() ? "" : " ") + std::string("--min-rating ") + shortest_number(min);
    if (r.max_given) s += (s.empty() ? "" : " ") + std::string("--max-rating ") + shortest_number(max);
    return s;
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

std::string data_scale_text(const Dataset& d, const DataOptions& opts) {
    char buf[160];
    const char* source = d.scale_source == "data"    ? " (from the data)"
                         : d.scale_source == "given" ? " (given)"
                                                     : "";
    std::snprintf(buf, sizeof buf, "scale %g..%g%s", d.min_rating, d.max_rating, source);
    std::string s = buf;
    if (!opts.duplicates.empty() && opts.duplicates != "error")
        s += ", " + format_count(d.merged_lines) + " lines merged (--duplicates " + opts.duplicates + ")";
    return s;
}

Dataset load_data(const DataOptions& opts, bool quiet) {
    const auto t0 = std::chrono::steady_clock::now();
    Dataset d = read_dataset(opts.resolve(), opts.read_options());
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (!quiet)
        std::printf("data: %s (%s): %s ratings, %s users, %s items, %s, read in %.2f s\n", d.ratings_path.c_str(),
                    d.format.c_str(), format_count(int64_t(d.size())).c_str(), format_count(d.users.size()).c_str(),
                    format_count(d.items.size()).c_str(), data_scale_text(d, opts).c_str(), s);
    return d;
}

}  // namespace memrec::cli
