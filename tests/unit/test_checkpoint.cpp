// Training checkpoints: a resumed run ends bit for bit where the uninterrupted one does, every field
// survives the file, and damaged files (bad magic, future version, every truncation, flipped bytes, huge
// counts) are refused with the field named and before anything large is allocated.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "memrec/checkpoint.h"
#include "memrec/error.h"
#include "memrec/presets.h"
#include "memrec/rng.h"
#include "memrec/split.h"
#include "test_files.h"

using namespace memrec;

namespace {

// A small deterministic rating set: 60 users, 45 items, ratings 1..5 with some structure to learn.
Dataset synthetic(int users = 60, int items = 45, int ratings = 2000, uint64_t seed = 7) {
    Dataset d;
    Rng rng(seed);
    for (int u = 0; u < users; ++u) d.users.add(std::to_string(1000 + u));
    for (int i = 0; i < items; ++i) d.items.add(std::to_string(i + 1));
    for (int k = 0; k < ratings; ++k) {
        const int32_t u = static_cast<int32_t>(rng.below(uint64_t(users)));
        const int32_t i = static_cast<int32_t>(rng.below(uint64_t(items)));
        d.user.push_back(u);
        d.item.push_back(i);
        d.rating.push_back(static_cast<float>(1 + (u * 7 + i * 3) % 5));
    }
    d.format = "movielens-dat";
    d.ratings_path = "synthetic";
    return d;
}

struct Run {
    ModelConfig model;
    TrainConfig train;
};

Run compressed_run(AdamMode mode) {
    Run r;
    r.model.user.kind = TableKind::QuotientRemainder;
    r.model.user.dim = 8;
    r.model.user.buckets = 7;
    r.model.item.kind = TableKind::MixedDimension;
    r.model.item.dim = 8;
    r.model.item.block_ends = {10, 25};
    r.model.item.block_dims = {8, 4, 2};
    r.model.global_bias = r.model.user_bias = r.model.item_bias = true;
    r.train.epochs = 3;
    r.train.batch_size = 32;
    r.train.adam.mode = mode;
    r.train.adam.learning_rate = 0.01;
    r.train.seed = 5;
    return r;
}

Run full_run(AdamMode mode) {
    Run r;
    r.model.user.dim = r.model.item.dim = 16;
    r.train.epochs = 3;
    r.train.batch_size = 64;
    r.train.adam.mode = mode;
    r.train.seed = 11;
    return r;
}

std::unique_ptr<Model> make_model(const Run& run, const Dataset& d, const Split& s, uint64_t seed) {
    return std::make_unique<Model>(run.model, d.users.size(), d.items.size(), d.max_rating, count_items(d, s.train),
                                   count_users(d, s.train), seed);
}

Checkpoint snapshot(const Run& run, const Dataset& d, Trainer& trainer, const Model& model) {
    Checkpoint ck;
    ck.preset = "test";
    ck.data_source = d.ratings_path;
    ck.data_format = d.format;
    ck.train_fraction = 0.8;
    ck.split_seed = 3;
    ck.data = fingerprint(d);
    ck.model = run.model;
    ck.train = run.train;
    ck.history = trainer.history();
    capture_state(model, trainer.optimizer(), ck);
    return ck;
}

// (Empty vectors, such as AdaGrad's first moment, have no data pointer to hand to memcmp.)
bool same_floats(const AlignedVector<float>& a, const AlignedVector<float>& b) {
    return a.size() == b.size() &&
           (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(float)) == 0);
}

Checkpoint parse(const std::string& bytes) {
    return parse_checkpoint(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

// Recomputes the trailing FNV-1a checksum after a test patched the payload (header is 20 bytes).
void fix_checksum(std::string& bytes) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 20; i < bytes.size() - 8; ++i)
        h = (h ^ static_cast<uint8_t>(bytes[i])) * 0x100000001b3ULL;
    std::memcpy(&bytes[bytes.size() - 8], &h, 8);
}

// Where the user table's config starts: after the data format string, the train fraction, the split seed
// and the data fingerprint (i64 + i32 + i32 + u64).
size_t user_table_offset(const std::string& bytes) {
    return bytes.find("movielens-dat") + std::strlen("movielens-dat") + 8 + 8 + 8 + 4 + 4 + 8;
}

std::string checkpoint_bytes() {
    const Dataset d = synthetic(20, 15, 300);
    const Split s = split_dataset(d, 0.8, 3);
    Run run = compressed_run(AdamMode::Lazy);
    run.model.item.block_ends = {5, 10};
    auto model = make_model(run, d, s, run.train.seed);
    Trainer trainer(*model, run.train);
    trainer.train_epoch(d, s.train, s.eval, {});
    return serialize_checkpoint(snapshot(run, d, trainer, *model));
}

void check_rejected(const std::string& bytes, const std::string& field, const std::string& words = "") {
    INFO("expected field " << field);
    try {
        parse(bytes);
        FAIL("accepted");
    } catch (const FormatError& e) {
        INFO(e.what());
        CHECK(e.field() == field);
        CHECK_THAT(e.what(), Catch::StartsWith("checkpoint: " + field + ": "));
        if (!words.empty()) CHECK_THAT(e.what(), Catch::Contains(words));
    }
}

}  // namespace

TEST_CASE("Resuming from a checkpoint ends exactly where the uninterrupted run does", "[checkpoint]") {
    // Dense Adam, lazy Adam, AdaGrad (which keeps one accumulator per row, stored as the row's first v);
    // AdaGrad and lazy Adam also with their cells in sub-cells (a budget small enough to split this set's
    // blocks), whose order is drawn per epoch.
    const int rule = GENERATE(0, 1, 2, 3, 4);
    const AdamMode mode = rule == 0 ? AdamMode::Dense : AdamMode::Lazy;
    const bool sub_cells = rule >= 3;
    const int64_t sub_cell_bytes = sub_cells ? 1024 : Trainer::kSubCellBytes;
    const bool compressed = GENERATE(false, true);
    Run run = compressed ? compressed_run(mode) : full_run(mode);
    if (rule == 2 || rule == 3) {
        run.train.adam.optimizer = Optimizer::AdaGrad;
        run.train.adam.learning_rate = 0.05;
    }
    // Adam splits only its users, into sub-blocks of at least 16 batches' worth of users: 800 users in
    // batches of 4 make 12 sub-blocks on 1 thread.
    if (rule == 4) run.train.batch_size = 4;
    INFO((compressed ? "qr + md tables with biases, " : "full tables, ")
         << (rule == 4   ? "lazy Adam in sub-cells"
             : rule == 3 ? "AdaGrad in sub-cells"
             : rule == 2 ? "AdaGrad"
                         : std::string(to_string(mode)) + " Adam"));
    const Dataset d = rule == 4 ? synthetic(800, 45, 4000) : synthetic();
    const Split s = split_dataset(d, 0.8, 3);

    auto straight = make_model(run, d, s, run.train.seed);
    Trainer uninterrupted(*straight, run.train);
    uninterrupted.set_sub_cell_bytes(sub_cell_bytes);
    uninterrupted.fit(d, s.train, s.eval);
    REQUIRE(uninterrupted.history().size() == 3);
    if (sub_cells) REQUIRE(uninterrupted.user_sub_blocks() > 1);

    // One epoch, then a checkpoint through bytes, then a fresh process's worth of objects.
    std::string bytes;
    {
        auto model = make_model(run, d, s, run.train.seed);
        Trainer first(*model, run.train);
        first.set_sub_cell_bytes(sub_cell_bytes);
        first.train_epoch(d, s.train, s.eval, {});
        bytes = serialize_checkpoint(snapshot(run, d, first, *model));
    }
    const Checkpoint ck = parse(bytes);
    REQUIRE(ck.epochs_done() == 1);
    // Initialised differently on purpose: everything that matters must come from the checkpoint.
    auto resumed_model = make_model(run, d, s, run.train.seed + 99);
    Trainer resumed(*resumed_model, ck.train);
    resumed.set_sub_cell_bytes(sub_cell_bytes);
    restore_state(ck, *resumed_model, resumed.optimizer());
    resumed.history() = ck.history;
    resumed.fit(d, s.train, s.eval);

    const auto a = straight->params();
    const auto b = resumed_model->params();
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        INFO(a[i]->name);
        CHECK(same_floats(a[i]->data, b[i]->data));
        CHECK(same_floats(uninterrupted.optimizer().state()[i].m, resumed.optimizer().state()[i].m));
        CHECK(same_floats(uninterrupted.optimizer().state()[i].v, resumed.optimizer().state()[i].v));
        CHECK(uninterrupted.optimizer().state()[i].steps == resumed.optimizer().state()[i].steps);
    }
    CHECK(uninterrupted.optimizer().steps() == resumed.optimizer().steps());
    for (int e = 0; e < 3; ++e) {
        CHECK(uninterrupted.history()[size_t(e)].eval.mse == resumed.history()[size_t(e)].eval.mse);
        CHECK(uninterrupted.history()[size_t(e)].train_loss == resumed.history()[size_t(e)].train_loss);
    }
}

TEST_CASE("A checkpoint keeps every field", "[checkpoint]") {
    const Dataset d = synthetic();
    const Split s = split_dataset(d, 0.8, 3);
    Run run = compressed_run(AdamMode::Lazy);
    run.train.adam.weight_decay = 0.25;
    run.train.adam.l2 = 0.125;
    run.train.adam.l2_bias = 0.5;
    run.train.adam.l2_user = 0.25;
    run.train.adam.l2_item = 0.375;
    run.train.validation_fraction = 0.1;
    run.train.threads = 3;
    run.train.shuffle = false;
    run.model.link = Link::Linear;
    auto model = make_model(run, d, s, run.train.seed);
    Trainer trainer(*model, run.train);
    trainer.train_epoch(d, s.train, s.eval, {});
    trainer.train_epoch(d, s.train, s.eval, {});
    Checkpoint ck = snapshot(run, d, trainer, *model);
    ck.preset = "memeff";
    ck.data_source = "/data/ml-1m/ratings.dat";

    const std::string bytes = serialize_checkpoint(ck);
    CHECK(bytes.compare(0, 8, "MRECCKPT") == 0);
    const Checkpoint back = parse(bytes);
    CHECK(serialize_checkpoint(back) == bytes);
    CHECK(back.preset == "memeff");
    CHECK(back.data_source == "/data/ml-1m/ratings.dat");
    CHECK(back.data_format == "movielens-dat");
    CHECK(back.model.link == Link::Linear);
    CHECK(back.train_fraction == 0.8);
    CHECK(back.split_seed == 3);
    CHECK(back.data.ratings == 2000);
    CHECK(back.data.users == 60);
    CHECK(back.data.items == 45);
    CHECK(back.data.hash == fingerprint(d).hash);
    CHECK(settings_difference(back, run.model, run.train).empty());
    CHECK(back.model.item.block_ends == std::vector<int64_t>{10, 25});
    CHECK(back.model.item.block_dims == std::vector<int>{8, 4, 2});
    CHECK(back.model.user.buckets == 7);
    CHECK(back.train.threads == 3);
    CHECK(back.train.epochs == 3);
    {
        Checkpoint budgeted = ck;
        budgeted.model.item.block_dims.clear();
        budgeted.model.item.param_budget = 1234;
        budgeted.train.adam.lr_decay = 0.75;
        const Checkpoint back2 = parse(serialize_checkpoint(budgeted));
        CHECK(back2.model.item.param_budget == 1234);
        CHECK(back2.train.adam.lr_decay == 0.75);
    }
    CHECK_FALSE(back.train.shuffle);
    CHECK(back.train.adam.weight_decay == 0.25);
    CHECK(back.train.adam.l2 == 0.125);
    CHECK(back.train.adam.l2_bias == 0.5);
    CHECK(back.train.adam.l2_user == 0.25);
    CHECK(back.train.adam.l2_item == 0.375);
    CHECK(back.train.validation_fraction == 0.1);
    REQUIRE(back.history.size() == 2);
    CHECK(back.history[1].epoch == 2);
    CHECK(back.history[1].eval.mse == trainer.history()[1].eval.mse);
    CHECK(back.history[1].seconds == trainer.history()[1].seconds);
    CHECK(back.adam_steps == trainer.optimizer().steps());
    REQUIRE(back.params.size() == model->params().size());
    for (size_t i = 0; i < back.params.size(); ++i) {
        const Param& p = *model->params()[i];
        CHECK(back.params[i].name == p.name);
        CHECK(back.params[i].rows == p.rows);
        CHECK(back.params[i].cols == p.cols);
        CHECK(back.params[i].steps == trainer.optimizer().state()[i].steps);
        const int64_t last = p.rows - 1;
        CHECK(back.params[i].values[size_t(last * p.cols + p.cols - 1)] == p.data[size_t(last * p.stride + p.cols - 1)]);
    }
}

TEST_CASE("Checkpoint files on disk are written atomically and read back", "[checkpoint]") {
    memrec_test::TempDir dir;
    const std::string bytes = checkpoint_bytes();
    const Checkpoint ck = parse(bytes);
    save_checkpoint(ck, dir.path());
    CHECK(checkpoint_file(dir.path()) == dir.path() + "/checkpoint.mrck");
    CHECK(serialize_checkpoint(load_checkpoint(dir.path())) == bytes);
    // Nothing else is left in the directory (the temporary file was renamed).
    int files = 0;
    for (const auto& e : std::filesystem::directory_iterator(dir.path())) files += e.is_regular_file();
    CHECK(files == 1);

    memrec_test::TempDir empty;
    CHECK_THROWS_AS(load_checkpoint(empty.path()), DataError);
    const std::string damaged = dir.write("damaged/checkpoint.mrck", bytes.substr(0, bytes.size() / 2));
    try {
        load_checkpoint(dir.file("damaged"));
        FAIL("accepted");
    } catch (const FormatError& e) {
        CHECK_THAT(e.what(), Catch::StartsWith(damaged + ": payload size: "));
    }
}

TEST_CASE("Damaged checkpoints are refused with the field named", "[checkpoint][corrupt]") {
    const std::string good = checkpoint_bytes();
    REQUIRE_NOTHROW(parse(good));

    SECTION("bad magic") {
        std::string b = good;
        b[3] = 'X';
        check_rejected(b, "magic", "not a memrec checkpoint");
        check_rejected("", "magic", "truncated");
        check_rejected("MREC", "magic", "truncated");
    }
    SECTION("a version from the future") {
        std::string b = good;
        b[8] = 6;
        check_rejected(b, "version", "expected 1..5, got 6 (written by a newer memrec)");
    }
    SECTION("every truncation point") {
        for (size_t n = 0; n < good.size(); ++n) {
            INFO("truncated to " << n << " of " << good.size() << " bytes");
            CHECK_THROWS_AS(parse(good.substr(0, n)), FormatError);
        }
    }
    SECTION("trailing bytes") { check_rejected(good + "x", "payload size"); }
    SECTION("every flipped payload byte fails the checksum") {
        for (size_t i = 20; i < good.size() - 8; i += 7) {
            std::string b = good;
            b[i] = static_cast<char>(b[i] ^ 0x40);
            INFO("byte " << i);
            check_rejected(b, "checksum", "mismatch");
        }
    }
    SECTION("the reading flags (version 4, after the parameters): out-of-range fields are named") {
        // Default reading: u8 delimited 0 | u8 duplicates | u8 scale given | str eval data "" (1 byte), then
        // f32 min | f32 max: the last 12 payload bytes.
        const size_t reading = good.size() - 8 - 12;
        std::string b = good;
        b[reading + 1] = 7;
        fix_checksum(b);
        check_rejected(b, "duplicates", "expected 0..3, got 7");
        b = good;
        const float nan = std::nanf("");
        std::memcpy(&b[reading + 4], &nan, 4);
        fix_checksum(b);
        check_rejected(b, "rating bounds", "expected finite min <= max");
    }
    SECTION("a parameter claiming 2^40 rows fails before allocating") {
        std::string b = good;
        const size_t at = b.find("user.quotient");
        REQUIRE(at != std::string::npos);
        const int64_t huge = int64_t{1} << 40;
        std::memcpy(&b[at + std::strlen("user.quotient")], &huge, 8);
        fix_checksum(b);
        check_rejected(b, "params[0] (user.quotient).rows", "bytes each");
    }
    SECTION("a block count larger than the file") {
        // The user table (qr) starts with str "qr", i32 dim, i64 buckets, str "mult", then the block count.
        std::string b = good;
        const size_t count_at = user_table_offset(good) + (4 + 2) + 4 + 8 + (4 + 4);
        const uint32_t huge = 0xfffffff0u;
        std::memcpy(&b[count_at], &huge, 4);
        fix_checksum(b);
        check_rejected(b, "model.user.block_ends", "count 4294967280");
    }
    SECTION("values out of range") {
        const size_t user_table = user_table_offset(good);
        std::string b = good;
        REQUIRE(b.compare(user_table + 4, 2, "qr") == 0);
        b.replace(user_table + 4, 2, "xx");
        fix_checksum(b);
        check_rejected(b, "model.user.kind", "unknown table kind");
        b = good;
        const int32_t zero = 0;
        std::memcpy(&b[user_table + 6], &zero, 4);  // dim 0
        fix_checksum(b);
        check_rejected(b, "model");
    }
}

TEST_CASE("A checkpoint records how the ratings were read; a version 3 file records nothing", "[checkpoint]") {
    Checkpoint ck = parse(checkpoint_bytes());
    CHECK(ck.reading_recorded);
    CHECK(ck.reading.is_default());
    ck.reading.delimited = true;
    ck.reading.columns.delimiter = ';';
    ck.reading.columns.user_column = "customer";
    ck.reading.columns.item_column = "3";
    ck.reading.columns.rating_column = "stars";
    ck.reading.columns.has_header = false;
    ck.reading.duplicates = DuplicatePolicy::Mean;
    ck.reading.max_given = true;
    ck.reading.eval_data = "splits/test.csv";
    ck.min_rating = 0.5f;
    ck.max_rating = 10.0f;
    const std::string bytes = serialize_checkpoint(ck);
    const Checkpoint back = parse(bytes);
    CHECK(serialize_checkpoint(back) == bytes);
    CHECK(back.reading_recorded);
    CHECK(back.reading.delimited);
    CHECK(back.reading.columns.delimiter == ';');
    CHECK(back.reading.columns.user_column == "customer");
    CHECK(back.reading.columns.item_column == "3");
    CHECK(back.reading.columns.rating_column == "stars");
    CHECK_FALSE(back.reading.columns.has_header);
    CHECK(back.reading.duplicates == DuplicatePolicy::Mean);
    CHECK_FALSE(back.reading.min_given);
    CHECK(back.reading.max_given);
    CHECK(back.reading.eval_data == "splits/test.csv");
    CHECK(back.min_rating == 0.5f);
    CHECK(back.max_rating == 10.0f);

    // A version 3 file: the same bytes without the reading block (the last 12 payload bytes of a default one)
    // and without version 5's link (str32 "sigmoid" after the bias flags).
    std::string v3 = checkpoint_bytes();
    v3.erase(v3.size() - 8 - 12, 12);
    const std::string link("\x07\0\0\0sigmoid", 11);
    REQUIRE(v3.find(link) != std::string::npos);
    v3.erase(v3.find(link), link.size());
    v3[8] = 3;
    const uint64_t payload = v3.size() - 20 - 8;
    std::memcpy(&v3[12], &payload, 8);
    fix_checksum(v3);
    const Checkpoint old = parse(v3);
    CHECK_FALSE(old.reading_recorded);
    CHECK(old.reading.is_default());
    CHECK(old.params.size() == parse(checkpoint_bytes()).params.size());
}

TEST_CASE("Settings that must match to resume are compared one by one", "[checkpoint]") {
    Checkpoint ck;
    Run run = compressed_run(AdamMode::Dense);
    ck.model = run.model;
    ck.train = run.train;
    CHECK(settings_difference(ck, run.model, run.train).empty());

    Run other = run;
    other.train.epochs = 10;
    other.train.threads = 2;
    CHECK(settings_difference(ck, other.model, other.train).empty());

    other = run;
    other.model.item.dim = other.model.user.dim = 16;
    CHECK(settings_difference(ck, other.model, other.train) == "user table dim: 8 in the checkpoint, 16 now");
    other = run;
    other.model.item.block_ends = {10, 30};
    CHECK(settings_difference(ck, other.model, other.train) ==
          "item table blocks: 10,25 in the checkpoint, 10,30 now");
    other = run;
    other.train.adam.lr_decay = 0.9;
    CHECK(settings_difference(ck, other.model, other.train) == "learning-rate decay: 1 in the checkpoint, 0.9 now");
    other = run;
    other.model.item.param_budget = 500;
    CHECK(settings_difference(ck, other.model, other.train) ==
          "item table parameter budget: 0 in the checkpoint, 500 now");
    other = run;
    other.train.adam.learning_rate = 0.002;
    CHECK(settings_difference(ck, other.model, other.train) == "learning rate: 0.01 in the checkpoint, 0.002 now");
    other = run;
    other.train.adam.mode = AdamMode::Lazy;
    CHECK(settings_difference(ck, other.model, other.train) == "Adam mode: dense in the checkpoint, lazy now");
    other = run;
    other.train.adam.l2 = 0.01;
    CHECK(settings_difference(ck, other.model, other.train) == "L2: 0 in the checkpoint, 0.01 now");
    other = run;
    other.train.seed = 6;
    CHECK(settings_difference(ck, other.model, other.train) == "seed: 5 in the checkpoint, 6 now");
    other = run;
    other.model.user_bias = false;
    CHECK(settings_difference(ck, other.model, other.train) == "user biases: on in the checkpoint, off now");
    other = run;
    other.model.link = Link::Linear;
    CHECK(settings_difference(ck, other.model, other.train) == "link: sigmoid in the checkpoint, linear now");
}

TEST_CASE("The data fingerprint changes with any rating, id or order", "[checkpoint]") {
    const Dataset d = synthetic();
    const uint64_t h = fingerprint(d).hash;
    CHECK(fingerprint(synthetic()).hash == h);
    Dataset e = synthetic();
    e.rating[1234] += 1;
    CHECK(fingerprint(e).hash != h);
    e = synthetic();
    std::swap(e.user[3], e.user[4]);
    if (e.user[3] != e.user[4]) CHECK(fingerprint(e).hash != h);
    e = synthetic();
    std::swap(e.item[10], e.item[11]);
    if (e.item[10] != e.item[11]) CHECK(fingerprint(e).hash != h);
    Dataset f;
    f.users.add("1");
    f.items.add("2");
    f.user = {0};
    f.item = {0};
    f.rating = {3};
    Dataset g = f;
    CHECK(fingerprint(f).hash == fingerprint(g).hash);
    g.users = Vocabulary();
    g.users.add("9");
    CHECK(fingerprint(f).hash != fingerprint(g).hash);
}

TEST_CASE("The checkpoint stores every config field", "[checkpoint]") {
    // A tripwire, not a format check: when one of these structs grows, checkpoint.cpp must write and read
    // the new field (and settings_difference compare it if it changes training), then update the size here.
    CHECK(sizeof(AdamConfig) == 104);  // decay_steps is derived (batches per epoch), not stored
    // bpr_negatives and negative_power are BPR's: not in checkpoints, which hold rating models only.
    CHECK(sizeof(TrainConfig) == 168);
    CHECK(sizeof(TableConfig) == 96);
    // (objective and implicit: not stored, serialize_checkpoint refuses a model that is not a rating model;
    // the three bias flags, the objective and the link fill the 8 bytes)
    CHECK(sizeof(ModelConfig) == 2 * sizeof(TableConfig) + 8 + sizeof(ImplicitConfig));
}
