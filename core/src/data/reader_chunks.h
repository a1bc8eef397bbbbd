// Private to the readers: cutting an in-memory ratings file into chunks at line boundaries, counting their
// lines, and working on the chunks on several threads. Results never depend on the number of chunks or
// threads: callers merge per-chunk results in file order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "memrec/reader.h"

namespace memrec::detail {

// One piece of the text: [begin, end) in bytes, starting at 0 or just after a '\n'.
struct Chunk {
    size_t begin = 0;
    size_t end = 0;
    int64_t lines_before = 0;  // lines of the text before `begin`
    size_t lines = 0;          // lines starting inside the chunk (its newlines, plus an unterminated last line)
};

// The bytes being parsed: a text in memory, or a regular file read piece by piece with pread (so a 25M-
// rating file is never mapped or copied whole: the pieces live in a small buffer per thread).
struct Source {
    std::string_view text;  // in memory when fd < 0
    int fd = -1;
    size_t base = 0;  // the file offset of byte 0 (past a byte-order mark)
    size_t size = 0;  // bytes from `base` on
    std::string name;

    static Source memory(std::string_view text, const std::string& name) { return {text, -1, 0, text.size(), name}; }
    bool in_memory() const { return fd < 0; }
};

// Bytes [offset, offset + n) of the source (a file must not shrink while read: DataError).
void read_bytes(const Source& source, size_t offset, char* buf, size_t n);

// Calls f(first, last) on [begin, end) of the source (begin at a line start) in pieces of whole lines: the
// text itself in memory, else pieces of about 1 MB read into one buffer (a line longer than 1 MB throws).
void for_each_piece(const Source& source, size_t begin, size_t end,
                    const std::function<void(const char*, const char*)>& f);

// How a text is cut and worked on: `chunks` pieces of about equal size on `threads` threads.
struct ChunkPlan {
    size_t chunks = 1;
    unsigned threads = 1;
};

// The plan read_dataset uses: one thread per core (at most 8; one in the WebAssembly build), and pieces of
// at least 32 MB, so a small file (ml-1m: 24 MB) is one chunk on the calling thread.
ChunkPlan default_plan(size_t bytes);

// Cuts `text` by `plan` and counts each chunk's lines (in parallel). With `check_nul`, throws DataError
// naming the line of the first NUL byte (text formats never hold one; binary files do), as
// reject_nul_bytes does.
std::vector<Chunk> cut_into_chunks(const Source& source, const ChunkPlan& plan, bool check_nul);

// Calls task(i) for every i in [0, n) on up to `threads` threads, the calling one included, and waits for
// all. `task` must not throw (workers keep their errors for the caller to order and rethrow).
void run_parallel(size_t n, unsigned threads, const std::function<void(size_t)>& task);

// memrec::parse_ratings with a given plan: the same result and the same first error whatever the plan
// (tests and fuzz targets cut small texts into many chunks to check it).
void parse_ratings(std::string_view text, const std::string& name, RatingFormat format, const ReadOptions& options,
                   Dataset& dataset, const ChunkPlan& plan);

// read_dataset's way with a MovieLens ratings file: streamed in pieces, parsed on every core, never held
// whole. False (nothing read) when it does not apply: not a regular file, a delimited file, or a start
// that is not the usual one. Any exception means "read it whole instead": the in-memory parser then
// reports the fault exactly (its line, the first NUL byte, both lines of a repeated pair).
bool read_ratings_file(const std::string& path, RatingFormat format, const ReadOptions& options, Dataset& dataset);

}  // namespace memrec::detail
