// read_dataset: from a MovieLens folder or a ratings file to a Dataset with titles. The parsers live in
// reader_ratings.cpp and reader_titles.cpp.
#include "memrec/reader.h"

#include <filesystem>
#include <limits>
#include <string>

#include "reader_chunks.h"
#include "reader_text.h"

namespace memrec {

namespace fs = std::filesystem;

ReadOptions::ReadOptions()
    : min_rating(std::numeric_limits<float>::quiet_NaN()),
      max_rating(std::numeric_limits<float>::quiet_NaN()) {}

namespace {

struct KnownRatingsFile {
    const char* name;
    RatingFormat format;
};

// In order of preference: a folder holding several (unusual) gets the first.
constexpr KnownRatingsFile kRatingsFiles[] = {
    {"ratings.dat", RatingFormat::MovieLensDat},
    {"u.data", RatingFormat::MovieLens100k},
    {"ratings.csv", RatingFormat::MovieLensCsv},
};

// The titles file GroupLens ships beside each ratings layout; "" for generic delimited files.
const char* titles_file_for(const std::string& format) {
    if (format == "movielens-dat") return "movies.dat";
    if (format == "movielens-100k") return "u.item";
    if (format == "movielens-csv") return "movies.csv";
    return "";
}

}  // namespace

std::pair<std::string, RatingFormat> find_ratings_file(const std::string& folder) {
    std::error_code ec;
    const auto status = fs::status(folder, ec);
    if (!fs::exists(status)) throw DataError(folder, 0, "no such folder");
    if (!fs::is_directory(status)) throw DataError(folder, 0, "not a folder");
    std::string looked_for;
    for (const auto& known : kRatingsFiles) {
        const fs::path candidate = fs::path(folder) / known.name;
        if (fs::is_regular_file(candidate, ec)) return {candidate.string(), known.format};
        looked_for += (looked_for.empty() ? "" : ", ") + std::string(known.name);
    }
    throw DataError(folder, 0, "no known ratings file in this folder (looked for " + looked_for + ")");
}

Dataset read_dataset(const std::string& path, const ReadOptions& options) {
    std::string file = path;
    RatingFormat format = options.format;
    std::error_code ec;
    if (fs::is_directory(path, ec)) {
        auto [found, detected] = find_ratings_file(path);
        file = std::move(found);
        if (format == RatingFormat::Auto) format = detected;
    }

    Dataset dataset;
    bool streamed = false;
    try {
        streamed = detail::read_ratings_file(file, format, options, dataset);
    } catch (...) {
        streamed = false;  // read whole below, which says exactly what is wrong
    }
    if (!streamed) {
        dataset = Dataset();
        const detail::FileText text(file);
        parse_ratings(text.view(), file, format, options, dataset);
    }
    dataset.ratings_path = file;

    const std::string titles_name = titles_file_for(dataset.format);
    if (options.read_titles && !titles_name.empty()) {
        const fs::path titles = fs::path(file).parent_path() / titles_name;
        if (fs::is_regular_file(titles, ec)) dataset.titles = read_titles(titles.string(), dataset.items);
    }
    return dataset;
}

}  // namespace memrec
