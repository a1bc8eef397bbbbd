// `memrec compare` against the commands that see its models one at a time: the eval figures it reports are
// what `memrec eval` measures on the same preset trained by `memrec train`, its file bytes are the size of
// the file `memrec train --out` writes without titles, and the gzip sizes (gzip_size, shared with inspect
// and export) are zlib's gzip -9 of the bytes.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#if defined(MEMREC_ZLIB)
#include <zlib.h>
#endif

#include "run_memrec.h"
#include "test_files.h"

using memrec_test::describe;
using memrec_test::run_memrec;
using memrec_test::slurp;
using memrec_test::TempDir;

namespace {

// 600 users rating 20 of 300 movies each, skewed towards the low ids (so memeff's frequency blocks differ):
// big enough that a 64-dim f32 file (about 230 KB) takes several of gzip_size's 32 KB output pieces.
void write_data(const TempDir& dir) {
    std::string ratings;
    for (int u = 1; u <= 600; ++u)
        for (int j = 0; j < 20; ++j) {
            const int i = j < 10 ? 1 + (u * 13 + j * 3) % 40 : 41 + (u * 7 + (j - 10) * 17) % 260;
            ratings += std::to_string(u) + "::" + std::to_string(i) + "::" + std::to_string(1 + (u + 3 * i + j) % 5) +
                       "::978300760\n";
        }
    dir.write("ml/ratings.dat", ratings);
}

double number_after(const std::string& text, const std::string& label) {
    const size_t at = text.find(label);
    if (at == std::string::npos) return NAN;
    return std::stod(text.substr(at + label.size()));
}

// The count printed after `label` in inspect's size table ("  f32             218,814        202,325"):
// the first (bytes) or second (gzip) number of that row.
int64_t table_count(const std::string& text, const std::string& label, int which) {
    const size_t row = text.find("\n  " + label + " ");
    if (row == std::string::npos) return -1;
    std::string digits;
    int seen = 0;
    for (size_t k = row + 3 + label.size(); k < text.size() && text[k] != '\n'; ++k) {
        const char c = text[k];
        if (c >= '0' && c <= '9') {
            digits += c;
        } else if (c != ',' && !digits.empty()) {
            if (seen++ == which) return std::stoll(digits);
            digits.clear();
        }
    }
    return -1;
}

#if defined(MEMREC_ZLIB)
// gzip -9 of `bytes` in one deflate call with room for all of it: the reference for gzip_size's pieces.
int64_t gzip_reference(const std::string& bytes) {
    z_stream z{};
    REQUIRE(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK);
    std::string out(deflateBound(&z, uLong(bytes.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = uInt(bytes.size());
    z.next_out = reinterpret_cast<Bytef*>(&out[0]);
    z.avail_out = uInt(out.size());
    const int rc = deflate(&z, Z_FINISH);
    deflateEnd(&z);
    REQUIRE(rc == Z_STREAM_END);
    return int64_t(z.total_out);
}
#endif

const char* const kStorages[] = {"f32", "f16", "int8", "int4"};

}  // namespace

TEST_CASE("compare reports what eval measures and export writes for each preset", "[cli][compare]") {
    TempDir dir;
    write_data(dir);
    const std::string data = dir.file("ml");
    const std::vector<std::string> training = {"--epochs", "2", "--threads", "2", "--adam", "lazy"};
    std::vector<std::string> args = {"compare", "--data", data, "--presets", "baseline,memeff", "-q",
                                     "--json", dir.file("c.json")};
    args.insert(args.end(), training.begin(), training.end());
    const auto c = run_memrec(args, dir.path());
    INFO(describe(c));
    REQUIRE(c.status == 0);
    const auto j = nlohmann::json::parse(slurp(dir.file("c.json")));
    REQUIRE(j.size() == 2);

    for (const auto& preset : j) {
        const std::string name = preset["preset"];
        INFO(name);
        const std::string model = dir.file(name + ".mrec");
        args = {"train", "--data", data, "--preset", name, "-q", "--out", model};
        args.insert(args.end(), training.begin(), training.end());
        auto r = run_memrec(args, dir.path());
        INFO(describe(r));
        REQUIRE(r.status == 0);

        // The final eval figures: those of the model itself, as a separate pass over the eval split sees it.
        r = run_memrec({"eval", model, "--data", data}, dir.path());
        INFO(describe(r));
        REQUIRE(r.status == 0);
        CHECK(std::fabs(double(preset["eval"]["mse"]) - number_after(r.out, "eval: mse ")) < 1e-6);
        CHECK(std::fabs(double(preset["eval"]["rmse"]) - number_after(r.out, "rmse ")) < 1e-6);
        CHECK(std::fabs(double(preset["eval"]["mae"]) - number_after(r.out, "mae ")) < 1e-6);
        // The last epoch's figures are the final model's (no early stopping here).
        CHECK(double(preset["history"].back()["eval_mse"]) == double(preset["eval"]["mse"]));

        // File bytes: the train run's file (no titles: the data has no movies.dat) and, at every storage,
        // export's bytes plus what export saves by sorting a full table's ids (order_ids), which does not
        // depend on the storage. memeff's tables (QR, mixed-dimension) keep their order: nothing saved.
        const auto trained_bytes = int64_t(std::filesystem::file_size(model));
        CHECK(int64_t(preset["file_bytes"]["f32"]) == trained_bytes);
        int64_t sorting_saves = -1;
        for (const char* s : kStorages) {
            const std::string out = dir.file(name + "_" + s + ".mrec");
            r = run_memrec({"export", model, "--quantize", s, "--no-titles", "--out", out}, dir.path());
            INFO(s << "\n" << describe(r));
            REQUIRE(r.status == 0);
            const auto exported = int64_t(std::filesystem::file_size(out));
            if (sorting_saves < 0) sorting_saves = trained_bytes - exported;
            CHECK(int64_t(preset["file_bytes"][s]) == exported + sorting_saves);
#if defined(MEMREC_ZLIB)
            // compare's file holds this run's epoch timings, so its bytes (not their count) differ from the
            // train run's: its gzip size is within a few bytes, where the storages differ by thousands.
            if (sorting_saves == 0)
                CHECK(std::abs(int64_t(preset["gzip_bytes"][s]) - gzip_reference(slurp(out))) < 64);
#endif
        }
        CHECK(sorting_saves >= 0);
        if (name == "memeff") CHECK(sorting_saves == 0);
#if defined(MEMREC_ZLIB)
        CHECK(std::abs(int64_t(preset["gzip_bytes"]["f32"]) - gzip_reference(slurp(model))) < 64);
#endif
    }
}

#if defined(MEMREC_ZLIB)
TEST_CASE("inspect's gzip sizes are zlib's gzip -9 of the bytes export writes", "[cli][compare][model]") {
    TempDir dir;
    write_data(dir);
    const std::string model = dir.file("m.mrec");
    auto r = run_memrec({"train", "--data", dir.file("ml"), "--preset", "baseline", "--epochs", "1", "-q", "--out",
                         model},
                        dir.path());
    INFO(describe(r));
    REQUIRE(r.status == 0);
    const auto inspect = run_memrec({"inspect", model}, dir.path());
    INFO(describe(inspect));
    REQUIRE(inspect.status == 0);
    for (const char* s : kStorages) {
        const std::string out = dir.file(std::string(s) + ".mrec");
        r = run_memrec({"export", model, "--quantize", s, "--no-titles", "--out", out}, dir.path());
        INFO(s << "\n" << describe(r));
        REQUIRE(r.status == 0);
        const std::string bytes = slurp(out);
        CHECK(table_count(inspect.out, s, 0) == int64_t(bytes.size()));
        CHECK(table_count(inspect.out, s, 1) == gzip_reference(bytes));
    }
    // The f32 file is several of gzip_size's 32 KB output pieces.
    CHECK(gzip_reference(slurp(dir.file("f32.mrec"))) > 4 * 32768);
}
#endif
