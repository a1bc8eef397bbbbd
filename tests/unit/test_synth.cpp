// Synthetic rating files: the shape asked for, read back by the readers, the same for a seed, and refused
// settings named.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <set>
#include <string>

#include "memrec/error.h"
#include "memrec/io.h"
#include "memrec/reader.h"
#include "memrec/synth.h"
#include "test_files.h"

using namespace memrec;

namespace {

std::string generate(const SynthConfig& c, SynthFormat f) {
    std::string text;
    size_t pieces = 0;
    generate_ratings(c, f, [&](std::string_view piece) {
        text.append(piece);
        ++pieces;
    });
    REQUIRE(pieces >= 1);
    return text;
}

SynthConfig small() {
    SynthConfig c;
    c.users = 300;
    c.items = 500;
    c.ratings = 20000;
    c.min_per_user = 10;
    return c;
}

}  // namespace

TEST_CASE("synth: the shape asked for, read back as MovieLens files", "[synth]") {
    const SynthConfig c = small();
    for (const SynthFormat f : {SynthFormat::MovieLensCsv, SynthFormat::MovieLensDat}) {
        Dataset d;
        parse_ratings(generate(c, f), f == SynthFormat::MovieLensCsv ? "ratings.csv" : "ratings.dat",
                      RatingFormat::Auto, ReadOptions{}, d);  // the reader refuses a pair rated twice
        CHECK(d.format == (f == SynthFormat::MovieLensCsv ? "movielens-csv" : "movielens-dat"));
        CHECK(int64_t(d.size()) == c.ratings);
        CHECK(d.users.size() == c.users);
        CHECK(d.items.size() <= c.items);
        CHECK(d.items.size() > c.items * 9 / 10);
        CHECK(d.min_rating == (f == SynthFormat::MovieLensCsv ? 0.5f : 1.0f));  // each format's own scale
        CHECK(d.max_rating == 5.0f);

        std::vector<int64_t> per_user(size_t(c.users), 0);
        for (int32_t u : d.user) ++per_user[size_t(u)];
        CHECK(*std::min_element(per_user.begin(), per_user.end()) >= c.min_per_user);
        CHECK(*std::max_element(per_user.begin(), per_user.end()) <= c.items / 2);
        // Power laws: the busiest user rates far more than the median one, the most popular item far more.
        std::sort(per_user.begin(), per_user.end());
        CHECK(per_user.back() > 3 * per_user[per_user.size() / 2]);
        std::vector<int64_t> counts = d.item_counts();
        std::sort(counts.begin(), counts.end());
        CHECK(counts.back() > 10 * counts[counts.size() / 2]);  // the top item saturates at every user

        // Every star is used, and the mean is MovieLens-like.
        std::set<float> stars(d.rating.begin(), d.rating.end());
        CHECK(stars == std::set<float>{1, 2, 3, 4, 5});
        double mean = 0;
        for (float r : d.rating) mean += r;
        mean /= double(d.size());
        CHECK(mean > 3.2);
        CHECK(mean < 4.0);
    }
}

TEST_CASE("synth: half stars and every user at the floor", "[synth]") {
    SynthConfig c = small();
    c.half_stars = true;
    c.ratings = c.users * c.min_per_user;  // nothing beyond the floor to share
    Dataset d;
    parse_ratings(generate(c, SynthFormat::MovieLensCsv), "ratings.csv", RatingFormat::Auto, ReadOptions{}, d);
    CHECK(int64_t(d.size()) == c.ratings);
    CHECK(d.min_rating == 0.5f);
    CHECK(std::any_of(d.rating.begin(), d.rating.end(), [](float r) { return r != float(int(r)); }));
    std::vector<int64_t> per_user(size_t(c.users), 0);
    for (int32_t u : d.user) ++per_user[size_t(u)];
    CHECK(std::all_of(per_user.begin(), per_user.end(), [&](int64_t n) { return n == c.min_per_user; }));
}

TEST_CASE("synth: users at the cap take what the others cannot", "[synth]") {
    SynthConfig c = small();
    c.user_skew = 3;  // the busiest users would want far more than half the items
    c.ratings = 40000;
    Dataset d;
    parse_ratings(generate(c, SynthFormat::MovieLensDat), "r.dat", RatingFormat::Auto, ReadOptions{}, d);
    CHECK(int64_t(d.size()) == c.ratings);
    std::vector<int64_t> per_user(size_t(c.users), 0);
    for (int32_t u : d.user) ++per_user[size_t(u)];
    CHECK(*std::max_element(per_user.begin(), per_user.end()) == c.items / 2);
}

TEST_CASE("synth: a seed gives the same file, another seed another", "[synth]") {
    SynthConfig c = small();
    const std::string a = generate(c, SynthFormat::MovieLensCsv);
    CHECK(generate(c, SynthFormat::MovieLensCsv) == a);
    c.seed = 7;
    CHECK(generate(c, SynthFormat::MovieLensCsv) != a);
}

TEST_CASE("synth: settings that cannot make a file are named", "[synth]") {
    auto refused = [](auto change, const std::string& words) {
        SynthConfig c = small();
        change(c);
        CHECK_THROWS_WITH(c.validate(), Catch::Contains(words));
    };
    refused([](SynthConfig& c) { c.users = 0; }, "users must be");
    refused([](SynthConfig& c) { c.ratings = 100; }, "ratings (100) must be at least users times");
    refused([](SynthConfig& c) { c.ratings = 300 * 251; }, "at most users times half the items (75000)");
    refused([](SynthConfig& c) { c.min_per_user = 251; }, "at most half the items (250)");
    refused([](SynthConfig& c) { c.rank = 0; }, "rank must be");
    refused([](SynthConfig& c) { c.item_skew = -1; }, "item skew");
}

TEST_CASE("io: a file written in pieces, and a failing producer leaves the old file", "[io]") {
    memrec_test::TempDir dir;
    const std::string path = dir.write("out.csv", "old\n");
    write_file_atomic(path, [](const ByteSink& write) {
        write("a,");
        write("b\n");
    });
    CHECK(read_file(path) == "a,b\n");
    CHECK_THROWS_WITH(write_file_atomic(path,
                                        [](const ByteSink& write) {
                                            write("partial");
                                            throw Error("generator failed");
                                        }),
                      "generator failed");
    CHECK(read_file(path) == "a,b\n");
    for (const auto& e : std::filesystem::directory_iterator(dir.path()))
        CHECK(e.path().filename() == "out.csv");  // no temporary left behind
}
