// The training section (run, settings from their field list, final metrics) and the history section.
#include <algorithm>
#include <limits>

#include "model_sections.h"
#include "settings_codec.h"

namespace memrec::detail {

void write_training(ByteWriter& w, const TrainingInfo& info, const Metrics& eval) {
    w.str(info.preset);
    w.str(info.data_source);
    w.str(info.data_format);
    w.f64(info.train_fraction);
    w.u64(info.split_seed);
    w.u64(info.seed);
    write_model_settings(w, info.train);
    w.f32(info.min_rating);
    w.f32(info.max_rating);
    w.f64(eval.mse);
    w.f64(eval.rmse);
    w.f64(eval.mae);
    w.varint(static_cast<uint64_t>(std::max<int64_t>(0, eval.count)));
}

void write_history(ByteWriter& w, const std::vector<EpochStats>& history) {
    w.varint(history.size());
    for (const auto& e : history) {
        w.varint(static_cast<uint64_t>(std::max(0, e.epoch)));
        w.f64(e.train_loss);
        w.f64(e.train_mae);
        w.f64(e.eval.mse);
        w.f64(e.eval.rmse);
        w.f64(e.eval.mae);
        w.varint(static_cast<uint64_t>(std::max<int64_t>(0, e.eval.count)));
        w.f64(e.seconds);
        w.f64(e.ratings_per_second);
    }
}

void read_training(ByteReader& r, TrainingInfo& info, Metrics& eval, uint32_t version) {
    info.preset = r.str("preset");
    info.data_source = r.str("data source");
    info.data_format = r.str("data format");
    info.train_fraction = r.f64("train fraction");
    if (!(info.train_fraction > 0.0 && info.train_fraction < 1.0))
        r.fail("train fraction", "expected a value in (0, 1), got " + std::to_string(info.train_fraction));
    info.split_seed = r.u64("split seed");
    info.seed = r.u64("seed");
    read_model_settings(r, info.train, version);
    info.min_rating = r.f32("min rating");
    info.max_rating = r.f32("max rating");
    eval.mse = r.f64("eval mse");
    eval.rmse = r.f64("eval rmse");
    eval.mae = r.f64("eval mae");
    eval.count = static_cast<int64_t>(r.varint_in("eval count", 0, uint64_t(std::numeric_limits<int64_t>::max())));
    r.expect_end();
}

std::vector<EpochStats> read_history(ByteReader& r) {
    constexpr size_t kMinEpochBytes = 1 + 8 * 5 + 1 + 8 * 2;
    const uint64_t n = r.count("epochs", kMinEpochBytes);
    std::vector<EpochStats> out(static_cast<size_t>(n));
    for (auto& e : out) {
        e.epoch = static_cast<int>(r.varint_in("epoch", 0, kMaxRows));
        e.train_loss = r.f64("train loss");
        e.train_mae = r.f64("train mae");
        e.eval.mse = r.f64("eval mse");
        e.eval.rmse = r.f64("eval rmse");
        e.eval.mae = r.f64("eval mae");
        e.eval.count = static_cast<int64_t>(r.varint_in("eval count", 0, uint64_t(std::numeric_limits<int64_t>::max())));
        e.seconds = r.f64("seconds");
        e.ratings_per_second = r.f64("ratings per second");
    }
    r.expect_end();
    return out;
}

}  // namespace memrec::detail
