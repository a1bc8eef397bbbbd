// --eval-data on a published-style split: a u1.base / u1.test pair written from ml-100k's u.data (every
// fifth line to the test file; the copy in $MEMREC_DATA has no u1 files), trained on the first and
// evaluated on the second, with the unseen users and items counted here independently.
#include <catch2/catch.hpp>

#include <set>
#include <sstream>
#include <string>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::data_path;
using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::slurp;
using memrec_test::TempDir;

TEST_CASE("train --eval-data on a u1.base/u1.test-like pair of ml-100k counts unseen ids and evaluates the rest",
          "[data][eval-data]") {
    const std::string text = slurp(data_path("ml-100k/u.data"));
    REQUIRE(!text.empty());
    std::string base, test;
    std::set<std::string> base_users, base_items;
    std::istringstream in(text);
    std::string line;
    int64_t n = 0, test_lines = 0;
    std::vector<std::pair<std::string, std::string>> test_pairs;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string user, item;
        fields >> user >> item;
        if (n++ % 5 == 4) {
            test += line + "\n";
            ++test_lines;
            test_pairs.emplace_back(user, item);
        } else {
            base += line + "\n";
            base_users.insert(user);
            base_items.insert(item);
        }
    }
    int64_t dropped = 0;
    std::set<std::string> unseen_users, unseen_items;
    for (const auto& [u, i] : test_pairs) {
        if (!base_users.count(u)) unseen_users.insert(u);
        if (!base_items.count(i)) unseen_items.insert(i);
        dropped += !base_users.count(u) || !base_items.count(i);
    }
    TempDir dir;
    const std::string fb = dir.write("u1.base", base), ft = dir.write("u1.test", test);
    auto r = run_memrec({"train", "--data", fb, "--eval-data", ft, "--epochs", "3", "--threads", "2"}, dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK(r.out.find("80,000 ratings") != std::string::npos);
    const std::string expected = "20,000 ratings, " + std::to_string(unseen_users.size()) + " users";
    CHECK(test_lines == 20000);
    CHECK(r.out.find(expected) != std::string::npos);
    CHECK(r.out.find(" and " + std::to_string(unseen_items.size()) + " items") != std::string::npos);
    CHECK(r.out.find(std::to_string(dropped) + " ratings not evaluated") != std::string::npos);
    const int64_t kept = 20000 - dropped;
    const std::string kept_text = (kept >= 1000 ? std::to_string(kept / 1000) + "," : "") + std::to_string(kept % 1000 + 1000).substr(1);
    CHECK(r.out.find(kept_text + " evaluated") != std::string::npos);
    CHECK(r.out.find("eval mse") != std::string::npos);
    UNSCOPED_INFO("unseen users " << unseen_users.size() << ", items " << unseen_items.size() << ", dropped " << dropped);
}
