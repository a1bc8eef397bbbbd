// Synthetic rating files of a chosen shape, for measuring memrec at scales the MovieLens files here do not
// reach (MovieLens-25M: 162,541 users, 59,047 items, 25,000,095 ratings) without redistributing them.
//
// The shape follows what makes real rating data hard to train on quickly: item popularity and user
// activity are power laws (a few items and users hold most ratings, so rows are touched very unevenly),
// every user has at least `min_per_user` ratings (as MovieLens guarantees 20), no pair is rated twice, and
// the ratings come from a low-rank model plus noise (global mean, user and item biases, a dot product of
// `rank` factors), rounded to the scale, so a model has something to learn and a wrong one shows.
//
// Everything is drawn from memrec's own generator (rng.h): a seed gives the same file on every platform.
#pragma once

#include <cstdint>
#include <functional>
#include <string_view>

namespace memrec {

struct SynthConfig {
    int64_t users = 6040;
    int64_t items = 3706;
    int64_t ratings = 1000209;
    int64_t min_per_user = 20;  // every user rates at least this many items (users * min <= ratings)
    double item_skew = 1.0;     // item popularity of the r-th most popular item ~ r^-item_skew (Zipf)
    double user_skew = 0.5;     // extra ratings of the r-th most active user ~ r^-user_skew
    int rank = 8;               // factors of the low-rank model behind the ratings
    double noise = 0.5;         // standard deviation of the noise added before rounding
    bool half_stars = false;    // 0.5..5 in halves (as MovieLens-25M) rather than whole stars 1..5
    uint64_t seed = 42;

    // Throws ConfigError naming the setting: counts positive, ratings <= users * items / 2 (so the
    // distinct pairs can be drawn), users * min_per_user <= ratings, and so on.
    void validate() const;
};

enum class SynthFormat {
    MovieLensCsv,  // "userId,movieId,rating,timestamp" with a header, as MovieLens-25M's ratings.csv
    MovieLensDat,  // "user::item::rating::timestamp", as ml-1m's ratings.dat
};

// Generates the file's text user by user (ids 1..users and 1..items; item ids do not follow popularity)
// and passes it to `sink` in pieces of about a megabyte, so a 25M-rating file never sits in memory whole.
// Returns the number of ratings written (config.ratings).
int64_t generate_ratings(const SynthConfig& config, SynthFormat format,
                         const std::function<void(std::string_view)>& sink);

}  // namespace memrec
