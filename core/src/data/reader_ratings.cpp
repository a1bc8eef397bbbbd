// Ratings parsers: MovieLens "::" files, u.data, ml-latest ratings.csv and generic delimited files with a
// header. The MovieLens layouts are the hot path (ml-25m is 25 million lines): they are parsed in chunks on
// every core (reader_movielens.cpp). Delimited files are read line by line here: fields are views into the
// text, ratings like "4" or "3.5" skip the float parser, and integer ids map to dense indices through a
// direct array.
//
// Blank lines (empty or only spaces/tabs) are skipped wherever they are: they hold no rating, so skipping
// them drops nothing. Every other malformed line is a DataError naming the file and the 1-based line (the
// first one in the file). A DataError leaves `dataset` as it was for the MovieLens layouts, and holding
// whatever came before the bad line for delimited files; callers discard it.
#if !defined(__EMSCRIPTEN__)
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include "memrec/reader.h"
#include "reader_chunks.h"
#include "reader_duplicates.h"
#include "reader_movielens.h"
#include "reader_text.h"

namespace memrec {
namespace {

using detail::Chunk;
using detail::ChunkPlan;
using detail::LineScanner;
using detail::MovieLensLayout;
using detail::MovieLensScale;

// Raw ids to dense indices for one parse. Canonical non-negative integers below kDirectLimit go through a
// direct array (value -> dense index); everything else, and the first sight of each integer, goes to the
// vocabulary, which also knows ids added by earlier parses into the same dataset.
class IdIndex {
  public:
    explicit IdIndex(Vocabulary& vocab) : vocab_(vocab) {}

    // Dense index of an id made of digits, added if new; -1 if `id` is empty or not all digits.
    int32_t numeric(std::string_view id) {
        if (id.empty()) return -1;
        if (id.size() > 9) {  // too big for the array (and for uint32): validate and go by text
            for (char c : id)
                if (c < '0' || c > '9') return -1;
            return vocab_.add(id);
        }
        uint32_t value = 0;
        for (char c : id) {
            const auto d = static_cast<uint32_t>(c - '0');
            if (d > 9) return -1;
            value = value * 10 + d;
        }
        // With leading zeros the raw text is not the number's text ("007" is its own id, not "7").
        if (value >= kDirectLimit || (id[0] == '0' && id.size() > 1)) return vocab_.add(id);
        if (value >= direct_.size())
            direct_.resize(std::min<size_t>(std::max<size_t>(value + 1, direct_.size() * 2), kDirectLimit),
                           -1);
        int32_t& slot = direct_[value];
        if (slot < 0) slot = vocab_.add(id);
        return slot;
    }

    // Dense index of any id text (delimited files); integer ids still take the fast path.
    int32_t any(std::string_view id) {
        const int32_t index = numeric(id);
        return index >= 0 ? index : vocab_.add(id);
    }

  private:
    static constexpr uint32_t kDirectLimit = uint32_t{1} << 22;  // at most 16 MB of slots

    Vocabulary& vocab_;
    std::vector<int32_t> direct_;
};

// The accepted rating range of one parse and the scale it reports. Bounds not fixed by the format or the
// options are taken from the data (Delimited files).
class RatingScale {
  public:
    RatingScale(float min, float max, bool half_stars_widen)
        : lo_(std::isnan(min) ? -kInf : min),
          hi_(std::isnan(max) ? kInf : max),
          lo_from_data_(std::isnan(min)),
          hi_from_data_(std::isnan(max)),
          half_stars_widen_(half_stars_widen) {}

    void check(double value, const LineScanner& at) {
        // MovieLens "::" files are whole stars (1..5) except ml-10m's, which has half stars from 0.5.
        if (half_stars_widen_ && value != std::floor(value) && value * 2 == std::floor(value * 2) &&
            value >= 0.5) {
            lo_ = std::min(lo_, 0.5);
            half_stars_widen_ = false;
        }
        if (value < lo_ || value > hi_)
            at.fail(detail::scale_message(value, lo_, hi_));
        seen_min_ = std::min(seen_min_, value);
        seen_max_ = std::max(seen_max_, value);
    }

    float min() const { return static_cast<float>(lo_from_data_ ? seen_min_ : lo_); }
    float max() const { return static_cast<float>(hi_from_data_ ? seen_max_ : hi_); }

  private:
    static constexpr double kInf = std::numeric_limits<double>::infinity();
    double lo_, hi_;
    bool lo_from_data_, hi_from_data_;
    bool half_stars_widen_;
    double seen_min_ = kInf, seen_max_ = -kInf;
};

// The accepted rating range of a format under `options` (NaN: from the data), and whether half stars
// widen it (ratings.dat without a given minimum: ml-10m's has half stars from 0.5).
struct ScaleSpec {
    float min, max;
    bool widen_half_stars;
};

ScaleSpec scale_for(RatingFormat format, const ReadOptions& options) {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    float min = nan, max = nan;
    switch (format) {
        case RatingFormat::MovieLensDat:
        case RatingFormat::MovieLens100k:
            min = 1, max = 5;
            break;
        case RatingFormat::MovieLensCsv:
            min = 0.5f, max = 5;
            break;
        default:
            break;  // Delimited: from the data
    }
    const bool given_min = !std::isnan(options.min_rating);
    if (given_min) min = options.min_rating;
    if (!std::isnan(options.max_rating)) max = options.max_rating;
    if (min > max)
        throw ConfigError("rating scale: min_rating " + detail::format_number(min) + " is above max_rating " +
                          detail::format_number(max));
    return {min, max, format == RatingFormat::MovieLensDat && !given_min};
}

// Where one parse appends its ratings.
class RatingSink {
  public:
    RatingSink(Dataset& dataset, RatingScale scale)
        : users(dataset.users),
          items(dataset.items),
          dataset_(dataset),
          scale_(scale),
          start_(dataset.size()) {}

    double rating(std::string_view text, const LineScanner& at) {
        const double value = detail::parse_rating(text, at.file(), at.line_number());
        scale_.check(value, at);
        return value;
    }

    void append(int32_t user, int32_t item, double rating) {
        dataset_.user.push_back(user);
        dataset_.item.push_back(item);
        dataset_.rating.push_back(static_cast<float>(rating));
    }

    size_t added() const { return dataset_.size() - start_; }
    const RatingScale& scale() const { return scale_; }

    IdIndex users;
    IdIndex items;

  private:
    Dataset& dataset_;
    RatingScale scale_;
    size_t start_;
};

std::string separator_name(char delimiter) {
    if (delimiter == '\t') return "tabs";
    return std::string("'") + delimiter + "'";
}

// Column positions of a delimited file, from its header or, without one, from its first line's width.
// `rating` is kNone when the rating column is not read (DuplicatePolicy::Count without one).
struct DelimitedColumns {
    static constexpr size_t kNone = static_cast<size_t>(-1);
    size_t user, item, rating, count;
};

std::string_view unpadded(const detail::CsvSplitter& csv, size_t i) {
    return csv.quoted(i) ? csv[i] : detail::trim(csv[i]);
}

bool all_digits(std::string_view s) {
    if (s.empty() || s.size() > 9) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

// The 0-based position of `wanted` among the `count` columns, `count` when it is not there: a header field
// equal to it, else a 1-based position. Without a header, `fallback` (1-based) stands for the default name.
size_t find_column(const std::string& wanted, const char* default_name, size_t fallback,
                   const detail::CsvSplitter* header, size_t count, const LineScanner& at) {
    if (header != nullptr) {
        size_t found = count;
        for (size_t i = 0; i < count; ++i) {
            if (unpadded(*header, i) != wanted) continue;
            if (found != count) at.fail("column " + detail::quoted(wanted) + " appears twice in the header");
            found = i;
        }
        if (found != count) return found;
    } else if (wanted == default_name) {
        return fallback - 1 < count ? fallback - 1 : count;
    }
    if (all_digits(wanted)) {
        const size_t position = static_cast<size_t>(std::stoul(wanted));
        if (position == 0) throw ConfigError("column numbers start at 1, got column 0");
        return position - 1 < count ? position - 1 : count;
    }
    if (header == nullptr)
        throw ConfigError("column " + detail::quoted(wanted) +
                          ": a file without a header names its columns by number (1, 2, ...)");
    return count;
}

DelimitedColumns find_columns(const detail::CsvSplitter* header, size_t count, const DelimitedOptions& options,
                              bool rating_optional, const LineScanner& at) {
    const std::string* wanted[3] = {&options.user_column, &options.item_column, &options.rating_column};
    const char* defaults[3] = {"user", "item", "rating"};
    const char* roles[3] = {"user", "item", "rating"};
    size_t found[3];
    std::string missing;
    for (int w = 0; w < 3; ++w) {
        found[w] = find_column(*wanted[w], defaults[w], static_cast<size_t>(w) + 1, header, count, at);
        if (found[w] == count && !(w == 2 && rating_optional))
            missing += (missing.empty() ? "" : ", ") + detail::quoted(*wanted[w]);
    }
    if (!missing.empty()) {
        if (header == nullptr)
            at.fail("no column " + missing + ": the first line has " + std::to_string(count) + " fields");
        std::string names;
        for (size_t i = 0; i < count; ++i) names += (i ? ", " : "") + detail::quoted(unpadded(*header, i));
        at.fail("header has no column " + missing + " (its columns: " + names +
                "); name the user, item and rating columns by header name or 1-based number (memrec: "
                "--user-column, --item-column, --rating-column; --no-header when the first line is data)");
    }
    for (int a = 0; a < 3; ++a)
        for (int b = a + 1; b < 3; ++b)
            if (found[a] == found[b] && found[a] != count)
                throw ConfigError(std::string("the ") + roles[a] + " and " + roles[b] + " columns are the same column (" +
                                  std::to_string(found[a] + 1) + ")");
    return {found[0], found[1], found[2] == count ? DelimitedColumns::kNone : found[2], count};
}

// Delimited files may use any id text, but not text that would garble a message or a model file.
std::string_view checked_id(std::string_view id, const char* what, const LineScanner& at) {
    if (id.empty()) at.fail(std::string("empty ") + what + " id");
    for (char c : id)
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F)
            at.fail(std::string(what) + " id " + detail::quoted(id) + " contains a control character");
    if (!detail::is_valid_utf8(id))
        at.fail(std::string(what) + " id " + detail::quoted(id) + " is not valid UTF-8");
    return id;
}

void parse_delimited(LineScanner& lines, const DelimitedOptions& options, bool rating_optional,
                     RatingSink& sink) {
    const char delimiter = options.delimiter;
    if (delimiter == '"' || delimiter == '\n' || delimiter == '\r' || delimiter == '\0')
        throw ConfigError("delimited options: the delimiter cannot be a quote, a newline or NUL");
    std::string_view line;
    detail::CsvSplitter csv;
    DelimitedColumns columns{};
    bool have_columns = false;
    if (options.has_header) {
        if (!detail::next_nonblank(lines, line)) return;
        if (!csv.split(line, delimiter)) lines.fail("header: " + csv.error());
        columns = find_columns(&csv, csv.size(), options, rating_optional, lines);
        have_columns = true;
    }
    while (lines.next(line)) {
        if (detail::is_blank(line)) continue;
        if (!csv.split(line, delimiter)) lines.fail(csv.error());
        if (!have_columns) {
            columns = find_columns(nullptr, csv.size(), options, rating_optional, lines);
            have_columns = true;
        }
        if (csv.size() != columns.count)
            lines.fail(
                detail::field_count_message(columns.count, columns.count, separator_name(delimiter), csv.size()));
        const int32_t user = sink.users.any(checked_id(unpadded(csv, columns.user), "user", lines));
        const int32_t item = sink.items.any(checked_id(unpadded(csv, columns.item), "item", lines));
        const double rating =
            columns.rating == DelimitedColumns::kNone ? 1.0 : sink.rating(unpadded(csv, columns.rating), lines);
        sink.append(user, item, rating);
    }
}

// The first non-blank line, "" if there is none. A line over 1 MB throws here as it would when parsed.
std::string_view first_line(std::string_view text, const std::string& name) {
    LineScanner lines(text, name);
    std::string_view line;
    return detail::next_nonblank(lines, line) ? line : std::string_view();
}

// Content decides when it is unambiguous ("::", the ml-latest header), then the name, then the look of the
// first line; anything else is a generic delimited file with a header.
RatingFormat detect_format(const std::string& name, std::string_view text) {
    const std::string_view first = first_line(text, name);
    if (first.find("::") != std::string_view::npos) return RatingFormat::MovieLensDat;
    if (first.rfind("userId,movieId,rating", 0) == 0) return RatingFormat::MovieLensCsv;
    if (detail::file_name(name) == "u.data") return RatingFormat::MovieLens100k;
    const size_t tab = first.find('\t');
    uint64_t id;
    if (tab != std::string_view::npos && detail::parse_uint(first.substr(0, tab), id))
        return RatingFormat::MovieLens100k;
    return RatingFormat::Delimited;
}

const char* format_name(RatingFormat format) {
    switch (format) {
        case RatingFormat::MovieLensDat:
            return "movielens-dat";
        case RatingFormat::MovieLens100k:
            return "movielens-100k";
        case RatingFormat::MovieLensCsv:
            return "movielens-csv";
        default:
            return "delimited";
    }
}

}  // namespace

const char* to_string(DuplicatePolicy policy) {
    switch (policy) {
        case DuplicatePolicy::Last: return "last";
        case DuplicatePolicy::Mean: return "mean";
        case DuplicatePolicy::Count: return "count";
        default: return "error";
    }
}

DuplicatePolicy parse_duplicate_policy(const std::string& s) {
    for (DuplicatePolicy p : {DuplicatePolicy::Error, DuplicatePolicy::Last, DuplicatePolicy::Mean, DuplicatePolicy::Count})
        if (s == to_string(p)) return p;
    throw ConfigError("duplicates: expected error, last, mean or count, got " + detail::quoted(s));
}

void parse_ratings(std::string_view text, const std::string& name, RatingFormat format,
                   const ReadOptions& options, Dataset& dataset) {
    detail::parse_ratings(text, name, format, options, dataset, detail::default_plan(text.size()));
}

namespace detail {

namespace {
void parse_text(std::string_view text, const std::string& name, RatingFormat format, const ReadOptions& options,
                Dataset& dataset, const ChunkPlan& plan);
// After the lines: the duplicate policy, the scale, the format's name. Without `text` (a streamed file), a
// repeated pair throws a DataError that does not name its lines.
void finish_ratings(Dataset& dataset, size_t first, RatingFormat format, const ReadOptions& options,
                    float min_rating, float max_rating, const std::string& name, const std::string_view* text);
}  // namespace

void parse_ratings(std::string_view text, const std::string& name, RatingFormat format, const ReadOptions& options,
                   Dataset& dataset, const ChunkPlan& plan) {
    text = detail::strip_bom(text);  // no NUL or newline in it: line numbers stay
    try {
        parse_text(text, name, format, options, dataset, plan);
    } catch (...) {
        // A NUL byte says "binary data" whatever else failed first. The MovieLens layouts refuse every
        // line holding one, so their text is only searched when something failed; a delimited file's
        // unchecked columns may hold anything, so it is searched before parsing.
        reject_nul_bytes(text, name);
        throw;
    }
}

bool read_ratings_file(const std::string& path, RatingFormat format, const ReadOptions& options, Dataset& dataset) {
#if defined(__EMSCRIPTEN__)
    (void)path, (void)format, (void)options, (void)dataset;
    return false;
#else
    if (format == RatingFormat::Delimited) return false;
    Source source;
    source.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (source.fd < 0) return false;
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{source.fd};
    struct stat st {};
    if (::fstat(source.fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) return false;
    source.size = static_cast<size_t>(st.st_size);
    source.name = path;

    // The head: the byte-order mark, the format and the header come from its first non-blank line, which
    // must end inside it.
    std::string head(std::min<size_t>(source.size, size_t{1} << 16), '\0');
    read_bytes(source, 0, head.data(), head.size());
    const std::string_view text = strip_bom(head);
    LineScanner lines(text, path);
    std::string_view first;
    if (!next_nonblank(lines, first)) return false;
    if (lines.position() == text.data() + text.size() && head.size() < source.size) return false;
    if (format == RatingFormat::Auto) format = detect_format(path, text);
    MovieLensLayout layout{"::", "'::'", 3, 4};
    size_t body = 0;
    int64_t body_lines_before = 0;
    if (format == RatingFormat::MovieLens100k) {
        layout = {"\t", "tabs", 3, 4};
    } else if (format == RatingFormat::MovieLensCsv) {
        if (first == "userId,movieId,rating,timestamp") {
            layout = {",", "','", 4, 4};
        } else if (first == "userId,movieId,rating") {
            layout = {",", "','", 3, 3};
        } else {
            return false;
        }
        body = static_cast<size_t>(lines.position() - text.data());
        body_lines_before = lines.line_number();
    } else if (format != RatingFormat::MovieLensDat) {
        return false;
    }
    source.base = head.size() - text.size();
    source.size -= source.base;

    ReadOptions line_options = options;  // counts are checked once merged (as parse_text does)
    if (options.duplicates == DuplicatePolicy::Count)
        line_options.min_rating = line_options.max_rating = std::numeric_limits<float>::quiet_NaN();
    const ScaleSpec spec = scale_for(format, line_options);
    const ChunkPlan plan = default_plan(source.size);
    const std::vector<Chunk> chunks = cut_into_chunks(source, plan, false);
    const size_t before = dataset.size();
    const MovieLensScale scale = parse_movielens(source, chunks, body, body_lines_before, layout,
                                                 {spec.min, spec.max, spec.widen_half_stars}, plan.threads, dataset);
    finish_ratings(dataset, before, format, options, static_cast<float>(scale.lo), static_cast<float>(scale.hi), path,
                   nullptr);
    return true;
#endif
}

namespace {

void parse_text(std::string_view text, const std::string& name, RatingFormat format, const ReadOptions& options,
                Dataset& dataset, const ChunkPlan& plan) {
    if (format == RatingFormat::Auto) format = detect_format(name, text);
    const detail::Source source = detail::Source::memory(text, name);
    const std::vector<Chunk> chunks = cut_into_chunks(source, plan, format == RatingFormat::Delimited);
    const bool counting = options.duplicates == DuplicatePolicy::Count;
    // Counts are checked against the scale once merged, not line by line.
    ReadOptions line_options = options;
    if (counting) line_options.min_rating = line_options.max_rating = std::numeric_limits<float>::quiet_NaN();
    const ScaleSpec spec = scale_for(format, line_options);
    const size_t before = dataset.size();
    float min_rating = 0, max_rating = 0;

    if (format == RatingFormat::Delimited) {
        size_t lines = 0;  // one rating per line at most: one allocation per column
        for (const Chunk& chunk : chunks) lines += chunk.lines;
        dataset.user.reserve(before + lines);
        dataset.item.reserve(before + lines);
        dataset.rating.reserve(before + lines);
        RatingSink sink(dataset, RatingScale(spec.min, spec.max, spec.widen_half_stars));
        LineScanner lines_of_text(text, name);
        parse_delimited(lines_of_text, options.delimited, counting, sink);
        min_rating = sink.scale().min();
        max_rating = sink.scale().max();
    } else {
        MovieLensLayout layout{"::", "'::'", 3, 4};
        if (format == RatingFormat::MovieLens100k) layout = {"\t", "tabs", 3, 4};
        size_t body = 0;
        int64_t body_lines_before = 0;
        bool has_body = true;
        if (format == RatingFormat::MovieLensCsv) {
            LineScanner lines(text, name);
            std::string_view header;
            has_body = detail::next_nonblank(lines, header);
            if (header == "userId,movieId,rating,timestamp") {
                layout = {",", "','", 4, 4};
            } else if (header == "userId,movieId,rating") {
                layout = {",", "','", 3, 3};
            } else if (has_body) {
                lines.fail("expected the header 'userId,movieId,rating,timestamp', got " + detail::quoted(header));
            }
            body = static_cast<size_t>(lines.position() - text.data());
            body_lines_before = lines.line_number();
        }
        MovieLensScale scale{spec.min, spec.max, spec.widen_half_stars};
        if (has_body)
            scale = parse_movielens(source, chunks, body, body_lines_before, layout, scale, plan.threads, dataset);
        min_rating = static_cast<float>(scale.lo);
        max_rating = static_cast<float>(scale.hi);
    }
    finish_ratings(dataset, before, format, options, min_rating, max_rating, name, &text);
}

void finish_ratings(Dataset& dataset, size_t first, RatingFormat format, const ReadOptions& options,
                    float min_rating, float max_rating, const std::string& name, const std::string_view* text) {
    if (dataset.size() == first) throw DataError(name, 0, "no ratings");
    const bool has_header =
        format == RatingFormat::MovieLensCsv || (format == RatingFormat::Delimited && options.delimited.has_header);
    dataset.format = format_name(format);
    const bool counting = options.duplicates == DuplicatePolicy::Count;
    if (options.duplicates == DuplicatePolicy::Error) {
        if (text != nullptr) {
            detail::reject_duplicate_ratings(*text, name, has_header, dataset, first);
        } else if (detail::first_repeat(dataset, first) != dataset.size() - first) {
            throw DataError(name, 0, "a (user, item) pair is rated twice");  // the caller reads the text to say where
        }
    } else {
        dataset.merged_lines += detail::merge_duplicate_ratings(dataset, first, options.duplicates);
    }
    const bool given = !std::isnan(options.min_rating) || !std::isnan(options.max_rating);
    if (counting) {
        float top = 1;
        for (size_t k = first; k < dataset.size(); ++k) top = std::max(top, dataset.rating[k]);
        const float lo = std::isnan(options.min_rating) ? 1.0f : options.min_rating;
        const float hi = std::isnan(options.max_rating) ? top : options.max_rating;
        if (lo > hi)
            throw ConfigError("rating scale: min_rating " + detail::format_number(lo) + " is above max_rating " +
                              detail::format_number(hi));
        for (size_t k = first; k < dataset.size(); ++k)
            if (dataset.rating[k] < lo || dataset.rating[k] > hi)
                throw DataError(name, 0,
                                "user " + detail::quoted(dataset.users.id(dataset.user[k])) + " and item " +
                                    detail::quoted(dataset.items.id(dataset.item[k])) + " have " +
                                    detail::format_number(dataset.rating[k]) + " events, outside the scale " +
                                    detail::format_number(lo) + ".." + detail::format_number(hi) +
                                    " (leave the scale out to take it from the counts)");
        dataset.min_rating = lo;
        dataset.max_rating = hi;
        dataset.scale_source = given ? "given" : "data";
        return;
    }
    dataset.min_rating = min_rating;
    dataset.max_rating = max_rating;
    dataset.scale_source = given ? "given" : format == RatingFormat::Delimited ? "data" : "format";
}

}  // namespace

}  // namespace detail

}  // namespace memrec
