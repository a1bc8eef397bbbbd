// `memrec --version`, `memrec --help`, and `--help` with examples for every subcommand the top-level help
// lists (so a subcommand added later is covered without touching this test).
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "memrec/version.h"
#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::TempDir;

namespace {

// The subcommand names listed under "Subcommands:" in `memrec --help`.
std::vector<std::string> subcommands(const std::string& help) {
    std::vector<std::string> out;
    const size_t at = help.find("\nSubcommands:\n");
    if (at == std::string::npos) return out;
    size_t b = at + std::string("\nSubcommands:\n").size();
    while (b < help.size()) {
        size_t e = help.find('\n', b);
        if (e == std::string::npos) e = help.size();
        const std::string line = help.substr(b, e - b);
        b = e + 1;
        if (line.rfind("  ", 0) != 0) break;
        const size_t start = line.find_first_not_of(' ');
        out.push_back(line.substr(start, line.find(' ', start) - start));
    }
    return out;
}

}  // namespace

TEST_CASE("memrec --version prints the version", "[cli][help]") {
    TempDir dir;
    const auto r = run_memrec({"--version"}, dir.path());
    INFO(describe(r));
    CHECK(r.exited);
    CHECK(r.status == 0);
    CHECK(r.out == std::string("memrec ") + MEMREC_VERSION_STRING + "\n");
}

TEST_CASE("memrec --help lists the subcommands, and each has --help with examples", "[cli][help]") {
    TempDir dir;
    const auto top = run_memrec({"--help"}, dir.path());
    INFO(describe(top));
    REQUIRE(top.status == 0);
    const auto names = subcommands(top.out);
    for (const char* expected : {"train", "compare", "export", "inspect", "eval", "predict", "recommend"})
        CHECK(std::find(names.begin(), names.end(), expected) != names.end());

    for (const auto& name : names) {
        const auto r = run_memrec({name, "--help"}, dir.path());
        INFO("memrec " << name << " --help\n" << describe(r));
        CHECK(r.exited);
        CHECK(r.status == 0);
        CHECK(r.err.empty());
        CHECK_THAT(r.out, Catch::Contains("Usage: "));
        CHECK_THAT(r.out, Catch::Contains("Example"));
        CHECK_THAT(r.out, Catch::Contains("\n  memrec " + name + " "));  // an example of this very command
        // -h works too.
        CHECK(run_memrec({name, "-h"}, dir.path()).out == r.out);
    }
}

TEST_CASE("No subcommand, or an unknown one, is a usage error in one line", "[cli][help]") {
    TempDir dir;
    for (const auto& args : std::vector<std::vector<std::string>>{{}, {"frobnicate"}, {"--frobnicate"}}) {
        const auto r = run_memrec(args, dir.path());
        INFO(memrec_test::command_text(args) << "\n" << describe(r));
        CHECK(r.exited);
        CHECK(r.status == 2);
        CHECK_THAT(r.err, Catch::StartsWith("memrec: "));
        CHECK(std::count(r.err.begin(), r.err.end(), '\n') == 1);
        CHECK_THAT(r.err, Catch::Contains("memrec --help"));
    }
}
