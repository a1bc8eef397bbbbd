// memrec train --init MODEL: continue training from a saved model on new (usually more) data. The new
// model has the parent's table configuration; ids the parent knows keep their rows, new users and items
// get fresh rows (the vocabularies are extended, the parent's ids first in the parent's order), and the
// saved file records the parent's content hash (model file section 11, "parent").
#pragma once

#include <string>

#include "cli.h"
#include "memrec/model_file.h"

namespace memrec::cli {

struct WarmStartOptions {
    std::string init;  // --init
    void add_to(CLI::App& app);
    bool given() const { return !init.empty(); }
};

// UsageError when a flag that shapes the tables is given with --init (the parent's configuration stands).
void refuse_table_flags(const CLI::App& app);

// The parent model, loaded and checked: a rating model whose tables can take new ids. Its
// info.parent_hash is set to its own file's content hash: what the child records as its parent. Throws UsageError
// naming the flag or setting when a table-shaping flag is given with --init, or the parent cannot be
// extended (mixed-dimension tables, implicit models).
ModelFile load_parent(const std::string& path, const CLI::App& app, const Warn& to = {});

// The parent's table configuration and, unless --preset was given, its training settings, under the
// training flags given on the command line.
void use_parent_config(const ModelFile& parent, const CLI::App& app, const ModelOptions& flags, Preset& p);

// Renumbers `data` so the parent's users and items come first, with the parent's indices; ids new to the
// parent follow in order of first appearance. Titles follow their items. Says how many ids are new.
void extend_vocabularies(const ModelFile& parent, Dataset& data, bool quiet);

// A model of the parent's configuration sized for `data`: the parent's parameter rows where it has them
// (every row of fixed-size tables: hashed buckets, quotient-remainder remainder rows, projections,
// biases), fresh rows (the usual initialisation from `seed`) for new ids.
Model warm_model(const ModelFile& parent, const Preset& p, const Dataset& data, const std::vector<int64_t>& item_counts,
                 const std::vector<int64_t>& user_counts, const Warn& warn_to = {});

}  // namespace memrec::cli
