// memrec export: re-store a model file at another storage (f16, int8, int4 row-wise or product codes), optionally without titles,
// and/or write its tables reconstructed to full width as NumPy .npy files with the vocabularies.
#include <cstdio>
#include <filesystem>
#include <optional>
#include <nlohmann/json.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>
#include <xtensor/xtensor.hpp>

#include "memrec/io.h"
#include "model_cli.h"
#include "model_store.h"
#include "topn_cli.h"

namespace memrec::cli {

namespace {

struct ExportArgs {
    std::string model;
    std::string out;
    std::string npy;
    StoreOptions store;  // --quantize, --pq-*, --no-titles
    DataOptions data;
    bool quiet = false;
};

// The stored file's own figures, measured on its tables as stored (`stored`, parsed back from its bytes)
// with the data and split of its training info: eval RMSE for a rating model, and the top-N figures of
// the protocol the source file has them for.
void measure_stored(ModelFile& stored, const ExportArgs& args, const CLI::App& app) {
    const int threads = default_threads();
    std::optional<ModelData> md;
    if (stored.model->config().objective == Objective::Rating || stored.ranking.protocol == "ratings")
        md = load_model_data(stored, args.data, app, args.quiet);
    if (stored.model->config().objective == Objective::Rating) {
        int64_t skipped = 0;
        stored.eval = eval_split_metrics(stored, *md, threads, skipped);
    }
    const float threshold = stored.ranking.positive_threshold;
    if (stored.ranking.protocol == "visitors")
        stored.ranking.metrics =
            rank_topn(*stored.model, model_visitor_cases(stored, args.data, app, threshold, args.quiet), threads).model;
    else if (stored.ranking.protocol == "ratings")
        stored.ranking.metrics =
            rank_topn(*stored.model,
                      {false, rating_cases(md->data, md->split, threshold, md->user_to_model, md->item_to_model),
                       stored.item_counts},
                      threads)
                .model;
    stored.figures_of_stored_tables = true;
}

// Every row of `table` through lookup(), i.e. what the model multiplies: rows x dim float32.
xt::xtensor<float, 2> full_width(const EmbeddingTable& table) {
    const int s = table.stride(), d = table.dim();
    xt::xtensor<float, 2> out = xt::zeros<float>({static_cast<size_t>(table.rows()), static_cast<size_t>(d)});
    constexpr int64_t kChunk = 256;
    std::vector<int32_t> ids(kChunk);
    AlignedVector<float> buf(static_cast<size_t>(kChunk) * size_t(s));
    for (int64_t begin = 0; begin < table.rows(); begin += kChunk) {
        const int64_t n = std::min(kChunk, table.rows() - begin);
        for (int64_t i = 0; i < n; ++i) ids[size_t(i)] = static_cast<int32_t>(begin + i);
        table.lookup(ids.data(), n, buf.data());
        for (int64_t i = 0; i < n; ++i)
            for (int c = 0; c < d; ++c) out(size_t(begin + i), size_t(c)) = buf[size_t(i * s + c)];
    }
    return out;
}

xt::xtensor<float, 1> column(const Param& p) {
    xt::xtensor<float, 1> out = xt::zeros<float>({static_cast<size_t>(p.rows)});
    for (int64_t r = 0; r < p.rows; ++r) out(size_t(r)) = p.row(r)[0];
    return out;
}

std::string lines(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += s + "\n";
    return out;
}

void write_npy(const ModelFile& f, const std::string& dir, bool quiet) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec || !fs::is_directory(dir)) throw Error(dir + ": cannot create the directory: " + ec.message());
    const Model& m = *f.model;
    std::vector<std::string> written;
    auto put = [&](const std::string& name, const std::string& bytes) {
        write_file_atomic((fs::path(dir) / name).string(), bytes);
        written.push_back(name);
    };
    put("user_embeddings.npy", xt::dump_npy(full_width(m.user_table())));
    put("item_embeddings.npy", xt::dump_npy(full_width(m.item_table())));
    if (m.user_bias()) put("user_bias.npy", xt::dump_npy(column(*m.user_bias())));
    if (m.item_bias()) put("item_bias.npy", xt::dump_npy(column(*m.item_bias())));
    put("users.txt", lines(f.users.ids()));
    put("items.txt", lines(f.items.ids()));
    if (!f.titles.empty()) put("titles.txt", lines(f.titles));
    nlohmann::json meta = {
        {"format", "memrec npy export"},
        {"objective", to_string(m.config().objective)},
        {"prediction", m.config().objective != Objective::Rating
                           ? "user_vector . item_embeddings[i], a preference score (the user vector is folded in "
                             "from the user's positives: the file stores the item side only)"
                           : m.config().link == Link::Linear
                           ? "scale / 2 + user_embeddings[u] . item_embeddings[i] + global_bias + "
                             "user_bias[u] + item_bias[i] (absent biases are 0)"
                           : "scale * sigmoid(user_embeddings[u] . item_embeddings[i] + global_bias + user_bias[u] + "
                             "item_bias[i]) (absent biases are 0)"},
        {"scale", m.scale()},
        {"link", to_string(m.config().link)},
        {"dim", m.dim()},
        {"users", m.users()},
        {"items", m.items()},
        {"global_bias", m.global_bias() ? nlohmann::json(m.global_bias()->data[0]) : nlohmann::json(nullptr)},
        {"user_bias", m.user_bias() != nullptr},
        {"item_bias", m.item_bias() != nullptr},
        {"user_table", to_string(m.user_table().kind())},
        {"item_table", to_string(m.item_table().kind())},
        {"stored_as", to_string(f.storage)},
        {"rating_range", {f.info.min_rating, f.info.max_rating}},
    };
    put("meta.json", meta.dump(2) + "\n");
    if (!quiet) {
        std::printf("wrote %s:", dir.c_str());
        for (const auto& w : written) std::printf(" %s", w.c_str());
        std::printf("\n");
    }
}

}  // namespace

Command add_export(CLI::App& root) {
    auto args = std::make_shared<ExportArgs>();
    CLI::App* app = root.add_subcommand("export", "re-store a model at f16, int8, int4 or pq, or export it as NumPy .npy files");
    app->footer(
        "Examples:\n"
        "  memrec export m.mrec --quantize int8 --out m8.mrec --no-titles   the smallest file for the browser\n"
        "  memrec export m.mrec --npy weights/     user/item embeddings (full width), vocabularies, meta.json\n"
        "  memrec export m.mrec --quantize int8 --data ~/ml-1m --out m8.mrec   with the int8 model's own figures\n"
        "  memrec export m.mrec --quantize pq --pq-subspaces 4 --out mpq.mrec   4 codes of 8 bits per item row\n"
        "\nIn Python: np.load('weights/item_embeddings.npy'); rows follow weights/items.txt.");
    app->add_option("model", args->model, "model file (.mrec)")->required();
    args->store.add_to(*app);
    app->add_option("--out", args->out, "write the model file here");
    args->store.add_titles_flag(*app);
    app->add_option("--npy", args->npy, "write .npy tables, vocabularies and meta.json into this directory");
    app->add_flag("-q,--quiet", args->quiet, "print nothing on success");
    args->data.add_to(*app);
    app->get_option("--data")->description(
        "re-measure the stored model on this data (the split of its training info) and keep its own eval "
        "RMSE and top-N figures, not the source model's");

    return {app, [args, app]() {
                if (args->out.empty() && args->npy.empty()) throw UsageError("export needs --out FILE and/or --npy DIR");
                if (args->out.empty() && (!args->store.quantize.empty() || args->store.no_titles))
                    throw UsageError("--quantize and --no-titles apply to --out, which is missing");
                const Storage storage = args->store.storage();
                const bool titles = !args->store.no_titles;
                ModelFile f = load_model(args->model);
                if (!args->out.empty()) {
                    // Without data the figures stay the source's (and inspect says so); with it, the
                    // stored tables are read back and measured, and the file keeps its own figures.
                    f.figures_of_stored_tables = false;
                    std::string bytes = stored_bytes(f, args->store);
                    if (!args->data.path.empty()) {
                        ModelFile stored = parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
                        measure_stored(stored, *args, *app);
                        bytes = serialize_model(stored, storage, titles, args->store.pq_options());
                    }
                    write_file_atomic(args->out, bytes);
                    if (!args->quiet)
                        std::printf("wrote %s: %s tables%s, %s (gzip %s)\n", args->out.c_str(), to_string(storage),
                                    !titles || f.titles.empty() ? ", no titles" : ", with titles",
                                    format_bytes(double(bytes.size())).c_str(),
                                    gzip_size(bytes) < 0 ? "n/a" : format_bytes(double(gzip_size(bytes))).c_str());
                }
                if (!args->npy.empty()) {
                    order_ids(f);
                    write_npy(f, args->npy, args->quiet);
                }
                return 0;
            }};
}

}  // namespace memrec::cli
