#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <future>
#include <iterator>
#include <map>
#include <mutex>
#include <numeric>
#include <system_error>
#include <thread>

#include "memrec/io.h"
#include "memrec/reader.h"
#include "model_cli.h"

#if defined(MEMREC_ZLIB)
#include <zlib.h>
#endif

namespace memrec::cli {

#if defined(MEMREC_ZLIB)
namespace {
// A gzip -9 compressor kept per thread: deflateInit2 allocates about 400 KB of window and hash tables,
// deflateReset clears them for the next input (zlib documents it as deflateEnd followed by deflateInit).
struct Deflater {
    z_stream z{};
    bool ok = false;
    // windowBits 15 + 16: a gzip wrapper, as `gzip -9` and web servers produce.
    Deflater() { ok = deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) == Z_OK; }
    ~Deflater() {
        if (ok) deflateEnd(&z);
    }
    Deflater(const Deflater&) = delete;
    Deflater& operator=(const Deflater&) = delete;
};
}  // namespace
#endif

int64_t gzip_size(std::string_view bytes) {
#if defined(MEMREC_ZLIB)
    thread_local Deflater d;
    if (!d.ok || deflateReset(&d.z) != Z_OK) return -1;
    z_stream& z = d.z;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
    z.avail_in = static_cast<uInt>(bytes.size());
    // Only the count is wanted: the output passes through one small buffer (a whole-file one cost a page
    // fault per 4 KB). How the output space is handed over does not change what deflate writes.
    Bytef out[1 << 15];
    int64_t total = 0;
    int rc;
    do {
        z.next_out = out;
        z.avail_out = sizeof out;
        rc = deflate(&z, Z_FINISH);
        total += static_cast<int64_t>(sizeof out - z.avail_out);
    } while (rc == Z_OK);
    return rc == Z_STREAM_END ? total : -1;
#else
    (void)bytes;
    return -1;
#endif
}

std::vector<std::vector<StoredSize>> stored_sizes(const std::vector<const ModelFile*>& files, bool with_titles) {
    constexpr Storage kStorages[] = {Storage::F32, Storage::F16, Storage::Int8, Storage::Int4};
    constexpr double kBytesPerValue[] = {4, 2, 1, 0.5};
    struct Job {
        size_t file, storage;
        double cost;  // about the bytes to serialise and compress
    };
    std::vector<Job> jobs;
    std::vector<std::vector<StoredSize>> out(files.size());
    for (size_t f = 0; f < files.size(); ++f) {
        out[f].resize(std::size(kStorages));
        const double params = double(files[f]->model->parameter_count());
        for (size_t s = 0; s < std::size(kStorages); ++s) jobs.push_back({f, s, params * kBytesPerValue[s]});
    }
    // Largest first, taken by whichever thread is free: the other thread does the smaller pieces meanwhile
    // (the baseline's f32 file is about half of compare's work here).
    std::stable_sort(jobs.begin(), jobs.end(), [](const Job& a, const Job& b) { return a.cost > b.cost; });
    std::atomic<size_t> next{0};
    std::vector<std::exception_ptr> errors(jobs.size());
    auto work = [&] {
        for (size_t j = next++; j < jobs.size(); j = next++) {
            try {
                const Storage s = kStorages[jobs[j].storage];
                const std::string bytes = serialize_model(*files[jobs[j].file], s, with_titles);
                out[jobs[j].file][jobs[j].storage] = {s, static_cast<int64_t>(bytes.size()), gzip_size(bytes)};
            } catch (...) {
                errors[j] = std::current_exception();
            }
        }
    };
    std::thread helper;
    if (jobs.size() > 1) {
        try {
            helper = std::thread(work);
        } catch (const std::system_error&) {  // no thread to be had: this one does it all
        }
    }
    work();
    if (helper.joinable()) helper.join();
    for (const auto& e : errors)
        if (e) std::rethrow_exception(e);
    return out;
}

namespace {
// content_hash of ratings files, computed once per run (compare and sweep describe several models of one
// file) and possibly started early on another thread (start_ratings_hash): keyed by path, size and
// modification time, so a file changed in between is read again.
struct HashCache {
    std::mutex lock;
    std::map<std::string, std::shared_future<std::string>> known;
};
HashCache& hash_cache() {
    static HashCache cache;
    return cache;
}

// "" when the file cannot be asked about (then nothing is cached).
std::string hash_key(const std::string& path) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return {};
    const auto time = std::filesystem::last_write_time(path, ec).time_since_epoch().count();
    if (ec) return {};
    return path + '\0' + std::to_string(size) + '\0' + std::to_string(time);
}

std::string ratings_hash(const std::string& path) {
    HashCache& cache = hash_cache();
    const std::string key = hash_key(path);
    std::shared_future<std::string> started;
    if (!key.empty()) {
        std::lock_guard<std::mutex> g(cache.lock);
        if (auto it = cache.known.find(key); it != cache.known.end()) started = it->second;
    }
    if (started.valid()) {
        try {
            return started.get();
        } catch (...) {  // hashed again below, which reports what went wrong in this thread
        }
    }
    std::string hash = content_hash_of_file(path);
    if (!key.empty()) {
        std::promise<std::string> done;
        done.set_value(hash);
        std::lock_guard<std::mutex> g(cache.lock);
        cache.known[key] = done.get_future().share();
    }
    return hash;
}
}  // namespace

void start_ratings_hash(const DataOptions& opts) {
    try {
        // The file read_dataset will read: the path itself, or the ratings file found in the folder.
        std::string path = opts.resolve();
        std::error_code ec;
        if (std::filesystem::is_directory(path, ec)) path = find_ratings_file(path).first;
        const std::string key = hash_key(path);
        if (key.empty()) return;
        HashCache& cache = hash_cache();
        std::lock_guard<std::mutex> g(cache.lock);
        if (cache.known.count(key)) return;
        cache.known[key] = std::async(std::launch::async, content_hash_of_file, path).share();
    } catch (...) {
        // Only a head start: reading the data reports a missing or unreadable file, and training_metadata
        // hashes it itself when this did not.
    }
}

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
