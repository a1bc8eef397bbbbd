// Entry point of the tests that need the real MovieLens sets. Without MEMREC_DATA (or with a folder that
// lacks the sets) every test exits with 77, which CTest reports as skipped, and says why.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/stat.h>

int main(int argc, char* argv[]) {
    bool listing = false;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        if (a.rfind("--list", 0) == 0) listing = true;
    }
    const char* data = std::getenv("MEMREC_DATA");
    struct stat st {};
    if (!listing && (data == nullptr || *data == '\0' || stat(data, &st) != 0 || !S_ISDIR(st.st_mode))) {
        std::printf("SKIPPED: MEMREC_DATA is not set to a folder holding the MovieLens sets\n");
        return 77;
    }
    return Catch::Session().run(argc, argv);
}
