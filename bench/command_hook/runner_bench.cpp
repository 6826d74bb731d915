// Calls/s and latency of the command hook's runner for a trivial command,
// side by side with (a) a bare posix_spawn + waitpid of the same command and
// (b) a temp-file design (three temp files per call: input, output, error);
// and of the command isolator's calls (prepare, usage) through its own
// protocol core and the same runner, one-shot and persistent. Variants run
// interleaved in rounds so a busy machine affects them alike.
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "method.hpp"
#include "persistent.hpp"
#include "protocol.hpp"  // command isolator core
#include "runner.hpp"

using namespace command_hook;
using Clock = std::chrono::steady_clock;
using Fields = std::vector<std::pair<std::string, std::string>>;
namespace isolator = command_isolator;

// Same environment for the hook's variants (the isolator's come from its parameters).
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

const std::string kContainerId = "{\"value\":\"fef56b75-0c1d-4f8e-9a3b-6d2e8c1f4a07\"}";

// prepare's containerConfig for a Marathon command task under the command
// executor, as the agent builds it (Mesos 1.11 slave.cpp, getExecutorInfo()
// and launchExecutor(): the task's uris and environment are copied into the
// executor's command, which is also command_info) in stout's JSON::protobuf
// form, as the adapter sends it.
std::string container_config()
{
  const std::string task_id = "prod_web.4f1c2e9a-3b7d-11ef-9a8b-0242ac110002";
  const std::string framework_id = "5b1f0b6e-2c33-4a8e-9f51-0d6c1a7e9b20-0000";
  const std::string agent_id = "a1b2c3d4-5e6f-7a8b-9c0d-1e2f3a4b5c6d-S3";
  std::string environment = "{\"variables\":[";
  const char* variables[][2] = {
      {"MARATHON_APP_ID", "/prod/web"},
      {"MARATHON_APP_VERSION", "2026-12-01T09:14:22.417Z"},
      {"MARATHON_APP_RESOURCE_CPUS", "0.5"},
      {"MARATHON_APP_RESOURCE_MEM", "256.0"},
      {"MARATHON_APP_RESOURCE_DISK", "0.0"},
      {"MARATHON_APP_RESOURCE_GPUS", "0"},
      {"MARATHON_APP_LABELS", "TEAM TIER"},
      {"MARATHON_APP_LABEL_TEAM", "payments"},
      {"MARATHON_APP_LABEL_TIER", "frontend"},
      {"MESOS_TASK_ID", task_id.c_str()},
      {"HOST", "agent-3.dc1.example.com"},
      {"PORT0", "31042"},
      {"PORT_HTTP", "31042"},
      {"PORTS", "31042"},
      {"PORT", "31042"}};
  for (const auto& v : variables) {
    environment += std::string(environment.back() == '[' ? "" : ",") +
                   "{\"name\":\"" + v[0] + "\",\"type\":\"VALUE\",\"value\":\"" + v[1] + "\"}";
  }
  environment += "]}";
  const std::string uris =
      "[{\"value\":\"https://artifacts.example.com/web/web-1.4.2.tar.gz\","
      "\"executable\":false,\"extract\":true,\"cache\":false}]";
  const std::string labels =
      "{\"labels\":[{\"key\":\"TEAM\",\"value\":\"payments\"},"
      "{\"key\":\"TIER\",\"value\":\"frontend\"}]}";
  const std::string discovery =
      "{\"visibility\":\"FRAMEWORK\",\"name\":\"web.prod\",\"ports\":{\"ports\":"
      "[{\"number\":31042,\"name\":\"http\",\"protocol\":\"tcp\"}]}}";
  const std::string executor_command =
      "{\"uris\":" + uris + ",\"environment\":" + environment +
      ",\"shell\":false,\"value\":\"/usr/libexec/mesos/mesos-executor\","
      "\"arguments\":[\"mesos-executor\",\"--launcher_dir=/usr/libexec/mesos\"]}";
  auto scalar = [](const char* name, const char* value) {
    return std::string("{\"name\":\"") + name + "\",\"type\":\"SCALAR\",\"scalar\":{\"value\":" +
           value + "},\"allocation_info\":{\"role\":\"prod\"}}";
  };
  const std::string executor_resources =
      "[" + scalar("cpus", "0.1") + "," + scalar("mem", "32.0") + "]";
  const std::string task_resources =
      "[" + scalar("cpus", "0.5") + "," + scalar("mem", "256.0") +
      ",{\"name\":\"ports\",\"type\":\"RANGES\",\"ranges\":{\"range\":"
      "[{\"begin\":31042,\"end\":31042}]},\"allocation_info\":{\"role\":\"prod\"}}]";
  const std::string executor_info =
      "{\"executor_id\":{\"value\":\"" + task_id + "\"},\"framework_id\":{\"value\":\"" +
      framework_id + "\"},\"command\":" + executor_command + ",\"resources\":" +
      executor_resources + ",\"name\":\"Command Executor (Task: " + task_id +
      ") (Command: sh -c 'python3 -m h...')\",\"source\":\"" + task_id +
      "\",\"labels\":" + labels + ",\"discovery\":" + discovery + "}";
  const std::string task_info =
      "{\"name\":\"web.prod\",\"task_id\":{\"value\":\"" + task_id +
      "\"},\"agent_id\":{\"value\":\"" + agent_id + "\"},\"resources\":" + task_resources +
      ",\"command\":{\"uris\":" + uris + ",\"environment\":" + environment +
      ",\"shell\":true,\"value\":\"python3 -m http.server $PORT0\"},\"health_check\":"
      "{\"delay_seconds\":15.0,\"interval_seconds\":10.0,\"timeout_seconds\":20.0,"
      "\"consecutive_failures\":3,\"grace_period_seconds\":300.0,\"type\":\"HTTP\","
      "\"http\":{\"scheme\":\"http\",\"port\":31042,\"path\":\"/health\"}},"
      "\"labels\":" + labels + ",\"discovery\":" + discovery + "}";
  return "{\"command_info\":" + executor_command + ",\"resources\":" + executor_resources +
         ",\"directory\":\"/var/lib/mesos/agent/slaves/" + agent_id + "/frameworks/" +
         framework_id + "/executors/" + task_id +
         "/runs/fef56b75-0c1d-4f8e-9a3b-6d2e8c1f4a07\",\"user\":\"nobody\","
         "\"executor_info\":" + executor_info + ",\"task_info\":" + task_info +
         ",\"container_class\":\"DEFAULT\"}";
}

// prepare's answer (a ContainerLaunchInfo) and usage's (ResourceStatistics,
// as a network and disk accounting command would report). No whitespace:
// they are passed to the responder as one argument.
const std::string kLaunchInfo =
    "{\"environment\":{\"variables\":[{\"name\":\"ISOLATOR_ZONE\",\"value\":\"zone-a\"},"
    "{\"name\":\"ISOLATOR_RACK\",\"value\":\"r12\"}]},\"pre_exec_commands\":[{\"shell\":false,"
    "\"value\":\"/usr/libexec/mesos-isolator/join-zone\",\"arguments\":[\"join-zone\","
    "\"--zone=zone-a\"]}]}";
const std::string kStatistics =
    "{\"net_rx_packets\":18234,\"net_rx_bytes\":23748123,\"net_rx_errors\":0,"
    "\"net_rx_dropped\":0,\"net_tx_packets\":16120,\"net_tx_bytes\":4823411,"
    "\"net_tx_errors\":0,\"net_tx_dropped\":0,\"disk_limit_bytes\":1073741824,"
    "\"disk_used_bytes\":52428800}";

// One command isolator instance, configured from module parameters by the
// isolator's own parser. call() makes a call as the adapter does (event,
// command, checked result), less the adapter's protobuf <-> JSON
// conversion (stout, needs Mesos) and its thread per call.
class Isolator
{
public:
  explicit Isolator(const Parameters& parameters)
  {
    ParseOptions options;
    options.default_name = "bench";
    options.command_owner = geteuid();
    isolator::IsolatorConfig config;
    std::string error = isolator::parse_isolator_config(parameters, options, &config);
    if (!error.empty()) {
      fprintf(stderr, "runner_bench: isolator parameters refused: %s\n", error.c_str());
      exit(2);
    }
    for (MethodConfig& m : config.commands.methods) {
      const std::string method = m.method;
      runners_[method].reset(new MethodRunner(std::move(m), nullptr));
    }
  }

  // True when the command's result was checked and would be applied.
  bool call(const std::string& method, const Fields& fields)
  {
    MethodRunner& runner = *runners_.at(method);
    Outcome outcome = runner.invoke(isolator::make_event(method, fields));
    isolator::json::Value result;
    return isolator::resolve(method, outcome, runner.config().failure, &result).action ==
           Action::kApply;
  }

private:
  std::map<std::string, std::unique_ptr<MethodRunner>> runners_;
};

// The isolator's own work on a call, without a command: the event, and the
// check of an answer as the runner returns it.
bool encode_and_check(const std::string& method, const Fields& fields,
                      const std::string& answer)
{
  std::string event = isolator::make_event(method, fields);
  Outcome outcome;
  outcome.status = Status::kOk;
  outcome.exit_code = 0;
  outcome.out = answer + "\n";
  isolator::json::Value result;
  return !event.empty() &&
         isolator::resolve(method, outcome, FailurePolicy::kOpen, &result).action ==
             Action::kApply;
}

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

// CPU time (user + system) of this process and of its reaped children.
double cpu_ms()
{
  double total = 0;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage r;
    getrusage(who, &r);
    total += (r.ru_utime.tv_sec + r.ru_stime.tv_sec) * 1e3 +
             (r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e3;
  }
  return total;
}

// The agent asking every container's usage at once (Slave::usage(): the
// /monitor/statistics endpoint, the oversubscription modules): one usage call
// per container, each on a thread of its own as the adapter runs them.
struct FanOut
{
  std::string name;
  size_t containers;
  std::unique_ptr<Isolator> instance;
  std::vector<double> wall_ms;
  double cpu_ms = 0;
  size_t errors = 0;

  void request()
  {
    std::atomic<size_t> failed{0};
    std::vector<std::thread> threads;
    double cpu0 = ::cpu_ms();
    Clock::time_point t0 = Clock::now();
    for (size_t i = 0; i < containers; ++i) {
      threads.emplace_back([this, i, &failed] {
        char id[64];
        snprintf(id, sizeof(id), "{\"value\":\"fef56b75-0c1d-4f8e-9a3b-%012zu\"}", i);
        if (!instance->call("usage", {{"containerId", id}})) ++failed;
      });
    }
    for (std::thread& t : threads) t.join();
    wall_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    cpu_ms += ::cpu_ms() - cpu0;
    errors += failed;
  }

  // Stops a persistent command, so that its CPU time (it is reaped now)
  // counts too; that includes its start, once for all requests.
  void stop()
  {
    double cpu0 = ::cpu_ms();
    instance.reset();
    cpu_ms += ::cpu_ms() - cpu0;
  }
};

} // namespace

int main(int argc, char** argv)
{
  int calls = argc > 1 ? atoi(argv[1]) : 2000;
  const int rounds = 10;
  const int requests = 20;  // per fan-out row
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

  // Isolator instances as an operator would configure them: prepare and
  // usage one-shot and persistent with the trivial responder, and usage
  // with the shipped shell example (logs each call to a file).
  char log_dir[] = "/tmp/runner-bench.XXXXXX";
  if (mkdtemp(log_dir) == nullptr) {
    perror("runner_bench: mkdtemp");
    return 2;
  }
  const std::string log = std::string(log_dir) + "/calls.log";
  const std::string shell_example =
      std::string(COMMAND_ISOLATOR_EXAMPLES_DIR) + "/log_calls.sh";
  const std::string responder_path = COMMAND_HOOK_LINE_RESPONDER;
  auto oneshot_parameters = [&](const std::string& name) -> Parameters {
    return {{"name", name},
            {"prepare_command", responder_path}, {"prepare_args", "--once " + kLaunchInfo},
            {"usage_command", responder_path}, {"usage_args", "--once " + kStatistics}};
  };
  auto persistent_parameters = [&](const std::string& name) -> Parameters {
    return {{"name", name}, {"mode", "persistent"},
            {"prepare_command", responder_path}, {"prepare_args", kLaunchInfo},
            {"usage_command", responder_path}, {"usage_args", kStatistics}};
  };
  auto shell_parameters = [&](const std::string& name) -> Parameters {
    return {{"name", name}, {"usage_command", shell_example}, {"usage_args", log}};
  };
  Isolator isolator_oneshot(oneshot_parameters("oneshot"));
  Isolator isolator_persistent(persistent_parameters("persistent"));
  Isolator isolator_shell(shell_parameters("shell"));
  const Fields prepare_fields = {{"containerId", kContainerId},
                                 {"containerConfig", container_config()}};
  const Fields usage_fields = {{"containerId", kContainerId}};
  const size_t prepare_bytes = isolator::make_event("prepare", prepare_fields).size();
  const size_t usage_bytes = isolator::make_event("usage", usage_fields).size();

  std::vector<Variant> variants = {
      {"(a) bare posix_spawn + waitpid", [&] { return bare_spawn(command); }},
      {"(b) temp files, 3 per call", [&] { return temp_files(command); }},
      {"hook, one-shot (/bin/cat)",
       [&] {
         Outcome o = run_once(oneshot, kEvent, limits);
         return o.ok() && o.out.size() == kEvent.size();
       }},
      {"hook, persistent (line responder)",
       [&] { return responder.call(kEvent).ok(); }},
      {"hook, persistent (Python helper)",
       [&] { return python.call(kEvent).ok(); }},
      {"isolator prepare, one-shot",
       [&] { return isolator_oneshot.call("prepare", prepare_fields); }},
      {"isolator prepare, persistent",
       [&] { return isolator_persistent.call("prepare", prepare_fields); }},
      {"isolator usage, one-shot",
       [&] { return isolator_oneshot.call("usage", usage_fields); }},
      {"isolator usage, persistent",
       [&] { return isolator_persistent.call("usage", usage_fields); }},
      {"isolator usage, one-shot (log_calls.sh)",
       [&] { return isolator_shell.call("usage", usage_fields); }},
      {"isolator prepare, encode+check only",
       [&] { return encode_and_check("prepare", prepare_fields, kLaunchInfo); }},
      {"isolator usage, encode+check only",
       [&] { return encode_and_check("usage", usage_fields, kStatistics); }},
  };
  auto variant = [&](const std::string& name) -> const Variant& {
    for (const Variant& v : variants) {
      if (v.name == name) return v;
    }
    abort();
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

  std::vector<FanOut> fan_outs;
  for (size_t containers : {10, 100}) {
    const std::string n = std::to_string(containers);
    fan_outs.push_back({"usage, one-shot", containers,
                        std::unique_ptr<Isolator>(new Isolator(oneshot_parameters("o" + n)))});
    fan_outs.push_back({"usage, persistent", containers,
                        std::unique_ptr<Isolator>(new Isolator(persistent_parameters("p" + n)))});
    fan_outs.push_back({"usage, one-shot (log_calls.sh)", containers,
                        std::unique_ptr<Isolator>(new Isolator(shell_parameters("s" + n)))});
  }
  for (FanOut& f : fan_outs) {
    f.request();  // warm up, start persistent ones
    f.wall_ms.clear();
    f.cpu_ms = 0;
    f.errors = 0;
  }
  for (int round = 0; round < rounds; ++round) {
    for (FanOut& f : fan_outs) {
      for (int i = 0; i < requests / rounds; ++i) f.request();
    }
  }
  for (FanOut& f : fan_outs) f.stop();
  unlink(log.c_str());
  rmdir(log_dir);

  auto cps = [](const Variant& v) { return v.latencies_ms.size() / v.seconds; };
  const double a = cps(variants[0]);
  const double b = cps(variants[1]);
  printf("hook: command %s, event %zu bytes; isolator: prepare event %zu bytes, "
         "answer %zu bytes; usage event %zu bytes, answer %zu bytes\n",
         command.c_str(), kEvent.size(), prepare_bytes, kLaunchInfo.size(), usage_bytes,
         kStatistics.size());
  printf("%d calls per variant in %d interleaved rounds\n\n", calls, rounds);
  printf("%-40s %10s %9s %9s %9s %8s %8s\n", "variant", "calls/s", "p50 us",
         "p99 us", "max us", "vs (a)", "vs (b)");
  for (const Variant& v : variants) {
    printf("%-40s %10.0f %9.1f %9.1f %9.1f %7.2fx %7.2fx%s\n", v.name.c_str(), cps(v),
           percentile(v.latencies_ms, 50) * 1e3, percentile(v.latencies_ms, 99) * 1e3,
           percentile(v.latencies_ms, 100) * 1e3, cps(v) / a, cps(v) / b,
           v.errors ? "  ERRORS" : "");
  }

  printf("\nisolator call / hook call, same mode           p50    p99   calls/s\n");
  const char* pairs[][2] = {
      {"isolator prepare, one-shot", "hook, one-shot (/bin/cat)"},
      {"isolator usage, one-shot", "hook, one-shot (/bin/cat)"},
      {"isolator prepare, persistent", "hook, persistent (line responder)"},
      {"isolator usage, persistent", "hook, persistent (line responder)"},
  };
  for (const auto& pair : pairs) {
    const Variant& iso = variant(pair[0]);
    const Variant& hook = variant(pair[1]);
    printf("  %-44s %5.2fx %5.2fx %7.2fx\n", iso.name.c_str(),
           percentile(iso.latencies_ms, 50) / percentile(hook.latencies_ms, 50),
           percentile(iso.latencies_ms, 99) / percentile(hook.latencies_ms, 99),
           cps(iso) / cps(hook));
  }

  printf("\nusage of every container at once (a call per container, a thread each, "
         "as the adapter); %d requests per row, interleaved\n", requests);
  printf("%10s  %-32s %9s %9s %12s %14s\n", "containers", "variant", "p50 ms", "max ms",
         "CPU ms/req", "CPU ms/call");
  for (const FanOut& f : fan_outs) {
    printf("%10zu  %-32s %9.2f %9.2f %12.2f %14.3f%s\n", f.containers, f.name.c_str(),
           percentile(f.wall_ms, 50), percentile(f.wall_ms, 100), f.cpu_ms / requests,
           f.cpu_ms / requests / f.containers, f.errors ? "  ERRORS" : "");
  }

  const Variant& once = variant("hook, one-shot (/bin/cat)");
  const Variant& persistent = variant("hook, persistent (line responder)");
  printf("\ntargets (hook):\n");
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
  for (const FanOut& f : fan_outs) errors += f.errors;
  return errors == 0 ? 0 : 1;
}
