// A small ratings folder for the top-N command tests: 60 users; user u rates 20 of movies 1..50 in two
// taste groups (even users like low ids: 5 stars, the others 2).
#pragma once

#include <string>

#include "test_files.h"

namespace memrec_test {

inline void write_taste_groups(const TempDir& dir) {
    std::string ratings;
    for (int u = 1; u <= 60; ++u)
        for (int j = 0; j < 20; ++j) {
            const int i = 1 + (u * 7 + j * 3) % 50;
            const bool liked = (u % 2 == 0) == (i <= 25);
            ratings += std::to_string(u) + "::" + std::to_string(i) + "::" + (liked ? "5" : "2") + "::978300760\n";
        }
    dir.write("ml/ratings.dat", ratings);
}

}  // namespace memrec_test
