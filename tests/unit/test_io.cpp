// write_file_atomic: writes whole files, replaces them by rename, writes through symbolic links (the link
// stays a link), and refuses to replace anything that is not a regular file (a FIFO here, /dev/null or
// /dev/stdout in real life).
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>

#include "memrec/error.h"
#include "memrec/io.h"
#include "test_files.h"

namespace fs = std::filesystem;
using memrec_test::TempDir;

namespace {
int entries(const std::string& dir) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir)) n += e.exists() || e.is_symlink();
    return n;
}
}  // namespace

TEST_CASE("write_file_atomic writes, replaces and leaves no temporary file", "[io]") {
    TempDir dir;
    const std::string path = dir.file("out.json");
    memrec::write_file_atomic(path, "first");
    CHECK(memrec::read_file(path) == "first");
    memrec::write_file_atomic(path, std::string("second\0with nul", 15));
    CHECK(memrec::read_file(path) == std::string("second\0with nul", 15));
    CHECK(entries(dir.path()) == 1);
    CHECK_THROWS_AS(memrec::write_file_atomic(dir.file("missing/out.json"), "x"), memrec::Error);
    CHECK(entries(dir.path()) == 1);
}

TEST_CASE("write_file_atomic writes through a symbolic link and keeps the link", "[io]") {
    TempDir dir;
    const std::string target = dir.write("target.mrec", "old");
    fs::create_symlink("target.mrec", dir.file("link.mrec"));
    memrec::write_file_atomic(dir.file("link.mrec"), "new");
    CHECK(fs::is_symlink(dir.file("link.mrec")));
    CHECK(memrec::read_file(target) == "new");
    CHECK(entries(dir.path()) == 2);
}

TEST_CASE("write_file_atomic refuses to replace what is not a regular file", "[io]") {
    TempDir dir;
    const std::string fifo = dir.file("fifo");
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    fs::create_symlink("fifo", dir.file("link"));
    for (const std::string& path : {fifo, dir.file("link"), dir.path()}) {
        INFO(path);
        try {
            memrec::write_file_atomic(path, "x");
            FAIL("replaced");
        } catch (const memrec::Error& e) {
            CHECK_THAT(e.what(), Catch::Contains(path));
        }
    }
    CHECK(fs::is_fifo(fifo));
    CHECK(fs::is_symlink(dir.file("link")));
    CHECK(entries(dir.path()) == 2);
}

TEST_CASE("content_hash_of_file hashes a file read in pieces as content_hash hashes it whole", "[io]") {
    TempDir dir;
    // FNV-1a 64 computed here byte by byte: the reference for every piece boundary.
    auto fnv = [](const std::string& bytes) {
        uint64_t h = 0xcbf29ce484222325ull;
        for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
        char hex[17];
        std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
        return std::string("fnv1a64:") + hex;
    };
    CHECK(memrec::content_hash_of_file(dir.write("a.dat", "a")) == "fnv1a64:af63dc4c8601ec8c");  // published
    CHECK(memrec::content_hash_of_file(dir.write("empty.dat", "")) == "fnv1a64:cbf29ce484222325");
    // Around the 256 KB piece and a few pieces long, with every byte value (NULs included).
    for (size_t n : {size_t(1) << 18, (size_t(1) << 18) + 1, 3 * (size_t(1) << 18) - 7}) {
        std::string bytes(n, '\0');
        for (size_t k = 0; k < n; ++k) bytes[k] = static_cast<char>((k * 131 + k / 7) & 0xff);
        const std::string path = dir.write("big.dat", bytes);
        INFO(n);
        CHECK(memrec::content_hash_of_file(path) == fnv(bytes));
        CHECK(memrec::content_hash_of_file(path) == memrec::content_hash(memrec::read_file(path)));
    }
    CHECK_THROWS_AS(memrec::content_hash_of_file(dir.file("missing.dat")), memrec::DataError);
    CHECK_THROWS_AS(memrec::content_hash_of_file(dir.path()), memrec::DataError);
}
