// A small isolator module for testing isolator rollouts against any Mesos
// (the stand-in or a real install). prepare() adds one environment variable
// to every container it prepares, through the ContainerLaunchInfo it
// returns; usage() reports the resident memory of the container's process
// (pid from isolate() or recover()); every call can be recorded in a file,
// so a test can see which containers the isolator was asked about.
//
// Module name: org_mesos_fleet_ProbeIsolator. Parameters:
//   env_name      name of the variable to add (default
//                 MESOS_FLEET_PROBE_ISOLATOR)
//   env_value     its value (required)
//   record_file   file to append a line per call to: "recover <container
//                 id> <pid>" (one per recovered container), "prepare <id>",
//                 "isolate <id> <pid>", "cleanup <id>" (default: none)
//   fail_recover  "true": recover() fails when it is given any container,
//                 as an isolator does that cannot take over containers it
//                 did not prepare
//   fail_create   "true": create() returns nullptr
// create() returns nullptr (the agent then refuses to start: "Failed to
// create isolator ...: Error creating Module instance") when env_value is
// missing, a parameter is unknown or fail_create=true.

#include <sys/types.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/isolator.hpp>
#include <mesos/slave/isolator.hpp>

#include <process/future.hpp>

#include <stout/hashset.hpp>
#include <stout/nothing.hpp>
#include <stout/option.hpp>

namespace {

class ProbeIsolator : public mesos::slave::Isolator
{
public:
  ProbeIsolator(
      const std::string& name,
      const std::string& value,
      const std::string& recordFile,
      bool failRecover)
    : name_(name),
      value_(value),
      recordFile_(recordFile),
      failRecover_(failRecover) {}

  process::Future<Nothing> recover(
      const std::vector<mesos::slave::ContainerState>& states,
      const hashset<mesos::ContainerID>&) override
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const mesos::slave::ContainerState& state : states) {
      record("recover " + state.container_id().value() + " " +
             std::to_string(state.pid()));
      if (failRecover_) {
        return process::Failure(
            "Probe isolator cannot recover container " +
            state.container_id().value());
      }
      pids_[state.container_id().value()] = static_cast<pid_t>(state.pid());
    }
    return Nothing();
  }

  process::Future<Option<mesos::slave::ContainerLaunchInfo>> prepare(
      const mesos::ContainerID& containerId,
      const mesos::slave::ContainerConfig&) override
  {
    std::lock_guard<std::mutex> lock(mutex_);
    record("prepare " + containerId.value());
    pids_[containerId.value()] = 0;

    mesos::slave::ContainerLaunchInfo launchInfo;
    mesos::Environment::Variable* variable =
      launchInfo.mutable_environment()->add_variables();
    variable->set_name(name_);
    variable->set_value(value_);
    return launchInfo;
  }

  process::Future<Nothing> isolate(
      const mesos::ContainerID& containerId,
      pid_t pid) override
  {
    std::lock_guard<std::mutex> lock(mutex_);
    record("isolate " + containerId.value() + " " + std::to_string(pid));
    pids_[containerId.value()] = pid;
    return Nothing();
  }

  process::Future<mesos::ResourceStatistics> usage(
      const mesos::ContainerID& containerId) override
  {
    std::lock_guard<std::mutex> lock(mutex_);
    mesos::ResourceStatistics statistics;
    auto pid = pids_.find(containerId.value());
    if (pid != pids_.end() && pid->second > 0) {
      // /proc/<pid>/statm: size, resident (pages), ...
      std::ifstream statm("/proc/" + std::to_string(pid->second) + "/statm");
      unsigned long long size = 0, resident = 0;
      if (statm >> size >> resident) {
        statistics.set_mem_rss_bytes(
            resident * static_cast<unsigned long long>(sysconf(_SC_PAGESIZE)));
      }
    }
    return statistics;
  }

  process::Future<Nothing> cleanup(
      const mesos::ContainerID& containerId) override
  {
    // Mesos may call cleanup() for a container this isolator does not know
    // (include/mesos/slave/isolator.hpp): that is not an error.
    std::lock_guard<std::mutex> lock(mutex_);
    record("cleanup " + containerId.value());
    pids_.erase(containerId.value());
    return Nothing();
  }

private:
  void record(const std::string& line)
  {
    if (!recordFile_.empty()) {
      std::ofstream out(recordFile_, std::ios::app);
      out << line << "\n";
    }
  }

  const std::string name_;
  const std::string value_;
  const std::string recordFile_;
  const bool failRecover_;
  std::mutex mutex_;
  std::map<std::string, pid_t> pids_;
};


mesos::slave::Isolator* createProbeIsolator(const mesos::Parameters& parameters)
{
  std::string name = "MESOS_FLEET_PROBE_ISOLATOR";
  std::string value;
  bool haveValue = false;
  std::string recordFile;
  bool failRecover = false;

  for (int i = 0; i < parameters.parameter_size(); i++) {
    const mesos::Parameter& parameter = parameters.parameter(i);
    if (parameter.key() == "env_name") {
      name = parameter.value();
    } else if (parameter.key() == "env_value") {
      value = parameter.value();
      haveValue = true;
    } else if (parameter.key() == "record_file") {
      recordFile = parameter.value();
    } else if (parameter.key() == "fail_recover") {
      failRecover = parameter.value() == "true";
    } else if (parameter.key() == "fail_create" &&
               parameter.value() == "true") {
      return nullptr;
    } else {
      return nullptr; // An unknown parameter is a configuration error.
    }
  }

  if (!haveValue || name.empty()) {
    return nullptr;
  }

  return new ProbeIsolator(name, value, recordFile, failRecover);
}

} // namespace


mesos::modules::Module<mesos::slave::Isolator> org_mesos_fleet_ProbeIsolator(
    MESOS_MODULE_API_VERSION,
    MESOS_VERSION,
    "mesos_fleet.hooks",
    "mesos-fleet@example.org",
    "Probe isolator: adds an environment variable to every container it "
    "prepares.",
    nullptr,
    createProbeIsolator);
