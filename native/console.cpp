#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "cli.h"

namespace memrec::cli {

std::string format_count(int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n), out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string format_bytes(double bytes) {
    char buf[32];
    if (bytes >= 1e6)
        std::snprintf(buf, sizeof buf, "%.2f MB", bytes / 1e6);
    else if (bytes >= 1e3)
        std::snprintf(buf, sizeof buf, "%.1f KB", bytes / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.0f B", bytes);
    return buf;
}

void print_summary(const std::string& title, const Model& model) {
    std::printf("model: %s\n", title.c_str());
    std::printf("  %-26s %-52s %12s %12s\n", "component", "shape", "parameters", "bytes (f32)");
    for (const auto& c : model.summary())
        std::printf("  %-26s %-52s %12s %12s\n", c.name.c_str(), c.shape.c_str(), format_count(c.parameters).c_str(),
                    format_bytes(double(c.bytes)).c_str());
    const int64_t n = model.parameter_count();
    std::printf("  %-26s %-52s %12s %12s\n", "total", "", format_count(n).c_str(), format_bytes(4.0 * n).c_str());
}

ProgressFn progress_printer(bool quiet) {
    if (quiet) return {};
    const bool tty = isatty(fileno(stdout));
    auto last_decile = std::make_shared<int>(-1);
    return [tty, last_decile](const Progress& p) {
        const double frac = p.total ? double(p.done) / double(p.total) : 1.0;
        const double rate = p.seconds > 0 ? double(p.done) / p.seconds : 0.0;
        const double left = rate > 0 ? double(p.total - p.done) / rate : 0.0;
        if (tty) {
            constexpr int kWidth = 30;
            const int filled = static_cast<int>(frac * kWidth);
            std::string bar(size_t(filled), '=');
            if (filled < kWidth) bar += '>' + std::string(size_t(kWidth - filled - 1), ' ');
            std::printf("\r  epoch %d/%d [%s] %lld/%lld  loss %.4f  mae %.4f  %.0f ratings/s  %.1f s left ", p.epoch,
                        p.epochs, bar.c_str(), (long long)p.done, (long long)p.total, p.loss, p.mae, rate, left);
            if (p.done == p.total) std::printf("\n");
            std::fflush(stdout);
        } else {
            const int decile = static_cast<int>(frac * 10.0);
            if (decile != *last_decile || p.done == p.total) {
                *last_decile = decile;
                std::printf("  epoch %d/%d %lld/%lld  loss %.4f  mae %.4f  %.0f ratings/s  %.1f s left\n", p.epoch,
                            p.epochs, (long long)p.done, (long long)p.total, p.loss, p.mae, rate, left);
                std::fflush(stdout);
            }
            if (p.done == p.total) *last_decile = -1;
        }
        return true;
    };
}

void print_epoch(const EpochStats& e) {
    std::printf("  epoch %d: train loss %.4f mae %.4f | eval mse %.4f rmse %.4f mae %.4f | %.2f s, %.0f ratings/s\n",
                e.epoch, e.train_loss, e.train_mae, e.eval.mse, e.eval.rmse, e.eval.mae, e.seconds,
                e.ratings_per_second);
    std::fflush(stdout);
}

std::string history_json(const std::vector<EpochStats>& history, int indent) {
    nlohmann::json j = nlohmann::json::array();
    for (const auto& e : history)
        j.push_back({{"epoch", e.epoch},
                     {"train_loss", e.train_loss},
                     {"train_mae", e.train_mae},
                     {"eval_mse", e.eval.mse},
                     {"eval_rmse", e.eval.rmse},
                     {"eval_mae", e.eval.mae},
                     {"eval_count", e.eval.count},
                     {"seconds", e.seconds},
                     {"ratings_per_second", e.ratings_per_second}});
    return j.dump(indent);
}

}  // namespace memrec::cli
