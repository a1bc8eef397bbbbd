// memrec titles: a model's movie titles as JSON. The web demo downloads this once and exports every variant
// with --no-titles, so titles cross the network once, not once per model file. Integer ids (MovieLens):
// {"firstId": N, "titles": [...]}, the title of id N + i at i (null for ids the model does not know), which
// is 9 KB smaller after gzip on ml-1m than listing every id; other ids: {"itemIds": [...], "titles": [...]}.
#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

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
// The id as an integer if it is written as one (no sign, no leading zeros), else -1.
long long integer_id(const std::string& id) {
    if (id.empty() || id.size() > 15 || (id[0] == '0' && id.size() > 1)) return -1;
    if (!std::all_of(id.begin(), id.end(), [](char c) { return c >= '0' && c <= '9'; })) return -1;
    return std::stoll(id);
}

nlohmann::json titles_json(const ModelFile& f) {
    const std::vector<std::string>& ids = f.items.ids();
    std::vector<long long> numbers(ids.size());
    std::transform(ids.begin(), ids.end(), numbers.begin(), integer_id);
    const auto [lo, hi] = std::minmax_element(numbers.begin(), numbers.end());
    // Sparse ids would make the by-id list mostly nulls: list them instead.
    if (ids.empty() || *lo < 0 || *hi - *lo >= 2 * static_cast<long long>(ids.size()))
        return {{"itemIds", ids}, {"titles", f.titles}};
    nlohmann::json by_id(size_t(*hi - *lo + 1), nullptr);
    for (size_t i = 0; i < ids.size(); ++i) by_id[size_t(numbers[i] - *lo)] = f.titles[i];
    return {{"firstId", *lo}, {"titles", by_id}};
}

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
                write_file_atomic(args->out, titles_json(f).dump() + "\n");
                if (!args->quiet) std::printf("wrote %zu titles to %s\n", f.titles.size(), args->out.c_str());
                return 0;
            }};
}

}  // namespace memrec::cli
