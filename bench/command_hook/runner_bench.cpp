// Calls/s and latency of the command hook's runner for a trivial command,
// side by side with (a) a bare posix_spawn + waitpid of the same command and
// (b) a temp-file design (three temp files per call: input, output, error).
// Variants run interleaved in rounds so a busy machine affects them alike.
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "persistent.hpp"
#include "runner.hpp"

using namespace command_hook;
using Clock = std::chrono::steady_clock;

// Same environment for every variant.
char* kEnv[] = {const_cast<char*>("PATH=/usr/bin:/bin"), nullptr};

namespace {

// A typical event: a task label decorator call of moderate size.
const std::string kEvent =
    "{\"method\":\"slaveRunTaskLabelDecorator\",\"taskInfo\":{\"name\":\"web\","
    "\"task_id\":{\"value\":\"web.4f1c2e\"},\"agent_id\":{\"value\":"
    "\"a1b2c3-S0\"},\"resources\":[{\"name\":\"cpus\",\"type\":\"SCALAR\","
    "\"scalar\":{\"value\":0.1}}],\"labels\":{\"labels\":[{\"key\":\"app\","
    "\"value\":\"web\"}]}},\"frameworkInfo\":{\"name\":\"marathon\",\"user\":"
    "\"root\"},\"slaveInfo\":{\"hostname\":\"agent-1\"}}";

struct Variant
{
  std::string name;
  std::function<bool()> call;  // one call; false on error
  std::vector<double> latencies_ms;
  double seconds = 0;
  size_t errors = 0;
};

double percentile(std::vector<double> v, double p)
{
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t i = std::min(v.size() - 1, (size_t)(p / 100.0 * (v.size() - 1) + 0.5));
  return v[i];
}

bool bare_spawn(const std::string& command)
{
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  char* argv[] = {const_cast<char*>(command.c_str()), nullptr};
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv, kEnv);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return false;
  int status;
  while (waitpid(pid, &status, 0) < 0) {}
  return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

std::string slurp(const char* path)
{
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Input, output and error each go through a file in /tmp, as in the
// reference design.
bool temp_files(const std::string& command)
{
  char in[] = "/tmp/hookbench-in.XXXXXX";
  char out[] = "/tmp/hookbench-out.XXXXXX";
  char err[] = "/tmp/hookbench-err.XXXXXX";
  int fin = mkstemp(in), fout = mkstemp(out), ferr = mkstemp(err);
  if (fin < 0 || fout < 0 || ferr < 0) return false;
  bool ok = write(fin, kEvent.data(), kEvent.size()) == (ssize_t)kEvent.size();
  close(fin);
  close(fout);
  close(ferr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_TRUNC, 0);
  posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_TRUNC, 0);
  char* argv[] = {const_cast<char*>(command.c_str()), nullptr};
  pid_t pid;
  int rc = posix_spawn(&pid, argv[0], &fa, nullptr, argv, kEnv);
  posix_spawn_file_actions_destroy(&fa);
  int status = 1;
  if (rc == 0) {
    while (waitpid(pid, &status, 0) < 0) {}
  }
  std::string result = slurp(out);
  std::string error = slurp(err);
  unlink(in);
  unlink(out);
  unlink(err);
  return ok && rc == 0 && status == 0 && result.size() == kEvent.size();
}

} // namespace

int main(int argc, char** argv)
{
  int calls = argc > 1 ? atoi(argv[1]) : 2000;
  const int rounds = 10;
  const std::string command = "/bin/cat";  // echoes the event back

  Limits limits;
  limits.timeout = Millis(5000);
  Command oneshot{{command}, {"PATH=/usr/bin:/bin"}};
  // A line-protocol command: answers every event line with "OK".
  PersistentCommand responder({{COMMAND_HOOK_LINE_RESPONDER}, {"PATH=/usr/bin:/bin"}},
                              limits);
  std::string helper = std::string(COMMAND_HOOK_PYTHON_DIR) + "/examples/label_decorator.py";
  PersistentCommand python({{"/usr/bin/python3", helper, "--persistent", "a=b"},
                            {"PATH=/usr/bin:/bin"}},
                           limits);

  std::vector<Variant> variants = {
      {"(a) bare posix_spawn + waitpid", [&] { return bare_spawn(command); }},
      {"(b) temp files, 3 per call", [&] { return temp_files(command); }},
      {"one-shot runner (pipes+poll+pidfd)",
       [&] {
         Outcome o = run_once(oneshot, kEvent, limits);
         return o.ok() && o.out.size() == kEvent.size();
       }},
      {"persistent runner (line responder)",
       [&] { return responder.call(kEvent).ok(); }},
      {"persistent runner (Python helper)",
       [&] { return python.call(kEvent).ok(); }},
  };

  for (Variant& v : variants) {
    for (int i = 0; i < 20; ++i) v.call();  // warm up, start persistent ones
  }
  for (int round = 0; round < rounds; ++round) {
    for (Variant& v : variants) {
      Clock::time_point round_start = Clock::now();
      for (int i = 0; i < calls / rounds; ++i) {
        Clock::time_point t0 = Clock::now();
        if (!v.call()) ++v.errors;
        v.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
      }
      v.seconds += std::chrono::duration<double>(Clock::now() - round_start).count();
    }
  }

  auto cps = [](const Variant& v) { return v.latencies_ms.size() / v.seconds; };
  const double a = cps(variants[0]);
  const double b = cps(variants[1]);
  printf("command: %s, event %zu bytes, %d calls per variant in %d interleaved rounds\n\n",
         command.c_str(), kEvent.size(), calls, rounds);
  printf("%-36s %10s %9s %9s %9s %8s %8s\n", "variant", "calls/s", "p50 ms",
         "p99 ms", "max ms", "vs (a)", "vs (b)");
  for (const Variant& v : variants) {
    printf("%-36s %10.0f %9.3f %9.3f %9.3f %7.2fx %7.2fx%s\n", v.name.c_str(), cps(v),
           percentile(v.latencies_ms, 50), percentile(v.latencies_ms, 99),
           percentile(v.latencies_ms, 100), cps(v) / a, cps(v) / b,
           v.errors ? "  ERRORS" : "");
  }

  const Variant& once = variants[2];
  const Variant& persistent = variants[3];
  printf("\ntargets:\n");
  printf("  one-shot within 1.5x of (a):    (a)/one-shot = %.2f  %s\n", a / cps(once),
         a / cps(once) <= 1.5 ? "met" : "MISSED");
  printf("  one-shot faster than (b):       one-shot/(b) = %.2f  %s\n", cps(once) / b,
         cps(once) > b ? "met" : "MISSED");
  printf("  persistent >= 10x (b) calls/s:  persistent/(b) = %.1f  %s\n",
         cps(persistent) / b, cps(persistent) >= 10 * b ? "met" : "MISSED");
  printf("  persistent p99 <= 1 ms:         p99 = %.3f ms  %s\n",
         percentile(persistent.latencies_ms, 99),
         percentile(persistent.latencies_ms, 99) <= 1.0 ? "met" : "MISSED");
  size_t errors = 0;
  for (const Variant& v : variants) errors += v.errors;
  return errors == 0 ? 0 : 1;
}
