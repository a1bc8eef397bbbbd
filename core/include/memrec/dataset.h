// Ratings data: parsed (user, item, rating) columns, the vocabularies that map raw ids to dense indices,
// and optional movie titles. Readers for every MovieLens layout live in reader.h.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace memrec {

// Raw ids (as written in the file) mapped to dense indices 0..size()-1 in order of first appearance,
// which is what the reference's StringLookup vocabulary does.
class Vocabulary {
public:
    // Index of `id`, adding it at the end if new.
    int32_t add(std::string_view id);
    // Index of `id`, or -1 if unknown.
    int32_t find(std::string_view id) const;
    const std::string& id(int32_t index) const { return ids_[static_cast<size_t>(index)]; }
    const std::vector<std::string>& ids() const { return ids_; }
    int32_t size() const { return static_cast<int32_t>(ids_.size()); }
    void reserve(size_t n);

private:
    std::vector<std::string> ids_;
    std::unordered_map<std::string, int32_t> index_;
};

// Columns of a ratings file, one entry per rating, in file order.
struct Dataset {
    Vocabulary users;
    Vocabulary items;
    std::vector<int32_t> user;   // dense user index per rating
    std::vector<int32_t> item;   // dense item index per rating
    std::vector<float> rating;   // rating value
    float min_rating = 1.0f;     // the data's rating scale (e.g. 1..5 or 0.5..5)
    float max_rating = 5.0f;
    // Titles by dense item index ("" where the titles file had none); empty if no titles were read.
    std::vector<std::string> titles;
    std::string ratings_path;    // the file the ratings came from
    std::string format;          // "movielens-dat", "movielens-100k", "movielens-csv", "delimited"
    std::string scale_source;    // where min/max_rating came from: "format", "given" or "data"
    int64_t merged_lines = 0;    // lines merged into an earlier line's pair (DuplicatePolicy other than Error)

    size_t size() const { return rating.size(); }
    // Number of ratings per dense item index.
    std::vector<int64_t> item_counts() const;
};

}  // namespace memrec
