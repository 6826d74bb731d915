#include "runner.hpp"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

namespace command_hook {

using Clock = std::chrono::steady_clock;

const char* to_string(Status status)
{
  switch (status) {
    case Status::kOk: return "ok";
    case Status::kFailed: return "failed";
    case Status::kSignaled: return "signaled";
    case Status::kTimeout: return "timeout";
    case Status::kOutputTooLarge: return "output too large";
    case Status::kSpawnError: return "spawn error";
    case Status::kProtocolError: return "protocol error";
  }
  return "unknown";
}

namespace {

std::string first_line(const std::string& text, size_t max = 512)
{
  std::string s = text.substr(0, std::min(text.size(), max));
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
    s.pop_back();
  }
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

} // namespace

std::string Outcome::describe() const
{
  std::ostringstream s;
  switch (status) {
    case Status::kOk:
      s << "ok";
      break;
    case Status::kFailed:
      if (exit_code >= 0) {
        s << "command exited with status " << exit_code;
      } else {
        s << "command failed";
      }
      if (!err.empty()) s << ": " << first_line(err);
      break;
    case Status::kSignaled:
      s << "command killed by signal " << signal;
      if (!err.empty()) s << ": " << first_line(err);
      break;
    case Status::kTimeout:
      s << "command timed out after " << elapsed.count() << " ms";
      break;
    case Status::kOutputTooLarge:
      s << "command output exceeded the size limit";
      break;
    case Status::kSpawnError:
      s << "could not start command: " << detail;
      break;
    case Status::kProtocolError:
      s << "command broke the line protocol: " << detail;
      break;
  }
  if (status != Status::kSpawnError && status != Status::kProtocolError &&
      !detail.empty()) {
    s << " (" << detail << ")";
  }
  return s.str();
}

namespace {

// Pipe with both ends close-on-exec and never on fds 0-2, so dup2 onto the
// child's stdio always copies (and clears close-on-exec) even when the
// agent runs with a closed stdio fd.
bool make_pipe(int fds[2])
{
  if (::pipe2(fds, O_CLOEXEC) != 0) return false;
  for (int i = 0; i < 2; ++i) {
    if (fds[i] < 3) {
      int moved = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
      int saved = errno;
      ::close(fds[i]);
      if (moved < 0) {
        ::close(fds[1 - i]);
        errno = saved;
        return false;
      }
      fds[i] = moved;
    }
  }
  return true;
}

void set_nonblocking(int fd)
{
  int flags = ::fcntl(fd, F_GETFL);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

void close_fd(int* fd)
{
  if (*fd >= 0) {
    ::close(*fd);
    *fd = -1;
  }
}

std::vector<char*> c_strings(const std::vector<std::string>& strings)
{
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (const std::string& s : strings) {
    result.push_back(const_cast<char*>(s.c_str()));
  }
  result.push_back(nullptr);
  return result;
}

#ifndef COMMAND_HOOK_HAVE_CLOSEFROM_NP
// Fallback for C libraries without posix_spawn_file_actions_addclosefrom_np
// (glibc < 2.34): fork + exec, using only async-signal-safe calls in the
// child.
int fork_exec(const Command& command, char* const argv[], char* const envp[],
              int in, int out, int err, pid_t* pid)
{
  // The child reports a failed exec through this close-on-exec pipe, so a
  // missing command is a spawn error as with posix_spawn.
  int report[2];
  if (!make_pipe(report)) return errno;
  pid_t child = ::fork();
  if (child < 0) {
    int saved = errno;
    ::close(report[0]);
    ::close(report[1]);
    return saved;
  }
  if (child == 0) {
    ::setpgid(0, 0);
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) ::sigaction(sig, &dfl, nullptr);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    int error = 0;
    if (::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0) {
      error = errno;
    } else {
      // Keep only 0-2 and the report pipe (close-on-exec).
      for (int fd = 3; fd < report[1]; ++fd) ::close(fd);
      struct rlimit rl;
      long max = (::getrlimit(RLIMIT_NOFILE, &rl) == 0 &&
                  rl.rlim_cur != RLIM_INFINITY) ? (long)rl.rlim_cur : 65536;
#ifdef SYS_close_range
      if (::syscall(SYS_close_range, (unsigned)report[1] + 1, ~0U, 0U) != 0)
#endif
      {
        for (long fd = report[1] + 1; fd < max; ++fd) ::close((int)fd);
      }
      ::execve(command.argv[0].c_str(), argv, envp);
      error = errno;
    }
    ssize_t ignored = ::write(report[1], &error, sizeof(error));
    (void)ignored;
    ::_exit(127);
  }
  ::close(report[1]);
  int error = 0;
  ssize_t n;
  while ((n = ::read(report[0], &error, sizeof(error))) < 0 && errno == EINTR) {}
  ::close(report[0]);
  if (n == (ssize_t)sizeof(error)) {
    int status;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {}
    return error;
  }
  *pid = child;
  return 0;
}
#endif

} // namespace

bool spawn(const Command& command, Child* child, std::string* error)
{
  if (command.argv.empty() || command.argv[0].empty()) {
    *error = "empty command";
    return false;
  }

  int in[2], out[2], err[2];
  if (!make_pipe(in)) {
    *error = std::string("pipe: ") + strerror(errno);
    return false;
  }
  if (!make_pipe(out)) {
    *error = std::string("pipe: ") + strerror(errno);
    ::close(in[0]); ::close(in[1]);
    return false;
  }
  if (!make_pipe(err)) {
    *error = std::string("pipe: ") + strerror(errno);
    ::close(in[0]); ::close(in[1]); ::close(out[0]); ::close(out[1]);
    return false;
  }

  std::vector<char*> argv = c_strings(command.argv);
  std::vector<char*> envp = c_strings(command.env);
  pid_t pid = -1;
  int rc;

#ifdef COMMAND_HOOK_HAVE_CLOSEFROM_NP
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  // Close everything else, including fds another thread of the agent
  // opened without O_CLOEXEC.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);
  posix_spawnattr_init(&attr);
  sigset_t none, all;
  sigemptyset(&none);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(
      &attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
             POSIX_SPAWN_SETSIGDEF);
  rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
#else
  rc = fork_exec(command, argv.data(), envp.data(), in[0], out[1], err[1],
                 &pid);
#endif

  ::close(in[0]);
  ::close(out[1]);
  ::close(err[1]);

  if (rc != 0) {
    *error = command.argv[0] + ": " + strerror(rc);
    ::close(in[1]);
    ::close(out[0]);
    ::close(err[0]);
    return false;
  }

  set_nonblocking(in[1]);
  set_nonblocking(out[0]);
  set_nonblocking(err[0]);
  child->pid = pid;
  child->in = in[1];
  child->out = out[0];
  child->err = err[0];
  return true;
}

void signal_group(pid_t pgid, int signal)
{
  if (pgid > 0) ::kill(-pgid, signal);
}

namespace {

int open_pidfd(pid_t pid)
{
#ifdef SYS_pidfd_open
  return (int)::syscall(SYS_pidfd_open, pid, 0);  // always O_CLOEXEC
#else
  (void)pid;
  errno = ENOSYS;
  return -1;
#endif
}

// True once the child has exited, without reaping it: a zombie leader keeps
// its process-group id reserved, so killing the group stays safe.
bool exited_unreaped(pid_t pid)
{
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  int rc = ::waitid(P_PID, pid, &info, WEXITED | WNOHANG | WNOWAIT);
  if (rc != 0) return errno == ECHILD;  // already reaped by someone else
  return info.si_pid == pid;
}

// Reaps a child that has exited (or will exit promptly).
int reap(pid_t pid)
{
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return status;
}

void sleep_ms(long ms)
{
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  while (::nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
}

// Reads what is available; returns false at EOF or on a hard error.
bool read_available(int fd, std::string* into, size_t cap, bool* over_cap)
{
  char buffer[16384];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      size_t room = into->size() < cap ? cap - into->size() : 0;
      into->append(buffer, std::min(room, (size_t)n));
      if ((size_t)n > room && over_cap != nullptr) *over_cap = true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

} // namespace

ssize_t write_nosigpipe(int fd, const char* data, size_t size)
{
  sigset_t pipe_set, old, pending;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  sigpending(&pending);
  bool was_pending = sigismember(&pending, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
  ssize_t n = ::write(fd, data, size);
  int saved = errno;
  if (n < 0 && saved == EPIPE && !was_pending) {
    struct timespec zero = {0, 0};
    while (::sigtimedwait(&pipe_set, nullptr, &zero) < 0 && errno == EINTR) {}
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  errno = saved;
  return n;
}


int terminate_and_reap(pid_t pid, Millis grace)
{
  signal_group(pid, SIGTERM);
  Clock::time_point kill_at = Clock::now() + grace;
  while (!exited_unreaped(pid) && Clock::now() < kill_at) sleep_ms(2);
  // Also the stragglers, while the unreaped leader still holds the group id.
  signal_group(pid, SIGKILL);
  return reap(pid);
}

Outcome run_once(const Command& command, const std::string& input,
                 const Limits& limits)
{
  const Clock::time_point start = Clock::now();
  Outcome outcome;
  Child child;
  std::string error;
  if (!spawn(command, &child, &error)) {
    outcome.status = Status::kSpawnError;
    outcome.detail = error;
    outcome.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
    return outcome;
  }

  const int pidfd = open_pidfd(child.pid);
  size_t written = 0;
  if (input.empty()) close_fd(&child.in);

  bool exited = false;
  bool timed_out = false;
  bool too_large = false;
  bool term_sent = false;
  bool kill_sent = false;
  const Clock::time_point deadline = start + limits.timeout;
  Clock::time_point kill_at = Clock::time_point::max();

  while (true) {
    if (!exited && (pidfd < 0 || child.out < 0) && exited_unreaped(child.pid)) {
      exited = true;
    }
    if (exited) {
      // Processes the command left in its group die with it (its unreaped
      // zombie keeps the group id ours). What the command wrote before
      // exiting is already in the pipes: no need to wait for EOF.
      signal_group(child.pid, SIGKILL);
      if (child.out >= 0) read_available(child.out, &outcome.out,
                                         limits.max_output, &too_large);
      if (child.err >= 0) read_available(child.err, &outcome.err,
                                         limits.max_output, nullptr);
      break;
    }

    Clock::time_point now = Clock::now();
    if (!term_sent && now >= deadline) {
      timed_out = true;
      term_sent = true;
      signal_group(child.pid, SIGTERM);
      kill_at = now + limits.kill_grace;
    }
    if (term_sent && !kill_sent && now >= kill_at) {
      kill_sent = true;
      signal_group(child.pid, SIGKILL);
    }

    Clock::time_point wake = !term_sent ? deadline
                           : !kill_sent ? kill_at
                           : now + Millis(50);
    long wait_ms = (long)std::chrono::duration_cast<Millis>(
        wake - now + std::chrono::microseconds(999)).count();

    struct pollfd fds[4];
    int nfds = 0;
    int in_idx = -1, out_idx = -1, err_idx = -1, pid_idx = -1;
    if (child.in >= 0) { in_idx = nfds; fds[nfds++] = {child.in, POLLOUT, 0}; }
    if (child.out >= 0) { out_idx = nfds; fds[nfds++] = {child.out, POLLIN, 0}; }
    if (child.err >= 0) { err_idx = nfds; fds[nfds++] = {child.err, POLLIN, 0}; }
    if (pidfd >= 0) { pid_idx = nfds; fds[nfds++] = {pidfd, POLLIN, 0}; }
    if (pidfd < 0 && child.out < 0 && child.err < 0) {
      wait_ms = std::min(wait_ms, 1L);  // no fd to wait on: poll the pid
    }

    int ready = ::poll(fds, nfds, (int)std::max(0L, wait_ms));
    if (ready < 0 && errno != EINTR) {
      outcome.detail = std::string("poll: ") + strerror(errno);
      kill_sent = term_sent = true;
      signal_group(child.pid, SIGKILL);
      continue;
    }
    if (ready <= 0) continue;

    if (in_idx >= 0 && fds[in_idx].revents != 0) {
      ssize_t n = write_nosigpipe(child.in, input.data() + written,
                                  input.size() - written);
      if (n > 0) written += (size_t)n;
      if ((n < 0 && errno != EAGAIN && errno != EINTR) ||
          written == input.size()) {
        close_fd(&child.in);  // done, or the command does not read stdin
      }
    }
    if (out_idx >= 0 && fds[out_idx].revents != 0) {
      if (!read_available(child.out, &outcome.out, limits.max_output,
                          &too_large)) {
        close_fd(&child.out);
      }
      if (too_large && !kill_sent) {
        term_sent = kill_sent = true;
        signal_group(child.pid, SIGKILL);
      }
    }
    if (err_idx >= 0 && fds[err_idx].revents != 0) {
      if (!read_available(child.err, &outcome.err, limits.max_output,
                          nullptr)) {
        close_fd(&child.err);
      }
    }
    if (pid_idx >= 0 && fds[pid_idx].revents != 0) {
      exited = exited_unreaped(child.pid);
    }
  }

  int status = reap(child.pid);
  if (pidfd >= 0) ::close(pidfd);
  close_fd(&child.in);
  close_fd(&child.out);
  close_fd(&child.err);

  outcome.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
  if (too_large) {
    outcome.status = Status::kOutputTooLarge;
    outcome.out.clear();
  } else if (timed_out) {
    outcome.status = Status::kTimeout;
  } else if (status < 0) {
    outcome.status = Status::kFailed;
    outcome.detail = "exit status unavailable";
  } else if (WIFEXITED(status)) {
    outcome.exit_code = WEXITSTATUS(status);
    outcome.status = outcome.exit_code == 0 ? Status::kOk : Status::kFailed;
  } else if (WIFSIGNALED(status)) {
    outcome.signal = WTERMSIG(status);
    outcome.status = Status::kSignaled;
  } else {
    outcome.status = Status::kFailed;
  }
  return outcome;
}

} // namespace command_hook
