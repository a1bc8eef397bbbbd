// memrec: train, compare, export and query memory-efficient recommendation models.
// Exit status: 0 success, 1 bad data or model file, 2 usage error (unknown flag, value out of range).
#include <cstdio>
#include <exception>
#include <new>

#include "cli.h"
#include "memrec/error.h"
#include "memrec/version.h"

int main(int argc, char** argv) {
    using namespace memrec;
    CLI::App app{"memrec: memory-efficient recommendation models, trained on the CPU and served in the browser"};
    app.set_version_flag("--version", std::string("memrec ") + MEMREC_VERSION_STRING);
    app.require_subcommand(1);
    app.fallthrough(false);
    std::vector<cli::Command> commands{cli::add_train(app),   cli::add_compare(app), cli::add_export(app),
                                       cli::add_inspect(app), cli::add_eval(app),    cli::add_predict(app),
                                       cli::add_recommend(app), cli::add_demo_users(app), cli::add_titles(app), cli::add_sweep(app),
                                       cli::add_split(app),
                                       cli::add_bench(app), cli::add_synth(app)};
    cli::add_value_checks(app);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // CLI11 reports "memrec frobnicate" as a missing subcommand; name the word it did not know.
        const std::string unknown = cli::unknown_flag(app, argc, argv);
        if (argc > 1 && argv[1][0] != '-' && app.get_subcommands().empty())
            std::fprintf(stderr, "memrec: unknown subcommand '%s' (see memrec --help)\n", argv[1]);
        else if (!unknown.empty())
            std::fprintf(stderr, "memrec: %s has no flag %s (see memrec %s --help)\n", argv[1], unknown.c_str(),
                         argv[1]);
        else
            std::fprintf(stderr, "memrec: %s (see memrec --help)\n", e.what());
        return 2;
    }
    try {
        cli::check_output_paths(app);
        for (auto& c : commands)
            if (c.app->parsed()) return c.run();
        return 2;
    } catch (const cli::UsageError& e) {
        std::fprintf(stderr, "memrec: %s\n", e.what());
        return 2;
    } catch (const ConfigError& e) {
        std::fprintf(stderr, "memrec: %s\n", e.what());
        return 2;
    } catch (const Error& e) {
        std::fprintf(stderr, "memrec: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "memrec: out of memory\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "memrec: %s\n", e.what());
        return 1;
    }
}
