// The readers on the real MovieLens sets in $MEMREC_DATA. Expected counts and histograms come from
// ../shared/data/SOURCES.md and the GroupLens READMEs; the ml-1m reconstruction's histogram was counted with
// awk (it is the full set's 1:56174 2:107557 3:261197 4:348971 5:226310 less the 28 ratings left out).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "memrec/reader.h"
#include "test_files.h"

using memrec::Dataset;
using memrec_test::data_path;

namespace {

std::map<float, int64_t> histogram(const Dataset& d) {
    std::map<float, int64_t> h;
    for (const float r : d.rating) ++h[r];
    return h;
}

// The title of the movie with raw id `id`, or "<not rated>".
std::string title_of(const Dataset& d, const std::string& id) {
    const int32_t index = d.items.find(id);
    return index < 0 ? "<not rated>" : d.titles[static_cast<size_t>(index)];
}

size_t nonempty_titles(const Dataset& d) {
    size_t n = 0;
    for (const auto& t : d.titles) n += t.empty() ? 0 : 1;
    return n;
}

}  // namespace

TEST_CASE("ml-1m folder: reconstructed ratings.dat and latin-1 movies.dat", "[data][reader]") {
    const Dataset d = memrec::read_dataset(data_path("ml-1m"));
    CHECK(d.format == "movielens-dat");
    CHECK(d.size() == 1000181);
    CHECK(d.users.size() == 6040);
    CHECK(d.items.size() == 3692);
    CHECK(d.min_rating == 1.0f);
    CHECK(d.max_rating == 5.0f);
    // First line of the reconstruction (sorted by user, movie): 1::1::5.
    CHECK(d.users.id(d.user[0]) == "1");
    CHECK(d.items.id(d.item[0]) == "1");
    CHECK(d.rating[0] == 5.0f);
    CHECK(histogram(d) ==
          std::map<float, int64_t>{{1, 56173}, {2, 107554}, {3, 261186}, {4, 348961}, {5, 226307}});

    // Every rated movie is in movies.dat; line 73 holds the latin-1 byte 0xE9.
    REQUIRE(d.titles.size() == 3692);
    CHECK(nonempty_titles(d) == 3692);
    CHECK(title_of(d, "1") == "Toy Story (1995)");
    CHECK(title_of(d, "73") == "Mis\xC3\xA9rables, Les (1995)");
}

TEST_CASE("ml-1m exact prefix: the 4-field layout with timestamps", "[data][reader]") {
    const Dataset d = memrec::read_dataset(data_path("ml-1m/ratings_users_0001-2999_exact.dat"));
    CHECK(d.format == "movielens-dat");
    CHECK(d.size() == 487650);
    CHECK(d.users.size() == 2999);
    // First line: 1::1193::5::978300760.
    CHECK(d.users.id(d.user[0]) == "1");
    CHECK(d.items.id(d.item[0]) == "1193");
    CHECK(d.rating[0] == 5.0f);
    CHECK(histogram(d) ==
          std::map<float, int64_t>{{1, 27472}, {2, 53838}, {3, 127216}, {4, 170579}, {5, 108545}});
    CHECK(title_of(d, "1193") == "One Flew Over the Cuckoo's Nest (1975)");
}

TEST_CASE("ml-100k folder: u.data and latin-1 u.item", "[data][reader]") {
    const Dataset d = memrec::read_dataset(data_path("ml-100k"));
    CHECK(d.format == "movielens-100k");
    CHECK(d.size() == 100000);
    CHECK(d.users.size() == 943);
    CHECK(d.items.size() == 1682);
    CHECK(d.min_rating == 1.0f);
    CHECK(d.max_rating == 5.0f);
    // First line: 196\t242\t3\t881250949.
    CHECK(d.users.id(d.user[0]) == "196");
    CHECK(d.items.id(d.item[0]) == "242");
    CHECK(histogram(d) ==
          std::map<float, int64_t>{{1, 6110}, {2, 11370}, {3, 27145}, {4, 34174}, {5, 21201}});
    REQUIRE(d.titles.size() == 1682);
    CHECK(nonempty_titles(d) == 1682);
    CHECK(title_of(d, "1633") == "\xC3\x81 k\xC3\xB6ldum klaka (Cold Fever) (1994)");
}

TEST_CASE("ml-latest-small folder: CRLF ratings.csv with half stars and quoted movies.csv",
          "[data][reader]") {
    const Dataset d = memrec::read_dataset(data_path("ml-latest-small"));
    CHECK(d.format == "movielens-csv");
    CHECK(d.size() == 100836);
    CHECK(d.users.size() == 610);
    CHECK(d.items.size() == 9724);
    CHECK(d.min_rating == 0.5f);
    CHECK(d.max_rating == 5.0f);
    CHECK(histogram(d) == std::map<float, int64_t>{{0.5f, 1370},
                                                   {1.0f, 2811},
                                                   {1.5f, 1791},
                                                   {2.0f, 7551},
                                                   {2.5f, 5550},
                                                   {3.0f, 20047},
                                                   {3.5f, 13136},
                                                   {4.0f, 26818},
                                                   {4.5f, 8551},
                                                   {5.0f, 13211}});
    REQUIRE(d.titles.size() == 9724);
    CHECK(nonempty_titles(d) == 9724);
    CHECK(title_of(d, "11") == "American President, The (1995)");
    CHECK(title_of(d, "7789") == "11'09\"01 - September 11 (2002)");
}

TEST_CASE("ratings files read directly, without their folder", "[data][reader]") {
    CHECK(memrec::read_dataset(data_path("ml-100k/u.data")).size() == 100000);
    CHECK(memrec::read_dataset(data_path("ml-latest-small/ratings.csv")).size() == 100836);
}
