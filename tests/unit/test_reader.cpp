// Rating and title readers on small hand-written files: every accepted layout, the vocabularies, titles
// and their encodings, and each kind of malformed input rejected with its file, line and reason.
#include <catch2/catch.hpp>

#include <cmath>
#include <string>
#include <vector>

#include "memrec/dataset.h"
#include "memrec/error.h"
#include "memrec/reader.h"
#include "test_files.h"

using memrec::DataError;
using memrec::Dataset;
using memrec::RatingFormat;
using memrec::ConfigError;
using memrec::DuplicatePolicy;
using memrec::parse_duplicate_policy;
using memrec::ReadOptions;
using memrec_test::TempDir;
using namespace std::string_literals;

namespace {

// Writes `content` to `name` in a fresh folder and reads it.
Dataset read_file(const std::string& name, const std::string& content, const ReadOptions& options = {}) {
    TempDir dir;
    return memrec::read_dataset(dir.write(name, content), options);
}

// Writes `content` to `name`, reads it, and checks it is rejected at `line` with `reason` in the message.
void check_rejected(const std::string& name, const std::string& content, int64_t line,
                    const std::string& reason, const ReadOptions& options = {}) {
    TempDir dir;
    const std::string path = dir.write(name, content);
    INFO("file " << name << ", expected line " << line << ": " << reason);
    try {
        memrec::read_dataset(path, options);
        FAIL("accepted");
    } catch (const DataError& e) {
        INFO("message: " << e.what());
        CHECK(e.file() == path);
        CHECK(e.line() == line);
        CHECK_THAT(e.what(), Catch::Contains(reason));
        if (line > 0) CHECK_THAT(e.what(), Catch::StartsWith(path + ":" + std::to_string(line) + ": "));
    }
}

std::vector<std::string> ids(const memrec::Vocabulary& v) {
    return v.ids();
}

}  // namespace

TEST_CASE("Vocabulary numbers ids in order of first appearance", "[reader][vocabulary]") {
    memrec::Vocabulary v;
    v.reserve(8);
    CHECK(v.add("1193") == 0);
    CHECK(v.add("661") == 1);
    CHECK(v.add("1193") == 0);
    CHECK(v.add("a very long id that does not fit a small string") == 2);
    CHECK(v.size() == 3);
    CHECK(v.find("661") == 1);
    CHECK(v.find("a very long id that does not fit a small string") == 2);
    CHECK(v.find("7") == -1);
    CHECK(v.find("") == -1);
    CHECK(v.id(1) == "661");
    CHECK(v.ids() ==
          std::vector<std::string>{"1193", "661", "a very long id that does not fit a small string"});
}

TEST_CASE("ReadOptions leaves the rating scale to the format", "[reader]") {
    const ReadOptions options;
    CHECK(std::isnan(options.min_rating));
    CHECK(std::isnan(options.max_rating));
    CHECK(options.format == RatingFormat::Auto);
    CHECK(options.read_titles);
}

TEST_CASE("MovieLens :: files with 3 fields", "[reader][dat]") {
    const Dataset d = read_file("ratings.dat", "1::1193::5\n1::661::3\n2::1193::4\n3::914::1\n");
    CHECK(d.format == "movielens-dat");
    CHECK(d.size() == 4);
    CHECK(ids(d.users) == std::vector<std::string>{"1", "2", "3"});
    CHECK(ids(d.items) == std::vector<std::string>{"1193", "661", "914"});
    CHECK(d.user == std::vector<int32_t>{0, 0, 1, 2});
    CHECK(d.item == std::vector<int32_t>{0, 1, 0, 2});
    CHECK(d.rating == std::vector<float>{5, 3, 4, 1});
    CHECK(d.min_rating == 1.0f);
    CHECK(d.max_rating == 5.0f);
    CHECK(d.item_counts() == std::vector<int64_t>{2, 1, 1});
    CHECK(d.titles.empty());  // no movies.dat beside it
}

TEST_CASE("MovieLens :: files with timestamps, with or without a final newline", "[reader][dat]") {
    const Dataset d = read_file("ratings.dat", "1::1193::5::978300760\n10::48::2::978824351");
    CHECK(d.size() == 2);
    CHECK(ids(d.users) == std::vector<std::string>{"1", "10"});
    CHECK(d.rating == std::vector<float>{5, 2});
}

TEST_CASE("ids keep their raw text: leading zeros make a different id", "[reader][dat]") {
    const Dataset d = read_file("ratings.dat", "7::1::5\n007::1::4\n7::01::3\n12345678901::1::2\n");
    CHECK(ids(d.users) == std::vector<std::string>{"7", "007", "12345678901"});
    CHECK(ids(d.items) == std::vector<std::string>{"1", "01"});
    CHECK(d.user == std::vector<int32_t>{0, 1, 0, 2});
    CHECK(d.item == std::vector<int32_t>{0, 0, 1, 0});
}

TEST_CASE("ml-10m style :: files with half stars are on the 0.5..5 scale", "[reader][dat]") {
    const Dataset d =
        read_file("ratings.dat", "1::122::5::838985046\n1::185::0.5::838983525\n2::3::3.5::1\n");
    CHECK(d.rating == std::vector<float>{5, 0.5f, 3.5f});
    CHECK(d.min_rating == 0.5f);
    CHECK(d.max_rating == 5.0f);
}

TEST_CASE("blank lines are skipped anywhere, CRLF is tolerated", "[reader][dat]") {
    const Dataset d = read_file("ratings.dat", "\n1::1::5\r\n\r\n  \n2::2::4\r\n\n\n");
    CHECK(d.size() == 2);
    CHECK(d.rating == std::vector<float>{5, 4});
}

TEST_CASE("MovieLens-100K u.data", "[reader][100k]") {
    const Dataset d = read_file("u.data", "196\t242\t3\t881250949\n186\t302\t3\t891717742\n196\t302\t1\t1\n");
    CHECK(d.format == "movielens-100k");
    CHECK(ids(d.users) == std::vector<std::string>{"196", "186"});
    CHECK(ids(d.items) == std::vector<std::string>{"242", "302"});
    CHECK(d.user == std::vector<int32_t>{0, 1, 0});
    CHECK(d.item == std::vector<int32_t>{0, 1, 1});
    CHECK(d.rating == std::vector<float>{3, 3, 1});
    CHECK(d.min_rating == 1.0f);
    CHECK(d.max_rating == 5.0f);
}

TEST_CASE("a tab-separated file of numbers under another name is read as u.data", "[reader][100k]") {
    const Dataset d = read_file("my-ratings.tsv", "1\t2\t4\t5\n");
    CHECK(d.format == "movielens-100k");
    CHECK(d.size() == 1);
}

TEST_CASE("ml-latest ratings.csv with CRLF and half stars", "[reader][csv]") {
    const Dataset d =
        read_file("ratings.csv",
                  "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,0.5,964981247\r\n"
                  "2,1,3.5,964982224\r\n");
    CHECK(d.format == "movielens-csv");
    CHECK(ids(d.users) == std::vector<std::string>{"1", "2"});
    CHECK(ids(d.items) == std::vector<std::string>{"1", "3"});
    CHECK(d.rating == std::vector<float>{4.0f, 0.5f, 3.5f});
    CHECK(d.min_rating == 0.5f);
    CHECK(d.max_rating == 5.0f);
}

TEST_CASE("a UTF-8 byte-order mark before the header is ignored", "[reader][csv]") {
    const Dataset d = read_file("ratings.csv", "\xEF\xBB\xBFuserId,movieId,rating,timestamp\n1,1,4.5,1\n");
    CHECK(d.format == "movielens-csv");
    CHECK(d.rating == std::vector<float>{4.5f});
}

TEST_CASE("delimited files: named columns in any order, semicolon delimiter, scale from the data",
          "[reader][delimited]") {
    ReadOptions options;
    options.delimited.delimiter = ';';
    options.delimited.user_column = "customer";
    options.delimited.item_column = "product";
    options.delimited.rating_column = "stars";
    const Dataset d = read_file(
        "shop.txt", "stars;product;note;customer\n4.25;p-9;ok;alice\n-1;p-2;;bob\n10;p-2;x;alice\n", options);
    CHECK(d.format == "delimited");
    CHECK(ids(d.users) == std::vector<std::string>{"alice", "bob"});
    CHECK(ids(d.items) == std::vector<std::string>{"p-9", "p-2"});
    CHECK(d.user == std::vector<int32_t>{0, 1, 0});
    CHECK(d.item == std::vector<int32_t>{0, 1, 1});
    CHECK(d.rating == std::vector<float>{4.25f, -1, 10});
    CHECK(d.min_rating == -1.0f);
    CHECK(d.max_rating == 10.0f);
}

TEST_CASE("delimited files: tab delimiter, padding and quoted fields", "[reader][delimited]") {
    ReadOptions options;
    options.format = RatingFormat::Delimited;
    options.delimited.delimiter = '\t';
    const Dataset d = read_file(
        "r.tsv", "user\titem\trating\n u1 \t\"The \"\"Item\"\"\"\t 2e0\nu2\t \"x y \" \t3\n", options);
    CHECK(ids(d.users) == std::vector<std::string>{"u1", "u2"});
    CHECK(ids(d.items) == std::vector<std::string>{"The \"Item\"", "x y "});
    CHECK(d.rating == std::vector<float>{2, 3});
}

TEST_CASE("delimited files with a given scale check it", "[reader][delimited]") {
    ReadOptions options;
    options.min_rating = 0;
    options.max_rating = 10;
    const Dataset d = read_file("r.csv", "user,item,rating\n1,2,0\n1,3,10\n", options);
    CHECK(d.min_rating == 0.0f);
    CHECK(d.max_rating == 10.0f);
    check_rejected("r.csv", "user,item,rating\n1,2,0\n1,3,10.5\n", 3, "rating 10.5 outside the scale 0..10",
                   options);
}

TEST_CASE("delimited files: columns by 1-based number, with and without a header", "[reader][delimited]") {
    ReadOptions options;
    options.format = RatingFormat::Delimited;
    options.delimited.user_column = "3";
    options.delimited.item_column = "1";
    options.delimited.rating_column = "2";
    Dataset d = read_file("r.csv", "sku,stars,email\nSKU-9,4,a1b2@h\nSKU-7,2,ffee@h\n", options);
    CHECK(ids(d.users) == std::vector<std::string>{"a1b2@h", "ffee@h"});
    CHECK(ids(d.items) == std::vector<std::string>{"SKU-9", "SKU-7"});
    CHECK(d.rating == std::vector<float>{4, 2});
    options.delimited.has_header = false;
    d = read_file("r.csv", "SKU-9,4,a1b2@h\nSKU-7,2,ffee@h\n", options);
    CHECK(ids(d.users) == std::vector<std::string>{"a1b2@h", "ffee@h"});
    CHECK(d.size() == 2);
    ReadOptions defaults;  // without a header the default names are columns 1, 2, 3
    defaults.format = RatingFormat::Delimited;
    defaults.delimited.has_header = false;
    d = read_file("r.csv", "u,i,3\nv,i,5\n", defaults);
    CHECK(d.rating == std::vector<float>{3, 5});
    CHECK(d.scale_source == "data");
    check_rejected("r.csv", "u,i\n", 1, "no column 'rating'", defaults);
}

TEST_CASE("duplicated pairs: last, mean and count merge them into the first line's place", "[reader][duplicates]") {
    const std::string text = "user,item,rating\na,x,1\nb,x,2\na,x,4\na,y,5\na,x,3\n";
    ReadOptions options;
    check_rejected("r.csv", text, 4, "each pair may be rated once", options);
    options.duplicates = DuplicatePolicy::Last;
    Dataset d = read_file("r.csv", text, options);
    CHECK(d.user == std::vector<int32_t>{0, 1, 0});
    CHECK(d.item == std::vector<int32_t>{0, 0, 1});
    CHECK(d.rating == std::vector<float>{3, 2, 5});
    CHECK(d.merged_lines == 2);
    options.duplicates = DuplicatePolicy::Mean;
    d = read_file("r.csv", text, options);
    CHECK(d.rating == std::vector<float>{8.0f / 3, 2, 5});
    options.duplicates = DuplicatePolicy::Count;
    d = read_file("r.csv", "user,item\na,x\nb,x\na,x\na,y\na,x\n", options);  // no rating column needed
    CHECK(d.rating == std::vector<float>{3, 1, 1});
    CHECK(d.min_rating == 1.0f);
    CHECK(d.max_rating == 3.0f);
    CHECK(d.scale_source == "data");
    options.max_rating = 2;
    CHECK_THROWS_WITH(read_file("r.csv", "user,item\na,x\na,x\na,x\n", options),
                      Catch::Contains("3 events, outside the scale 1..2"));
    CHECK(parse_duplicate_policy("mean") == DuplicatePolicy::Mean);
    CHECK_THROWS_AS(parse_duplicate_policy("sum"), ConfigError);
}

TEST_CASE("delimited files: a rating beyond float's range is refused, not stored as infinity", "[reader][delimited]") {
    // The scale comes from the data, so no bound stops it: found by fuzz_delimited_reader.
    ReadOptions options;
    options.format = RatingFormat::Delimited;
    CHECK_THROWS_WITH(read_file("r.csv", "user,item,rating\na,x,1\nb,x,2e42\n", options),
                      Catch::Contains("r.csv:3: rating '2e42' is too large"));
    CHECK(read_file("r.csv", "user,item,rating\na,x,1\nb,x,3e38\n", options).max_rating == 3e38f);
}

TEST_CASE("the options' scale overrides a MovieLens format's", "[reader][dat]") {
    ReadOptions options;
    options.max_rating = 10;
    const Dataset d = read_file("ratings.dat", "1::1::7\n", options);
    CHECK(d.min_rating == 1.0f);
    CHECK(d.max_rating == 10.0f);
    options.min_rating = 6;
    options.max_rating = 2;
    CHECK_THROWS_AS(read_file("ratings.dat", "1::1::7\n", options), memrec::ConfigError);
}

TEST_CASE("parse_ratings appends to a dataset and keeps its vocabularies", "[reader]") {
    Dataset d;
    memrec::parse_ratings("1::10::5\n2::20::4\n", "a.dat", RatingFormat::Auto, {}, d);
    memrec::parse_ratings("user,item,rating\n3,10,1\n2,30,2\n", "b.csv", RatingFormat::Delimited, {}, d);
    CHECK(d.size() == 4);
    CHECK(ids(d.users) == std::vector<std::string>{"1", "2", "3"});
    CHECK(ids(d.items) == std::vector<std::string>{"10", "20", "30"});
    CHECK(d.user == std::vector<int32_t>{0, 1, 2, 1});
    CHECK(d.item == std::vector<int32_t>{0, 1, 0, 2});
}

TEST_CASE("folders: the ratings file is found and its titles read", "[reader][folder]") {
    TempDir dir;
    dir.write("ml-1m/ratings.dat", "1::2::5\n1::1::3\n2::3::4\n");
    dir.write("ml-1m/movies.dat",
              "1::Toy Story (1995)::Animation\n2::Mis\xE9rables, Les (1995)::Drama|Musical\n"
              "4::Not Rated (1995)::Drama\n");
    const Dataset d = memrec::read_dataset(dir.file("ml-1m"));
    CHECK(d.format == "movielens-dat");
    CHECK(d.ratings_path == dir.file("ml-1m/ratings.dat"));
    CHECK(d.titles == std::vector<std::string>{"Mis\xC3\xA9rables, Les (1995)", "Toy Story (1995)", ""});

    ReadOptions no_titles;
    no_titles.read_titles = false;
    CHECK(memrec::read_dataset(dir.file("ml-1m"), no_titles).titles.empty());
}

TEST_CASE("folders: u.data with latin-1 u.item", "[reader][folder]") {
    TempDir dir;
    dir.write("u.data", "1\t1633\t4\t1\n1\t1\t3\t1\n");
    dir.write(
        "u.item",
        "1|Toy Story (1995)|01-Jan-1995||http://x|0|1\n1633|\xC1 k\xF6ldum klaka (1994)|08-Mar-1996||u|1\n");
    const Dataset d = memrec::read_dataset(dir.path());
    CHECK(d.format == "movielens-100k");
    CHECK(d.titles == std::vector<std::string>{"\xC3\x81 k\xC3\xB6ldum klaka (1994)", "Toy Story (1995)"});
}

TEST_CASE("folders: ratings.csv with quoted titles in movies.csv", "[reader][folder]") {
    TempDir dir;
    dir.write("ratings.csv",
              "userId,movieId,rating,timestamp\r\n1,11,4.0,1\r\n1,7789,2.5,1\r\n1,1,5.0,1\r\n");
    dir.write(
        "movies.csv",
        "movieId,title,genres\r\n1,Toy Story (1995),Comedy\r\n11,\"American President, The (1995)\",Drama\r\n"
        "7789,\"11'09\"\"01 - September 11 (2002)\",Drama\r\n2,\"Caf\xC3\xA9\",Drama\r\n");
    const Dataset d = memrec::read_dataset(dir.path());
    CHECK(d.format == "movielens-csv");
    CHECK(d.titles == std::vector<std::string>{"American President, The (1995)",
                                               "11'09\"01 - September 11 (2002)", "Toy Story (1995)"});
}

TEST_CASE("folders prefer ratings.dat, then u.data, then ratings.csv", "[reader][folder]") {
    TempDir dir;
    dir.write("ratings.csv", "userId,movieId,rating\n1,1,4.5\n");
    CHECK(memrec::find_ratings_file(dir.path()).second == RatingFormat::MovieLensCsv);
    dir.write("u.data", "1\t1\t4\t1\n");
    CHECK(memrec::find_ratings_file(dir.path()).second == RatingFormat::MovieLens100k);
    dir.write("ratings.dat", "1::1::4\n");
    const auto found = memrec::find_ratings_file(dir.path());
    CHECK(found.first == dir.file("ratings.dat"));
    CHECK(found.second == RatingFormat::MovieLensDat);
}

TEST_CASE("a folder with no known ratings file says which names it looked for", "[reader][folder][errors]") {
    TempDir dir;
    dir.write("notes.txt", "hello\n");
    try {
        memrec::read_dataset(dir.path());
        FAIL("accepted");
    } catch (const DataError& e) {
        CHECK(e.file() == dir.path());
        CHECK(e.line() == 0);
        CHECK_THAT(e.what(), Catch::Contains("ratings.dat, u.data, ratings.csv"));
    }
    CHECK_THROWS_MATCHES(memrec::read_dataset(dir.file("missing")), DataError,
                         Catch::Matchers::Predicate<DataError>([](const DataError& e) {
                             return std::string(e.what()).find("no such") != std::string::npos;
                         }));
}

TEST_CASE("read_titles: UTF-8 movies.dat is kept, unknown ids ignored, missing titles empty",
          "[reader][titles]") {
    TempDir dir;
    memrec::Vocabulary items;
    items.add("5");
    items.add("2");
    items.add("9");
    const auto path = dir.write("movies.dat", "2::Caf\xC3\xA9 (1990)::Drama\n3::Other::Drama\n5::A::B::C\n");
    CHECK(memrec::read_titles(path, items) == std::vector<std::string>{"A::B", "Caf\xC3\xA9 (1990)", ""});
}

TEST_CASE("malformed :: lines name the line and the fault", "[reader][dat][errors]") {
    check_rejected("ratings.dat", "1::1::5\n1::2\n", 2, "expected 3 or 4 fields separated by '::', got 2");
    check_rejected("ratings.dat", "1::1::5::1::9\n", 1, "expected 3 or 4 fields separated by '::', got 5");
    check_rejected("ratings.dat", "1::1::5\nx::1::5\n", 2, "user id 'x' is not a non-negative integer");
    check_rejected("ratings.dat", "-1::1::5\n", 1, "user id '-1'");
    check_rejected("ratings.dat", "1::::5\n", 1, "item id '' is not a non-negative integer");
    check_rejected("ratings.dat", "1:: 2::5\n", 1, "item id ' 2'");
    check_rejected("ratings.dat", "1::2::five\n", 1, "rating 'five' is not a number");
    check_rejected("ratings.dat", "1::2::\n", 1, "empty rating");
    check_rejected("ratings.dat", "1::2::0x5\n", 1, "rating '0x5' is not a number");
    check_rejected("ratings.dat", "1::2::nan\n", 1, "rating 'nan' is not finite");
    check_rejected("ratings.dat", "1::2::-inf\n", 1, "rating '-inf' is not finite");
    check_rejected("ratings.dat", "1::2::1e999\n", 1, "rating '1e999' is not finite");
    check_rejected("ratings.dat", "1::1::5\n\n\n1::2::7\n", 4, "rating 7 outside the scale 1..5");
    check_rejected("ratings.dat", "1::2::0\n", 1, "rating 0 outside the scale 1..5");
    check_rejected("ratings.dat", "1::2::4::yesterday\n", 1,
                   "timestamp 'yesterday' is not a non-negative integer");
}

TEST_CASE("malformed u.data and ratings.csv lines name the line and the fault", "[reader][errors]") {
    check_rejected("u.data", "1\t2\t3\t4\n1\t2\n", 2, "expected 3 or 4 fields separated by tabs, got 2");
    check_rejected("u.data", "1\t2\t6\t4\n", 1, "rating 6 outside the scale 1..5");
    check_rejected("ratings.csv", "userId,movieId,rating,timestamp\r\n1,1,4.0,1\r\n1,1,4.0\r\n", 3,
                   "expected 4 fields separated by ',', got 3");
    check_rejected("ratings.csv", "userId,movieId,rating,timestamp\n1,1,0.0,1\n", 2,
                   "rating 0 outside the scale 0.5..5");
    check_rejected("ratings.csv", "userId,movieId,rating,timestamp\n1,1,5.5,1\n", 2,
                   "rating 5.5 outside the scale 0.5..5");
    ReadOptions csv;
    csv.format = RatingFormat::MovieLensCsv;
    check_rejected("r.csv", "user,movie,rating\n1,1,4\n", 1,
                   "expected the header 'userId,movieId,rating,timestamp'", csv);
}

TEST_CASE("malformed delimited files name the line and the fault", "[reader][delimited][errors]") {
    check_rejected("r.csv", "userId,movieId,score\n1,1,4\n", 1,
                   "header has no column 'user', 'item', 'rating'");
    check_rejected("r.csv", "user,item,rating,user\n1,1,4,1\n", 1, "column 'user' appears twice");
    check_rejected("r.csv", "user,item,rating\n1,1,4\n1,1\n", 3, "expected 3 fields separated by ',', got 2");
    check_rejected("r.csv", "user,item,rating\n1,\"a,4\n", 2, "unterminated quoted field");
    check_rejected("r.csv", "user,item,rating\n1,\"a\"b,4\n", 2, "unexpected text after a closing quote");
    check_rejected("r.csv", "user,item,rating\n,1,4\n", 2, "empty user id");
    check_rejected("r.csv", "user,item,rating\n1,\x01,4\n", 2,
                   "item id '\\x01' contains a control character");
    check_rejected("r.csv", "user,item,rating\n\xFF\xFE,1,4\n", 2, "user id '\\xFF\\xFE' is not valid UTF-8");
    check_rejected("r.csv", "user,item,rating\n1,1,inf\n", 2, "rating 'inf' is not finite");
}

TEST_CASE("empty, missing, oversized and binary inputs are rejected", "[reader][errors]") {
    check_rejected("ratings.dat", "", 0, "no ratings");
    check_rejected("ratings.dat", "\n\n  \n", 0, "no ratings");
    check_rejected("ratings.csv", "userId,movieId,rating,timestamp\r\n", 0, "no ratings");
    check_rejected("ratings.dat", "1::1::5\n1::2::" + std::string(size_t{1} << 20, '4') + "\n", 2,
                   "line longer than 1 MB");
    check_rejected("ratings.dat", "1::1::5\n1::2::4\n\x89PNG\r\n\x1A\n\0\0\0\rIHDR"s, 5, "NUL byte");
    check_rejected("ratings.dat", "1::1::5\n\xFF\xD8\xFF\xE0::JFIF::\x01\n", 2,
                   "user id '\\xFF\\xD8\\xFF\\xE0'");

    TempDir dir;
    try {
        memrec::read_dataset(dir.file("nope.dat"));
        FAIL("accepted");
    } catch (const DataError& e) {
        CHECK(e.file() == dir.file("nope.dat"));
        CHECK_THAT(e.what(), Catch::Contains("no such file"));
    }
}

TEST_CASE("malformed titles files name the line and the fault", "[reader][titles][errors]") {
    TempDir dir;
    memrec::Vocabulary items;
    items.add("1");
    auto rejected = [&](const std::string& name, const std::string& content, int64_t line,
                        const std::string& reason) {
        const std::string path = dir.write(name, content);
        INFO(name << ": " << reason);
        try {
            memrec::read_titles(path, items);
            FAIL("accepted");
        } catch (const DataError& e) {
            INFO("message: " << e.what());
            CHECK(e.file() == path);
            CHECK(e.line() == line);
            CHECK_THAT(e.what(), Catch::Contains(reason));
        }
    };
    rejected("movies.dat", "1::Toy Story::Comedy\n2::No genres\n", 2, "expected 3 fields separated by '::'");
    rejected("movies.dat", "1::A::B\nx::Bad id::B\n", 2, "movie id 'x' is not a non-negative integer");
    rejected("movies.dat", "1::A::B\n1::Again::B\n", 2, "movie id 1 listed twice (first on line 1)");
    rejected("movies.dat", "", 0, "no titles");
    rejected("u.item", "1|A|x\n2 no pipes\n", 2, "expected fields separated by '|'");
    rejected("movies.csv", "movieId,title,genres\n1,\"Caf\xE9\",Drama\n", 2, "invalid UTF-8");
    rejected("movies.csv", "movieId,title,genres\n1,\"open,Drama\n", 2, "unterminated quoted field");
    rejected("movies.csv", "movieId,title,genres\n1,A,Drama,extra\n", 2,
             "expected 3 fields separated by ','");
    rejected("movies.csv", "id,name\n1,A\n", 1, "header has no column 'movieId'");
    rejected("movies.csv", "movieId,title\n1,A\0\n"s, 2, "NUL byte");

    // A malformed titles file beside good ratings fails the whole read: nothing is dropped silently.
    dir.write("ml/ratings.dat", "1::1::5\n");
    dir.write("ml/movies.dat", "1 Toy Story\n");
    CHECK_THROWS_AS(memrec::read_dataset(dir.file("ml")), DataError);
}
