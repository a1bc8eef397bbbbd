// Named model + training configurations. `baseline` and `memeff` are exactly the reference's two models
// and its training setup (3 epochs, batch 128, Adam lr 0.001 applied densely).
#pragma once

#include <string>
#include <vector>

#include "memrec/model.h"
#include "memrec/trainer.h"

namespace memrec {

struct Preset {
    std::string name;
    std::string description;
    ModelConfig model;
    TrainConfig train;
};

std::vector<std::string> preset_names();
Preset preset(const std::string& name);  // throws ConfigError for an unknown name

}  // namespace memrec
