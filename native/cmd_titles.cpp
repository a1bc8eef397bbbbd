// memrec titles: a model's movie titles as JSON, {"itemIds": [...], "titles": [...]} by dense item index.
// The web demo downloads this once and exports every variant with --no-titles, so titles cross the network
// once, not once per model file.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli.h"
#include "memrec/error.h"
#include "memrec/io.h"
#include "memrec/model_file.h"

namespace memrec::cli {

namespace {
struct TitlesArgs {
    std::string model, out;
    bool quiet = false;
};
}  // namespace

Command add_titles(CLI::App& root) {
    auto args = std::make_shared<TitlesArgs>();
    CLI::App* app = root.add_subcommand("titles", "write a model's movie titles as JSON (the web demo's shared titles)");
    app->footer("Example:\n  memrec titles baseline-f32.mrec --out web/models/titles.json");
    app->add_option("model", args->model, "model file (.mrec) that holds titles")->required();
    app->add_option("--out", args->out, "the JSON file to write")->required();
    app->add_flag("-q,--quiet", args->quiet, "print nothing on success");

    return {app, [args]() {
                const ModelFile f = load_model(args->model);
                if (f.titles.empty()) throw Error(args->model + " holds no titles (exported with --no-titles?)");
                const nlohmann::json doc = {{"itemIds", f.items.ids()}, {"titles", f.titles}};
                write_file_atomic(args->out, doc.dump() + "\n");
                if (!args->quiet) std::printf("wrote %zu titles to %s\n", f.titles.size(), args->out.c_str());
                return 0;
            }};
}

}  // namespace memrec::cli
