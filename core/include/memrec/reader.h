// Readers for MovieLens rating files and titles. Every malformed line is an error naming the file, the
// line and what is wrong (memrec::DataError): nothing is dropped silently.
#pragma once

#include <string>
#include <vector>

#include "memrec/dataset.h"

namespace memrec {

enum class RatingFormat {
    Auto,          // from the file name / folder contents
    MovieLensDat,  // UserID::MovieID::Rating[::Timestamp]  (ml-1m, ml-10m)
    MovieLens100k, // user \t item \t rating \t timestamp  (u.data)
    MovieLensCsv,  // header "userId,movieId,rating,timestamp", CRLF tolerated (ml-latest)
    Delimited,     // any delimiter with a header naming the columns (see DelimitedOptions)
};

// For RatingFormat::Delimited: which columns hold the user, item and rating. A column is named by its
// header text or by its 1-based position ("3"); a header field that matches the text exactly wins over the
// position. Without a header (`has_header` false) columns are positions, and the default names mean
// columns 1, 2 and 3. Ids are opaque strings (SKUs, e-mail hashes): any UTF-8 text without control
// characters, compared byte for byte after trimming unquoted spaces.
struct DelimitedOptions {
    char delimiter = ',';
    std::string user_column = "user";
    std::string item_column = "item";
    std::string rating_column = "rating";
    bool has_header = true;
};

// What to do with a (user, item) pair that appears on more than one line.
//   Error: refuse the file, naming both lines (rating files rate each pair once).
//   Last:  the pair's rating is that of its last line.
//   Mean:  the pair's rating is the mean of its lines' ratings.
//   Count: implicit events: each line is one event and the pair's rating is the number of lines naming it
//          (1, 2, 3...). The rating column is not read (it may be absent); the scale is 1..the highest
//          count unless min_rating/max_rating are given, and then a count outside them is an error.
// Merged pairs keep the position of their first line; Dataset::merged_lines says how many lines went.
enum class DuplicatePolicy { Error, Last, Mean, Count };
const char* to_string(DuplicatePolicy policy);
DuplicatePolicy parse_duplicate_policy(const std::string& s);  // "error", "last", "mean", "count"; ConfigError

struct ReadOptions {
    RatingFormat format = RatingFormat::Auto;
    DelimitedOptions delimited;
    DuplicatePolicy duplicates = DuplicatePolicy::Error;
    // Accepted rating range; NaN means "the format's own scale" (1..5 for ml-1m/100k, 0.5..5 for ml-latest;
    // for Delimited files, any finite value, with the scale taken from the data).
    float min_rating;
    float max_rating;
    bool read_titles = true;  // look for movies.dat / u.item / movies.csv beside the ratings
    ReadOptions();
};

// `path` is a MovieLens folder (the ratings file is found and its format detected) or a ratings file.
Dataset read_dataset(const std::string& path, const ReadOptions& options = {});

// Parses ratings from memory; `name` is used in error messages. Appends to `dataset`.
void parse_ratings(std::string_view text, const std::string& name, RatingFormat format,
                   const ReadOptions& options, Dataset& dataset);

// Reads titles from movies.dat (latin-1, "::"), u.item (latin-1, "|") or movies.csv (UTF-8, quoted CSV),
// returned as UTF-8 and indexed by `items` (ids not in the vocabulary are ignored; items with no title get
// ""). Throws DataError on malformed lines.
std::vector<std::string> read_titles(const std::string& path, const Vocabulary& items);

// The ratings file inside a MovieLens folder and its format; throws DataError if there is none.
std::pair<std::string, RatingFormat> find_ratings_file(const std::string& folder);

}  // namespace memrec
