// libFuzzer target: parse_ratings on arbitrary text as a delimited file with the options the command line
// offers (--delimiter, --user/--item/--rating-column by name or number, --no-header, --min/--max-rating,
// --duplicates), all chosen by the first four bytes. Every input must parse or be refused with a DataError
// or ConfigError; a parsed dataset must be consistent (indices in range, no pair twice after merging, every
// rating inside the reported scale).
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "memrec/error.h"
#include "memrec/reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    memrec::ReadOptions options;
    options.format = memrec::RatingFormat::Delimited;
    const char delimiters[] = {',', '\t', ';', '|', ' ', ':'};
    options.delimited.delimiter = delimiters[data[0] % 6];
    const char* names[] = {"user", "item", "rating", "1", "2", "3", "4", "score"};
    options.delimited.user_column = names[data[1] & 7];
    options.delimited.item_column = names[(data[1] >> 3) & 7];
    options.delimited.rating_column = names[(data[2] & 7)];
    options.delimited.has_header = (data[2] & 8) == 0;
    const memrec::DuplicatePolicy policies[] = {memrec::DuplicatePolicy::Error, memrec::DuplicatePolicy::Last,
                                                memrec::DuplicatePolicy::Mean, memrec::DuplicatePolicy::Count};
    options.duplicates = policies[(data[2] >> 4) & 3];
    if (data[3] & 1) options.min_rating = 1.0f;
    if (data[3] & 2) options.max_rating = 5.0f;
    const std::string_view text(reinterpret_cast<const char*>(data + 4), size - 4);
    memrec::Dataset d;
    try {
        memrec::parse_ratings(text, "fuzz", options.format, options, d);
    } catch (const memrec::DataError&) {
        return 0;
    } catch (const memrec::ConfigError&) {
        return 0;
    }
    if (d.user.size() != d.rating.size() || d.item.size() != d.rating.size()) std::abort();
    std::set<std::pair<int32_t, int32_t>> pairs;
    for (size_t i = 0; i < d.size(); ++i) {
        if (d.user[i] < 0 || d.user[i] >= d.users.size() || d.item[i] < 0 || d.item[i] >= d.items.size())
            std::abort();
        if (!pairs.insert({d.user[i], d.item[i]}).second) std::abort();
        if (!std::isfinite(d.rating[i]) || d.rating[i] < d.min_rating || d.rating[i] > d.max_rating) std::abort();
    }
    return 0;
}
