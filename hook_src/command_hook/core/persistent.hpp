// A long-running command that answers one event per line. Calls are
// serialized; the process is (re)started on demand when it is not running,
// and killed (whole group) when a call times out, overflows, or breaks the
// line protocol, so the next call gets a fresh one.
#ifndef COMMAND_HOOK_PERSISTENT_HPP
#define COMMAND_HOOK_PERSISTENT_HPP

#include <cstdint>
#include <mutex>
#include <string>

#include "runner.hpp"

namespace command_hook {

class PersistentCommand
{
public:
  PersistentCommand(Command command, Limits limits, Logger logger = nullptr);
  ~PersistentCommand();

  PersistentCommand(const PersistentCommand&) = delete;
  PersistentCommand& operator=(const PersistentCommand&) = delete;

  // Sends `json` as one line and waits for the reply line.
  // kOk: `out` holds the result JSON (empty = no change).
  // kFailed: `err` holds the reason from an "ERROR" reply, or the process
  // exited during the call.
  Outcome call(const std::string& json);

  // Closes the command's stdin, then terminates its group and reaps it.
  void stop();

  pid_t pid();           // current process, -1 when none runs
  uint64_t starts();     // processes started so far

private:
  bool start_locked(std::string* error);
  void reap_if_exited_locked();
  void kill_locked(const std::string& why);
  void drain_stderr_locked();
  void log(int level, const std::string& message);

  std::mutex mutex_;
  const Command command_;
  const Limits limits_;
  const Logger logger_;
  Child child_;
  std::string out_buffer_;
  std::string err_buffer_;
  std::string err_tail_;
  uint64_t starts_ = 0;
};

} // namespace command_hook

#endif // COMMAND_HOOK_PERSISTENT_HPP
