// Named model + training configurations. `baseline` and `memeff` are exactly the reference's two models
// and its training setup (3 epochs, batch 128, Adam lr 0.001 applied densely).
#pragma once

#include <string>
#include <vector>

#include "memrec/model.h"
#include "memrec/trainer.h"

namespace memrec {

// ml-1m's vocabulary as measured here (6,040 users, 3,692 rated movies): the sizes the presets'
// mixed-dimension block ends (memeff's 400, 1700) were written for.
constexpr int64_t kReferenceUsers = 6040, kReferenceItems = 3692;

struct Preset {
    std::string name;
    std::string description;
    ModelConfig model;
    TrainConfig train;
    // Non-zero when the user / item table's mixed-dimension block ends are written for a vocabulary of
    // this many ids (the preset's own blocks, or --item-table md's default) rather than given as they are
    // (--blocks, a parent model, a checkpoint): fit_to_data scales them to the data.
    int64_t user_blocks_for = 0, item_blocks_for = 0;
};

// Fits the preset's mixed-dimension block ends to data of `users` and `items` ids: ends written for a
// vocabulary of N ids (user_blocks_for, item_blocks_for) are kept on data with at least N ids and scaled
// by ids / N on smaller data (rounded, then made to increase strictly within 1..ids-1), so memeff keeps
// ml-1m's blocks 400 / 1700 there (and on larger sets) and cuts ml-100k's 1,682 movies at 182 / 774.
// Ends given as they are stay. Throws ConfigError naming the preset when a table has fewer ids than
// blocks.
void fit_to_data(Preset& p, int64_t users, int64_t items);

std::vector<std::string> preset_names();
Preset preset(const std::string& name);  // throws ConfigError for an unknown name

}  // namespace memrec
