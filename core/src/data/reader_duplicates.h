// Private to the readers: refusing a ratings file that rates the same (user, item) pair twice.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "memrec/dataset.h"
#include "memrec/reader.h"

namespace memrec::detail {

// Throws DataError at the second of the first repeated (user, item) pair among dataset's ratings from
// index `first` on, naming the line of the first one too. `text` is what they were parsed from, one rating
// per non-blank line after a header line when `has_header`; it is only scanned again to name the lines.
// Costs one bit per (user, item) cell when that is at most 8 bytes per rating; otherwise one pass with a
// stamp per item when each user's ratings are consecutive lines (MovieLens files), else 4 bytes per rating
// to bucket them by user.
// The index (from `first`) of the earliest rating whose (user, item) pair an earlier one already rated, or
// dataset.size() - first if none is. reject_duplicate_ratings's search, without naming lines.
size_t first_repeat(const Dataset& dataset, size_t first);

void reject_duplicate_ratings(std::string_view text, const std::string& name, bool has_header,
                              const Dataset& dataset, size_t first);

// Merges the ratings from index `first` on that share a (user, item) pair into the pair's first one, by
// `policy` (Last, Mean or Count; see DuplicatePolicy), keeping file order otherwise. With Count every
// rating becomes its pair's number of lines. Returns how many ratings were merged away. Sorts 12 bytes
// per rating.
int64_t merge_duplicate_ratings(Dataset& dataset, size_t first, DuplicatePolicy policy);

}  // namespace memrec::detail
