#include "visitor_ratings.h"

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "memrec/error.h"

namespace memrec::cli {

namespace {
std::string trim(const std::string& s) {
    const size_t b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos) return "";
    return s.substr(b, s.find_last_not_of(" \t\r") - b + 1);
}

// "item<sep>rating" with sep ':' or ','; false when it is not that.
bool parse_entry(const std::string& entry, RawRating& out) {
    const size_t sep = entry.find_first_of(":,");
    if (sep == std::string::npos) return false;
    out.item = trim(entry.substr(0, sep));
    const std::string value = trim(entry.substr(sep + 1));
    char* end = nullptr;
    out.rating = std::strtof(value.c_str(), &end);
    return !out.item.empty() && !value.empty() && *end == '\0' && std::isfinite(out.rating);
}
}  // namespace

std::vector<RawRating> parse_ratings_list(const std::string& text) {
    std::vector<RawRating> out;
    size_t start = 0;
    while (start <= text.size()) {
        const size_t comma = std::min(text.find(',', start), text.size());
        const std::string entry = trim(text.substr(start, comma - start));
        RawRating r;
        if (!parse_entry(entry, r))
            throw Error("--ratings: '" + entry + "' is not item:rating (e.g. --ratings 1193:5,661:3)");
        out.push_back(r);
        start = comma + 1;
    }
    return out;
}

std::vector<RawRating> read_ratings_file(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot open ratings file " + path);
    std::vector<RawRating> out;
    std::string line;
    for (int n = 1; std::getline(in, line); ++n) {
        line = trim(line);
        if (line.empty() || line[0] == '#' || (n == 1 && line == "item,rating")) continue;
        RawRating r;
        if (!parse_entry(line, r))
            throw Error(path + ":" + std::to_string(n) + ": '" + line + "' is not item,rating or item:rating");
        out.push_back(r);
    }
    return out;
}

std::vector<VisitorRating> resolve_ratings(const ModelFile& file, const std::vector<RawRating>& raw) {
    std::vector<VisitorRating> out;
    std::string unknown;
    int missing = 0;
    for (const RawRating& r : raw) {
        const int32_t i = file.items.find(r.item);
        if (i < 0) {
            unknown += (missing++ ? ", " : "") + r.item;
            continue;
        }
        out.push_back({i, r.rating});
    }
    if (missing)
        throw Error(std::string(missing == 1 ? "item id" : "item ids") + " not in the model: " + unknown);
    return out;
}

}  // namespace memrec::cli
