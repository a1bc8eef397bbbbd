// A ratings file that rates the same (user, item) pair twice is refused, naming both lines, whichever way
// the check runs (a bitmap of cells when users x items is small, sorting otherwise).
#include <catch2/catch.hpp>

#include <string>

#include "memrec/error.h"
#include "memrec/reader.h"
#include "test_files.h"

using memrec::DataError;
using memrec_test::TempDir;

namespace {

void check_duplicate(const std::string& name, const std::string& content, int64_t line, const std::string& words) {
    TempDir dir;
    const std::string path = dir.write(name, content);
    INFO(name << ": expected line " << line);
    try {
        memrec::read_dataset(path);
        FAIL("accepted");
    } catch (const DataError& e) {
        INFO(e.what());
        CHECK(e.line() == line);
        CHECK_THAT(e.what(), Catch::StartsWith(path + ":" + std::to_string(line) + ": "));
        CHECK_THAT(e.what(), Catch::Contains(words));
    }
}

}  // namespace

TEST_CASE("Duplicate (user, item) pairs are refused with both lines named", "[reader][duplicates]") {
    check_duplicate("ratings.dat", "1::10::5\n2::10::3\n\n1::11::4\n1::10::2\n", 5,
                    "user '1' rated item '10' again (first at line 1)");
    check_duplicate("u.data", "1\t10\t5\t0\n2\t10\t3\t0\n2\t10\t3\t0\n", 3, "user '2' rated item '10' again (first at line 2)");
    check_duplicate("ratings.csv", "userId,movieId,rating,timestamp\r\n1,10,4.5,0\r\n\r\n7,3,1,0\r\n1,10,4.5,0\r\n", 5,
                    "(first at line 2)");
    check_duplicate("r.csv", "user,item,rating\nalice,x,1\nbob,x,2\nalice,x,3\n", 4,
                    "user 'alice' rated item 'x' again (first at line 2)");
    // The earliest repeat in file order is the one reported.
    check_duplicate("ratings.dat", "1::1::1\n2::2::2\n2::2::2\n1::1::1\n", 3, "first at line 2");
}

TEST_CASE("Duplicates are found when users x items is too large for a bitmap", "[reader][duplicates]") {
    // 3 ratings over ids up to 10^8: cells would need far more than 8 bytes per rating, so the check sorts.
    std::string text;
    for (int u = 0; u < 2000; ++u) text += std::to_string(u * 50000 + 7) + "::" + std::to_string(u * 3 + 1) + "::3\n";
    TempDir dir;
    CHECK_NOTHROW(memrec::read_dataset(dir.write("ratings.dat", text)));
    text += "500007::31::4\n";  // user 10 * 50000 + 7 rated item 31 at line 11
    check_duplicate("ratings.dat", text, 2001, "user '500007' rated item '31' again (first at line 11)");
    // With repeats by several users, the earliest in file order is reported, whatever the users' order.
    text.insert(text.size() - std::string("500007::31::4\n").size(), "1000007::61::2\n");  // user 20's, at 2001
    check_duplicate("ratings.dat", text, 2001, "user '1000007' rated item '61' again (first at line 21)");
}

TEST_CASE("The same user and item in different pairs are not duplicates", "[reader][duplicates]") {
    TempDir dir;
    const auto d = memrec::read_dataset(dir.write("ratings.dat", "1::2::5\n2::1::3\n1::1::4\n2::2::1\n"));
    CHECK(d.size() == 4);
}
