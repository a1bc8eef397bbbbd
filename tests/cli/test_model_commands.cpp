// The model-file commands through the real binary on a small ratings folder: train --out, inspect, export
// (f16 / int8 / --no-titles / --npy read back with NumPy), eval, predict, recommend, and how each reports a
// damaged or missing model file and bad usage.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "memrec/io.h"
#include "memrec/reader.h"
#include "memrec/split.h"
#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::slurp;
using memrec_test::TempDir;
using Catch::Contains;

namespace {

// 80 users; each rates movie 1 (the most popular) and 15 others of movies 2..60. Titles in movies.dat.
void write_data(const TempDir& dir) {
    std::string ratings, movies;
    for (int u = 1; u <= 80; ++u) {
        ratings += std::to_string(u) + "::1::" + std::to_string(1 + u % 5) + "::978300760\n";
        for (int j = 0; j < 15; ++j) {
            const int i = 2 + (u * 7 + j * 11) % 59;
            ratings += std::to_string(u) + "::" + std::to_string(i) + "::" + std::to_string(1 + (u + 2 * i) % 5) +
                       "::978300760\n";
        }
    }
    for (int i = 1; i <= 60; ++i) movies += std::to_string(i) + "::Movie number " + std::to_string(i) + " (1990)::Drama\n";
    dir.write("ml/ratings.dat", ratings);
    dir.write("ml/movies.dat", movies);
}

// A trained model in `dir`/m.mrec (memory-efficient layout scaled down), with its data in `dir`/ml.
struct Trained {
    TempDir dir;
    Trained() {
        write_data(dir);
        const auto r = run_memrec({"train", "--data", dir.file("ml"), "--preset", "memeff", "--blocks", "10,30",
                                   "--epochs", "4", "--lr", "0.03", "--threads", "1", "-q", "--out", dir.file("m.mrec")},
                                  dir.path());
        INFO(describe(r));
        REQUIRE(r.status == 0);
        REQUIRE(std::filesystem::exists(dir.file("m.mrec")));
    }
    RunResult run(std::vector<std::string> args) const { return run_memrec(args, dir.path()); }
};

double number_after(const std::string& text, const std::string& label) {
    const size_t at = text.find(label);
    if (at == std::string::npos) return NAN;
    return std::stod(text.substr(at + label.size()));
}

// A python3 that has numpy, or "" (the pyenv shim on PATH may lack it; Debian's python3-numpy is in /usr/bin).
std::string python_with_numpy() {
    for (const char* py : {"python3", "/usr/bin/python3"})
        if (std::system((std::string(py) + " -c 'import numpy' >/dev/null 2>&1").c_str()) == 0) return py;
    return "";
}

std::string run_shell(const std::string& cmd) {
    std::string out;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (!p) return out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
    return out;
}

}  // namespace

TEST_CASE("train --out writes a model that inspect describes and eval reproduces", "[cli][model]") {
    Trained t;
    auto r = t.run({"inspect", t.dir.file("m.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    for (const char* s : {"format version 3", "tables stored as f32", "qr, dim 64", "md, dim 64, blocks 0..9 @64",
                          "config", "users", "items", "popularity", "titles", "tables", "training", "history",
                          "item.block2.projection", "f16", "int8", "gzip", "memeff", "epoch"})
        CHECK_THAT(r.out, Contains(s));

    r = t.run({"eval", t.dir.file("m.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    // The f32 file evaluates to exactly the metrics measured when it was saved.
    const double mse = number_after(r.out, "eval: mse "), stored = number_after(r.out, "at training: mse ");
    CHECK(mse > 0);
    CHECK(mse == stored);
    CHECK(number_after(r.out, "  rmse ") == Approx(std::sqrt(mse)).epsilon(1e-5));
}

TEST_CASE("titles writes a model's titles as JSON, and says when a file holds none", "[cli][model][titles]") {
    Trained t;
    auto r = t.run({"titles", t.dir.file("m.mrec"), "--out", t.dir.file("titles.json")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("wrote 60 titles"));
    const std::string json = slurp(t.dir.file("titles.json"));
    CHECK_THAT(json, Contains("\"firstId\":1,"));
    CHECK_THAT(json, Contains("\"titles\":[\"Movie number 1 (1990)\",\"Movie number 2 (1990)\","));
    REQUIRE(t.run({"export", t.dir.file("m.mrec"), "--no-titles", "--out", t.dir.file("n.mrec"), "-q"}).status == 0);
    r = t.run({"titles", t.dir.file("n.mrec"), "--out", t.dir.file("none.json")});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("holds no titles"));
}

TEST_CASE("a model file names its data without the path, with the ratings' content hash", "[cli][model]") {
    Trained t;
    const std::string bytes = slurp(t.dir.file("m.mrec"));
    CHECK(bytes.find(t.dir.path()) == std::string::npos);
    const std::string hash = memrec::content_hash(slurp(t.dir.file("ml/ratings.dat")));
    CHECK(bytes.find(hash) != std::string::npos);
    auto r = t.run({"inspect", t.dir.file("m.mrec")});
    INFO(describe(r));
    CHECK_THAT(r.out, Contains("  data          ml (movielens"));
    CHECK_THAT(r.out, Contains("  data hash     " + hash));
    CHECK_THAT(r.out, !Contains(t.dir.file("ml")));
    // Other ratings under the same name: eval still reads them, and warns that they differ.
    t.dir.write("other/ml/ratings.dat", slurp(t.dir.file("ml/ratings.dat")) + "81::2::5::978300760\n");
    r = run_memrec({"eval", t.dir.file("m.mrec"), "-q"}, t.dir.file("other"));
    INFO(describe(r));
    CHECK(r.status == 0);
    CHECK_THAT(r.err, Contains("is not the ratings file the model was trained on (ml, content hash " + hash));
}

TEST_CASE("inspect reports the format version the file was written in", "[cli][model]") {
    TempDir dir;
    for (const std::string v : {"1", "2"}) {
        const auto r = run_memrec({"inspect", std::string(MEMREC_FIXTURES) + "/format" + v + ".mrec"}, dir.path());
        INFO(describe(r));
        REQUIRE(r.status == 0);
        CHECK_THAT(r.out, Contains("memrec model, format version " + v + ","));
    }
}

TEST_CASE("export re-stores at f16 and int8, smaller and nearly as accurate", "[cli][model][export]") {
    Trained t;
    auto r = t.run({"export", t.dir.file("m.mrec"), "--quantize", "int8", "--out", t.dir.file("m8.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("int8 tables, with titles"));
    r = t.run({"export", t.dir.file("m.mrec"), "--quantize", "int8", "--out", t.dir.file("m8n.mrec"), "--no-titles"});
    REQUIRE(r.status == 0);
    r = t.run({"export", t.dir.file("m.mrec"), "--quantize", "f16", "--out", t.dir.file("m16.mrec"), "-q"});
    REQUIRE(r.status == 0);
    CHECK(r.out.empty());
    namespace fs = std::filesystem;
    const auto b32 = fs::file_size(t.dir.file("m.mrec")), b16 = fs::file_size(t.dir.file("m16.mrec")),
               b8 = fs::file_size(t.dir.file("m8.mrec")), b8n = fs::file_size(t.dir.file("m8n.mrec"));
    CHECK(b16 < b32);
    CHECK(b8 < b16);
    CHECK(b8n < b8);

    const double e32 = number_after(t.run({"eval", t.dir.file("m.mrec"), "-q"}).out, "rmse ");
    const double e16 = number_after(t.run({"eval", t.dir.file("m16.mrec"), "-q"}).out, "rmse ");
    r = t.run({"eval", t.dir.file("m8n.mrec"), "-q"});
    INFO(describe(r));
    const double e8 = number_after(r.out, "rmse ");
    CHECK_THAT(r.out, Contains("int8 tables"));
    CHECK(std::fabs(e16 - e32) < 0.0005);
    CHECK(std::fabs(e8 - e32) < 0.003);
    r = t.run({"inspect", t.dir.file("m8n.mrec")});
    CHECK_THAT(r.out, Contains("tables stored as int8"));
    CHECK_THAT(r.out, Contains("(no titles)"));
}

TEST_CASE("predict answers known users, falls back for unknown ones, refuses unknown movies", "[cli][model]") {
    Trained t;
    auto r = t.run({"predict", t.dir.file("m.mrec"), "--user", "3", "--movie", "1"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("user 3, movie 1 Movie number 1 (1990): predicted rating "));
    const double p = number_after(r.out, "predicted rating ");
    CHECK(p > 0.0);
    CHECK(p < 5.0);

    r = t.run({"predict", t.dir.file("m.mrec"), "--user", "9999", "--movie", "1"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("user 9999 is not in the model: popularity fallback"));
    CHECK_THAT(r.out, Contains("over all 80 users"));
    CHECK(std::regex_search(r.out, std::regex(R"(predicted rating [0-9.]+ \(fallback; \d\d training ratings\))")));

    r = t.run({"predict", t.dir.file("m.mrec"), "--user", "3", "--movie", "12345"});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("movie 12345 is not in the model"));
}

TEST_CASE("recommend ranks by predicted rating and leaves out the user's training movies", "[cli][model]") {
    Trained t;
    auto r = t.run({"recommend", t.dir.file("m.mrec"), "--user", "7", "-k", "10", "--data", t.dir.file("ml")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    // The user's training movies, from the same split computed here by the library.
    const memrec::Dataset d = memrec::read_dataset(t.dir.file("ml"));
    const memrec::Split split = memrec::split_dataset(d, 0.85, 42);
    std::set<std::string> trained;
    for (uint32_t k : split.train)
        if (d.users.id(d.user[k]) == "7") trained.insert(d.items.id(d.item[k]));
    CHECK_THAT(r.out, Contains("leaving out the " + std::to_string(trained.size()) + " rated in training"));
    std::regex row(R"(^\s+(\d+)\s+([0-9.]+)\s+(\d+) Movie number)");
    std::istringstream lines(r.out);
    std::string line;
    std::vector<std::pair<std::string, double>> recs;
    while (std::getline(lines, line)) {
        std::smatch m;
        if (std::regex_search(line, m, row)) recs.push_back({m[3], std::stod(m[2])});
    }
    REQUIRE(recs.size() == 10);
    for (size_t i = 0; i < recs.size(); ++i) {
        CHECK(trained.count(recs[i].first) == 0);
        if (i > 0) CHECK(recs[i].second <= recs[i - 1].second);
    }
    // The listed rating is what predict says for that pair.
    auto p = t.run({"predict", t.dir.file("m.mrec"), "--user", "7", "--movie", recs[0].first});
    CHECK(number_after(p.out, "predicted rating ") == Approx(recs[0].second).margin(0.0006));

    r = t.run({"recommend", t.dir.file("m.mrec"), "--user", "nobody", "-k", "3"});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("user nobody is not in the model: popularity fallback"));
    CHECK(std::regex_search(r.out, std::regex(R"(\n\s+1\s+\d+\s+[0-9.]+\s+1 Movie number 1 )")));
}

TEST_CASE("export --npy writes tables NumPy reads back to memrec's own predictions", "[cli][model][npy]") {
    Trained t;
    auto r = t.run({"export", t.dir.file("m.mrec"), "--npy", t.dir.file("npy")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    for (const char* f : {"user_embeddings.npy", "item_embeddings.npy", "users.txt", "items.txt", "meta.json"})
        CHECK(std::filesystem::exists(t.dir.file(std::string("npy/") + f)));
    const std::string py = python_with_numpy();
    if (py.empty()) {
        WARN("skipped the NumPy read-back: no python3 with numpy found");
        return;
    }
    const std::string script = t.dir.write("check.py", R"(
import json, sys
import numpy as np
d = sys.argv[1]
U = np.load(d + '/user_embeddings.npy')
V = np.load(d + '/item_embeddings.npy')
meta = json.load(open(d + '/meta.json'))
users = open(d + '/users.txt').read().split('\n')[:-1]
items = open(d + '/items.txt').read().split('\n')[:-1]
assert U.dtype == np.float32 and V.dtype == np.float32
assert U.shape == (meta['users'], meta['dim']) and V.shape == (meta['items'], meta['dim'])
assert len(users) == U.shape[0] and len(items) == V.shape[0]
for u, i in [('1', '1'), ('7', '33'), ('80', '60'), ('42', '2')]:
    z = float(np.dot(U[users.index(u)].astype(np.float64), V[items.index(i)].astype(np.float64)))
    print(u, i, '%.6f' % (meta['scale'] / (1.0 + np.exp(-z))))
)");
    const std::string out = run_shell(py + " " + script + " " + t.dir.file("npy") + " 2>&1");
    INFO(out);
    std::istringstream lines(out);
    std::string u, i;
    double p = 0;
    int checked = 0;
    while (lines >> u >> i >> p) {
        auto pr = t.run({"predict", t.dir.file("m.mrec"), "--user", u, "--movie", i});
        INFO("user " << u << " movie " << i << ": " << describe(pr));
        CHECK(number_after(pr.out, "predicted rating ") == Approx(p).margin(2e-6));
        ++checked;
    }
    CHECK(checked == 4);
}

TEST_CASE("damaged, missing or foreign model files exit 1 naming the file and field", "[cli][model][errors]") {
    Trained t;
    const std::string good = slurp(t.dir.file("m.mrec"));
    const std::string cut = t.dir.write("cut.mrec", good.substr(0, good.size() / 2));
    for (const char* cmd : {"inspect", "eval", "export"}) {
        std::vector<std::string> args{cmd, cut};
        if (std::string(cmd) == "export") args.insert(args.end(), {"--out", t.dir.file("x.mrec")});
        auto r = t.run(args);
        INFO(describe(r));
        CHECK(r.status == 1);
        CHECK_THAT(r.err, Contains("model file " + cut + ": section table["));
        CHECK_THAT(r.err, Contains("runs past the end"));
    }
    std::string flipped = good;
    flipped[flipped.size() / 2] ^= 0x20;
    auto r = t.run({"predict", t.dir.write("flip.mrec", flipped), "--user", "1", "--movie", "1"});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("checksum: expected 0x"));
    r = t.run({"inspect", t.dir.file("ml/ratings.dat")});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("magic: expected \"MREC\""));
    r = t.run({"inspect", t.dir.file("nothing.mrec")});
    CHECK(r.status == 1);
    CHECK_THAT(r.err, Contains("nothing.mrec"));
    CHECK_FALSE(std::filesystem::exists(t.dir.file("x.mrec")));
}

TEST_CASE("model commands refuse bad usage with status 2", "[cli][model][errors]") {
    Trained t;
    const std::string m = t.dir.file("m.mrec");
    for (const std::vector<std::string>& args :
         {std::vector<std::string>{"export", m}, {"export", m, "--quantize", "int3", "--out", t.dir.file("x.mrec")},
          {"export", m, "--quantize", "f16"}, {"recommend", m, "--user", "1", "-k", "0"},
          {"predict", m, "--user", "1"}, {"eval"}}) {
        auto r = t.run(args);
        INFO(memrec_test::command_text(args) << "\n" << describe(r));
        CHECK(r.status == 2);
        CHECK_FALSE(r.err.empty());
    }
}

TEST_CASE("compare reports file bytes and gzip bytes at every storage", "[cli][compare][model]") {
    TempDir dir;
    write_data(dir);
    auto r = run_memrec({"compare", "--data", dir.file("ml"), "--epochs", "1", "--presets", "baseline", "-q",
                         "--json", dir.file("c.json")},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    for (const char* s : {"file bytes f32 / gzip", "file bytes f16 / gzip", "file bytes int8 / gzip"})
        CHECK_THAT(r.out, Contains(s));
    const std::string j = slurp(dir.file("c.json"));
    CHECK_THAT(j, Contains("\"file_bytes\""));
    CHECK_THAT(j, Contains("\"gzip_bytes\""));
}

TEST_CASE("export --quantize int4 writes a smaller version 4 file that inspect and eval read", "[cli][model][export]") {
    Trained t;
    for (const char* s : {"int8", "int4"}) {
        const auto r = t.run({"export", t.dir.file("m.mrec"), "--quantize", s, "--no-titles", "--out",
                              t.dir.file(std::string(s) + ".mrec")});
        INFO(describe(r));
        REQUIRE(r.status == 0);
    }
    CHECK(std::filesystem::file_size(t.dir.file("int4.mrec")) < std::filesystem::file_size(t.dir.file("int8.mrec")));
    auto r = t.run({"inspect", t.dir.file("int4.mrec")});
    INFO(describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("format version 4, tables stored as int4"));
    // 64-dim rows cost 36 bytes at int4 (4.5 bits a value); projections, biases, names and this small
    // model's short rows add to that, but it stays below int8's 8 bits and more.
    const double bits = number_after(r.out, "bytes at int4, ");
    CHECK(bits > 4.5);
    CHECK(bits < 8.0);
    const auto f32 = t.run({"eval", t.dir.file("m.mrec"), "--data", t.dir.file("ml")});
    r = t.run({"eval", t.dir.file("int4.mrec"), "--data", t.dir.file("ml")});
    INFO(describe(f32) << describe(r));
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("int4 tables"));
    CHECK(std::fabs(number_after(r.out, "  rmse ") - number_after(f32.out, "  rmse ")) < 0.05);
}
