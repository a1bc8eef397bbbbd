// Training checkpoint file (DIR/checkpoint.mrck). All integers and floats little-endian; str is a u32
// byte count followed by the bytes (UTF-8, no terminator).
//
//   header   magic "MRECCKPT" (8 bytes) | u32 version (2) | u64 payload bytes
//   payload  run        str preset | str data source | str data format | f64 train fraction | u64 split seed
//                       | i64 ratings | i32 users | i32 items | u64 data hash
//            model      table user | table item | u8 global bias | u8 user bias | u8 item bias
//                       table = str kind ("full", "qr", "md", "hash") | i32 dim | i64 buckets
//                               | str combiner ("mult", "add", "concat") | u32 n | n x i64 block ends
//                               | u32 n | n x i32 block dims | f64 alpha | u8 projection bias
//                               | i64 parameter budget (version 2; 0 in version 1 files)
//            training   i32 epochs | i64 batch | f64 lr | f64 beta1 | f64 beta2 | f64 epsilon
//                       | str Adam mode ("dense", "lazy", ...) | f64 weight decay | f64 l2 | f64 l2 bias
//                       | f64 l2 user | f64 l2 item
//                       | i32 threads | u64 seed | u8 shuffle | i32 early stopping | f64 validation fraction
//                       | f64 learning-rate decay per epoch (version 2; 1 in version 1 files)
//            history    u32 n | n x (i32 epoch | f64 train loss | f64 train mae | f64 eval mse | f64 eval rmse
//                                    | f64 eval mae | i64 eval count | f64 seconds | f64 ratings/s)
//            optimiser  i64 Adam step count
//            params     u32 n | n x (str name | i64 rows | i32 cols | u8 has step counts
//                                    | rows*cols f32 values | rows*cols f32 m | rows*cols f32 v
//                                    | if has step counts: rows x i32 steps (Adam's per-row counts))
//   trailer  u64 FNV-1a 64 of the payload
//
// Enumerations are stored by name, so reordering an enum in the code never changes their meaning.
// Version 2 added the tables' parameter budget and the learning-rate decay; version 1 files are still read. A reader refuses versions it
// does not know rather than guess.
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "memrec/checkpoint.h"
#include "memrec/error.h"
#include "memrec/io.h"
#include "memrec/rng.h"

#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "checkpoint.cpp writes its numbers in host order, which must be little-endian"
#endif

namespace memrec {

namespace {

constexpr char kMagic[8] = {'M', 'R', 'E', 'C', 'C', 'K', 'P', 'T'};
constexpr uint32_t kVersion = 2;
constexpr size_t kHeaderBytes = 8 + 4 + 8;

uint64_t fnv1a(const uint8_t* p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; ++i) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

class Writer {
public:
    template <class T>
    void put(T v) {
        static_assert(std::is_arithmetic<T>::value, "numbers only");
        out_.append(reinterpret_cast<const char*>(&v), sizeof v);
    }
    void str(const std::string& s) {
        put(static_cast<uint32_t>(s.size()));
        out_ += s;
    }
    template <class T>
    void array(const T* p, size_t n) {
        out_.append(reinterpret_cast<const char*>(p), n * sizeof(T));
    }
    std::string& bytes() { return out_; }

private:
    std::string out_;
};

class Reader {
public:
    Reader(const uint8_t* p, size_t n, const std::string& what) : p_(p), n_(n), what_(what) {}

    [[noreturn]] void fail(const std::string& field, const std::string& message) const {
        throw FormatError(what_, field, message);
    }

    size_t left() const { return n_ - pos_; }
    void need(size_t bytes, const std::string& field) const {
        if (bytes > left())
            fail(field, "truncated: needs " + std::to_string(bytes) + " bytes, " + std::to_string(left()) + " left");
    }
    template <class T>
    T get(const std::string& field) {
        need(sizeof(T), field);
        T v;
        std::memcpy(&v, p_ + pos_, sizeof v);
        pos_ += sizeof v;
        return v;
    }
    std::string str(const std::string& field) {
        const auto n = get<uint32_t>(field + " length");
        need(n, field);
        std::string s(reinterpret_cast<const char*>(p_ + pos_), n);
        pos_ += n;
        return s;
    }
    // `count` elements of T, checked against what remains before allocating.
    template <class T>
    void array(std::vector<T>& out, uint64_t count, const std::string& field) {
        if (count > left() / sizeof(T))
            fail(field, "count " + std::to_string(count) + " needs " + std::to_string(count) + " x " +
                            std::to_string(sizeof(T)) + " bytes, " + std::to_string(left()) + " left");
        out.resize(static_cast<size_t>(count));
        if (count) std::memcpy(out.data(), p_ + pos_, static_cast<size_t>(count) * sizeof(T));
        pos_ += static_cast<size_t>(count) * sizeof(T);
    }
    bool flag(const std::string& field) {
        const auto v = get<uint8_t>(field);
        if (v > 1) fail(field, "expected 0 or 1, got " + std::to_string(v));
        return v != 0;
    }
    // An enumeration stored by name, parsed by `parse` (which throws ConfigError for unknown names).
    template <class Parse>
    auto named(const std::string& field, Parse parse) {
        const std::string text = str(field);
        try {
            return parse(text);
        } catch (const ConfigError& e) {
            fail(field, e.what());
        }
    }

private:
    const uint8_t* p_;
    size_t n_;
    const std::string& what_;
    size_t pos_ = 0;
};

void put_table(Writer& w, const TableConfig& t) {
    w.str(to_string(t.kind));
    w.put(static_cast<int32_t>(t.dim));
    w.put(static_cast<int64_t>(t.buckets));
    w.str(to_string(t.combiner));
    w.put(static_cast<uint32_t>(t.block_ends.size()));
    for (int64_t e : t.block_ends) w.put(e);
    w.put(static_cast<uint32_t>(t.block_dims.size()));
    for (int d : t.block_dims) w.put(static_cast<int32_t>(d));
    w.put(t.alpha);
    w.put(static_cast<uint8_t>(t.projection_bias));
    w.put(static_cast<int64_t>(t.param_budget));
}

TableConfig get_table(Reader& r, const std::string& name, uint32_t version) {
    TableConfig t;
    t.kind = r.named(name + ".kind", parse_table_kind);
    t.dim = r.get<int32_t>(name + ".dim");
    t.buckets = r.get<int64_t>(name + ".buckets");
    t.combiner = r.named(name + ".combiner", parse_combiner);
    std::vector<int64_t> ends;
    r.array(ends, r.get<uint32_t>(name + ".block_ends count"), name + ".block_ends");
    t.block_ends = ends;
    std::vector<int32_t> dims;
    r.array(dims, r.get<uint32_t>(name + ".block_dims count"), name + ".block_dims");
    t.block_dims.assign(dims.begin(), dims.end());
    t.alpha = r.get<double>(name + ".alpha");
    t.projection_bias = r.flag(name + ".projection_bias");
    if (version >= 2) t.param_budget = r.get<int64_t>(name + ".param_budget");
    return t;
}

// The shortest text that reads back as `v`.
std::string number(double v) {
    char buf[40];
    for (int digits = 6; digits <= 17; ++digits) {
        std::snprintf(buf, sizeof buf, "%.*g", digits, v);
        if (std::strtod(buf, nullptr) == v || std::isnan(v)) break;
    }
    return buf;
}

template <class T>
std::string list(const std::vector<T>& v) {
    if (v.empty()) return "(none)";
    std::string s;
    for (const auto& x : v) s += (s.empty() ? "" : ",") + std::to_string(x);
    return s;
}

std::string differs(const std::string& what, const std::string& saved, const std::string& now) {
    return what + ": " + saved + " in the checkpoint, " + now + " now";
}

std::string table_difference(const std::string& name, const TableConfig& a, const TableConfig& b) {
    if (a.kind != b.kind) return differs(name + " table kind", to_string(a.kind), to_string(b.kind));
    if (a.dim != b.dim) return differs(name + " table dim", std::to_string(a.dim), std::to_string(b.dim));
    if (a.kind == TableKind::QuotientRemainder || a.kind == TableKind::Hashed) {
        if (a.buckets != b.buckets)
            return differs(name + " table buckets", std::to_string(a.buckets), std::to_string(b.buckets));
    }
    if (a.kind == TableKind::QuotientRemainder && a.combiner != b.combiner)
        return differs(name + " table combiner", to_string(a.combiner), to_string(b.combiner));
    if (a.kind == TableKind::MixedDimension) {
        if (a.block_ends != b.block_ends)
            return differs(name + " table blocks", list(a.block_ends), list(b.block_ends));
        if (a.block_dims != b.block_dims)
            return differs(name + " table block dims", list(a.block_dims), list(b.block_dims));
        if (a.block_dims.empty() && a.alpha != b.alpha)
            return differs(name + " table alpha", number(a.alpha), number(b.alpha));
        if (a.param_budget != b.param_budget)
            return differs(name + " table parameter budget", std::to_string(a.param_budget),
                           std::to_string(b.param_budget));
        if (a.projection_bias != b.projection_bias)
            return differs(name + " table projection bias", a.projection_bias ? "on" : "off",
                           b.projection_bias ? "on" : "off");
    }
    return {};
}

}  // namespace

DataFingerprint fingerprint(const Dataset& data) {
    DataFingerprint f;
    f.ratings = static_cast<int64_t>(data.size());
    f.users = data.users.size();
    f.items = data.items.size();
    uint64_t h = 0x6d656d7265632d31ULL;
    auto mix = [&h](uint64_t w) {
        h ^= w;
        h = Rng::splitmix64(h);
    };
    for (size_t i = 0; i < data.size(); ++i) {
        uint32_t bits;
        std::memcpy(&bits, &data.rating[i], sizeof bits);
        mix((uint64_t(uint32_t(data.user[i])) << 32) | uint32_t(data.item[i]));
        mix(bits);
    }
    for (const Vocabulary* v : {&data.users, &data.items})
        for (const auto& id : v->ids()) mix(fnv1a(reinterpret_cast<const uint8_t*>(id.data()), id.size()));
    f.hash = h;
    return f;
}

void capture_state(const Model& model, const Adam& adam, Checkpoint& out) {
    const auto params = model.params();
    const auto& state = adam.state();
    if (state.size() != params.size()) throw Error("checkpoint: the optimiser does not belong to this model");
    out.adam_steps = adam.steps();
    out.params.resize(params.size());
    for (size_t i = 0; i < params.size(); ++i) {
        const Param& p = *params[i];
        const AdamState& s = state[i];
        ParamState& o = out.params[i];
        o.name = p.name;
        o.rows = p.rows;
        o.cols = p.cols;
        const size_t n = static_cast<size_t>(p.rows) * static_cast<size_t>(p.cols);
        o.values.resize(n);
        o.m.resize(n);
        o.v.resize(n);
        for (int64_t r = 0; r < p.rows; ++r) {
            const size_t src = static_cast<size_t>(r) * static_cast<size_t>(p.stride);
            const size_t dst = static_cast<size_t>(r) * static_cast<size_t>(p.cols);
            std::memcpy(&o.values[dst], &p.data[src], sizeof(float) * static_cast<size_t>(p.cols));
            std::memcpy(&o.m[dst], &s.m[src], sizeof(float) * static_cast<size_t>(p.cols));
            std::memcpy(&o.v[dst], &s.v[src], sizeof(float) * static_cast<size_t>(p.cols));
        }
        o.steps = s.steps;
    }
}

void restore_state(const Checkpoint& ck, Model& model, Adam& adam) {
    auto fail = [](const std::string& field, const std::string& message) {
        throw FormatError("checkpoint", field, message);
    };
    const auto params = model.params();
    auto& state = adam.state();
    if (ck.params.size() != params.size())
        fail("params", "the checkpoint has " + std::to_string(ck.params.size()) + " parameters, the model " +
                           std::to_string(params.size()));
    for (size_t i = 0; i < params.size(); ++i) {
        Param& p = *params[i];
        AdamState& s = state[i];
        const ParamState& o = ck.params[i];
        const std::string field = "params[" + std::to_string(i) + "] (" + o.name + ")";
        if (o.name != p.name || o.rows != p.rows || o.cols != p.cols)
            fail(field, "expected " + p.name + " " + std::to_string(p.rows) + " x " + std::to_string(p.cols) +
                            ", got " + o.name + " " + std::to_string(o.rows) + " x " + std::to_string(o.cols));
        if (o.steps.size() != s.steps.size())
            fail(field, "step counts for " + std::to_string(o.steps.size()) + " rows, the optimiser has " +
                            std::to_string(s.steps.size()) + " (was it trained with the other Adam mode?)");
        for (int64_t r = 0; r < p.rows; ++r) {
            const size_t dst = static_cast<size_t>(r) * static_cast<size_t>(p.stride);
            const size_t src = static_cast<size_t>(r) * static_cast<size_t>(p.cols);
            std::memcpy(&p.data[dst], &o.values[src], sizeof(float) * static_cast<size_t>(p.cols));
            std::memcpy(&s.m[dst], &o.m[src], sizeof(float) * static_cast<size_t>(p.cols));
            std::memcpy(&s.v[dst], &o.v[src], sizeof(float) * static_cast<size_t>(p.cols));
        }
        s.steps = o.steps;
    }
    adam.set_steps(ck.adam_steps);
}

std::string serialize_checkpoint(const Checkpoint& ck) {
    Writer w;
    w.bytes().append(kMagic, sizeof kMagic);
    w.put(kVersion);
    w.put(uint64_t{0});  // payload size, patched below

    w.str(ck.preset);
    w.str(ck.data_source);
    w.str(ck.data_format);
    w.put(ck.train_fraction);
    w.put(ck.split_seed);
    w.put(ck.data.ratings);
    w.put(ck.data.users);
    w.put(ck.data.items);
    w.put(ck.data.hash);

    put_table(w, ck.model.user);
    put_table(w, ck.model.item);
    w.put(static_cast<uint8_t>(ck.model.global_bias));
    w.put(static_cast<uint8_t>(ck.model.user_bias));
    w.put(static_cast<uint8_t>(ck.model.item_bias));

    const TrainConfig& t = ck.train;
    w.put(static_cast<int32_t>(t.epochs));
    w.put(static_cast<int64_t>(t.batch_size));
    w.put(t.adam.learning_rate);
    w.put(t.adam.beta1);
    w.put(t.adam.beta2);
    w.put(t.adam.epsilon);
    w.str(to_string(t.adam.mode));
    w.put(t.adam.weight_decay);
    w.put(t.adam.l2);
    w.put(t.adam.l2_bias);
    w.put(t.adam.l2_user);
    w.put(t.adam.l2_item);
    w.put(static_cast<int32_t>(t.threads));
    w.put(t.seed);
    w.put(static_cast<uint8_t>(t.shuffle));
    w.put(static_cast<int32_t>(t.early_stopping));
    w.put(t.validation_fraction);
    w.put(t.adam.lr_decay);

    w.put(static_cast<uint32_t>(ck.history.size()));
    for (const EpochStats& e : ck.history) {
        w.put(static_cast<int32_t>(e.epoch));
        w.put(e.train_loss);
        w.put(e.train_mae);
        w.put(e.eval.mse);
        w.put(e.eval.rmse);
        w.put(e.eval.mae);
        w.put(e.eval.count);
        w.put(e.seconds);
        w.put(e.ratings_per_second);
    }

    w.put(ck.adam_steps);

    w.put(static_cast<uint32_t>(ck.params.size()));
    for (const ParamState& p : ck.params) {
        const size_t n = static_cast<size_t>(p.rows) * static_cast<size_t>(p.cols);
        if (p.values.size() != n || p.m.size() != n || p.v.size() != n ||
            (!p.steps.empty() && p.steps.size() != static_cast<size_t>(p.rows)))
            throw Error("checkpoint: parameter " + p.name + " has inconsistent sizes");
        w.str(p.name);
        w.put(p.rows);
        w.put(p.cols);
        w.put(static_cast<uint8_t>(!p.steps.empty()));
        w.array(p.values.data(), n);
        w.array(p.m.data(), n);
        w.array(p.v.data(), n);
        w.array(p.steps.data(), p.steps.size());
    }

    std::string& out = w.bytes();
    const uint64_t payload = out.size() - kHeaderBytes;
    std::memcpy(&out[12], &payload, sizeof payload);
    w.put(fnv1a(reinterpret_cast<const uint8_t*>(out.data()) + kHeaderBytes, payload));
    return std::move(out);
}

Checkpoint parse_checkpoint(const uint8_t* data, size_t size, const std::string& name) {
    Reader head(data, size, name);
    head.need(sizeof kMagic, "magic");
    if (std::memcmp(data, kMagic, sizeof kMagic) != 0)
        head.fail("magic", "not a memrec checkpoint (expected MRECCKPT)");
    Reader r(data + sizeof kMagic, size - sizeof kMagic, name);
    const auto version = r.get<uint32_t>("version");
    if (version != 1 && version != kVersion)
        r.fail("version", "expected 1.." + std::to_string(kVersion) + ", got " + std::to_string(version) +
                            (version > kVersion ? " (written by a newer memrec)" : ""));
    const auto payload = r.get<uint64_t>("payload size");
    if (payload > r.left() || r.left() - payload != sizeof(uint64_t))
        r.fail("payload size", "header says " + std::to_string(payload) + " bytes, the file has " +
                                 (r.left() >= sizeof(uint64_t) ? std::to_string(r.left() - sizeof(uint64_t))
                                                                : std::string("no room for the checksum")));
    const uint8_t* body = data + kHeaderBytes;
    uint64_t stored;
    std::memcpy(&stored, body + payload, sizeof stored);
    const uint64_t actual = fnv1a(body, static_cast<size_t>(payload));
    if (stored != actual) {
        char msg[96];
        std::snprintf(msg, sizeof msg, "mismatch: stored %016llx, computed %016llx", (unsigned long long)stored,
                      (unsigned long long)actual);
        r.fail("checksum", msg);
    }

    Reader p(body, static_cast<size_t>(payload), name);
    Checkpoint ck;
    ck.preset = p.str("preset");
    ck.data_source = p.str("data source");
    ck.data_format = p.str("data format");
    ck.train_fraction = p.get<double>("train fraction");
    if (!(ck.train_fraction > 0.0 && ck.train_fraction < 1.0))
        p.fail("train fraction", "expected a value in (0, 1), got " + number(ck.train_fraction));
    ck.split_seed = p.get<uint64_t>("split seed");
    ck.data.ratings = p.get<int64_t>("data.ratings");
    ck.data.users = p.get<int32_t>("data.users");
    ck.data.items = p.get<int32_t>("data.items");
    ck.data.hash = p.get<uint64_t>("data.hash");
    if (ck.data.ratings < 1 || ck.data.users < 1 || ck.data.items < 1)
        p.fail("data", "expected positive counts, got " + std::to_string(ck.data.ratings) + " ratings, " +
                         std::to_string(ck.data.users) + " users, " + std::to_string(ck.data.items) + " items");

    ck.model.user = get_table(p, "model.user", version);
    ck.model.item = get_table(p, "model.item", version);
    ck.model.global_bias = p.flag("model.global_bias");
    ck.model.user_bias = p.flag("model.user_bias");
    ck.model.item_bias = p.flag("model.item_bias");
    try {
        ck.model.validate();
        ck.model.user.validate(ck.data.users);
        ck.model.item.validate(ck.data.items);
    } catch (const ConfigError& e) {
        p.fail("model", e.what());
    }

    TrainConfig& t = ck.train;
    t.epochs = p.get<int32_t>("train.epochs");
    t.batch_size = p.get<int64_t>("train.batch");
    t.adam.learning_rate = p.get<double>("train.lr");
    t.adam.beta1 = p.get<double>("train.beta1");
    t.adam.beta2 = p.get<double>("train.beta2");
    t.adam.epsilon = p.get<double>("train.epsilon");
    t.adam.mode = p.named("train.adam", parse_adam_mode);
    t.adam.weight_decay = p.get<double>("train.weight_decay");
    t.adam.l2 = p.get<double>("train.l2");
    t.adam.l2_bias = p.get<double>("train.l2_bias");
    t.adam.l2_user = p.get<double>("train.l2_user");
    t.adam.l2_item = p.get<double>("train.l2_item");
    t.threads = p.get<int32_t>("train.threads");
    t.seed = p.get<uint64_t>("train.seed");
    t.shuffle = p.flag("train.shuffle");
    t.early_stopping = p.get<int32_t>("train.early_stopping");
    t.validation_fraction = p.get<double>("train.validation_fraction");
    if (version >= 2) t.adam.lr_decay = p.get<double>("train.lr_decay");
    try {
        t.validate();
    } catch (const ConfigError& e) {
        p.fail("train", e.what());
    }

    const auto epochs = p.get<uint32_t>("history count");
    constexpr size_t kEpochBytes = 4 + 8 * 8;
    if (epochs > static_cast<uint64_t>(t.epochs) || epochs > p.left() / kEpochBytes)
        p.fail("history count", std::to_string(epochs) + " epochs, more than the run's " + std::to_string(t.epochs) +
                                  " or than the bytes left hold");
    ck.history.resize(epochs);
    for (uint32_t i = 0; i < epochs; ++i) {
        EpochStats& e = ck.history[i];
        const std::string f = "history[" + std::to_string(i) + "]";
        e.epoch = p.get<int32_t>(f + ".epoch");
        if (e.epoch != static_cast<int>(i) + 1)
            p.fail(f + ".epoch", "expected " + std::to_string(i + 1) + ", got " + std::to_string(e.epoch));
        e.train_loss = p.get<double>(f + ".train_loss");
        e.train_mae = p.get<double>(f + ".train_mae");
        e.eval.mse = p.get<double>(f + ".eval_mse");
        e.eval.rmse = p.get<double>(f + ".eval_rmse");
        e.eval.mae = p.get<double>(f + ".eval_mae");
        e.eval.count = p.get<int64_t>(f + ".eval_count");
        e.seconds = p.get<double>(f + ".seconds");
        e.ratings_per_second = p.get<double>(f + ".ratings_per_second");
    }

    ck.adam_steps = p.get<int64_t>("adam steps");
    if (ck.adam_steps < 0) p.fail("adam steps", "expected >= 0, got " + std::to_string(ck.adam_steps));

    const auto nparams = p.get<uint32_t>("params count");
    if (nparams > p.left() / 16) p.fail("params count", std::to_string(nparams) + " is more than the bytes left hold");
    ck.params.resize(nparams);
    for (uint32_t i = 0; i < nparams; ++i) {
        ParamState& o = ck.params[i];
        std::string f = "params[" + std::to_string(i) + "]";
        o.name = p.str(f + ".name");
        f += " (" + o.name + ")";
        o.rows = p.get<int64_t>(f + ".rows");
        o.cols = p.get<int32_t>(f + ".cols");
        if (o.rows < 1 || o.cols < 1 || o.cols > (1 << 20))
            p.fail(f, "bad shape " + std::to_string(o.rows) + " x " + std::to_string(o.cols));
        const bool has_steps = p.flag(f + ".has_steps");
        // Three float arrays of rows x cols (and the step counts) must fit in what is left: checked before
        // any allocation, without overflow.
        const uint64_t row_bytes = 3 * 4 * static_cast<uint64_t>(o.cols) + (has_steps ? 4 : 0);
        if (static_cast<uint64_t>(o.rows) > p.left() / row_bytes)
            p.fail(f + ".rows", std::to_string(o.rows) + " rows of " + std::to_string(o.cols) + " need " +
                                  std::to_string(row_bytes) + " bytes each, " + std::to_string(p.left()) + " left");
        const uint64_t n = static_cast<uint64_t>(o.rows) * static_cast<uint64_t>(o.cols);
        p.array(o.values, n, f + ".values");
        p.array(o.m, n, f + ".m");
        p.array(o.v, n, f + ".v");
        if (has_steps) p.array(o.steps, static_cast<uint64_t>(o.rows), f + ".steps");
    }
    if (p.left() != 0) p.fail("payload", std::to_string(p.left()) + " bytes left over after the parameters");
    return ck;
}

std::string checkpoint_file(const std::string& dir) {
    return dir.empty() || dir.back() == '/' ? dir + "checkpoint.mrck" : dir + "/checkpoint.mrck";
}

Checkpoint load_checkpoint(const std::string& dir) {
    const std::string path = checkpoint_file(dir);
    const std::string bytes = read_file(path);
    return parse_checkpoint(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), path);
}

void save_checkpoint(const Checkpoint& ck, const std::string& dir) {
    write_file_atomic(checkpoint_file(dir), serialize_checkpoint(ck));
}

std::string settings_difference(const Checkpoint& saved, const ModelConfig& model, const TrainConfig& train) {
    std::string d = table_difference("user", saved.model.user, model.user);
    if (d.empty()) d = table_difference("item", saved.model.item, model.item);
    if (!d.empty()) return d;
    auto onoff = [](bool b) { return std::string(b ? "on" : "off"); };
    const ModelConfig& a = saved.model;
    if (a.global_bias != model.global_bias) return differs("global bias", onoff(a.global_bias), onoff(model.global_bias));
    if (a.user_bias != model.user_bias) return differs("user biases", onoff(a.user_bias), onoff(model.user_bias));
    if (a.item_bias != model.item_bias) return differs("item biases", onoff(a.item_bias), onoff(model.item_bias));
    const TrainConfig& s = saved.train;
    if (s.batch_size != train.batch_size)
        return differs("batch size", std::to_string(s.batch_size), std::to_string(train.batch_size));
    if (s.adam.learning_rate != train.adam.learning_rate)
        return differs("learning rate", number(s.adam.learning_rate), number(train.adam.learning_rate));
    if (s.adam.lr_decay != train.adam.lr_decay)
        return differs("learning-rate decay", number(s.adam.lr_decay), number(train.adam.lr_decay));
    if (s.adam.beta1 != train.adam.beta1) return differs("Adam beta1", number(s.adam.beta1), number(train.adam.beta1));
    if (s.adam.beta2 != train.adam.beta2) return differs("Adam beta2", number(s.adam.beta2), number(train.adam.beta2));
    if (s.adam.epsilon != train.adam.epsilon)
        return differs("Adam epsilon", number(s.adam.epsilon), number(train.adam.epsilon));
    if (s.adam.mode != train.adam.mode) return differs("Adam mode", to_string(s.adam.mode), to_string(train.adam.mode));
    if (s.adam.weight_decay != train.adam.weight_decay)
        return differs("weight decay", number(s.adam.weight_decay), number(train.adam.weight_decay));
    if (s.adam.l2 != train.adam.l2) return differs("L2", number(s.adam.l2), number(train.adam.l2));
    if (s.adam.l2_bias != train.adam.l2_bias)
        return differs("bias L2", number(s.adam.l2_bias), number(train.adam.l2_bias));
    if (s.adam.l2_user != train.adam.l2_user)
        return differs("user L2", number(s.adam.l2_user), number(train.adam.l2_user));
    if (s.adam.l2_item != train.adam.l2_item)
        return differs("item L2", number(s.adam.l2_item), number(train.adam.l2_item));
    if (s.early_stopping != train.early_stopping)
        return differs("early stopping", std::to_string(s.early_stopping), std::to_string(train.early_stopping));
    if (s.seed != train.seed) return differs("seed", std::to_string(s.seed), std::to_string(train.seed));
    if (s.shuffle != train.shuffle) return differs("shuffling", onoff(s.shuffle), onoff(train.shuffle));
    return {};
}

}  // namespace memrec
