#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "memrec/error.h"
#include "memrec/io.h"
#include "format/byte_io.h"

namespace memrec {

namespace {

// The directory part of `path` ("." when it has none).
std::string directory_of(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    return slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
}

// Removes the temporaries that earlier writes of `path` left behind when killed mid-write: files named
// exactly NAME.tmp.PID beside it whose PID is no longer a running process. A live PID (this process, or
// another memrec writing the same file right now) keeps its file; so does anything else in the directory.
void remove_stale_temporaries(const std::string& path) {
    const size_t slash = path.find_last_of('/');
    const std::string prefix = (slash == std::string::npos ? path : path.substr(slash + 1)) + ".tmp.";
    const std::string dir = directory_of(path);
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) continue;
        const std::string digits = name.substr(prefix.size());
        if (digits.size() > 9 || digits[0] == '0' ||
            digits.find_first_not_of("0123456789") != std::string::npos)
            continue;
        const pid_t pid = static_cast<pid_t>(std::stol(digits));
        if (pid == ::getpid() || ::kill(pid, 0) == 0 || errno != ESRCH) continue;
        const std::string stale = dir + "/" + name;
        struct stat st {};
        if (::lstat(stale.c_str(), &st) == 0 && S_ISREG(st.st_mode)) ::unlink(stale.c_str());
    }
    ::closedir(d);
}

}  // namespace

void write_file_atomic(const std::string& given, std::string_view bytes) {
    write_file_atomic(given, [bytes](const ByteSink& write) { write(bytes); });
}

void write_file_atomic(const std::string& given, const std::function<void(const ByteSink&)>& produce) {
    // Through a symbolic link, replace the file it points to, not the link.
    std::error_code ec;
    const bool link = std::filesystem::is_symlink(std::filesystem::symlink_status(given, ec));
    const std::string path = link ? std::filesystem::weakly_canonical(given, ec).string() : given;
    if (link && ec) throw Error(given + ": cannot resolve the link: " + ec.message());
    // Renaming over a device or a pipe (/dev/null, /dev/stdout) would replace it with a regular file.
    const auto status = std::filesystem::status(path, ec);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status))
        throw Error(given + ": not a regular file; memrec only replaces regular files");
    remove_stale_temporaries(path);
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw Error(path + ": cannot write: " + std::strerror(errno));
    // An overwrite keeps the permissions of the file it replaces (a model made read-only to the group, say).
    struct stat old {};
    if (::stat(path.c_str(), &old) == 0 && S_ISREG(old.st_mode)) ::fchmod(fd, old.st_mode & 07777);
    auto write = [&](std::string_view bytes) {
        size_t done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                throw Error(path + ": cannot write: " + std::strerror(errno));
            }
            done += static_cast<size_t>(n);
        }
    };
    try {
        produce(write);
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    if (::fsync(fd) != 0 && errno != EINVAL) {
        const int err = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        throw Error(path + ": cannot flush: " + std::strerror(err));
    }
    ::close(fd);
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(tmp.c_str());
        throw Error(path + ": cannot replace: " + std::strerror(err));
    }
    // The rename itself is durable only once the directory entry is on disk (power loss, not just a crash).
    const int dfd = ::open(directory_of(path).c_str(), O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
}

namespace {
// `path` opened for reading, its size in `st`; a missing, unreadable file or a directory is a DataError.
FILE* open_file(const std::string& path, struct stat& st) {
    if (::stat(path.c_str(), &st) != 0) throw DataError(path, 0, std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw DataError(path, 0, "is a directory, expected a file");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw DataError(path, 0, std::string("cannot open: ") + std::strerror(errno));
    return f;
}
}  // namespace

std::string read_file(const std::string& path) {
    struct stat st {};
    FILE* f = open_file(path, st);
    std::string out;
    out.resize(static_cast<size_t>(st.st_size));
    const size_t got = out.empty() ? 0 : std::fread(&out[0], 1, out.size(), f);
    const bool err = std::ferror(f);
    std::fclose(f);
    if (err || got != out.size()) throw DataError(path, 0, "read failed");
    return out;
}

namespace {
uint64_t fnv1a64(uint64_t h, std::string_view bytes) {
    return detail::fnv1a64(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), h);
}
std::string hash_text(uint64_t h) {
    char hex[17];
    std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
    return std::string("fnv1a64:") + hex;
}
}  // namespace

std::string content_hash(std::string_view bytes) { return hash_text(fnv1a64(detail::kFnv1aOffset, bytes)); }

std::string content_hash_of_file(const std::string& path) {
    struct stat st {};
    FILE* f = open_file(path, st);
    // One small buffer, reused: reading the whole file first cost a page fault per 4 KB of it.
    std::vector<char> buf(size_t{1} << 18);
    uint64_t h = detail::kFnv1aOffset;
    size_t got;
    while ((got = std::fread(buf.data(), 1, buf.size(), f)) > 0) h = fnv1a64(h, std::string_view(buf.data(), got));
    const bool err = std::ferror(f);
    std::fclose(f);
    if (err) throw DataError(path, 0, "read failed");
    return hash_text(h);
}

}  // namespace memrec
