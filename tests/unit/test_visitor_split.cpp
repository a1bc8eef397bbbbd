// The visitors split: whole users held out, each one's ratings split into fold-in and targets, nothing lost
// or shared, and the same split from the same seed.
#include <catch2/catch.hpp>
#include <algorithm>
#include <set>
#include <string>

#include "memrec/error.h"
#include "memrec/visitor_split.h"

using namespace memrec;

namespace {

// 40 users; user u rated 10 + u % 7 items.
Dataset forty_users() {
    Dataset d;
    for (int u = 0; u < 40; ++u)
        for (int i = 0; i < 10 + u % 7; ++i) {
            d.user.push_back(d.users.add("u" + std::to_string(u)));
            d.item.push_back(d.items.add("i" + std::to_string((u * 3 + i) % 25)));
            d.rating.push_back(float(1 + (u + i) % 5));
        }
    return d;
}

}  // namespace

TEST_CASE("visitors split holds out 10% of users whole, 80% of each one's ratings folded in", "[visitor_split]") {
    const Dataset d = forty_users();
    const VisitorSplit s = split_visitors(d, 0.1, 0.8, 42);
    REQUIRE(s.visitors.size() == 4);
    REQUIRE(std::is_sorted(s.visitors.begin(), s.visitors.end()));
    REQUIRE(s.foldin.size() == 4);
    REQUIRE(s.targets.size() == 4);
    std::set<int32_t> visitors(s.visitors.begin(), s.visitors.end());
    CHECK(visitors.size() == 4);
    // Training ratings are exactly the other users' ones.
    size_t visitor_ratings = 0;
    for (size_t k = 0; k < d.size(); ++k) visitor_ratings += visitors.count(d.user[k]);
    CHECK(s.train.size() == d.size() - visitor_ratings);
    for (uint32_t k : s.train) CHECK(visitors.count(d.user[k]) == 0);
    for (size_t v = 0; v < 4; ++v) {
        const int32_t u = s.visitors[v];
        const size_t n = size_t(10 + u % 7);
        CHECK(s.foldin[v].size() == size_t(std::llround(0.8 * double(n))));
        CHECK(s.foldin[v].size() + s.targets[v].size() == n);
        std::set<uint32_t> all(s.foldin[v].begin(), s.foldin[v].end());
        all.insert(s.targets[v].begin(), s.targets[v].end());
        CHECK(all.size() == n);
        for (uint32_t k : all) CHECK(d.user[k] == u);
    }
}

TEST_CASE("visitors split is reproducible from its seed and differs across seeds", "[visitor_split]") {
    const Dataset d = forty_users();
    const VisitorSplit a = split_visitors(d, 0.1, 0.8, 42), b = split_visitors(d, 0.1, 0.8, 42);
    CHECK(a.visitors == b.visitors);
    CHECK(a.foldin == b.foldin);
    CHECK(a.targets == b.targets);
    bool differs = false;
    for (uint64_t seed = 1; seed < 5; ++seed) {
        const VisitorSplit c = split_visitors(d, 0.1, 0.8, seed);
        differs |= c.visitors != a.visitors || c.foldin != a.foldin;
    }
    CHECK(differs);
}

TEST_CASE("visitors split rejects fractions outside (0, 1)", "[visitor_split]") {
    const Dataset d = forty_users();
    CHECK_THROWS_AS(split_visitors(d, 0.0), ConfigError);
    CHECK_THROWS_AS(split_visitors(d, 0.1, 1.0), ConfigError);
}

TEST_CASE("training users' data leaves the visitors out and keeps item indices", "[visitor_split]") {
    const Dataset d = forty_users();
    const VisitorSplit s = split_visitors(d, 0.1, 0.8, 42);
    const Dataset t = training_users_data(d, s);
    CHECK(t.users.size() == 36);
    CHECK(t.items.size() == d.items.size());
    REQUIRE(t.size() == s.train.size());
    for (size_t j = 0; j < t.size(); ++j) {
        const uint32_t k = s.train[j];
        CHECK(t.users.id(t.user[j]) == d.users.id(d.user[k]));
        CHECK(t.item[j] == d.item[k]);
        CHECK(t.rating[j] == d.rating[k]);
    }
    for (int32_t u : s.visitors) CHECK(t.users.find(d.users.id(u)) == -1);
}
