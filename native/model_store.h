// How `memrec export --out` stores a model: the storage flags (--quantize, --pq-*, --no-titles) and the
// bytes written (ids in ascending order, tables at the storage chosen). Shared with the Python module's
// Model.save / Model.to_bytes, so the same options give the same bytes.
#pragma once

#include <string>

#include "cli.h"
#include "memrec/model_file.h"
#include "memrec/pq.h"

namespace memrec::cli {

struct StoreOptions {
    std::string quantize;  // --quantize ("" = f32)
    PqOptions pq;          // --pq-subspaces, --pq-bits, --pq-seed, --pq-iterations
    std::string pq_codebook = "int8";
    bool no_titles = false;
    void add_to(CLI::App& app);  // --quantize and the --pq-* flags, with their ranges
    void add_titles_flag(CLI::App& app);  // --no-titles
    // The storage asked for; UsageError for --pq-subspaces without --quantize pq and the reverse.
    Storage storage() const;
    PqOptions pq_options() const;  // pq with the codebook's kind
};

// The bytes of `file` stored as `options` say. Orders `file`'s ids (order_ids) on the way.
std::string stored_bytes(ModelFile& file, const StoreOptions& options);

}  // namespace memrec::cli
