// A visitor's ratings as `memrec recommend` takes them: "1193:5,661:3" on the command line, or a file of
// lines "item,rating" or "item:rating" (raw item ids), resolved to the model's dense indices.
#pragma once

#include <string>
#include <vector>

#include "memrec/model_file.h"
#include "memrec/visitor.h"

namespace memrec::cli {

struct RawRating {
    std::string item;
    float rating = 0;
};

// "1193:5,661:3,..." (spaces around entries ignored). Throws Error on an entry that is not item:rating.
std::vector<RawRating> parse_ratings_list(const std::string& text);

// One rating a line, "item,rating" or "item:rating"; blank lines, lines starting with '#' and a header
// line "item,rating" are skipped. Throws Error naming the file and line of anything else.
std::vector<RawRating> read_ratings_file(const std::string& path);

// The ratings by dense item index, in the given order. Throws Error naming every id the model lacks.
std::vector<VisitorRating> resolve_ratings(const ModelFile& file, const std::vector<RawRating>& raw);

}  // namespace memrec::cli
