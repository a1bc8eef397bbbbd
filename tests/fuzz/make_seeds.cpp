// Writes the fuzzers' seed corpus into DIR/model (small .mrec files: every table kind, every storage, with
// and without titles), DIR/checkpoint (small training checkpoints, one epoch on a synthetic rating set:
// full tables with dense Adam, quotient-remainder + mixed-dimension tables with lazy Adam, AdaGrad, and one
// with the reading fields set) and DIR/ratings (a snippet of every rating format, led by the format-selector byte
// fuzz_rating_reader reads first). Nothing here comes from MovieLens.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "memrec/checkpoint.h"
#include "memrec/model_file.h"
#include "memrec/rng.h"
#include "memrec/split.h"
#include "memrec/trainer.h"

namespace {

void write(const std::filesystem::path& p, const std::string& bytes) {
    std::ofstream(p, std::ios::binary) << bytes;
}

memrec::ModelFile model(const memrec::ModelConfig& c, bool string_ids, uint64_t seed) {
    constexpr int32_t users = 12, items = 15;
    memrec::Rng rng(seed);
    std::vector<int64_t> counts(items), user_counts(users);
    for (auto& x : counts) x = int64_t(rng.below(40));
    for (auto& x : user_counts) x = int64_t(rng.below(40));
    memrec::ModelFile f;
    f.model = std::make_unique<memrec::Model>(c, users, items, 5.0f, counts, user_counts, seed);
    for (int32_t u = 0; u < users; ++u) f.users.add(std::to_string(100 + 3 * u));
    for (int32_t i = 0; i < items; ++i) f.items.add(string_ids ? "m" + std::to_string(i) : std::to_string(i * 2 + 1));
    for (int32_t i = 0; i < items; ++i) f.titles.push_back("Film " + std::to_string(i));
    f.item_counts = counts;
    f.info.preset = "seed";
    memrec::EpochStats e;
    e.epoch = 1;
    f.history.push_back(e);
    return f;
}

// A checkpoint after one epoch of `model`/`train` on a synthetic 12 x 15 rating set, built as
// tests/unit/test_checkpoint.cpp builds its own.
memrec::Checkpoint checkpoint(const memrec::ModelConfig& model, memrec::TrainConfig train) {
    memrec::Dataset d;
    memrec::Rng rng(3);
    for (int u = 0; u < 12; ++u) d.users.add(std::to_string(100 + u));
    for (int i = 0; i < 15; ++i) d.items.add(std::to_string(i + 1));
    for (int k = 0; k < 120; ++k) {
        const auto u = static_cast<int32_t>(rng.below(12));
        const auto i = static_cast<int32_t>(rng.below(15));
        d.user.push_back(u);
        d.item.push_back(i);
        d.rating.push_back(static_cast<float>(1 + (u * 7 + i * 3) % 5));
    }
    d.format = "movielens-dat";
    d.ratings_path = "synthetic";
    const memrec::Split s = memrec::split_dataset(d, 0.8, 3);
    train.epochs = 2;
    train.batch_size = 16;
    train.threads = 1;
    memrec::Model m(model, d.users.size(), d.items.size(), d.max_rating, memrec::count_items(d, s.train),
                    memrec::count_users(d, s.train), train.seed);
    memrec::Trainer trainer(m, train);
    trainer.train_epoch(d, s.train, s.eval, {});
    memrec::Checkpoint ck;
    ck.preset = "seed";
    ck.data_source = d.ratings_path;
    ck.data_format = d.format;
    ck.train_fraction = 0.8;
    ck.split_seed = 3;
    ck.data = memrec::fingerprint(d);
    ck.model = model;
    ck.train = train;
    ck.history = trainer.history();
    memrec::capture_state(m, trainer.optimizer(), ck);
    return ck;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: fuzz_make_seeds DIR\n");
        return 2;
    }
    namespace fs = std::filesystem;
    const fs::path dir = argv[1];
    fs::create_directories(dir / "model");
    fs::create_directories(dir / "ratings");

    using memrec::Combiner;
    using memrec::TableKind;
    std::vector<memrec::ModelConfig> configs(4);
    configs[0].user.dim = configs[0].item.dim = 4;
    configs[0].global_bias = configs[0].user_bias = configs[0].item_bias = true;
    configs[1].user = {TableKind::QuotientRemainder, 4, 3, Combiner::Mult, {}, {}, 0.3, true};
    configs[1].item = {TableKind::MixedDimension, 4, 0, Combiner::Mult, {3, 8}, {4, 2, 1}, 0.3, true};
    configs[2].user = {TableKind::Hashed, 4, 5, Combiner::Mult, {}, {}, 0.3, true};
    configs[2].item = {TableKind::MixedDimension, 4, 0, Combiner::Mult, {5}, {}, 0.5, false};
    configs[3].user = {TableKind::MixedDimension, 4, 0, Combiner::Mult, {6}, {4, 2}, 0.3, false};
    configs[3].item = {TableKind::QuotientRemainder, 4, 4, Combiner::Concat, {}, {}, 0.3, true};
    int n = 0;
    for (size_t c = 0; c < configs.size(); ++c) {
        memrec::ModelFile f = model(configs[c], c == 1, 7 + c);
        if (c == 2) f.item_counts.clear();  // an explicit mixed-dimension order
        for (memrec::Storage s : {memrec::Storage::F32, memrec::Storage::F16, memrec::Storage::Int8, memrec::Storage::Int4})
            for (bool titles : {true, false}) {
                write(dir / "model" / ("seed" + std::to_string(n++) + ".mrec"), memrec::serialize_model(f, s, titles));
            }
    }

    // The dim-4 tables above stay int8 at int4 (int4 rows need 9 columns or more): full 11-dim users and
    // mixed-dimension items with blocks of 11 and 9 columns (odd widths: padding nibbles).
    memrec::ModelConfig wide;
    wide.user.dim = 11;
    wide.item = {TableKind::MixedDimension, 11, 0, Combiner::Mult, {6}, {11, 9}, 0.3, true};
    write(dir / "model" / ("seed" + std::to_string(n++) + ".mrec"),
          memrec::serialize_model(model(wide, false, 20), memrec::Storage::Int4, false));

    // A version 5 file: a model trained with AdaGrad stores its optimizer.
    memrec::ModelFile adagrad = model(configs[0], false, 21);
    adagrad.info.train.adam.optimizer = memrec::Optimizer::AdaGrad;
    write(dir / "model" / ("seed" + std::to_string(n++) + ".mrec"), memrec::serialize_model(adagrad));
    // A BPR model (format 5, objective 2): item side only, a quotient-remainder item table, int8 and f32.
    memrec::ModelConfig bpr;
    bpr.objective = memrec::Objective::Bpr;
    bpr.user.dim = 4;
    bpr.item = {TableKind::QuotientRemainder, 4, 4, Combiner::Mult, {}, {}, 0.3, true};
    for (memrec::Storage s : {memrec::Storage::F32, memrec::Storage::Int8})
        write(dir / "model" / ("seed" + std::to_string(n++) + ".mrec"),
              memrec::serialize_model(model(bpr, false, 30), s, false));
    {  // a warm-started model: the optional parent section (11)
        memrec::ModelFile child = model(wide, false, 21);
        child.info.parent_hash = "fnv1a64:0123456789abcdef";
        write(dir / "model" / ("seed" + std::to_string(n++) + ".mrec"), memrec::serialize_model(child));
    }
    {  // a model read from a delimited file of one's own: the optional reading section (12)
        memrec::ModelFile own = model(wide, false, 21);
        own.info.reading.delimited = true;
        own.info.reading.columns.delimiter = ';';
        own.info.reading.columns.rating_column = "score";
        own.info.reading.columns.has_header = false;
        own.info.reading.duplicates = memrec::DuplicatePolicy::Mean;
        own.info.reading.max_given = true;
        own.info.reading.eval_data = "u1.test";
        write(dir / "model" / ("seed" + std::to_string(n++) + ".mrec"), memrec::serialize_model(own));
    }
    // Product codes (format version 5): full 8-dim tables in 4 subspaces of 5-bit codes (packed across bytes),
    // int8 codebooks; and 2 subspaces of 8 bits with f16 codebooks.
    memrec::ModelConfig pq_config;
    pq_config.user.dim = pq_config.item.dim = 8;
    pq_config.item_bias = true;
    for (const memrec::PqOptions& o : {memrec::PqOptions{4, 5, 1, 10, memrec::PqCodebook::Int8},
                                       memrec::PqOptions{2, 8, 2, 10, memrec::PqCodebook::F16}})
        write(dir / "model" / ("seed" + std::to_string(n++) + ".mrec"),
              memrec::serialize_model(model(pq_config, false, 21), memrec::Storage::Pq, false, o));

    // Checkpoints (format version 4).
    fs::create_directories(dir / "checkpoint");
    std::vector<memrec::Checkpoint> checkpoints;
    {
        memrec::ModelConfig full;
        full.user.dim = full.item.dim = 4;
        full.global_bias = full.user_bias = full.item_bias = true;
        memrec::TrainConfig dense;
        dense.adam.mode = memrec::AdamMode::Dense;
        checkpoints.push_back(checkpoint(full, dense));
        memrec::ModelConfig compressed;
        compressed.user = {TableKind::QuotientRemainder, 4, 3, Combiner::Mult, {}, {}, 0.3, true};
        compressed.item = {TableKind::MixedDimension, 4, 0, Combiner::Mult, {3, 8}, {4, 2, 1}, 0.3, true};
        compressed.item_bias = true;
        memrec::TrainConfig lazy;
        lazy.adam.mode = memrec::AdamMode::Lazy;
        checkpoints.push_back(checkpoint(compressed, lazy));
        memrec::TrainConfig adagrad;
        adagrad.adam.optimizer = memrec::Optimizer::AdaGrad;
        checkpoints.push_back(checkpoint(full, adagrad));
        memrec::Checkpoint own = checkpoint(compressed, dense);  // read from a delimited file of one's own
        own.reading.delimited = true;
        own.reading.columns.delimiter = ';';
        own.reading.columns.rating_column = "score";
        own.reading.duplicates = memrec::DuplicatePolicy::Mean;
        own.reading.min_given = true;
        own.reading.eval_data = "u1.test";
        own.min_rating = 0.5f;
        checkpoints.push_back(own);
    }
    for (size_t i = 0; i < checkpoints.size(); ++i)
        write(dir / "checkpoint" / ("seed" + std::to_string(i) + ".mrck"), memrec::serialize_checkpoint(checkpoints[i]));

    const std::vector<std::string> ratings{
        std::string(1, '\0') + "1::10::5::978300760\n1::11::3::978302109\n2::10::4\n",
        std::string(1, '\0') + "7::3::4\r\n7::4::2\r\n\r\n8::3::1",
        std::string(1, '\1') + "196\t242\t3\t881250949\n186\t302\t3\t891717742\n",
        std::string(1, '\2') + "userId,movieId,rating,timestamp\r\n1,1,4.0,964982703\r\n1,3,4.5,964981247\r\n",
        std::string(1, '\3') + "user,item,rating\n\"a\",x,1\nb,\"y,z\",2.5\n",
        std::string(1, '\4') + "movieId\tuserId\trating\n5\t1\t3\n6\t2\t4\n",
        std::string(1, '\5') + "1::1::0.5\n2::1::10\n",
    };
    for (size_t i = 0; i < ratings.size(); ++i) write(dir / "ratings" / ("seed" + std::to_string(i) + ".txt"), ratings[i]);

    // fuzz_delimited_reader: four option bytes (delimiter, columns, header/policy, scale), then the text.
    fs::create_directories(dir / "delimited");
    const std::vector<std::string> delimited{
        std::string("\0\x08\x02\0", 4) + "user,item,rating\na@x,SKU-1,4\nb@x,SKU-2,3\na@x,SKU-1,5\n",
        std::string("\1\x1B\x1D\x03", 4) + "9\tu1\t4\n9\tu2\t2\n8\tu1\t5\n",
        std::string("\2\x08\x37\0", 4) + "user;item;when\nu;i;1\nu;i;2\nv;i;3\n",
        std::string("\0\x08\x17\0", 4) + "user,item,score\n\"a, b\",x,1.5\nc,x,2\n",
    };
    for (size_t i = 0; i < delimited.size(); ++i)
        write(dir / "delimited" / ("seed" + std::to_string(i) + ".txt"), delimited[i]);
    std::printf("wrote %d model seeds, %zu checkpoint seeds and %zu rating seeds into %s\n", n, checkpoints.size(),
                ratings.size(), dir.c_str());
    return 0;
}
