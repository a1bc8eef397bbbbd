// Chunks of a ratings file (see reader_chunks.h).
#include "reader_chunks.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <thread>

#include "memrec/error.h"
#include "reader_text.h"

#if !defined(__EMSCRIPTEN__)
#include <unistd.h>
#endif
#include <cerrno>
#include <memory>

namespace memrec::detail {

namespace {

constexpr size_t kMinChunkBytes = size_t{1} << 25;  // 32 MB: below that, threads cost more than they save
constexpr unsigned kMaxThreads = 8;

// Newlines in [p, end), and with `check_nul` the first NUL byte (nullptr if none). Blocks small enough to
// stay in cache are scanned twice (memchr for NUL, then a vectorised count), so memory is read once.
size_t count_newlines(const char* p, const char* end, bool check_nul, const char*& first_nul) {
    constexpr size_t kBlock = size_t{1} << 14;
    size_t newlines = 0;
    first_nul = nullptr;
    while (p < end) {
        const size_t n = std::min(kBlock, static_cast<size_t>(end - p));
        if (const void* nul = check_nul ? std::memchr(p, '\0', n) : nullptr) {
            first_nul = static_cast<const char*>(nul);
            return newlines + static_cast<size_t>(std::count(p, first_nul, '\n'));
        }
        newlines += static_cast<size_t>(std::count(p, p + n, '\n'));
        p += n;
    }
    return newlines;
}

constexpr size_t kPieceBytes = size_t{1} << 20;

// The start of the first line beginning at or after `target`, or source.size.
size_t next_line_start(const Source& source, size_t target) {
    if (source.in_memory()) {
        const void* nl = target < source.size ? std::memchr(source.text.data() + target, '\n', source.size - target)
                                              : nullptr;
        return nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - source.text.data()) + 1
                             : source.size;
    }
    char window[4096];
    while (target < source.size) {
        const size_t n = std::min(sizeof window, source.size - target);
        read_bytes(source, target, window, n);
        if (const void* nl = std::memchr(window, '\n', n))
            return target + static_cast<size_t>(static_cast<const char*>(nl) - window) + 1;
        target += n;
    }
    return source.size;
}

}  // namespace

void read_bytes(const Source& source, size_t offset, char* buf, size_t n) {
    if (source.in_memory()) {
        std::memcpy(buf, source.text.data() + offset, n);
        return;
    }
#if defined(__EMSCRIPTEN__)
    throw DataError(source.name, 0, "read error");
#else
    while (n > 0) {
        const ssize_t got = ::pread(source.fd, buf, n, static_cast<off_t>(source.base + offset));
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) throw DataError(source.name, 0, got == 0 ? "the file shrank while read" : "read error");
        buf += got;
        offset += static_cast<size_t>(got);
        n -= static_cast<size_t>(got);
    }
#endif
}

void for_each_piece(const Source& source, size_t begin, size_t end,
                    const std::function<void(const char*, const char*)>& f) {
    if (source.in_memory()) {
        f(source.text.data() + begin, source.text.data() + end);
        return;
    }
    const size_t capacity = kPieceBytes + kMaxLineBytes + 2;
    const std::unique_ptr<char[]> buf(new char[capacity]);
    size_t carry = 0;  // the start of a line cut by the previous piece
    for (size_t at = begin; at < end;) {
        const size_t n = std::min(kPieceBytes, end - at);
        read_bytes(source, at, buf.get() + carry, n);
        at += n;
        const size_t size = carry + n;
        size_t whole = size;
        if (at < end) {
            const char* p = buf.get() + size;
            while (p != buf.get() && p[-1] != '\n') --p;
            whole = static_cast<size_t>(p - buf.get());
            if (whole == 0) {
                if (size > kMaxLineBytes) throw DataError(source.name, 0, "line longer than 1 MB");
                carry = size;
                continue;
            }
        }
        f(buf.get(), buf.get() + whole);
        std::memmove(buf.get(), buf.get() + whole, size - whole);
        carry = size - whole;
    }
}

ChunkPlan default_plan(size_t bytes) {
#if defined(__EMSCRIPTEN__)
    const unsigned cores = 1;
#else
    const unsigned cores = std::max(1u, std::min(kMaxThreads, std::thread::hardware_concurrency()));
#endif
    ChunkPlan plan;
    plan.threads = cores;
    plan.chunks = std::max<size_t>(1, std::min<size_t>(cores, bytes / kMinChunkBytes));
    if (plan.chunks == 1) plan.threads = 1;
    return plan;
}

std::vector<Chunk> cut_into_chunks(const Source& source, const ChunkPlan& plan, bool check_nul) {
    const size_t wanted = std::max<size_t>(1, plan.chunks);
    std::vector<Chunk> chunks;
    size_t begin = 0;
    for (size_t c = 1; c <= wanted && begin < source.size; ++c) {
        const size_t end =
            c < wanted ? next_line_start(source, std::max(begin, source.size / wanted * c)) : source.size;
        Chunk chunk;
        chunk.begin = begin;
        chunk.end = end;
        chunks.push_back(chunk);
        begin = end;
    }
    if (chunks.empty()) chunks.emplace_back();  // an empty text: one empty chunk

    std::vector<char> nul(chunks.size(), 0);  // not vector<bool>: threads write neighbours
    std::vector<std::exception_ptr> errors(chunks.size());
    std::vector<char> last_byte(chunks.size(), '\n');
    run_parallel(chunks.size(), plan.threads, [&](size_t c) {
        Chunk& chunk = chunks[c];
        try {
            for_each_piece(source, chunk.begin, chunk.end, [&](const char* first, const char* last) {
                if (nul[c] || first == last) return;
                const char* at_nul = nullptr;
                chunk.lines += count_newlines(first, last, check_nul, at_nul);
                nul[c] = at_nul != nullptr ? 1 : 0;
                last_byte[c] = last[-1];
            });
        } catch (...) {
            errors[c] = std::current_exception();
        }
    });
    int64_t lines = 0;
    for (size_t c = 0; c < chunks.size(); ++c) {
        if (errors[c]) std::rethrow_exception(errors[c]);
        chunks[c].lines_before = lines;
        if (nul[c])
            throw DataError(source.name, lines + static_cast<int64_t>(chunks[c].lines) + 1,
                            "NUL byte: this is binary data, not a text file");
        lines += static_cast<int64_t>(chunks[c].lines);
    }
    Chunk& last = chunks.back();
    if (last.end > last.begin && last_byte.back() != '\n') ++last.lines;
    return chunks;
}

void run_parallel(size_t n, unsigned threads, const std::function<void(size_t)>& task) {
    const size_t workers = std::min<size_t>(std::max(1u, threads), n);
    if (workers <= 1) {
        for (size_t i = 0; i < n; ++i) task(i);
        return;
    }
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < n; i = next++) task(i);
    };
    std::vector<std::thread> others;
    others.reserve(workers - 1);
    try {
        for (size_t t = 1; t < workers; ++t) others.emplace_back(work);
    } catch (...) {  // no thread to be had: the ones started and this one do the work
        work();
        for (auto& th : others) th.join();
        return;
    }
    work();
    for (auto& th : others) th.join();
}

}  // namespace memrec::detail
