// Private to the readers: loading a whole text file, walking its lines, splitting fields and parsing
// numbers without per-line allocations. The hot helpers are inline because the ratings scanner calls them
// a few million times per file.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "memrec/error.h"

namespace memrec::detail {

// No legitimate line of a ratings or titles file comes near this; a longer one means binary or broken input.
constexpr size_t kMaxLineBytes = size_t{1} << 20;

// The whole file as bytes. DataError(path) if it is missing, a directory or unreadable.
std::string read_text_file(const std::string& path);

// The whole file, without a copy when it can be: a regular file is mapped read-only (its pages come
// straight from the page cache, with no zeroed buffer and no copy: on a 25M-rating file that was most of
// the reading time), anything else (a pipe, /proc) is read as read_text_file does. A file truncated by
// another process while mapped would fault; rating files are not written while memrec reads them.
class FileText {
public:
    explicit FileText(const std::string& path);  // DataError as read_text_file
    ~FileText();
    FileText(const FileText&) = delete;
    FileText& operator=(const FileText&) = delete;
    std::string_view view() const { return map_ ? std::string_view(static_cast<const char*>(map_), size_) : copy_; }

private:
    void* map_ = nullptr;
    size_t size_ = 0;
    std::string copy_;
};

// The last component of a path ("ratings.dat" for "/x/ml-1m/ratings.dat").
std::string_view file_name(std::string_view path);

// `text` without a leading UTF-8 byte-order mark.
std::string_view strip_bom(std::string_view text);

// Throws DataError naming the line of the first NUL byte: text formats never hold one, binary files do.
void reject_nul_bytes(std::string_view text, const std::string& file);

// `field` for an error message: in quotes, non-printable bytes as \xNN, cut after 40 bytes.
std::string quoted(std::string_view field);

// A number for an error message: "5", "0.5", "1e+30".
std::string format_number(double value);

bool is_valid_utf8(std::string_view text);
std::string latin1_to_utf8(std::string_view text);

// `s` without leading and trailing spaces and tabs.
std::string_view trim(std::string_view s);

// Walks the lines of an in-memory file, counting them from 1 for error messages.
class LineScanner {
  public:
    // `lines_before`: how many lines of the file come before `text` (a chunk of it), for line numbers.
    LineScanner(std::string_view text, const std::string& file, int64_t lines_before = 0)
        : p_(text.data()), end_(text.data() + text.size()), file_(file), line_(lines_before) {}

    // Next line without its "\n" or "\r\n"; false at the end of the text. The last line needs no newline.
    bool next(std::string_view& line) {
        if (p_ == end_) return false;
        const auto* nl = static_cast<const char*>(std::memchr(p_, '\n', static_cast<size_t>(end_ - p_)));
        const char* stop = nl != nullptr ? nl : end_;
        ++line_;
        if (static_cast<size_t>(stop - p_) > kMaxLineBytes) fail("line longer than 1 MB");
        line = std::string_view(p_, static_cast<size_t>(stop - p_));
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        p_ = nl != nullptr ? nl + 1 : end_;
        return true;
    }

    int64_t line_number() const { return line_; }
    // Where the next line starts (the end of the text after the last one).
    const char* position() const { return p_; }
    const std::string& file() const { return file_; }
    [[noreturn]] void fail(const std::string& message) const { throw DataError(file_, line_, message); }

  private:
    const char* p_;
    const char* end_;
    const std::string& file_;
    int64_t line_ = 0;
};

// Empty or only spaces and tabs.
inline bool is_blank(std::string_view line) {
    for (char c : line)
        if (c != ' ' && c != '\t') return false;
    return true;
}

// The next line that is not blank, or false at the end: a header is the first non-blank line.
inline bool next_nonblank(LineScanner& lines, std::string_view& line) {
    while (lines.next(line))
        if (!is_blank(line)) return true;
    return false;
}

// Splits `line` at every occurrence of `sep` (one or more bytes). Stores the first `max_fields` fields in
// `fields` and returns how many fields the line has, so a caller can report "got 7" without storing 7.
inline size_t split_fields(std::string_view line, std::string_view sep, std::string_view* fields,
                           size_t max_fields) {
    size_t count = 0;
    const char* p = line.data();
    const char* const end = p + line.size();
    if (sep.size() == 1) {  // the common case (',', tabs): fields are short, a plain loop beats memchr calls
        const char c = sep[0];
        const char* start = p;
        for (; p != end; ++p) {
            if (*p != c) continue;
            if (count < max_fields) fields[count] = std::string_view(start, static_cast<size_t>(p - start));
            ++count;
            start = p + 1;
        }
        if (count < max_fields) fields[count] = std::string_view(start, static_cast<size_t>(end - start));
        return count + 1;
    }
    for (;;) {
        const char* hit = p;
        for (;;) {
            hit = static_cast<const char*>(std::memchr(hit, sep[0], static_cast<size_t>(end - hit)));
            if (hit == nullptr || (static_cast<size_t>(end - hit) >= sep.size() &&
                                   std::memcmp(hit, sep.data(), sep.size()) == 0))
                break;
            ++hit;
        }
        const char* stop = hit != nullptr ? hit : end;
        if (count < max_fields) fields[count] = std::string_view(p, static_cast<size_t>(stop - p));
        ++count;
        if (hit == nullptr) return count;
        p = hit + sep.size();
    }
}

// Digits only, at least one, fitting in 64 bits (a MovieLens id or timestamp).
inline bool parse_uint(std::string_view s, uint64_t& value) {
    if (s.empty() || s.size() > 19) return false;
    uint64_t v = 0;
    for (char c : s) {
        const auto d = static_cast<unsigned>(c - '0');
        if (d > 9) return false;
        v = v * 10 + d;
    }
    value = v;
    return true;
}

enum class NumberStatus { Ok, NotANumber, NotFinite };

// Decimal number in the general format ([+-]digits[.digits][e[+-]digits]); no hex, no spaces.
NumberStatus parse_number_slow(std::string_view s, double& value);

// Ratings are almost always "4", "4.0" or "3.5": those skip the general parser.
inline NumberStatus parse_number(std::string_view s, double& value) {
    if (s.size() == 1) {
        const auto d = static_cast<unsigned>(s[0] - '0');
        if (d <= 9) {
            value = d;
            return NumberStatus::Ok;
        }
    } else if (s.size() == 3 && s[1] == '.') {
        const auto whole = static_cast<unsigned>(s[0] - '0');
        const char tenth = s[2];
        if (whole <= 9 && (tenth == '0' || tenth == '5')) {
            value = whole + (tenth == '5' ? 0.5 : 0.0);
            return NumberStatus::Ok;
        }
    }
    return parse_number_slow(s, value);
}

// The rating in `text` ("4", "3.5", "4.25e0"), or DataError(file, line) saying what is wrong with it: not
// a number, not finite, or beyond float's range (ratings are kept as floats).
double parse_rating(std::string_view text, const std::string& file, int64_t line);

// "rating 7 outside the scale 1..5"
std::string scale_message(double value, double lo, double hi);

// "expected 3 or 4 fields separated by '::', got 2"
std::string field_count_message(size_t min, size_t max, std::string_view separator, size_t got);

// Splits one line of CSV with RFC 4180 quoting ("a, b" and "" for a quote inside quotes). Records do not
// span lines here: neither MovieLens nor the rating files we read put newlines inside quotes. The fields
// live in buffers reused from line to line, so a steady stream of lines does not allocate.
class CsvSplitter {
  public:
    // False (with error() saying why) for an unterminated quote or text after a closing quote.
    bool split(std::string_view line, char delimiter);
    size_t size() const { return count_; }
    std::string_view operator[](size_t i) const { return fields_[i]; }
    // Whether field i was quoted (so its spaces are content, not padding).
    bool quoted(size_t i) const { return was_quoted_[i] != 0; }
    const std::string& error() const { return error_; }

  private:
    std::string& next_field();
    size_t split_quoted(std::string_view line, size_t pos, char delimiter);

    std::vector<std::string> fields_;
    std::vector<char> was_quoted_;
    size_t count_ = 0;
    std::string error_;
};

}  // namespace memrec::detail
