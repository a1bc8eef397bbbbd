// The issue 12 acceptance for a visitor on ml-1m: the rank-small preset, int8 without titles, folded in by
// `memrec recommend --ratings` (the page's path). Five-star science fiction gives mostly Sci-Fi, five-star
// Disney animation mostly Animation or Children's, and the two lists are different lists. About 5 s.
#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::data_path;
using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::RunResult;
using memrec_test::TempDir;

namespace {

// movies.dat: id::title::genres (Genre|Genre).
std::map<std::string, std::string> genres_by_id() {
    std::ifstream in(data_path("ml-1m/movies.dat"));
    std::map<std::string, std::string> out;
    for (std::string line; std::getline(in, line);) {
        const size_t a = line.find("::"), b = line.rfind("::");
        if (a != std::string::npos && b > a) out[line.substr(0, a)] = line.substr(b + 2);
    }
    return out;
}

std::vector<std::string> recommended(const TempDir& dir, const std::string& model, const std::string& ratings) {
    const RunResult r = run_memrec({"recommend", model, "--ratings", ratings, "-k", "10", "-q"}, dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    std::vector<std::string> ids;
    std::istringstream lines(r.out);
    const std::regex row(R"(^\s+\d+\s+-?[0-9.]+\s+(\d+))");
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (std::regex_search(line, m, row)) ids.push_back(m[1]);
    }
    REQUIRE(ids.size() == 10);
    return ids;
}

int with_genre(const std::vector<std::string>& ids, const std::map<std::string, std::string>& genres,
               const std::vector<std::string>& wanted) {
    int n = 0;
    for (const std::string& id : ids) {
        const std::string& g = genres.at(id);
        bool hit = false;
        for (const std::string& w : wanted) hit = hit || g.find(w) != std::string::npos;
        n += hit;
    }
    return n;
}

}  // namespace

TEST_CASE("ml-1m visitor: rank-small int8 follows a Sci-Fi and an animation visitor's taste", "[data][als][recommend]") {
    TempDir dir;
    const RunResult train = run_memrec({"train", "--data", data_path("ml-1m"), "--preset", "rank-small", "--threads",
                                        "2", "-q", "--out", dir.file("m.mrec")}, dir.path());
    INFO(describe(train));
    REQUIRE(train.status == 0);
    REQUIRE(run_memrec({"export", dir.file("m.mrec"), "--quantize", "int8", "--no-titles", "--out",
                        dir.file("m8.mrec"), "-q"}, dir.path()).status == 0);
    const auto genres = genres_by_id();
    // Star Wars IV, The Matrix, Terminator 2, Alien.
    const auto scifi = recommended(dir, dir.file("m8.mrec"), "260:5,2571:5,589:5,1214:5");
    // Toy Story, The Lion King, Aladdin, Beauty and the Beast, The Little Mermaid.
    const auto animation = recommended(dir, dir.file("m8.mrec"), "1:5,364:5,588:5,595:5,2081:5");
    CHECK(with_genre(scifi, genres, {"Sci-Fi"}) >= 5);
    CHECK(with_genre(animation, genres, {"Animation", "Children's"}) >= 6);
    int shared = 0;
    for (const std::string& id : scifi) shared += std::count(animation.begin(), animation.end(), id);
    CHECK(shared <= 2);
}
