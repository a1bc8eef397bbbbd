// write_file_atomic after a writer was killed mid-write: the NAME.tmp.PID it left is removed by the next
// write of NAME when that PID is gone, and nothing else is (a live PID's file, other names, other patterns).
// An overwrite keeps the replaced file's permission bits.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "memrec/io.h"
#include "test_files.h"

namespace fs = std::filesystem;
using memrec_test::TempDir;

namespace {
// The id of a process that has exited and been reaped: no process has it (unless reused meanwhile).
pid_t dead_pid() {
    const pid_t pid = ::fork();
    if (pid == 0) ::_exit(0);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return pid;
}
}  // namespace

TEST_CASE("write_file_atomic removes its destination's stale temporaries only", "[io]") {
    TempDir dir;
    const std::string dead = std::to_string(dead_pid());
    const std::string alive = std::to_string(::getppid());  // the test runner's parent: running
    dir.write("model.mrec.tmp." + dead, "half a model");
    dir.write("model.mrec.tmp." + alive, "someone writing now");
    dir.write("other.mrec.tmp." + dead, "another destination's");
    dir.write("model.mrec.tmp." + dead + "x", "not the pattern");
    dir.write("model.mrec.tmp.", "no pid");
    memrec::write_file_atomic(dir.file("model.mrec"), "whole model");
    CHECK(memrec::read_file(dir.file("model.mrec")) == "whole model");
    CHECK_FALSE(fs::exists(dir.file("model.mrec.tmp." + dead)));
    CHECK(fs::exists(dir.file("model.mrec.tmp." + alive)));
    CHECK(fs::exists(dir.file("other.mrec.tmp." + dead)));
    CHECK(fs::exists(dir.file("model.mrec.tmp." + dead + "x")));
    CHECK(fs::exists(dir.file("model.mrec.tmp.")));
}

TEST_CASE("write_file_atomic keeps the permissions of the file it replaces", "[io]") {
    TempDir dir;
    const std::string path = dir.write("model.mrec", "old");
    REQUIRE(::chmod(path.c_str(), 0600) == 0);
    memrec::write_file_atomic(path, "new");
    struct stat st {};
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    REQUIRE(::chmod(path.c_str(), 0664) == 0);
    memrec::write_file_atomic(path, "newer");
    REQUIRE(::stat(path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0664);
    CHECK(memrec::read_file(path) == "newer");
}
