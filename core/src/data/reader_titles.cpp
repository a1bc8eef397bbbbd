// Movie titles: movies.dat ("MovieID::Title::Genres", latin-1), u.item ("id|title|date|...", latin-1) and
// movies.csv ("movieId,title,genres", UTF-8, RFC 4180 quotes). Returned as UTF-8 by dense item index.
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "memrec/reader.h"
#include "reader_text.h"

namespace memrec {
namespace {

using detail::LineScanner;

enum class TitlesLayout { Dat, Pipe, Csv };

TitlesLayout titles_layout(std::string_view path, std::string_view text) {
    const std::string_view name = detail::file_name(path);
    auto ends_with = [&](std::string_view suffix) {
        return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix;
    };
    if (ends_with(".csv")) return TitlesLayout::Csv;
    if (ends_with(".item")) return TitlesLayout::Pipe;
    if (ends_with(".dat")) return TitlesLayout::Dat;
    const std::string_view first = text.substr(0, text.find('\n'));
    if (first.find("::") != std::string_view::npos) return TitlesLayout::Dat;
    if (first.find('|') != std::string_view::npos) return TitlesLayout::Pipe;
    return TitlesLayout::Csv;
}

// Collects titles by dense item index, checking each movie id once.
class TitleTable {
  public:
    explicit TitleTable(const Vocabulary& items)
        : items_(items), titles_(static_cast<size_t>(items.size())) {}

    void add(std::string_view id, std::string_view title, const LineScanner& at) {
        uint64_t value;
        if (!detail::parse_uint(id, value))
            at.fail("movie id " + detail::quoted(id) + " is not a non-negative integer");
        const auto [it, inserted] = first_line_.try_emplace(std::string(id), at.line_number());
        if (!inserted)
            at.fail("movie id " + std::string(id) + " listed twice (first on line " +
                    std::to_string(it->second) + ")");
        const int32_t index = items_.find(id);
        if (index >= 0) titles_[static_cast<size_t>(index)] = std::string(title);
    }

    size_t count() const { return first_line_.size(); }
    std::vector<std::string> take() { return std::move(titles_); }

  private:
    const Vocabulary& items_;
    std::vector<std::string> titles_;
    std::unordered_map<std::string, int64_t> first_line_;  // movie id -> line it was listed on
};

// MovieID::Title::Genres. The title is everything between the first and the last "::".
void read_dat(LineScanner& lines, TitleTable& table) {
    std::string_view line;
    while (lines.next(line)) {
        if (detail::is_blank(line)) continue;
        const size_t first = line.find("::");
        const size_t last = line.rfind("::");
        if (first == std::string_view::npos || first == last) {
            const size_t n = detail::split_fields(line, "::", nullptr, 0);
            lines.fail("expected 3 fields separated by '::' (MovieID::Title::Genres), got " +
                       std::to_string(n));
        }
        table.add(line.substr(0, first), line.substr(first + 2, last - first - 2), lines);
    }
}

// id|title|release date|video release date|IMDb URL|19 genre flags. Only the first two fields matter.
void read_pipe(LineScanner& lines, TitleTable& table) {
    std::string_view line;
    while (lines.next(line)) {
        if (detail::is_blank(line)) continue;
        const size_t first = line.find('|');
        if (first == std::string_view::npos)
            lines.fail("expected fields separated by '|' (id|title|release date|...), got 1");
        const size_t second = line.find('|', first + 1);
        const size_t title_end = second == std::string_view::npos ? line.size() : second;
        table.add(line.substr(0, first), line.substr(first + 1, title_end - first - 1), lines);
    }
}

size_t header_column(const detail::CsvSplitter& header, std::string_view name, const LineScanner& at) {
    for (size_t i = 0; i < header.size(); ++i)
        if (header[i] == name) return i;
    at.fail("header has no column " + detail::quoted(name) + " (expected 'movieId,title,genres')");
}

// movieId,title,genres with quoted titles ("American President, The (1995)", "" for a quote).
void read_csv(LineScanner& lines, TitleTable& table) {
    std::string_view line;
    if (!detail::next_nonblank(lines, line)) return;
    detail::CsvSplitter csv;
    if (!csv.split(line, ',')) lines.fail("header: " + csv.error());
    const size_t columns = csv.size();
    const size_t id_column = header_column(csv, "movieId", lines);
    const size_t title_column = header_column(csv, "title", lines);
    while (lines.next(line)) {
        if (detail::is_blank(line)) continue;
        if (!detail::is_valid_utf8(line)) lines.fail("invalid UTF-8 (movies.csv must be UTF-8)");
        if (!csv.split(line, ',')) lines.fail(csv.error());
        if (csv.size() != columns)
            lines.fail("expected " + std::to_string(columns) + " fields separated by ',', got " +
                       std::to_string(csv.size()));
        table.add(csv[id_column], csv[title_column], lines);
    }
}

}  // namespace

std::vector<std::string> read_titles(const std::string& path, const Vocabulary& items) {
    const std::string raw = detail::read_text_file(path);
    detail::reject_nul_bytes(raw, path);
    const std::string_view text = detail::strip_bom(raw);
    TitleTable table(items);
    const TitlesLayout layout = titles_layout(path, text);
    if (layout == TitlesLayout::Csv) {
        LineScanner lines(text, path);
        read_csv(lines, table);
    } else {
        // movies.dat and u.item are latin-1 as GroupLens ships them. A file that is valid UTF-8 was
        // converted already (latin-1 accents are almost never valid UTF-8), so it is used as it is.
        const std::string utf8 =
            detail::is_valid_utf8(text) ? std::string(text) : detail::latin1_to_utf8(text);
        LineScanner lines(utf8, path);
        if (layout == TitlesLayout::Dat) {
            read_dat(lines, table);
        } else {
            read_pipe(lines, table);
        }
    }
    if (table.count() == 0) throw DataError(path, 0, "no titles");
    return table.take();
}

}  // namespace memrec
