#pragma once
// The block schedule's rows kept together in memory (block_schedule.cpp). Its threads own disjoint user and
// item blocks, but the blocks are dealt at random, so one thread's rows lie between the others': two
// threads stepping alternate 256-byte rows of the same Adam tables ran at 142 ns a row each against 22 ns on
// the two halves (bench/bench_rows.cpp; docs/performance.md, "Each thread's rows together"), as writes
// near another core's rows pull lines back and forth between the cores. As LIBMF trains on shuffled ids in
// contiguous blocks, an epoch on several threads renumbers each side whose table is full: the rows of the
// params whose rows are the ids (the table, the side's bias) and the optimiser's per-row state move to the
// row order (block, sub-block, id) before the epoch and back after it, and the batches are gathered with
// the new numbers. A row's arithmetic does not depend on where it lies, so the results are the same bits.
// A mixed-dimension side keeps its ids but moves each block table's rows, and the table points each id at
// its new row (MixedDimensionEmbedding::renumber_rows): memeff's item rows stepped at 41 ns a row on 2
// threads against 23 ns for the baseline's rows in order (profile of 2 threads, 2026-12-03). Sides with
// shared rows (quotient-remainder, hashed tables) keep their order.
#include <cstdint>
#include <vector>

#include "memrec/adam.h"
#include "memrec/md_embedding.h"
#include "memrec/model.h"

namespace memrec {

// Each id's new row: the ids ordered by (block[id], sub[id], id).
std::vector<int32_t> block_row_order(const std::vector<int32_t>& block, const std::vector<int32_t>& sub);

// Whether `side` may be renumbered: its table is full and every row-wise param of the side is one whose
// rows are the ids (`shared` per param: the rows the plan found reached from more than one block).
bool renumberable(const Model& model, Side side, const std::vector<std::vector<uint8_t>>& shared);

// Whether `side`'s table is mixed-dimension with no block table row the plan found shared (`shared` as for
// renumberable): then its block tables' rows may move (MixedDimensionEmbedding::rows_by_rank).
bool table_rows_movable(const Model& model, Side side, const std::vector<std::vector<uint8_t>>& shared);

// Moves the rows for the lifetime of the object (or until restore()): `order[0]` / `order[1]`, the user /
// item side's new rows (block_row_order), or empty to leave a side as it is; `table_moves[0]` / `[1]`, a
// mixed-dimension side's block table moves (rows_by_rank), or empty. Adam's per-row state must be
// allocated already (it is, from Adam's construction). `scratch` is reused between epochs.
class RowsMoved {
public:
    using TableMoves = std::vector<std::vector<int32_t>>;
    RowsMoved(Model& model, Adam& adam, const std::vector<int32_t>* const (&order)[2],
              const TableMoves* const (&table_moves)[2], std::vector<char>& scratch);
    ~RowsMoved() { restore(); }
    RowsMoved(const RowsMoved&) = delete;
    RowsMoved& operator=(const RowsMoved&) = delete;
    void restore() noexcept;

private:
    struct Rows {
        char* base;
        int64_t row_bytes;
        const std::vector<int32_t>* order;
    };
    struct Renumbered {  // a mixed-dimension table and its rows' moves there (the caller's) and back
        MixedDimensionEmbedding* table;
        const TableMoves* there;
        TableMoves back;
    };
    void move(bool back) noexcept;
    std::vector<Rows> arrays_;
    std::vector<Renumbered> tables_;
    std::vector<char>& scratch_;
    bool moved_ = false;
};

}  // namespace memrec
