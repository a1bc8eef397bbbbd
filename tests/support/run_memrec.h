// Runs the real `memrec` binary (MEMREC_BIN) from CLI tests: in a given working directory, without
// $MEMREC_DATA (so a missing --data never falls back to the real sets), stdin from /dev/null, stdout and
// stderr captured. Either to completion (run_memrec) or as a live child whose stdout is read line by line
// and which can be signalled (Child).
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_files.h"

extern char** environ;

namespace memrec_test {

struct RunResult {
    bool exited = false;  // false: killed by a signal
    int status = -1;      // the exit status, or the signal number when !exited
    std::string out, err;
};

inline std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// A running `memrec`. Its stderr goes to `err_path`; its stdout to a pipe read by read_line(), or to
// `out_path` when that is given.
class Child {
public:
    Child(const std::vector<std::string>& args, const std::string& cwd, const std::string& err_path,
          const std::string& out_path = "") {
        std::vector<std::string> argv_s{MEMREC_BIN};
        argv_s.insert(argv_s.end(), args.begin(), args.end());
        std::vector<char*> argv;
        for (auto& a : argv_s) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        std::vector<std::string> env_s;
        for (char** e = environ; *e; ++e)
            if (std::strncmp(*e, "MEMREC_DATA=", 12) != 0) env_s.push_back(*e);
        std::vector<char*> env;
        for (auto& e : env_s) env.push_back(const_cast<char*>(e.c_str()));
        env.push_back(nullptr);

        posix_spawn_file_actions_t fa;
        posix_spawn_file_actions_init(&fa);
        int pipe_fds[2] = {-1, -1};
        posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
        if (out_path.empty()) {
            if (::pipe(pipe_fds) != 0) throw std::runtime_error("pipe failed");
            posix_spawn_file_actions_adddup2(&fa, pipe_fds[1], 1);
            posix_spawn_file_actions_addclose(&fa, pipe_fds[0]);
            posix_spawn_file_actions_addclose(&fa, pipe_fds[1]);
        } else {
            posix_spawn_file_actions_addopen(&fa, 1, out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        }
        posix_spawn_file_actions_addopen(&fa, 2, err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (!cwd.empty()) posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
        const int rc = posix_spawn(&pid_, MEMREC_BIN, &fa, nullptr, argv.data(), env.data());
        posix_spawn_file_actions_destroy(&fa);
        if (pipe_fds[1] >= 0) ::close(pipe_fds[1]);
        out_fd_ = pipe_fds[0];
        if (rc != 0) throw std::runtime_error(std::string("posix_spawn ") + MEMREC_BIN + ": " + std::strerror(rc));
    }
    ~Child() {
        if (pid_ > 0 && !reaped_) {
            ::kill(pid_, SIGKILL);
            int st;
            ::waitpid(pid_, &st, 0);
        }
        if (out_fd_ >= 0) ::close(out_fd_);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    // The next line of stdout (without the newline); false at end of output or after `timeout_s`.
    bool read_line(std::string& line, double timeout_s = 120) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
        for (;;) {
            const size_t nl = buffer_.find('\n');
            if (nl != std::string::npos) {
                line = buffer_.substr(0, nl);
                buffer_.erase(0, nl + 1);
                return true;
            }
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline -
                                                                                      std::chrono::steady_clock::now());
            if (left.count() <= 0 || out_fd_ < 0) return false;
            pollfd p{out_fd_, POLLIN, 0};
            const int r = ::poll(&p, 1, static_cast<int>(left.count()));
            if (r < 0 && errno == EINTR) continue;
            if (r <= 0) return false;
            char buf[4096];
            const ssize_t n = ::read(out_fd_, buf, sizeof buf);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                ::close(out_fd_);
                out_fd_ = -1;
                if (buffer_.empty()) return false;
                line = buffer_;
                buffer_.clear();
                return true;
            }
            buffer_.append(buf, static_cast<size_t>(n));
        }
    }

    void signal(int sig) { ::kill(pid_, sig); }

    // Waits for the exit, draining stdout meanwhile (kept in rest_of_output()).
    RunResult wait() {
        std::string line;
        while (out_fd_ >= 0 && read_line(line, 600)) rest_ += line + "\n";
        int st = 0;
        while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
        }
        reaped_ = true;
        RunResult r;
        r.exited = WIFEXITED(st);
        r.status = r.exited ? WEXITSTATUS(st) : WTERMSIG(st);
        r.out = rest_;
        return r;
    }

private:
    pid_t pid_ = -1;
    int out_fd_ = -1;
    bool reaped_ = false;
    std::string buffer_, rest_;
};

// Runs memrec to completion in `cwd`; stdout and stderr are captured through files in a TempDir of their
// own, so `cwd` only ever holds what memrec itself wrote.
inline RunResult run_memrec(const std::vector<std::string>& args, const std::string& cwd) {
    TempDir capture;
    const std::string out = capture.file("stdout"), err = capture.file("stderr");
    RunResult r;
    {
        Child c(args, cwd, err, out);
        r = c.wait();
    }
    r.out = slurp(out);
    r.err = slurp(err);
    return r;
}

inline std::string describe(const RunResult& r) {
    return (r.exited ? "exit " + std::to_string(r.status) : "killed by signal " + std::to_string(r.status)) +
           "\n--- stderr:\n" + r.err + "--- stdout:\n" + r.out;
}

// "memrec train --data x" for messages.
inline std::string command_text(const std::vector<std::string>& args) {
    std::string s = "memrec";
    for (const auto& a : args) s += " " + (a.size() > 60 ? a.substr(0, 57) + "..." : a);
    return s;
}

}  // namespace memrec_test
