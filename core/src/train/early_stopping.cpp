#include "memrec/early_stopping.h"

#include "memrec/error.h"

namespace memrec {

void ParamSnapshot::save(const Model& model) {
    const auto params = model.params();
    data.resize(params.size());
    for (size_t i = 0; i < params.size(); ++i) data[i] = params[i]->data;
}

void ParamSnapshot::restore(Model& model) const {
    auto params = model.params();
    if (params.size() != data.size()) throw ConfigError("parameter snapshot does not match the model");
    for (size_t i = 0; i < params.size(); ++i) params[i]->data = data[i];
}

EarlyStoppingResult fit_early_stopping(Trainer& trainer, Model& model, const Dataset& data,
                                       const std::vector<uint32_t>& train, const std::vector<uint32_t>& validation,
                                       int patience, const ProgressFn& progress,
                                       const std::function<bool(const EpochStats&)>& on_epoch) {
    if (patience < 0) throw ConfigError("early-stopping patience must be >= 0");
    if (validation.empty()) throw ConfigError("early stopping needs a non-empty validation slice");
    EarlyStoppingResult r;
    ParamSnapshot best;
    int since_best = 0;
    while (static_cast<int>(trainer.history().size()) < trainer.config().epochs) {
        bool completed = true;
        const EpochStats st = trainer.train_epoch(data, train, validation, progress, &completed);
        if (!completed) break;
        ++r.epochs_run;
        r.validation.push_back(st.eval);
        const bool go_on = !on_epoch || on_epoch(st);
        if (r.best_epoch == 0 || st.eval.rmse < r.best_validation.rmse) {
            r.best_epoch = st.epoch;
            r.best_validation = st.eval;
            best.save(model);  // the trainer synchronises the optimiser at the end of every epoch
            since_best = 0;
        } else if (patience > 0 && ++since_best >= patience) {
            break;
        }
        if (!go_on) break;
    }
    if (r.best_epoch != 0) best.restore(model);
    return r;
}

}  // namespace memrec
