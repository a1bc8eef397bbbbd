// Private to the readers: the MovieLens layouts (ratings.dat, u.data, ratings.csv), parsed in chunks on
// several threads. Each chunk writes its ratings straight into the dataset's columns with raw ids; one
// pass in file order then maps raw ids to dense indices (order of first appearance), so the result does
// not depend on how the file was cut. The first malformed line in file order is the error reported.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "memrec/dataset.h"
#include "reader_chunks.h"

namespace memrec::detail {

// User, item, rating and an optional timestamp, with integer ids.
struct MovieLensLayout {
    std::string_view separator;       // "::", "\t" or ","
    std::string_view separator_name;  // for messages: "'::'", "tabs", "','"
    size_t min_fields;
    size_t max_fields;
};

// The accepted rating range. With `widen_half_stars` (ratings.dat without a given minimum), the first half
// star (1.5, 0.5, ...) lowers `lo` to 0.5 from its line on: ml-10m's "::" file has half stars from 0.5.
struct MovieLensScale {
    double lo;
    double hi;
    bool widen_half_stars;
};

// Parses the lines of `chunks` (cut from `source` by cut_into_chunks) from byte `body` on (after a header;
// `body_lines_before` lines precede it), appending to `dataset`. Returns the scale the data ended on (lo
// is 0.5 if a half star widened it). Throws DataError at the first malformed line, leaving `dataset`'s
// columns as they were (its vocabularies are only touched once every line has parsed).
MovieLensScale parse_movielens(const Source& source, const std::vector<Chunk>& chunks, size_t body,
                               int64_t body_lines_before, const MovieLensLayout& layout, const MovieLensScale& scale,
                               unsigned threads, Dataset& dataset);

}  // namespace memrec::detail
