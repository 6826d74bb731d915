// Helpers for tests that run real processes.
#ifndef COMMAND_HOOK_TEST_UTIL_HPP
#define COMMAND_HOOK_TEST_UTIL_HPP

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "runner.hpp"

namespace command_hook {
namespace testing {

// A private directory removed at the end of the test.
class TempDir
{
public:
  TempDir()
  {
    char pattern[] = "/tmp/command_hook_test.XXXXXX";
    path_ = ::mkdtemp(pattern);
  }
  ~TempDir()
  {
    std::string cmd = "rm -rf '" + path_ + "'";
    int ignored = ::system(cmd.c_str());
    (void)ignored;
  }
  const std::string& path() const { return path_; }

  // Writes an executable /bin/sh script and returns its path.
  std::string script(const std::string& name, const std::string& body,
                     mode_t mode = 0755) const
  {
    std::string file = path_ + "/" + name;
    std::ofstream(file) << "#!/bin/sh\n" << body << "\n";
    ::chmod(file.c_str(), mode);
    return file;
  }

private:
  std::string path_;
};

inline Command shell(const std::string& script)
{
  Command c;
  c.argv = {"/bin/sh", "-c", script};
  c.env = {"PATH=/usr/local/bin:/usr/bin:/bin"};
  return c;
}

inline Limits limits(long timeout_ms, long grace_ms = 200,
                     size_t max_output = 1 << 20)
{
  Limits l;
  l.timeout = Millis(timeout_ms);
  l.kill_grace = Millis(grace_ms);
  l.max_output = max_output;
  return l;
}

// True when this process has no child left, reaped or not.
inline bool no_children()
{
  int status;
  return ::waitpid(-1, &status, WNOHANG) < 0 && errno == ECHILD;
}

// Waits up to `ms` for `pid` to disappear (it is not our child: the init
// process or a subreaper reaps it).
inline bool gone_within(pid_t pid, long ms)
{
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (std::chrono::steady_clock::now() < until) {
    if (::kill(pid, 0) != 0 && errno == ESRCH) return true;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string field;
    // A zombie waiting for its (non-test) reaper is dead too.
    if (stat >> field >> field >> field && field == "Z") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

} // namespace testing
} // namespace command_hook

#endif // COMMAND_HOOK_TEST_UTIL_HPP
