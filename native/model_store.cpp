#include "model_store.h"

namespace memrec::cli {

void StoreOptions::add_to(CLI::App& app) {
    app.add_option("--quantize", quantize, "storage of the tables in --out: f32 | f16 | int8 | int4 | pq (default f32)");
    app.add_option("--pq-subspaces", pq.subspaces,
                   "pq: subspaces M per embedding row (its columns must be a multiple of M; other parameters are "
                   "stored as int8)")
        ->check(CLI::Range(1, 255));
    app.add_option("--pq-bits", pq.bits, "pq: bits per code, 4..8 (2^bits centroids per subspace)")->capture_default_str()
        ->check(CLI::Range(kPqMinBits, kPqMaxBits));
    app.add_option("--pq-codebook", pq_codebook, "pq: centroids stored as int8 (a scale per subspace) or f16")->capture_default_str()
        ->check(CLI::IsMember({"int8", "f16"}));
    app.add_option("--pq-seed", pq.seed, "pq: k-means++ seed")->capture_default_str();
    app.add_option("--pq-iterations", pq.iterations, "pq: Lloyd iterations at most")->capture_default_str()->check(CLI::Range(0, 1000));
}

void StoreOptions::add_titles_flag(CLI::App& app) {
    app.add_flag("--no-titles", no_titles, "leave the movie titles out of --out");
}

Storage StoreOptions::storage() const {
    const Storage storage = quantize.empty() ? Storage::F32 : parse_storage(quantize);
    if (storage == Storage::Pq && pq.subspaces == 0) throw UsageError("--quantize pq needs --pq-subspaces M");
    if (storage != Storage::Pq && pq.subspaces != 0) throw UsageError("--pq-subspaces applies to --quantize pq");
    return storage;
}

PqOptions StoreOptions::pq_options() const {
    PqOptions o = pq;
    o.codebook = pq_codebook == "f16" ? PqCodebook::F16 : PqCodebook::Int8;
    return o;
}

std::string stored_bytes(ModelFile& f, const StoreOptions& options) {
    const Storage storage = options.storage();
    const PqOptions pq = options.pq_options();
    // Ids in ascending order (order_ids): before storing, as row-wise storage does not depend on the order;
    // pq codes are reordered after k-means, which does.
    if (storage != Storage::Pq) order_ids(f);
    std::string bytes = serialize_model(f, storage, !options.no_titles, pq);
    if (storage == Storage::Pq) {
        ModelFile coded = parse_model(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
        if (order_ids(coded)) bytes = serialize_model(coded, storage, !options.no_titles, pq);
    }
    return bytes;
}

}  // namespace memrec::cli
