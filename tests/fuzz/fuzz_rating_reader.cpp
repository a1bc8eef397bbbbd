// libFuzzer target: parse_ratings on arbitrary text in each rating format (the first byte picks the
// format). Every input must either parse or be refused with a DataError naming the line; anything else is
// a bug. A parsed dataset must be consistent: one user, item and rating per line, indices in range. Cut into
// several chunks (the readers' private plan), the text must give the same dataset or the same error.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "memrec/error.h"
#include "memrec/reader.h"
#include "reader_chunks.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    memrec::ReadOptions options;
    memrec::RatingFormat format = memrec::RatingFormat::MovieLensDat;
    switch (data[0] % 6) {
        case 0: format = memrec::RatingFormat::MovieLensDat; break;
        case 1: format = memrec::RatingFormat::MovieLens100k; break;
        case 2: format = memrec::RatingFormat::MovieLensCsv; break;
        case 3: format = memrec::RatingFormat::Delimited; break;
        case 4:
            format = memrec::RatingFormat::Delimited;
            options.delimited.delimiter = '\t';
            options.delimited.user_column = "userId";
            options.delimited.item_column = "movieId";
            break;
        case 5:
            format = memrec::RatingFormat::MovieLensDat;
            options.min_rating = 0.5f;
            options.max_rating = 10.0f;
            break;
    }
    const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
    memrec::Dataset d, cut;
    std::string error, cut_error;
    try {
        memrec::parse_ratings(text, "fuzz", format, options, d);
    } catch (const memrec::DataError& e) {
        error = e.what();
    }
    try {
        memrec::detail::parse_ratings(text, "fuzz", format, options, cut, {2 + size % 5, 1});
    } catch (const memrec::DataError& e) {
        cut_error = e.what();
    }
    if (error != cut_error) std::abort();
    if (!error.empty()) return 0;
    if (d.user != cut.user || d.item != cut.item || d.rating != cut.rating || d.users.ids() != cut.users.ids() ||
        d.items.ids() != cut.items.ids() || d.min_rating != cut.min_rating || d.max_rating != cut.max_rating)
        std::abort();
    if (d.user.size() != d.rating.size() || d.item.size() != d.rating.size()) std::abort();
    for (size_t i = 0; i < d.size(); ++i)
        if (d.user[i] < 0 || d.user[i] >= d.users.size() || d.item[i] < 0 || d.item[i] >= d.items.size())
            std::abort();
    return 0;
}
