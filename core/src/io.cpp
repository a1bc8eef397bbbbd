#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "memrec/error.h"
#include "memrec/io.h"

namespace memrec {

void write_file_atomic(const std::string& path, std::string_view bytes) {
    const std::string tmp = path + ".tmp." + std::to_string(::getpid());
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) throw Error(path + ": cannot write: " + std::strerror(errno));
    size_t done = 0;
    while (done < bytes.size()) {
        const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
        if (n < 0) {
            if (errno == EINTR) continue;
            const int err = errno;
            ::close(fd);
            ::unlink(tmp.c_str());
            throw Error(path + ": cannot write: " + std::strerror(err));
        }
        done += static_cast<size_t>(n);
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
}

std::string read_file(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) throw DataError(path, 0, std::string("cannot open: ") + std::strerror(errno));
    if (S_ISDIR(st.st_mode)) throw DataError(path, 0, "is a directory, expected a file");
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw DataError(path, 0, std::string("cannot open: ") + std::strerror(errno));
    std::string out;
    out.resize(static_cast<size_t>(st.st_size));
    const size_t got = out.empty() ? 0 : std::fread(&out[0], 1, out.size(), f);
    const bool err = std::ferror(f);
    std::fclose(f);
    if (err || got != out.size()) throw DataError(path, 0, "read failed");
    return out;
}

}  // namespace memrec
