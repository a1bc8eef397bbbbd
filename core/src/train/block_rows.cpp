#include "block_rows.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <stdexcept>

namespace memrec {

std::vector<int32_t> block_row_order(const std::vector<int32_t>& block, const std::vector<int32_t>& sub) {
    std::vector<int32_t> ids(block.size());
    std::iota(ids.begin(), ids.end(), 0);
    std::stable_sort(ids.begin(), ids.end(), [&](int32_t a, int32_t b) {
        return block[size_t(a)] != block[size_t(b)] ? block[size_t(a)] < block[size_t(b)]
                                                    : sub[size_t(a)] < sub[size_t(b)];
    });
    std::vector<int32_t> row(block.size());
    for (size_t k = 0; k < ids.size(); ++k) row[size_t(ids[k])] = static_cast<int32_t>(k);
    return row;
}

bool renumberable(const Model& model, Side side, const std::vector<std::vector<uint8_t>>& shared) {
    const EmbeddingTable& table = side == Side::User ? model.user_table() : model.item_table();
    if (table.kind() != TableKind::Full) return false;
    const std::vector<const Param*> params = model.params();
    const std::vector<size_t> id_rows = model.id_row_params(side);
    for (size_t p : model.side_params(side)) {
        if (params[p]->access != Access::Rows) continue;  // whole params have no per-id rows
        if (std::find(id_rows.begin(), id_rows.end(), p) == id_rows.end()) return false;
        if (p < shared.size() && !shared[p].empty()) return false;
    }
    return true;
}

namespace {
// The model's params() index of a mixed-dimension table's block b rows.
size_t block_table_param(const Model& model, const MixedDimensionEmbedding& md, int b) {
    const std::vector<const Param*> params = model.params();
    const Param* rows = &md.params()[size_t(md.block_table(b))];
    return size_t(std::find(params.begin(), params.end(), rows) - params.begin());
}
}  // namespace

bool table_rows_movable(const Model& model, Side side, const std::vector<std::vector<uint8_t>>& shared) {
    const EmbeddingTable& table = side == Side::User ? model.user_table() : model.item_table();
    const auto* md = dynamic_cast<const MixedDimensionEmbedding*>(&table);
    if (md == nullptr) return false;
    for (int b = 0; b < md->blocks(); ++b) {
        const size_t p = block_table_param(model, *md, b);
        if (p < shared.size() && !shared[p].empty()) return false;
    }
    return true;
}

RowsMoved::RowsMoved(Model& model, Adam& adam, const std::vector<int32_t>* const (&order)[2],
                     const TableMoves* const (&table_moves)[2], std::vector<char>& scratch)
    : scratch_(scratch) {
    const std::vector<Param*> params = model.params();
    size_t most = 0;
    // Param p's rows and its optimiser state, row r to row (*o)[r].
    auto add_param = [&](size_t p, const std::vector<int32_t>* o) {
        Param& par = *params[p];
        AdamState& s = adam.state()[p];
        const size_t rows = size_t(par.rows);
        if (o->size() != rows) throw std::logic_error("block_rows: a move of another number of rows");
        auto add = [&](void* base, size_t size, size_t elem) {
            if (size == 0) return;  // state this optimiser does not keep (SGD's moments)
            // Moving the rows but not a per-row array would pair rows with other rows' state.
            if (size % rows != 0) throw std::logic_error("block_rows: a per-row array of a partial row");
            arrays_.push_back({static_cast<char*>(base), int64_t(size / rows * elem), o});
            most = std::max(most, size * elem);
        };
        add(par.data.data(), par.data.size(), sizeof(float));
        add(s.m.data(), s.m.size(), sizeof(float));
        add(s.v.data(), s.v.size(), sizeof(float));  // Adam's second moment or AdaGrad's accumulators
        add(s.steps.data(), s.steps.size(), sizeof(int32_t));
    };
    for (Side side : {Side::User, Side::Item}) {
        const int k = side == Side::User ? 0 : 1;
        const std::vector<int32_t>* o = order[k];
        if (o != nullptr && !o->empty())
            for (size_t p : model.id_row_params(side)) add_param(p, o);
        const TableMoves* moves = table_moves[k];
        if (moves == nullptr || moves->empty()) continue;
        auto* md = dynamic_cast<MixedDimensionEmbedding*>(side == Side::User ? &model.user_table()
                                                                              : &model.item_table());
        if (md == nullptr || int(moves->size()) != md->blocks())
            throw std::logic_error("block_rows: table moves for a table that is not mixed-dimension");
        Renumbered t{md, moves, *moves};
        for (int b = 0; b < md->blocks(); ++b) {
            const std::vector<int32_t>& there = (*moves)[size_t(b)];
            add_param(block_table_param(model, *md, b), &there);
            for (size_t r = 0; r < there.size(); ++r)
                t.back[size_t(b)][size_t(there[r])] = static_cast<int32_t>(r);
        }
        tables_.push_back(std::move(t));
    }
    if (arrays_.empty()) return;
    if (scratch_.size() < most) scratch_.resize(most);
    move(false);
    moved_ = true;
}

void RowsMoved::restore() noexcept {
    if (!moved_) return;
    move(true);
    moved_ = false;
}

void RowsMoved::move(bool back) noexcept {
    for (Renumbered& t : tables_) t.table->renumber_rows(back ? t.back : *t.there);
    for (const Rows& a : arrays_) {
        const std::vector<int32_t>& order = *a.order;
        const size_t b = size_t(a.row_bytes);
        std::memcpy(scratch_.data(), a.base, order.size() * b);
        for (size_t id = 0; id < order.size(); ++id) {
            const size_t row = size_t(order[id]);
            if (back)
                std::memcpy(a.base + id * b, scratch_.data() + row * b, b);
            else
                std::memcpy(a.base + row * b, scratch_.data() + id * b, b);
        }
    }
}

}  // namespace memrec
