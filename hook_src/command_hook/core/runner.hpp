// Mesos-free process runner for the command hook: spawns an operator's
// command without a shell, feeds it stdin through a pipe, collects stdout and
// stderr, and enforces a timeout and an output cap. It waits on the child
// itself (pipes + poll + pidfd/waitpid) so a call costs one spawn, not a
// reaper poll interval.
#ifndef COMMAND_HOOK_RUNNER_HPP
#define COMMAND_HOOK_RUNNER_HPP

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace command_hook {

using Millis = std::chrono::milliseconds;

struct Limits
{
  Millis timeout{5000};      // wall time for one call
  Millis kill_grace{1000};   // SIGTERM -> SIGKILL delay after a timeout
  size_t max_output = 1 << 20;  // bytes of stdout (and kept stderr) per call
};

struct Command
{
  std::vector<std::string> argv;  // argv[0] is an absolute path
  std::vector<std::string> env;   // complete environment, "NAME=value"
};

enum class Status
{
  kOk,              // exit 0 (one-shot) or an "OK" reply (persistent)
  kFailed,          // non-zero exit, or an "ERROR" reply
  kSignaled,        // killed by a signal we did not send
  kTimeout,         // exceeded Limits::timeout and was killed
  kOutputTooLarge,  // stdout exceeded Limits::max_output and was killed
  kSpawnError,      // could not start the command
  kProtocolError,   // persistent reply not in the line protocol
};

const char* to_string(Status status);

struct Outcome
{
  Status status = Status::kSpawnError;
  int exit_code = -1;   // valid when the process exited
  int signal = 0;       // valid for kSignaled
  std::string out;      // stdout (one-shot) or reply payload (persistent)
  std::string err;      // stderr, or the ERROR reason (persistent)
  std::string detail;   // our own description (spawn errno, ...)
  Millis elapsed{0};

  bool ok() const { return status == Status::kOk; }

  // One line saying why the call failed, for logs and Error()/Failure().
  std::string describe() const;
};

// Log sink: level 0 = info, 1 = warning, 2 = error.
using Logger = std::function<void(int level, const std::string& message)>;

// A running child in its own process group with our ends of its pipes.
struct Child
{
  pid_t pid = -1;
  int in = -1;    // write end of its stdin
  int out = -1;   // read end of its stdout
  int err = -1;   // read end of its stderr
};

// Spawns `command` in a new process group with stdin/stdout/stderr on pipes,
// default signal dispositions, an empty signal mask, and no other inherited
// file descriptor. Our pipe ends are close-on-exec and non-blocking.
// Returns false and sets `error` when the command could not be started.
bool spawn(const Command& command, Child* child, std::string* error);

// Sends `signal` to the child's whole process group.
void signal_group(pid_t pgid, int signal);

// Terminates a child's group (SIGTERM, then SIGKILL after `grace`) and
// reaps it. Returns the wait status.
int terminate_and_reap(pid_t pid, Millis grace);

// One write(2) that never raises SIGPIPE in the caller when the reader is
// gone (it fails with EPIPE instead).
ssize_t write_nosigpipe(int fd, const char* data, size_t size);

// One-shot call: spawn, write `input` to stdin then close it, collect
// stdout/stderr until the command exits, enforce limits. Never leaves a
// zombie; after the command exits, any process it left in its group is
// killed.
Outcome run_once(const Command& command, const std::string& input,
                 const Limits& limits);

} // namespace command_hook

#endif // COMMAND_HOOK_RUNNER_HPP
