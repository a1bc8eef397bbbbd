// The bad-input matrix: every subcommand with missing or unknown flags, values out of range, paths that do
// not exist or are directories, empty, binary, overlong and malformed files, ratings out of the scale or
// repeated, titles in a broken encoding, damaged model files. Each must end with exit status 2 (usage) or
// 1 (data or model file), one line on stderr naming the problem, and nothing created or changed in the
// working directory, where --out, --history, --json and --checkpoint targets hold known content.
#include <catch2/catch.hpp>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::TempDir;

namespace {

namespace fs = std::filesystem;

using Args = std::vector<std::string>;

struct Case {
    Args args;
    int status;         // 1 or 2
    std::string words;  // in the message
};

// `users` users rating `per_user` distinct items each: "u::i::r" lines.
std::string ratings(int users, int items, int per_user) {
    std::string s;
    for (int u = 0; u < users; ++u)
        for (int j = 0; j < per_user; ++j) {
            const int i = (u * 37 + j * 7) % items;
            s += std::to_string(u + 1) + "::" + std::to_string(i + 1) + "::" + std::to_string(1 + (u + i) % 5) + "\n";
        }
    return s;
}

// A working directory with good and bad inputs, a small trained model, and output files with known content.
class Workspace {
public:
    Workspace() {
        dir_.write("good/ratings.dat", ratings(200, 101, 20));
        dir_.write("other/ratings.dat", ratings(150, 101, 10));
        fs::create_directories(dir_.file("emptydir"));
        dir_.write("empty.dat", "");
        std::string garbage;
        for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919 + 13) % 256);
        dir_.write("garbage.bin", garbage);
        dir_.write("long.dat", "1::2::" + std::string(10 << 20, '3') + "\n");  // one 10 MB line
        dir_.write("nan.dat", "1::2::4\n1::3::nan\n");
        dir_.write("negative.dat", "1::2::4\n1::3::-2\n");
        dir_.write("beyond.dat", "1::2::4\n1::3::6\n");
        dir_.write("duplicate.dat", "1::2::4\n2::2::3\n1::2::5\n");
        dir_.write("fields.dat", "1::2::4\n1::3\n");
        dir_.write("ids.dat", "1::2::4\nx::3::4\n");
        dir_.write("badcsv/ratings.csv", "userId,movieId,rating,timestamp\r\n1,2,4.5,0\r\n1,3,,0\r\n");
        dir_.write("badtitles/ratings.csv", "userId,movieId,rating,timestamp\n1,2,4.5,0\n2,2,3,0\n");
        dir_.write("badtitles/movies.csv", "movieId,title,genres\n2,Caf\xe9 Society \xff (2016),Drama\n");

        const auto trained = run_memrec({"train", "--data", "good/ratings.dat", "--dim", "8", "--epochs", "1",
                                         "--threads", "1", "-q", "--out", "model.mrec"},
                                        dir_.path());
        INFO(describe(trained));
        REQUIRE(trained.status == 0);
        const std::string model = memrec_test::slurp(dir_.file("model.mrec"));
        REQUIRE(model.size() > 200);
        dir_.write("truncated.mrec", model.substr(0, model.size() / 2));
        std::string flipped = model;
        flipped[flipped.size() / 2] = static_cast<char>(flipped[flipped.size() / 2] ^ 0x55);
        dir_.write("flipped.mrec", flipped);

        // Outputs that must survive every failure untouched.
        dir_.write("out.mrec", "known model bytes\n");
        dir_.write("history.json", "known history\n");
        dir_.write("out.json", "known json\n");
        dir_.write("ck/notes.txt", "known notes\n");
        // Special files as outputs: renaming a new file over them would replace them.
        REQUIRE(::mkfifo(dir_.file("fifo").c_str(), 0644) == 0);
        fs::create_symlink("fifo", dir_.file("link-to-fifo"));
    }

    const TempDir& dir() const { return dir_; }

    // Every file below the directory (path -> content) and every directory.
    std::map<std::string, std::string> snapshot() const {
        std::map<std::string, std::string> out;
        for (const auto& e : fs::recursive_directory_iterator(dir_.path())) {
            const std::string rel = fs::relative(e.path(), dir_.path()).string();
            if (e.is_symlink())
                out[rel] = "<link to " + fs::read_symlink(e.path()).string() + ">";
            else if (e.is_directory())
                out[rel] = "<dir>";
            else if (e.is_fifo())
                out[rel] = "<fifo>";
            else
                out[rel] = memrec_test::slurp(e.path().string());
        }
        return out;
    }

    void check(const Case& c) const {
        const auto before = snapshot();
        const auto r = run_memrec(c.args, dir_.path());
        INFO(memrec_test::command_text(c.args) << "\n" << describe(r));
        CHECK(r.exited);
        CHECK(r.status == c.status);
        CHECK_THAT(r.err, Catch::StartsWith("memrec: "));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);  // one line...
        CHECK((!r.err.empty() && r.err.back() == '\n'));           // ...ended
        CHECK_THAT(r.err, Catch::Contains(c.words));
        const auto after = snapshot();
        if (after != before) {
            for (const auto& [path, content] : after) {
                const auto it = before.find(path);
                if (it == before.end()) FAIL_CHECK("created " << path);
                else if (it->second != content) FAIL_CHECK("changed " << path);
            }
            for (const auto& [path, content] : before)
                if (!after.count(path)) FAIL_CHECK("removed " << path);
        }
    }

    void check_all(const std::vector<Case>& cases) const {
        for (const Case& c : cases) check(c);
    }

private:
    TempDir dir_;
};

// Bad rating files: each given as --data to a command that reads ratings.
std::vector<std::pair<std::string, std::string>> bad_data() {
    return {
        {"nonexistent.dat", "no such file"},
        {"emptydir", "no known ratings file"},
        {"empty.dat", "no ratings"},
        {"garbage.bin", "binary"},
        {"long.dat", "longer than 1 MB"},
        {"nan.dat", ":2: rating 'nan' is not finite"},
        {"negative.dat", ":2: rating -2 outside the scale 1..5"},
        {"beyond.dat", ":2: rating 6 outside the scale 1..5"},
        {"duplicate.dat", ":3: user '1' rated item '2' again (first at line 1)"},
        {"fields.dat", ":2: expected 3 or 4 fields"},
        {"ids.dat", ":2: user id 'x'"},
        {"badcsv", "ratings.csv:3: empty rating"},
        {"badtitles", "movies.csv:2: invalid UTF-8"},
    };
}

// Bad model files given where a model is expected.
std::vector<std::pair<std::string, std::string>> bad_models() {
    return {
        {"nonexistent.mrec", "nonexistent.mrec"},
        {"emptydir", "emptydir: is a directory"},
        {"empty.dat", "magic"},
        {"garbage.bin", "magic"},
        {"good/ratings.dat", "not a memrec model file"},
        {"truncated.mrec", "truncated.mrec"},
        {"flipped.mrec", "flipped.mrec"},
    };
}

Args operator+(Args a, const Args& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

}  // namespace

TEST_CASE("bad input: train", "[cli][bad-input]") {
    Workspace w;
    // Outputs given to every case: none may appear or change.
    const Args outputs{"--out", "out.mrec", "--history", "history.json", "--checkpoint", "ck", "-q"};
    const Args base = Args{"train", "--data", "good/ratings.dat"} + outputs;
    std::vector<Case> cases{
        {{"train", "--no-such-flag"}, 2, "--no-such-flag"},
        {base + Args{"--epochs"}, 2, "--epochs"},
        {base + Args{"--dim", "-4"}, 2, "--dim: must be at least 1, got -4"},
        {base + Args{"--dim", "0"}, 2, "--dim: must be at least 1, got 0"},
        {base + Args{"--dim", "3.5"}, 2, "--dim: expected a whole number"},
        {base + Args{"--dim", "100000"}, 2, "dim must be in 1..4096"},
        {base + Args{"--user-table", "qr", "--user-buckets", "0"}, 2, "--user-buckets: must be at least 1"},
        {base + Args{"--item-buckets", "-1"}, 2, "--item-buckets: must be at least 1"},
        {base + Args{"--item-table", "qr", "--item-buckets", "1000000000000"}, 2, "buckets must be at most"},
        {base + Args{"--item-table", "md", "--alpha", "1.5"}, 2, "--alpha: must be in [0, 1], got 1.5"},
        {base + Args{"--alpha", "-0.5"}, 2, "--alpha: must be in [0, 1]"},
        {base + Args{"--alpha", "nan"}, 2, "--alpha"},
        {base + Args{"--item-table", "md", "--blocks", "50,40"}, 2, "block ends must increase"},
        {base + Args{"--item-budget", "1000"}, 2, "--item-budget needs a mixed-dimension table (md), this one is full"},
        {base + Args{"--item-table", "md", "--item-budget", "0"}, 2, "--item-budget: must be at least 1, got 0"},
        {base + Args{"--item-table", "md", "--item-budget", "1000", "--block-dims", "64,32,16"}, 2,
         "--item-budget and --block-dims both size the blocks"},
        {base + Args{"--user-table", "md", "--user-budget", "x"}, 2, "--user-budget: expected a whole number"},
        {base + Args{"--blocks", "5,x"}, 2, "--blocks: expected whole numbers"},
        // Table flags for kinds the model does not have, and blocks beyond the data's ids (issue 15).
        {base + Args{"--blocks", "10,20"}, 2,
         "--blocks shapes mixed-dimension tables, and neither table is one (user full, item full)"},
        {base + Args{"--alpha", "0.5"}, 2, "--alpha shapes mixed-dimension tables"},
        {base + Args{"--user-buckets", "10"}, 2, "--user-buckets sizes a qr or hash user table, and this one is full"},
        {base + Args{"--preset", "memeff", "--item-buckets", "10"}, 2,
         "--item-buckets sizes a qr or hash item table, and this one is md"},
        {base + Args{"--combiner", "add"}, 2, "--combiner joins a quotient-remainder table's two parts"},
        {base + Args{"--item-table", "md", "--blocks", "400,1700"}, 2,
         "item table's mixed-dimension block ends (--blocks 400,1700) do not fit the data's"},
        {base + Args{"--block-dims", "0"}, 2, "--block-dims"},
        {base + Args{"--batch", "0"}, 2, "--batch: must be at least 1, got 0"},
        {base + Args{"--batch", "100000000000"}, 2, "--batch: must be at most"},
        {base + Args{"--lr", "nan"}, 2, "--lr: must be a positive number, got nan"},
        {base + Args{"--lr", "0"}, 2, "--lr: must be a positive number"},
        {base + Args{"--lr", "-0.1"}, 2, "--lr"},
        {base + Args{"--lr", "fast"}, 2, "--lr: expected a number"},
        {base + Args{"--epochs", "0"}, 2, "--epochs: must be at least 1, got 0"},
        {base + Args{"--epochs", "-1"}, 2, "--epochs"},
        {base + Args{"--threads", "0"}, 2, "--threads"},
        {base + Args{"--weight-decay", "-1"}, 2, "--weight-decay"},
        {base + Args{"--l2", "inf"}, 2, "--l2"},
        {base + Args{"--train-fraction", "1.5"}, 2, "--train-fraction"},
        {base + Args{"--train-fraction", "0"}, 2, "--train-fraction"},
        {base + Args{"--split-seed", "-3"}, 2, "--split-seed"},
        {base + Args{"--preset", "nope"}, 2, "unknown preset 'nope'"},
        {base + Args{"--user-table", "nope"}, 2, "unknown table kind 'nope'"},
        {base + Args{"--combiner", "nope"}, 2, "unknown combiner 'nope'"},
        {base + Args{"--adam", "nope"}, 2, "unknown Adam mode 'nope'"},
        {{"train", "--data", "good/ratings.dat", "--history", "emptydir"}, 2, "--history emptydir: is a directory"},
        {{"train", "--data", "good/ratings.dat", "--out", "nodir/m.mrec"}, 2, "directory nodir does not exist"},
        {{"train", "--data", "good/ratings.dat", "--checkpoint", "out.mrec"}, 2, "--checkpoint out.mrec: not a directory"},
        {{"train", "--data", "good/ratings.dat", "--history", "fifo"}, 2, "--history fifo: not a regular file"},
        {{"train", "--data", "good/ratings.dat", "--out", "link-to-fifo"}, 2, "--out link-to-fifo: not a regular file"},
        {{"train", "--data", "/dev/zero"}, 1, "/dev/zero:1: NUL byte"},
        {Args{"train"} + outputs, 2, "no ratings to read: give --data"},
        {{"train", "--data", "good/ratings.dat", "--resume", "ck"}, 1, "checkpoint.mrck"},
        {{"train", "--data", "good/ratings.dat", "--resume", "nothing"}, 1, "no such checkpoint directory"},
        {{"train", "--data", "good/ratings.dat", "--resume", "good/ratings.dat"}, 1, "not a directory"},
    };
    for (const auto& [file, words] : bad_data())
        cases.push_back({Args{"train", "--data", file} + outputs, 1, words});
    w.check_all(cases);
}

TEST_CASE("bad input: compare", "[cli][bad-input]") {
    Workspace w;
    const Args outputs{"--json", "out.json", "-q"};
    const Args base = Args{"compare", "--data", "good/ratings.dat"} + outputs;
    std::vector<Case> cases{
        {{"compare", "--bogus"}, 2, "--bogus"},
        {base + Args{"--presets", "nope"}, 2, "unknown preset 'nope'"},
        {base + Args{"--presets", ","}, 2, "--presets needs at least one preset"},
        {base + Args{"--epochs", "0"}, 2, "--epochs"},
        {base + Args{"--batch", "0"}, 2, "--batch"},
        {base + Args{"--lr", "nan"}, 2, "--lr"},
        {base + Args{"--train-fraction", "1.5"}, 2, "--train-fraction"},
        {{"compare", "--data", "good/ratings.dat", "--json", "emptydir"}, 2, "--json emptydir: is a directory"},
        {Args{"compare"} + outputs, 2, "no ratings to read"},
    };
    for (const auto& [file, words] : bad_data()) cases.push_back({Args{"compare", "--data", file} + outputs, 1, words});
    w.check_all(cases);
}

TEST_CASE("bad input: export and inspect", "[cli][bad-input]") {
    Workspace w;
    std::vector<Case> cases{
        {{"export", "--out", "out.mrec"}, 2, "model is required"},
        {{"export", "model.mrec"}, 2, "export needs --out FILE and/or --npy DIR"},
        {{"export", "model.mrec", "--quantize", "f8", "--out", "out.mrec"}, 2, "unknown storage 'f8'"},
        {{"export", "model.mrec", "--out", "out.mrec", "--bogus"}, 2, "--bogus"},
        {{"export", "model.mrec", "--out", "emptydir"}, 2, "--out emptydir: is a directory"},
        {{"export", "model.mrec", "--npy", "out.mrec"}, 2, "--npy out.mrec: not a directory"},
        {{"export", "model.mrec", "--out", "nodir/x.mrec"}, 2, "does not exist"},
        {{"inspect"}, 2, "model is required"},
        {{"inspect", "model.mrec", "extra"}, 2, "extra"},
        {{"inspect", "model.mrec", "--bogus"}, 2, "--bogus"},
    };
    for (const auto& [file, words] : bad_models()) {
        cases.push_back({{"export", file, "--out", "out.mrec", "--npy", "npy"}, 1, words});
        cases.push_back({{"inspect", file}, 1, words});
    }
    w.check_all(cases);
}

TEST_CASE("bad input: eval, predict, recommend", "[cli][bad-input]") {
    Workspace w;
    std::vector<Case> cases{
        {{"eval"}, 2, "model is required"},
        {{"eval", "model.mrec", "--threads", "0"}, 2, "--threads"},
        {{"eval", "model.mrec", "--train-fraction", "1.5"}, 2, "--train-fraction"},
        {{"eval", "model.mrec", "--bogus"}, 2, "--bogus"},
        {{"eval", "model.mrec", "--eval-data", "nonexistent.csv"}, 1, "nonexistent.csv"},
        {{"eval", "model.mrec", "--eval-data", "good/ratings.dat", "--protocol", "ratings"}, 2,
         "--eval-data measures ratings: leave out --protocol"},
        {{"predict", "model.mrec", "--user", "1"}, 2, "--movie is required"},
        {{"predict", "model.mrec", "--movie", "2"}, 2, "--user is required"},
        {{"predict", "model.mrec", "--user", "1", "--movie", "99999"}, 1, "movie 99999 is not in the model"},
        {{"predict", "--user", "1", "--movie", "2"}, 2, "model is required"},
        {{"recommend", "model.mrec"}, 2, "--user is required"},
        {{"recommend", "model.mrec", "--user", "1", "-k", "0"}, 2, "--top: must be at least 1"},
        {{"recommend", "model.mrec", "--user", "1", "-k", "-5"}, 2, "--top"},
        {{"recommend", "model.mrec", "--user", "1", "--data", "nonexistent.dat"}, 1, "nonexistent.dat"},
    };
    for (const auto& [file, words] : bad_models()) {
        cases.push_back({{"eval", file}, 1, words});
        cases.push_back({{"predict", file, "--user", "1", "--movie", "2"}, 1, words});
        cases.push_back({{"recommend", file, "--user", "1"}, 1, words});
    }
    for (const auto& [file, words] : bad_data()) {
        cases.push_back({{"eval", "model.mrec", "--data", file}, 1, words});
        cases.push_back({{"recommend", "model.mrec", "--user", "1", "--data", file}, 1, words});
    }
    w.check_all(cases);
}

TEST_CASE("bad input: the other subcommands", "[cli][bad-input]") {
    Workspace w;
    std::vector<Case> cases{
        {{"demo-users", "model.mrec", "--data", "good/ratings.dat"}, 2, "--out is required"},
        {{"demo-users", "model.mrec", "--out", "out.json", "--count", "0"}, 2, "--count"},
        {{"demo-users", "model.mrec", "--out", "emptydir"}, 2, "is a directory"},
        {{"demo-users", "nonexistent.mrec", "--out", "out.json"}, 1, "nonexistent.mrec"},
        {{"demo-users", "garbage.bin", "--out", "out.json"}, 1, "magic"},
        {{"demo-users", "model.mrec", "--out", "out.json", "--data", "nan.dat"}, 1, "not finite"},
        {{"titles", "model.mrec"}, 2, "--out is required"},
        {{"titles", "garbage.bin", "--out", "out.json"}, 1, "magic"},
        {{"sweep", "--data", "good/ratings.dat", "--grid", "nonexistent.txt", "--json", "out.json"}, 2, "--grid"},
        {{"sweep", "--data", "good/ratings.dat", "--budget", "0"}, 2, "--budget"},
        {{"sweep", "--data", "good/ratings.dat", "--json", "emptydir"}, 2, "is a directory"},
        {{"sweep", "--data", "duplicate.dat", "--json", "out.json"}, 1, "again (first at line 1)"},
        {{"bench", "--data", "good/ratings.dat", "--threads", "x"}, 2, "--threads"},
        {{"bench", "--data", "good/ratings.dat", "--modes", "nope"}, 2, "unknown Adam mode 'nope'"},
        {{"bench", "--data", "good/ratings.dat", "--optimizers", "adam,nope"}, 2,
         "unknown optimizer 'nope' (expected preset"},
        {{"bench", "--data", "good/ratings.dat", "--epochs", "0"}, 2, "--epochs"},
        {{"bench", "--data", "good/ratings.dat", "--reads", "0"}, 2, "--reads"},
        {{"bench", "--data", "negative.dat", "--json", "out.json"}, 1, "outside the scale"},
        {{"bench", "--data", "good/ratings.dat", "--json", "emptydir"}, 2, "is a directory"},
    };
    w.check_all(cases);
}

TEST_CASE("bad input: every listed subcommand refuses an unknown flag in one line", "[cli][bad-input]") {
    Workspace w;
    const auto help = run_memrec({"--help"}, w.dir().path());
    const size_t at = help.out.find("Subcommands:\n");
    REQUIRE(at != std::string::npos);
    size_t b = at + 13;
    int seen = 0;
    while (b < help.out.size() && help.out.compare(b, 2, "  ") == 0) {
        const size_t start = help.out.find_first_not_of(' ', b);
        const std::string name = help.out.substr(start, help.out.find(' ', start) - start);
        w.check({{name, "--no-such-flag"}, 2, "--no-such-flag"});
        ++seen;
        b = help.out.find('\n', b) + 1;
    }
    CHECK(seen >= 7);
}
