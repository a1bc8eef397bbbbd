// Private to the readers: refusing a ratings file that rates the same (user, item) pair twice.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "memrec/dataset.h"

namespace memrec::detail {

// Throws DataError at the second of the first repeated (user, item) pair among dataset's ratings from
// index `first` on, naming the line of the first one too. `text` is what they were parsed from, one rating
// per non-blank line after a header line when `has_header`; it is only scanned again to name the lines.
// Costs one bit per (user, item) cell or 8 bytes per rating, whichever is less, and one pass.
void reject_duplicate_ratings(std::string_view text, const std::string& name, bool has_header,
                              const Dataset& dataset, size_t first);

}  // namespace memrec::detail
