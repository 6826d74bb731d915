#include "persistent.hpp"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "framing.hpp"

namespace command_hook {

using Clock = std::chrono::steady_clock;

namespace {

const size_t kStderrTail = 2048;

void close_fd(int* fd)
{
  if (*fd >= 0) {
    ::close(*fd);
    *fd = -1;
  }
}

long ms_until(Clock::time_point deadline)
{
  auto left = deadline - Clock::now();
  if (left <= Clock::duration::zero()) return 0;
  return (long)std::chrono::duration_cast<Millis>(
      left + std::chrono::microseconds(999)).count();
}

// Reads what is available. Returns false at EOF or on a hard error.
bool read_some(int fd, std::string* into)
{
  char buffer[16384];
  while (true) {
    ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n > 0) {
      into->append(buffer, (size_t)n);
      if ((size_t)n < sizeof(buffer)) return true;
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

std::string describe_status(int status)
{
  if (status < 0) return "exit status unavailable";
  if (WIFEXITED(status)) {
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  }
  if (WIFSIGNALED(status)) {
    return "killed by signal " + std::to_string(WTERMSIG(status));
  }
  return "stopped";
}

} // namespace

PersistentCommand::PersistentCommand(Command command, Limits limits,
                                     Logger logger)
  : command_(std::move(command)), limits_(limits), logger_(std::move(logger))
{}

PersistentCommand::~PersistentCommand()
{
  stop();
}

void PersistentCommand::log(int level, const std::string& message)
{
  if (logger_) logger_(level, message);
}

pid_t PersistentCommand::pid()
{
  std::lock_guard<std::mutex> lock(mutex_);
  reap_if_exited_locked();
  return child_.pid;
}

uint64_t PersistentCommand::starts()
{
  std::lock_guard<std::mutex> lock(mutex_);
  return starts_;
}

void PersistentCommand::stop()
{
  std::lock_guard<std::mutex> lock(mutex_);
  if (child_.pid <= 0) return;
  close_fd(&child_.in);  // a well-behaved command exits at EOF
  terminate_and_reap(child_.pid, limits_.kill_grace);
  child_.pid = -1;
  close_fd(&child_.out);
  close_fd(&child_.err);
}

bool PersistentCommand::start_locked(std::string* error)
{
  out_buffer_.clear();
  err_buffer_.clear();
  err_tail_.clear();
  if (!spawn(command_, &child_, error)) return false;
  ++starts_;
  if (starts_ > 1) {
    log(1, "restarted persistent command " + command_.argv[0] + " (pid " +
           std::to_string(child_.pid) + ")");
  }
  return true;
}

void PersistentCommand::reap_if_exited_locked()
{
  if (child_.pid <= 0) return;
  // Peek without reaping: the zombie keeps the group id ours while we kill
  // anything the command left in its group.
  siginfo_t info;
  memset(&info, 0, sizeof(info));
  int rc = ::waitid(P_PID, child_.pid, &info, WEXITED | WNOHANG | WNOWAIT);
  if (rc == 0 && info.si_pid != child_.pid) return;  // still running
  signal_group(child_.pid, SIGKILL);
  int status = -1;
  if (rc == 0) ::waitpid(child_.pid, &status, 0);
  drain_stderr_locked();
  log(1, "persistent command " + command_.argv[0] + " " + describe_status(status));
  child_.pid = -1;
  close_fd(&child_.in);
  close_fd(&child_.out);
  close_fd(&child_.err);
}

void PersistentCommand::kill_locked(const std::string& why)
{
  if (child_.pid <= 0) return;
  log(1, "stopping persistent command " + command_.argv[0] + ": " + why);
  int status = terminate_and_reap(child_.pid, limits_.kill_grace);
  drain_stderr_locked();
  (void)status;
  child_.pid = -1;
  close_fd(&child_.in);
  close_fd(&child_.out);
  close_fd(&child_.err);
}

// Logs complete stderr lines and keeps a short tail for error reports.
void PersistentCommand::drain_stderr_locked()
{
  if (child_.err < 0) return;
  if (!read_some(child_.err, &err_buffer_)) close_fd(&child_.err);
  std::string line;
  while (take_line(&err_buffer_, &line)) {
    log(1, command_.argv[0] + ": " + line);
    err_tail_ = line.substr(0, kStderrTail);
  }
  if (err_buffer_.size() > limits_.max_output) {
    err_tail_ = err_buffer_.substr(0, kStderrTail);
    err_buffer_.clear();
  }
}

Outcome PersistentCommand::call(const std::string& json)
{
  std::lock_guard<std::mutex> lock(mutex_);
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + limits_.timeout;
  Outcome outcome;
  auto finish = [&](Status status) {
    outcome.status = status;
    outcome.elapsed = std::chrono::duration_cast<Millis>(Clock::now() - start);
    return outcome;
  };

  reap_if_exited_locked();
  if (child_.pid <= 0) {
    std::string error;
    if (!start_locked(&error)) {
      outcome.detail = error;
      return finish(Status::kSpawnError);
    }
  } else {
    drain_stderr_locked();  // stderr written between calls
    if (child_.out >= 0 && !read_some(child_.out, &out_buffer_)) {
      close_fd(&child_.out);
    }
    if (!out_buffer_.empty() || child_.out < 0) {
      // A line nobody asked for: replies would be out of step. Start over.
      kill_locked("unsolicited output between calls");
      std::string error;
      if (!start_locked(&error)) {
        outcome.detail = error;
        return finish(Status::kSpawnError);
      }
    }
  }

  const std::string line = to_line(json);
  size_t written = 0;
  std::string reply_line;
  bool have_reply = false;

  while (!have_reply) {
    if (take_line(&out_buffer_, &reply_line)) {
      have_reply = true;
      break;
    }
    if (out_buffer_.size() > limits_.max_output) {
      kill_locked("reply exceeds the size limit");
      return finish(Status::kOutputTooLarge);
    }
    long wait_ms = ms_until(deadline);
    if (wait_ms == 0) {
      kill_locked("no reply within " +
                  std::to_string(limits_.timeout.count()) + " ms");
      return finish(Status::kTimeout);
    }

    struct pollfd fds[3];
    int nfds = 0, in_idx = -1, out_idx = -1, err_idx = -1;
    if (written < line.size() && child_.in >= 0) {
      in_idx = nfds;
      fds[nfds++] = {child_.in, POLLOUT, 0};
    }
    if (child_.out >= 0) { out_idx = nfds; fds[nfds++] = {child_.out, POLLIN, 0}; }
    if (child_.err >= 0) { err_idx = nfds; fds[nfds++] = {child_.err, POLLIN, 0}; }

    int ready = ::poll(fds, nfds, (int)wait_ms);
    if (ready < 0 && errno != EINTR) {
      outcome.detail = std::string("poll: ") + strerror(errno);
      kill_locked(outcome.detail);
      return finish(Status::kFailed);
    }
    if (ready <= 0) continue;

    if (in_idx >= 0 && fds[in_idx].revents != 0) {
      ssize_t n = write_nosigpipe(child_.in, line.data() + written,
                                  line.size() - written);
      if (n > 0) {
        written += (size_t)n;
      } else if (n < 0 && errno != EAGAIN && errno != EINTR) {
        close_fd(&child_.in);  // gone; its stdout EOF tells the rest
      }
    }
    if (err_idx >= 0 && fds[err_idx].revents != 0) drain_stderr_locked();
    if (out_idx >= 0 && fds[out_idx].revents != 0) {
      if (!read_some(child_.out, &out_buffer_)) {
        if (take_line(&out_buffer_, &reply_line)) {
          have_reply = true;
          break;
        }
        // EOF without a reply: the command died (or closed stdout).
        int status = terminate_and_reap(child_.pid, limits_.kill_grace);
        drain_stderr_locked();
        child_.pid = -1;
        close_fd(&child_.in);
        close_fd(&child_.out);
        close_fd(&child_.err);
        if (status >= 0 && WIFEXITED(status)) {
          outcome.exit_code = WEXITSTATUS(status);
        }
        outcome.detail = "persistent command " + describe_status(status) +
                         " before replying";
        outcome.err = err_tail_;
        log(1, outcome.detail);
        return finish(Status::kFailed);
      }
    }
  }

  if (reply_line.size() > limits_.max_output) {
    kill_locked("reply exceeds the size limit");
    return finish(Status::kOutputTooLarge);
  }

  Reply reply = parse_reply(reply_line);
  switch (reply.kind) {
    case Reply::kOk:
      outcome.out = reply.payload;
      return finish(Status::kOk);
    case Reply::kError:
      outcome.err = reply.payload;
      return finish(Status::kFailed);
    case Reply::kInvalid:
      break;
  }
  // Out of step: later replies could answer the wrong events. Start over.
  outcome.detail = "unexpected reply line: " + reply.payload;
  kill_locked("unexpected reply line");
  return finish(Status::kProtocolError);
}

} // namespace command_hook
