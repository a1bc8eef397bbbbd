// The block schedule's renumbering (core/src/train/block_rows.h): the row order it gives the ids, the move of
// a full side's rows and of the optimiser's per-row state there and back, and, through training, that every
// id ends the epoch on its own rows. Names of training tests start with "threads:" so scripts/sanitize.sh
// runs them under ThreadSanitizer.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>
#include <vector>

#include "memrec/adam.h"
#include "memrec/md_embedding.h"
#include "memrec/model.h"
#include "memrec/split.h"
#include "memrec/trainer.h"
#include "block_rows.h"
#include "low_rank_data.h"
#include "schedule_run.h"

using namespace memrec;

namespace {

// Every value of a param and of its Adam / AdaGrad state, set from the row it is on.
void fill_by_row(Param& p, AdamState& s) {
    const size_t rows = size_t(p.rows);
    auto fill = [&](auto& a, float tag) {
        const size_t per = a.size() / rows;
        using T = std::decay_t<decltype(a[0])>;
        for (size_t k = 0; k < a.size(); ++k) a[k] = static_cast<T>(tag + float(k / per));
    };
    fill(p.data, 0.0f);
    fill(s.m, 10000.0f);
    fill(s.v, 20000.0f);
    fill(s.steps, 30000.0f);
}

}  // namespace

TEST_CASE("block rows: ids in order of block, then sub-block, then id", "[blocks]") {
    const std::vector<int32_t> block = {1, 0, 1, 0, 0, 1};
    const std::vector<int32_t> sub = {0, 1, 0, 0, 1, 1};
    // (block, sub, id): id 3 (0,0), ids 1 and 4 (0,1), ids 0 and 2 (1,0), id 5 (1,1)
    CHECK(block_row_order(block, sub) == std::vector<int32_t>{3, 1, 4, 0, 2, 5});
    // That order is its own inverse; here the ids in row order are {2, 0, 1} and each id's row {1, 2, 0}.
    CHECK(block_row_order({1, 1, 0}, {0, 0, 0}) == std::vector<int32_t>{1, 2, 0});
}

TEST_CASE("block rows: a full side's rows and their optimiser state move to the order and back", "[blocks]") {
    const Optimizer opt = GENERATE(Optimizer::Adam, Optimizer::AdaGrad);
    INFO(to_string(opt));
    Model model(memrec_test::full_model(), 7, 5, 5.0f, std::vector<int64_t>(5, 1), std::vector<int64_t>(7, 1),
                1);
    AdamConfig ac;
    ac.optimizer = opt;
    ac.mode = AdamMode::Lazy;
    Adam adam(ac, model.params());
    const std::vector<Param*> params = model.params();
    for (size_t p = 0; p < params.size(); ++p) fill_by_row(*params[p], adam.state()[p]);
    std::vector<AlignedVector<float>> before;
    for (Param* p : params) before.emplace_back(p->data.begin(), p->data.end());
    const std::vector<AdamState> state_before = adam.state();

    const std::vector<int32_t> user_row = {6, 0, 5, 1, 4, 2, 3}, none;
    const std::vector<int32_t>* const order[2] = {&user_row, &none};  // users only; items stay
    std::vector<char> scratch;
    {
        const RowsMoved::TableMoves* const no_tables[2] = {nullptr, nullptr};
        RowsMoved moved(model, adam, order, no_tables, scratch);
        for (size_t p : model.id_row_params(Side::User)) {
            const Param& par = *params[p];
            const AdamState& s = adam.state()[p];
            for (int32_t id = 0; id < 7; ++id) {
                const int32_t r = user_row[size_t(id)];
                CHECK(par.data[size_t(r * par.stride)] == float(id));
                if (!s.m.empty()) CHECK(s.m[size_t(r * par.stride)] == 10000.0f + float(id));
                const size_t per = s.v.size() / 7;
                CHECK(s.v[size_t(r) * per] == 20000.0f + float(id));
                CHECK(s.steps[size_t(r)] == 30000 + id);
            }
        }
        for (size_t p : model.id_row_params(Side::Item)) CHECK(params[p]->data == before[p]);
        for (size_t p = 0; p < params.size(); ++p)  // the global bias is a whole param: not moved
            if (params[p]->access == Access::Whole) CHECK(params[p]->data == before[p]);
    }  // moved back when it goes out of scope (also when an exception leaves the epoch)
    for (size_t p = 0; p < params.size(); ++p) {
        CHECK(params[p]->data == before[p]);
        CHECK(adam.state()[p].m == state_before[p].m);
        CHECK(adam.state()[p].v == state_before[p].v);
        CHECK(adam.state()[p].steps == state_before[p].steps);
    }
}

TEST_CASE("block rows: a mixed-dimension side's block rows move by rank, its ids follow, and all comes back",
          "[blocks]") {
    ModelConfig mc = memrec_test::full_model();
    mc.item.kind = TableKind::MixedDimension;
    mc.item.block_ends = {3, 7};
    mc.item.block_dims = {mc.item.dim, 4, 2};
    mc.item.projection_bias = true;
    const int64_t items = 12;
    std::vector<int64_t> item_counts(static_cast<size_t>(items));
    for (int64_t i = 0; i < items; ++i) item_counts[size_t(i)] = (i * 7) % 12 + 1;  // frequency order != ids
    Model model(mc, 5, items, 5.0f, item_counts, std::vector<int64_t>(5, 1), 1);
    AdamConfig ac;
    ac.mode = AdamMode::Lazy;
    Adam adam(ac, model.params());
    const std::vector<Param*> params = model.params();
    for (size_t p = 0; p < params.size(); ++p) fill_by_row(*params[p], adam.state()[p]);
    auto& md = dynamic_cast<MixedDimensionEmbedding&>(model.item_table());
    const std::vector<std::vector<uint8_t>> no_shared(params.size());
    REQUIRE(table_rows_movable(model, Side::Item, no_shared));
    CHECK_FALSE(table_rows_movable(model, Side::User, no_shared));
    auto vectors = [&] {  // every id's item vector, through the table's own lookup
        std::vector<float> out(size_t(items * md.stride()));
        std::vector<int32_t> ids(static_cast<size_t>(items));
        for (int32_t i = 0; i < items; ++i) ids[size_t(i)] = i;
        md.lookup(ids.data(), items, out.data());
        return out;
    };
    const std::vector<float> vectors_before = vectors();
    std::vector<AlignedVector<float>> before;
    for (Param* p : params) before.emplace_back(p->data.begin(), p->data.end());
    const std::vector<AdamState> state_before = adam.state();
    // Each id's row before the move: 1 + its place in its block of the frequency order.
    std::vector<int32_t> old_row(static_cast<size_t>(items));
    std::vector<int64_t> ends = md.block_ends();
    ends.push_back(items);
    for (int64_t pos = 0, blk = 0; pos < items; ++pos) {
        while (pos >= ends[size_t(blk)]) ++blk;
        const int64_t begin = blk == 0 ? 0 : ends[size_t(blk - 1)];
        old_row[size_t(md.order()[size_t(pos)])] = int32_t(pos - begin + 1);
    }

    const std::vector<int32_t> rank = {11, 3, 8, 0, 6, 1, 10, 2, 9, 4, 7, 5};
    const RowsMoved::TableMoves moves = md.rows_by_rank(rank);
    REQUIRE(int(moves.size()) == md.blocks());
    for (int b = 0; b < md.blocks(); ++b) {
        CHECK(moves[size_t(b)][0] == 0);  // the out-of-vocabulary row stays
        // Within the block, an id of lower rank gets a lower row, and the rows are 1, 2, ...
        std::vector<std::pair<int32_t, int32_t>> rank_row;
        for (int32_t id = 0; id < items; ++id)
            if (md.block_of(id) == b)
                rank_row.push_back({rank[size_t(id)], moves[size_t(b)][size_t(old_row[size_t(id)])]});
        std::sort(rank_row.begin(), rank_row.end());
        for (size_t k = 0; k < rank_row.size(); ++k) CHECK(rank_row[k].second == int32_t(k + 1));
    }
    const std::vector<int32_t> none;
    const std::vector<int32_t>* const order[2] = {&none, &none};
    const RowsMoved::TableMoves* const tables[2] = {nullptr, &moves};
    std::vector<char> scratch;
    {
        RowsMoved moved(model, adam, order, tables, scratch);
        CHECK(vectors() == vectors_before);  // each id reads its own row where it now lies
        for (int b = 0; b < md.blocks(); ++b) {
            const Param& par = md.params()[size_t(md.block_table(b))];
            const size_t p = size_t(std::find(params.begin(), params.end(), &par) - params.begin());
            const std::vector<int32_t>& m = moves[size_t(b)];
            for (size_t r = 0; r < m.size(); ++r) {  // old row r's values and state are on row m[r]
                const size_t at = size_t(m[r]);
                CHECK(par.data[at * size_t(par.stride)] == float(r));
                CHECK(adam.state()[p].m[at * size_t(par.stride)] == 10000.0f + float(r));
                CHECK(adam.state()[p].v[at * size_t(par.stride)] == 20000.0f + float(r));
                CHECK(adam.state()[p].steps[at] == 30000 + int32_t(r));
            }
        }
        for (size_t p : model.side_params(Side::User)) CHECK(params[p]->data == before[p]);
    }  // back when it goes out of scope
    CHECK(vectors() == vectors_before);
    for (size_t p = 0; p < params.size(); ++p) {
        CHECK(params[p]->data == before[p]);
        CHECK(adam.state()[p].m == state_before[p].m);
        CHECK(adam.state()[p].v == state_before[p].v);
        CHECK(adam.state()[p].steps == state_before[p].steps);
    }
}

TEST_CASE("block rows: only sides whose rows are all the ids' own are renumbered", "[blocks]") {
    ModelConfig mc = memrec_test::full_model();
    mc.user.kind = TableKind::QuotientRemainder;
    mc.user.buckets = 3;
    Model model(mc, 12, 5, 5.0f, std::vector<int64_t>(5, 1), std::vector<int64_t>(12, 1), 1);
    const std::vector<std::vector<uint8_t>> no_shared(model.params().size());
    CHECK_FALSE(renumberable(model, Side::User, no_shared));
    CHECK(renumberable(model, Side::Item, no_shared));
    std::vector<std::vector<uint8_t>> shared = no_shared;
    shared[model.id_row_params(Side::Item).front()].assign(5, 0);  // the plan found rows shared by blocks
    CHECK_FALSE(renumberable(model, Side::Item, shared));
}

TEST_CASE("threads: on the block schedule every id ends the epoch on its own rows", "[threads][blocks]") {
    // Users of even id train; odd users have their ratings in the eval split only, so lazy Adam and the row
    // rules never step their rows: those keep their initial values exactly, the others all move.
    const Dataset d = memrec_test::rounded_rank3_data(300, 200, 30, 11, false);
    Split s;
    for (uint32_t k = 0; k < d.size(); ++k) (d.user[k] % 2 == 0 ? s.train : s.eval).push_back(k);
    const int threads = GENERATE(2, 3);
    const Optimizer opt = GENERATE(Optimizer::Adam, Optimizer::AdaGrad);
    INFO(threads << " threads, " << to_string(opt));
    const ModelConfig mc = memrec_test::full_model();
    const int64_t users = int64_t(d.users.size()), items = int64_t(d.items.size());
    const Model initial(mc, users, items, 5.0f, count_items(d, s.train), count_users(d, s.train), 3);
    Model model(mc, users, items, 5.0f, count_items(d, s.train), count_users(d, s.train), 3);
    TrainConfig tc;
    tc.epochs = 2;
    tc.batch_size = 32;
    tc.threads = threads;
    tc.adam.optimizer = opt;
    tc.adam.mode = AdamMode::Lazy;
    tc.adam.learning_rate = opt == Optimizer::AdaGrad ? 0.05 : 0.003;
    Trainer t(model, tc);
    t.fit(d, s.train, s.eval);
    for (size_t p : model.id_row_params(Side::User)) {
        const Param& trained = *model.params()[p];
        const Param& init = *initial.params()[p];  // the same seed: the same initial rows
        int kept = 0, moved = 0;
        for (int64_t u = 0; u < trained.rows; ++u) {
            const bool same = std::memcmp(trained.row(int32_t(u)), init.row(int32_t(u)),
                                          sizeof(float) * size_t(trained.stride)) == 0;
            (same ? kept : moved) += 1;
            if (u % 2 == 1) CHECK(same);
        }
        CHECK(kept == trained.rows / 2);  // every even user's row moved
        CHECK(moved == trained.rows - trained.rows / 2);
    }
    REQUIRE(t.history().size() == 2);
    CHECK(t.history().back().eval.rmse < 1.2);
}
