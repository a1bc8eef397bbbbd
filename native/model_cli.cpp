#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <numeric>

#include "memrec/io.h"
#include "model_cli.h"

#if defined(MEMREC_ZLIB)
#include <zlib.h>
#endif

namespace memrec::cli {

int64_t gzip_size(std::string_view bytes) {
#if defined(MEMREC_ZLIB)
    z_stream z{};
    // windowBits 15 + 16: a gzip wrapper, as `gzip -9` and web servers produce.
    if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK) return -1;
    std::string out(deflateBound(&z, static_cast<uLong>(bytes.size())), '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    z.next_out = reinterpret_cast<Bytef*>(&out[0]);
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = deflate(&z, Z_FINISH);
    const int64_t n = rc == Z_STREAM_END ? static_cast<int64_t>(z.total_out) : -1;
    deflateEnd(&z);
    return n;
#else
    (void)bytes;
    return -1;
#endif
}

// gzip -9 of the f32 file is most of the time (compare measured 0.1-0.3 s per model): f32 on a second thread,
// the three smaller storages (about as many bytes together) on this one.
std::vector<StoredSize> stored_sizes(const ModelFile& file, bool with_titles) {
    auto measure = [&](Storage s) {
        const std::string bytes = serialize_model(file, s, with_titles);
        return StoredSize{s, static_cast<int64_t>(bytes.size()), gzip_size(bytes)};
    };
    std::future<StoredSize> f32 = std::async(std::launch::async, measure, Storage::F32);
    std::vector<StoredSize> out(1);
    for (Storage s : {Storage::F16, Storage::Int8, Storage::Int4}) out.push_back(measure(s));
    out[0] = f32.get();
    return out;
}

namespace {
// content_hash of a ratings file, read once per run (compare and sweep describe several models of one file):
// keyed by path, size and modification time, so a file changed in between is read again.
std::string ratings_hash(const std::string& path) {
    static std::mutex lock;
    static std::map<std::string, std::string> known;
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    const auto time = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
    const std::string key = path + '\0' + std::to_string(size) + '\0' + std::to_string(time);
    {
        std::lock_guard<std::mutex> g(lock);
        if (!ec)
            if (auto it = known.find(key); it != known.end()) return it->second;
    }
    std::string hash = content_hash(read_file(path));
    std::lock_guard<std::mutex> g(lock);
    if (!ec) known[key] = hash;
    return hash;
}
}  // namespace

ModelFile training_metadata(const Preset& preset, const Dataset& data, const Split& split, const DataOptions& opts,
                            const std::vector<EpochStats>& history) {
    ModelFile f;
    f.users = data.users;
    f.items = data.items;
    f.titles = data.titles;
    f.item_counts = count_items(data, split.train);
    f.info.preset = preset.name;
    // The name only, never the path (a deployed file shows it to every visitor), and the ratings' hash.
    std::filesystem::path given = std::filesystem::path(opts.resolve()).lexically_normal();
    if (given.filename().empty()) given = given.parent_path();
    f.info.data_source = given.filename().string();
    f.info.data_hash = ratings_hash(data.ratings_path);
    f.info.data_format = data.format;
    f.info.train_fraction = opts.train_fraction;
    f.info.split_seed = opts.split_seed;
    f.info.seed = preset.train.seed;
    f.info.train = preset.train;
    f.info.min_rating = data.min_rating;
    f.info.max_rating = data.max_rating;
    f.info.reading = opts.reading_info();
    // Trained on all of --data, evaluated on another file: its name (never its path, as above).
    if (!opts.eval_data.empty())
        f.info.reading.eval_data = std::filesystem::path(opts.eval_data).lexically_normal().filename().string();
    f.history = history;
    if (!history.empty()) f.eval = history.back().eval;
    return f;
}

DataOptions stored_data_options(const ModelFile& file, DataOptions opts, const CLI::App& app) {
    namespace fs = std::filesystem;
    // Without --data: the data the model names (a path in older files, a name in newer ones) if it is here,
    // or in the default folder ($MEMREC_DATA, else ./data); else the default data. load_model_data warns
    // when what it reads is not what the model was trained on.
    if (opts.path.empty() && !file.info.data_source.empty()) {
        const char* env = std::getenv("MEMREC_DATA");
        const fs::path source(file.info.data_source);
        std::error_code ec;
        for (const fs::path& p : {source, fs::path(env && *env ? env : "data") / source})
            if (fs::exists(p, ec)) {
                opts.path = p.string();
                break;
            }
    }
    // The flags the ratings were read with, unless some are given here.
    if (!opts.any_read_flag()) opts.use_reading(file.info.reading, file.info.min_rating, file.info.max_rating);
    if (app.get_option("--train-fraction")->count() == 0) opts.train_fraction = file.info.train_fraction;
    if (app.get_option("--split-seed")->count() == 0) opts.split_seed = file.info.split_seed;
    return opts;
}

ModelData load_model_data(const ModelFile& file, DataOptions opts, const CLI::App& app, bool quiet) {
    opts = stored_data_options(file, opts, app);
    ModelData md;
    md.data = load_data(opts, quiet);
    if (!file.info.data_hash.empty() && content_hash(read_file(md.data.ratings_path)) != file.info.data_hash)
        std::fprintf(stderr, "warning: %s is not the ratings file the model was trained on (%s, content hash %s)\n",
                     md.data.ratings_path.c_str(), file.info.data_source.c_str(), file.info.data_hash.c_str());
    md.split = split_dataset(md.data, opts.train_fraction, opts.split_seed);
    md.user_to_model.resize(size_t(md.data.users.size()));
    md.item_to_model.resize(size_t(md.data.items.size()));
    for (int32_t u = 0; u < md.data.users.size(); ++u) {
        md.user_to_model[size_t(u)] = file.users.find(md.data.users.id(u));
        md.unknown_users += md.user_to_model[size_t(u)] < 0;
    }
    for (int32_t i = 0; i < md.data.items.size(); ++i) {
        md.item_to_model[size_t(i)] = file.items.find(md.data.items.id(i));
        md.unknown_items += md.item_to_model[size_t(i)] < 0;
    }
    if (!file.item_counts.empty()) {
        std::vector<int64_t> counts(file.item_counts.size(), 0);
        for (uint32_t k : md.split.train) {
            const int32_t m = md.item_to_model[size_t(md.data.item[k])];
            if (m >= 0) ++counts[size_t(m)];
        }
        md.same_popularity = counts == file.item_counts;
    }
    if (!quiet)
        std::printf("split: %zu train, %zu eval (fraction %.2f, seed %llu)\n", md.split.train.size(),
                    md.split.eval.size(), opts.train_fraction, (unsigned long long)opts.split_seed);
    if (!md.same_popularity || md.unknown_users || md.unknown_items)
        std::fprintf(stderr,
                     "memrec: warning: this data is not what the model was trained on (%lld user and %lld item ids "
                     "unknown to the model%s)\n",
                     (long long)md.unknown_users, (long long)md.unknown_items,
                     md.same_popularity ? "" : ", training-split item counts differ from the model's");
    return md;
}

std::string item_label(const ModelFile& file, int32_t item) {
    std::string s = file.items.id(item);
    if (!file.titles.empty() && !file.titles[size_t(item)].empty()) s += " " + file.titles[size_t(item)];
    return s;
}

Metrics eval_split_metrics(const ModelFile& file, const ModelData& md, int threads, int64_t& skipped) {
    Dataset mapped;
    skipped = 0;
    for (uint32_t k : md.split.eval) {
        const int32_t u = md.user_to_model[size_t(md.data.user[k])];
        const int32_t i = md.item_to_model[size_t(md.data.item[k])];
        if (u < 0 || i < 0) {
            ++skipped;
            continue;
        }
        mapped.user.push_back(u);
        mapped.item.push_back(i);
        mapped.rating.push_back(md.data.rating[k]);
    }
    if (mapped.size() == 0)
        throw Error("no eval rating has a user and movie the model knows: is this the model's data?");
    std::vector<uint32_t> all(mapped.size());
    std::iota(all.begin(), all.end(), 0u);
    return evaluate(*file.model, mapped, all, threads);
}

std::string item_title(const ModelFile& file, int32_t item) {
    if (!file.titles.empty() && !file.titles[size_t(item)].empty()) return file.titles[size_t(item)];
    return file.items.id(item);
}

}  // namespace memrec::cli
