// More of the bad-input matrix (issue 15's defects): training that diverges, outputs that are the same
// file as an input or as each other, inspect on a model f16 cannot hold, splits left empty, whole numbers
// beyond a flag's type. Each failure: its exit status, one line naming the problem, and the outputs
// given (which hold known content) unchanged.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::slurp;
using memrec_test::TempDir;

namespace {

using Args = std::vector<std::string>;

Args operator+(Args a, const Args& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

std::string ratings(int users, int items, int per_user) {
    std::string s;
    for (int u = 0; u < users; ++u)
        for (int j = 0; j < per_user; ++j) {
            const int i = (u * 37 + j * 7) % items;
            s += std::to_string(u + 1) + "::" + std::to_string(i + 1) + "::" + std::to_string(1 + (u + i) % 5) + "\n";
        }
    return s;
}

// Runs `args` in `dir`, expecting `status` and one stderr line holding `words`; the files named in
// `unchanged` keep their content.
void refused(const TempDir& dir, const Args& args, int status, const std::string& words,
             const std::vector<std::string>& unchanged) {
    std::vector<std::string> before;
    for (const auto& f : unchanged) before.push_back(slurp(dir.file(f)));
    const auto r = run_memrec(args, dir.path());
    INFO(memrec_test::command_text(args) << "\n" << describe(r));
    CHECK(r.exited);
    CHECK(r.status == status);
    CHECK_THAT(r.err, Catch::StartsWith("memrec: ") && Catch::Contains(words));
    CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
    for (size_t i = 0; i < unchanged.size(); ++i) {
        INFO(unchanged[i]);
        CHECK(slurp(dir.file(unchanged[i])) == before[i]);
    }
}

}  // namespace

TEST_CASE("bad input: training that diverges stops, saves nothing and says to lower the learning rate",
          "[cli][bad-input]") {
    TempDir dir;
    dir.write("r.dat", ratings(200, 101, 20));
    dir.write("out.mrec", "known model bytes\n");
    dir.write("h.json", "known history\n");
    const Args base{"train", "--data", "r.dat", "--dim", "8", "--epochs", "2", "--threads", "1",
                    "--out", "out.mrec", "--history", "h.json", "-q"};
    refused(dir, base + Args{"--lr", "1e30"}, 1, "diverged in epoch 1 of 2", {"out.mrec", "h.json"});
    refused(dir, base + Args{"--lr", "1e30"}, 1, "lower learning rate", {"out.mrec", "h.json"});
    refused(dir, base + Args{"--l2", "1e308"}, 1, "smaller L2", {"out.mrec", "h.json"});
    CHECK_FALSE(std::filesystem::exists(dir.file("out.mrec.tmp")));
}

TEST_CASE("bad input: an output that is the same file as an input or another output", "[cli][bad-input]") {
    TempDir dir;
    const std::string data = ratings(200, 101, 20);
    dir.write("r.dat", data);
    dir.write("set/ratings.dat", data);
    dir.write("h.json", "known history\n");
    std::filesystem::create_symlink("r.dat", dir.file("link.dat"));
    std::filesystem::create_hard_link(dir.file("r.dat"), dir.file("hard.dat"));
    const Args train{"train", "--dim", "4", "--epochs", "1", "-q"};
    refused(dir, train + Args{"--data", "r.dat", "--out", "r.dat"}, 2, "--out r.dat is the same file as --data r.dat",
            {"r.dat"});
    refused(dir, train + Args{"--data", "link.dat", "--out", "r.dat"}, 2, "same file as --data link.dat", {"r.dat"});
    refused(dir, train + Args{"--data", "hard.dat", "--out", "./r.dat"}, 2, "same file as --data hard.dat", {"r.dat"});
    refused(dir, train + Args{"--data", "set", "--out", "set/../set/ratings.dat"}, 2, "set/ratings.dat",
            {"set/ratings.dat"});
    refused(dir, train + Args{"--data", "r.dat", "--out", "h.json", "--history", "h.json"}, 2,
            "one would overwrite the other", {"h.json", "r.dat"});
    // Not yet existing: the same canonical parent and name.
    refused(dir, train + Args{"--data", "r.dat", "--out", "new.mrec", "--history", "set/../new.mrec"}, 2,
            "is the same file as", {"r.dat"});
    CHECK_FALSE(std::filesystem::exists(dir.file("new.mrec")));

    const auto trained = run_memrec(train + Args{"--data", "r.dat", "--out", "m.mrec"}, dir.path());
    INFO(describe(trained));
    REQUIRE(trained.status == 0);
    refused(dir, {"export", "m.mrec", "--out", "./m.mrec", "--quantize", "f16"}, 2, "same file as the model m.mrec",
            {"m.mrec"});
    refused(dir, {"titles", "m.mrec", "--out", "m.mrec"}, 2, "same file as the model", {"m.mrec"});
    refused(dir, {"demo-users", "m.mrec", "--data", "r.dat", "--out", "r.dat"}, 2, "same file as --data",
            {"r.dat", "m.mrec"});
    dir.write("split/train.csv", "user,item,rating\n1,2,4\n");
    refused(dir, {"split", "--data", "split/train.csv", "--out", "split"}, 2, "--out split (split/train.csv)",
            {"split/train.csv"});
    refused(dir, {"sweep", "--data", "r.dat", "--grid", "h.json", "--json", "h.json"}, 2, "same file as --grid",
            {"h.json"});
    // Different files still work.
    const auto ok = run_memrec(train + Args{"--data", "r.dat", "--out", "m2.mrec", "--history", "h2.json"}, dir.path());
    INFO(describe(ok));
    CHECK(ok.status == 0);
}

TEST_CASE("bad input: empty splits, whole numbers beyond a flag's type", "[cli][bad-input]") {
    TempDir dir;
    dir.write("r.dat", ratings(200, 101, 20));
    dir.write("out.mrec", "known model bytes\n");
    const Args train{"train", "--data", "r.dat", "--dim", "4", "--epochs", "1", "-q", "--out", "out.mrec"};
    refused(dir, train + Args{"--train-fraction", "1e-9"}, 2, "leaves no training ratings", {"out.mrec"});
    refused(dir, train + Args{"--train-fraction", "0.99999999"}, 2, "leaves no eval ratings", {"out.mrec"});
    refused(dir, train + Args{"--dim", "99999999999"}, 2, "--dim: 99999999999 is out of range", {"out.mrec"});
    refused(dir, train + Args{"--seed", "99999999999999999999"}, 2, "out of range 0..18446744073709551615",
            {"out.mrec"});
    refused(dir, {"recommend", "out.mrec", "--user", "1", "-k", "99999999999"}, 2, "--top: 99999999999 is out of range",
            {"out.mrec"});
    // The largest unsigned seeds are seeds.
    for (const char* flag : {"--seed", "--split-seed"}) {
        const auto r = run_memrec({"train", "--data", "r.dat", "--dim", "4", "--epochs", "1", "-q", flag,
                                   "18446744073709551615"},
                                  dir.path());
        INFO(flag << "\n" << describe(r));
        CHECK(r.status == 0);
    }
}

TEST_CASE("bad input: inspect reports what a storage cannot hold and never prints half", "[cli][bad-input]") {
    TempDir dir;
    dir.write("r.dat", ratings(200, 101, 20));
    // A huge learning rate that stays finite for one epoch: values beyond f16's 65504.
    const auto trained = run_memrec({"train", "--data", "r.dat", "--dim", "4", "--epochs", "1", "--threads", "1",
                                     "--lr", "1e6", "--adam", "lazy", "-q", "--out", "big.mrec"},
                                    dir.path());
    INFO(describe(trained));
    REQUIRE(trained.status == 0);
    const auto r = run_memrec({"inspect", "big.mrec"}, dir.path());
    INFO(describe(r));
    CHECK(r.status == 0);
    CHECK_THAT(r.out, Catch::Contains("f16      cannot hold this model") && Catch::Contains("exceeds 65504"));
    CHECK_THAT(r.out, Catch::Contains("history"));  // the report went on to its end
    CHECK(r.err.empty());
}

TEST_CASE("bad input: a bad sweep --grid line is named by file and line", "[cli][bad-input]") {
    TempDir dir;
    dir.write("r.dat", ratings(200, 101, 20));
    dir.write("out.json", "known json\n");
    dir.write("grid.txt", "# two entries\n--dim 4\n\n--dim 4 --no-such-flag\n");
    refused(dir, {"sweep", "--data", "r.dat", "--grid", "grid.txt", "--json", "out.json"}, 2, "grid.txt:4: ",
            {"out.json"});
    dir.write("grid.txt", "--dim 4\n--dim 4 --item-table md --blocks 50,40\n");
    refused(dir, {"sweep", "--data", "r.dat", "--grid", "grid.txt", "--json", "out.json"}, 2,
            "grid.txt:2: ", {"out.json"});
}
