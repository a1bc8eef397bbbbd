// BPR on the real ml-1m under the visitors protocol (split seed 42, 601 users): `memrec train --objective
// bpr` with its defaults ranks far above popularity (Recall@20 0.18), its int8 file keeps the figures, and
// `eval` on the item-side-only file reproduces training's. Thresholds sit a margin below the figures
// measured for docs/ranking.md (see BPR there). About 30 s on two cores.
#include <catch2/catch.hpp>

#include <regex>
#include <string>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::data_path;
using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::TempDir;
using Catch::Contains;

namespace {

struct ModelRow {
    std::string text;
    double recall20 = 0, ndcg100 = 0, coverage10 = 0;
};

ModelRow model_row(const std::string& out) {
    std::smatch m;
    const std::regex re("\\n  model +([0-9.]+) +([0-9.]+) +[0-9.]+ +([0-9]+) +[0-9.]+\\n");
    ModelRow r;
    if (!std::regex_search(out, m, re)) return r;
    r.text = m[0].str();
    r.recall20 = std::stod(m[1].str());
    r.ndcg100 = std::stod(m[2].str());
    r.coverage10 = std::stod(m[3].str());
    return r;
}

}  // namespace

TEST_CASE("ml-1m visitors: BPR ranks well above popularity, also from its int8 file", "[data][bpr]") {
    TempDir dir;
    const RunResult train = run_memrec({"train", "--data", data_path("ml-1m"), "--objective", "bpr", "--protocol",
                                        "visitors", "--threads", "2", "-q", "--out", dir.file("bpr.mrec")},
                                       dir.path());
    INFO(describe(train));
    REQUIRE(train.status == 0);
    CHECK_THAT(train.out, Contains("top-N (visitors, fold-in): 601 users"));
    const ModelRow m = model_row(train.out);
    REQUIRE(!m.text.empty());
    CHECK(m.recall20 >= 0.33);
    CHECK(m.ndcg100 >= 0.39);
    CHECK(m.coverage10 >= 650);

    const RunResult e = run_memrec({"eval", dir.file("bpr.mrec"), "--data", data_path("ml-1m"), "--protocol",
                                    "visitors", "-q"}, dir.path());
    INFO(describe(e));
    REQUIRE(e.status == 0);
    CHECK(model_row(e.out).text == m.text);

    REQUIRE(run_memrec({"export", dir.file("bpr.mrec"), "--quantize", "int8", "--no-titles", "--out",
                        dir.file("bpr8.mrec")},
                       dir.path())
                .status == 0);
    const RunResult e8 = run_memrec({"eval", dir.file("bpr8.mrec"), "--data", data_path("ml-1m"), "--protocol",
                                     "visitors", "-q"}, dir.path());
    INFO(describe(e8));
    REQUIRE(e8.status == 0);
    CHECK(model_row(e8.out).recall20 == Approx(m.recall20).margin(0.005));
}
