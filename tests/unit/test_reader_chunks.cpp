// The MovieLens layouts are parsed in chunks on several threads and streamed from files: whatever the
// cut, the dataset (ids in order of first appearance, columns, scale) and the first error are those of one
// chunk on one thread.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "memrec/dataset.h"
#include "memrec/error.h"
#include "memrec/reader.h"
#include "reader_chunks.h"
#include "test_files.h"

using memrec::Dataset;
using memrec::RatingFormat;
using memrec::ReadOptions;
using memrec_test::TempDir;

namespace {

// The dataset, or the error's what(), of parsing `text` by `plan`.
std::string outcome(const std::string& text, RatingFormat format, const memrec::detail::ChunkPlan& plan,
                    const ReadOptions& options = {}) {
    Dataset d;
    try {
        memrec::detail::parse_ratings(text, "r", format, options, d, plan);
    } catch (const memrec::Error& e) {
        return std::string("error: ") + e.what();
    }
    std::string s = d.format + " " + std::to_string(d.min_rating) + ".." + std::to_string(d.max_rating) + " " +
                    d.scale_source + " merged " + std::to_string(d.merged_lines) + "\nusers";
    for (const auto& id : d.users.ids()) s += " " + id;
    s += "\nitems";
    for (const auto& id : d.items.ids()) s += " " + id;
    for (size_t k = 0; k < d.size(); ++k)
        s += "\n" + std::to_string(d.user[k]) + " " + std::to_string(d.item[k]) + " " + std::to_string(d.rating[k]);
    return s;
}

// Every cut of `text` into 1..9 chunks, on 1 to 3 threads, gives what one chunk gives.
void check_cuts(const std::string& text, RatingFormat format, const std::string& expect_prefix,
                const ReadOptions& options = {}) {
    const std::string whole = outcome(text, format, {1, 1}, options);
    INFO(whole);
    CHECK_THAT(whole, Catch::StartsWith(expect_prefix));
    for (size_t chunks = 2; chunks <= 9; ++chunks)
        for (unsigned threads = 1; threads <= 3; ++threads) {
            INFO(chunks << " chunks, " << threads << " threads");
            CHECK(outcome(text, format, {chunks, threads}, options) == whole);
        }
}

}  // namespace

TEST_CASE("chunked parsing matches one chunk: ids, order, blank lines, CRLF, odd ids", "[reader][chunks]") {
    const std::string dat = "5::10::3\n\n  \n5::007::4::1\n12345678901::10::2.5\n0::4194304::1\r\n3::2::3.75\n"
                            "5::8::5::978300760\n2::10::1\n\n7::7::4";
    check_cuts(dat, RatingFormat::MovieLensDat, "movielens-dat 0.5");
    check_cuts("1\t2\t3\t4\n2\t1\t5\t4\n\n3\t3\t1\n1\t3\t2\t0\n", RatingFormat::MovieLens100k, "movielens-100k 1");
    check_cuts("\xEF\xBB\xBF\n\nuserId,movieId,rating,timestamp\r\n1,2,3.5,4\r\n2,1,5.0,4\r\n\r\n3,3,0.5,1\r\n",
               RatingFormat::MovieLensCsv, "movielens-csv 0.5");
    check_cuts("1::1::5\n2::1::4\n1::1::3\n", RatingFormat::MovieLensDat, "error: r:3: user '1' rated item '1' again");
    ReadOptions mean;
    mean.duplicates = memrec::DuplicatePolicy::Mean;
    check_cuts("1::1::5\n2::1::4\n1::1::3\n", RatingFormat::MovieLensDat, "movielens-dat 1.000000..5.000000 format merged 1", mean);
}

TEST_CASE("chunked parsing reports the first bad line in the file", "[reader][chunks][errors]") {
    std::string text;
    for (int k = 1; k <= 40; ++k) text += std::to_string(k) + "::" + std::to_string(k % 7) + "::3\n";
    std::string late = text + "x::1::3\n", early = text;
    early.replace(early.find("30::"), 2, "3x");
    check_cuts(late, RatingFormat::MovieLensDat, "error: r:41: user id 'x'");
    check_cuts(early + "1::1::9\n", RatingFormat::MovieLensDat, "error: r:30: user id '3x'");
    check_cuts(text + "1::1\n" + text + "1::1::9\n", RatingFormat::MovieLensDat, "error: r:41: expected 3 or 4 fields");
    check_cuts(text + std::string("1::1::3\n\0\n", 10), RatingFormat::MovieLensDat, "error: r:42: NUL byte");
}

TEST_CASE("chunked parsing: a half star widens ratings.dat's scale from its line on, wherever the cut falls",
          "[reader][chunks][dat]") {
    auto block = [](int base) {  // 30 lines, users base+1..base+30
        std::string b;
        for (int k = 1; k <= 30; ++k) b += std::to_string(base + k) + "::" + std::to_string(k) + "::4\n";
        return b;
    };
    const std::string ones = block(0), others = block(100);
    // 0.75 before any half star: outside 1..5. After one (in an earlier chunk or the same): accepted.
    check_cuts(ones + "40::40::0.75\n" + others + "50::50::1.5\n", RatingFormat::MovieLensDat,
               "error: r:31: rating 0.75 outside the scale 1..5");
    check_cuts(ones + "50::50::1.5\n" + others + "40::40::0.75\n", RatingFormat::MovieLensDat,
               "movielens-dat 0.500000..5.000000");
    // Outside even the widened scale: the message shows the scale at its line.
    check_cuts(ones + "40::40::0.25\n" + others + "50::50::1.5\n", RatingFormat::MovieLensDat,
               "error: r:31: rating 0.25 outside the scale 1..5");
    check_cuts(ones + "50::50::1.5\n" + others + "40::40::0.25\n", RatingFormat::MovieLensDat,
               "error: r:62: rating 0.25 outside the scale 0.5..5");
    // A pending low rating, then a later fault in the same chunk: the low rating is the first error.
    check_cuts(ones + "40::40::0.75\n41::41::4::t\n", RatingFormat::MovieLensDat,
               "error: r:31: rating 0.75 outside the scale 1..5");
}

TEST_CASE("read_dataset streams a large MovieLens file in pieces and gets what parsing the text gets",
          "[reader][chunks][stream]") {
    // About 4 MB: several chunks and several 1 MB pieces each, lines cut at piece boundaries.
    std::string text = "userId,movieId,rating,timestamp\n";
    // Every 500th user's id has leading zeros and every 700th one ten digits: ids kept as text, which must
    // outlive the piece they were read from.
    for (int u = 1; u <= 6000; ++u) {
        const std::string id = u % 500 == 0 ? "00" + std::to_string(u)
                               : u % 700 == 0 ? "1234567" + std::to_string(1000 + u)
                                              : std::to_string(u);
        for (int i = 0; i < 25; ++i)
            text += id + "," + std::to_string((u * 37 + i * 101) % 5000) + "," + (i % 2 ? "3.5" : "4.0") + ",1112486027\n";
    }
    TempDir dir;
    const std::string path = dir.write("ratings.csv", text);
    Dataset streamed;  // read_dataset's path, called directly: it must not fall back to the whole text
    REQUIRE(memrec::detail::read_ratings_file(path, RatingFormat::Auto, {}, streamed));
    CHECK(memrec::read_dataset(path).user == streamed.user);
    Dataset parsed;
    memrec::detail::parse_ratings(text, path, RatingFormat::Auto, {}, parsed, {1, 1});
    CHECK(streamed.size() == 150000);
    CHECK(streamed.users.ids() == parsed.users.ids());
    CHECK(streamed.items.ids() == parsed.items.ids());
    CHECK(streamed.user == parsed.user);
    CHECK(streamed.item == parsed.item);
    CHECK(streamed.rating == parsed.rating);
    CHECK(streamed.min_rating == 0.5f);
    CHECK(streamed.format == "movielens-csv");

    // A fault near the end, and a repeated pair: named with their lines, as the whole-text reader does.
    const std::string bad = dir.write("bad/ratings.csv", text + "7,7,4.0,1\n8,8,4.0,x\n");
    try {
        memrec::read_dataset(bad);
        FAIL("accepted");
    } catch (const memrec::DataError& e) {
        CHECK(e.line() == 150003);
        CHECK_THAT(e.what(), Catch::Contains("timestamp 'x'"));
    }
    const std::string twice = dir.write("twice/ratings.csv", text + "5999,1963,2.0,1\n");
    try {
        memrec::read_dataset(twice);
        FAIL("accepted");
    } catch (const memrec::DataError& e) {
        CHECK(e.line() == 150002);
        CHECK_THAT(e.what(), Catch::Contains("user '5999' rated item '1963' again (first at line 149952)"));
    }
}
