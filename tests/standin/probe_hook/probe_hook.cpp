// A small hook module for testing hook rollouts against any Mesos (the
// stand-in or a real install): on agents, slaveExecutorEnvironmentDecorator
// adds one environment variable to every executor it sees; on masters,
// masterLaunchTaskLabelDecorator adds one label to every task launched,
// when label_key is given (otherwise it leaves the labels alone);
// masterLaunchTaskResourceDecorator sets the task's cpus to task_cpus, when
// given; masterSlaveLostHook appends the lost agent's ID, a line, to
// lost_file, when given.
//
// Module name: org_mesos_fleet_ProbeHook. Parameters:
//   env_name     name of the variable to add (default MESOS_FLEET_PROBE)
//   env_value    its value (this or env_command is required)
//   env_command  a command run (no shell, no arguments) at each executor:
//                its first line of output is the value, so a new command
//                file takes effect at the next executor, as a one-shot
//                command of the command hook does; create() refuses one
//                that is not a regular executable owned by root and not
//                writable by group or others (the command hook's rule)
//   label_key    key of the label to add (default: no label is added)
//   label_value  its value (default: a label without a value)
//   task_cpus    cpus every task launched gets (default: left alone)
//   lost_file    file the IDs of lost agents are appended to (default: none)
// create() returns nullptr (the agent then refuses to start: "Error
// creating Module instance") when env_value is missing or when
// fail_create=true, so a broken rollout can be produced on purpose.

#include <fcntl.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <string>

#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>

#include <stout/option.hpp>

extern char** environ;

namespace {

// Whether the command hook would run `path` (hook_src/command_hook/core/
// config.cpp check_command_path, without its walk up the directories).
bool runnable(const std::string& path)
{
  struct stat st;
  return !path.empty() && path[0] == '/' && ::stat(path.c_str(), &st) == 0 &&
         S_ISREG(st.st_mode) && (st.st_mode & S_IXUSR) != 0 &&
         st.st_uid == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)) == 0;
}

// The first line `path` prints, or nothing when it cannot run or fails.
Option<std::string> firstLine(const std::string& path)
{
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) {
    return None();
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  char* argv[] = {const_cast<char*>(path.c_str()), nullptr};
  pid_t pid;
  int spawned = posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(out[1]);
  std::string output;
  char buffer[4096];
  ssize_t n;
  while (spawned == 0 && output.size() < 65536 &&
         (n = ::read(out[0], buffer, sizeof(buffer))) > 0) {
    output.append(buffer, n);
  }
  ::close(out[0]);
  int status = 0;
  if (spawned != 0 || ::waitpid(pid, &status, 0) != pid ||
      !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return None();
  }
  return output.substr(0, output.find('\n'));
}

class ProbeHook : public mesos::Hook
{
public:
  ProbeHook(
      const std::string& name,
      const std::string& value,
      const std::string& labelKey,
      const std::string* labelValue,
      const std::string& taskCpus,
      const std::string& lostFile,
      const std::string& command)
    : name_(name),
      value_(value),
      command_(command),
      labelKey_(labelKey),
      hasLabelValue_(labelValue != nullptr),
      labelValue_(labelValue != nullptr ? *labelValue : ""),
      taskCpus_(taskCpus),
      lostFile_(lostFile) {}

  // The task's resources with cpus set to task_cpus: Mesos replaces the
  // task's resources with what a hook returns.
  Result<mesos::Resources> masterLaunchTaskResourceDecorator(
      const mesos::TaskInfo& taskInfo,
      const mesos::Resources&) override
  {
    if (taskCpus_.empty()) {
      return None();
    }

    mesos::Resources resources;
    for (int i = 0; i < taskInfo.resources_size(); i++) {
      if (taskInfo.resources(i).name() != "cpus") {
        resources += taskInfo.resources(i);
      }
    }

    mesos::Resource cpus;
    cpus.set_name("cpus");
    cpus.set_type(mesos::Value::SCALAR);
    cpus.mutable_scalar()->set_value(std::strtod(taskCpus_.c_str(), nullptr));
    resources += cpus;
    return resources;
  }

  Try<Nothing> masterSlaveLostHook(const mesos::SlaveInfo& slaveInfo) override
  {
    if (!lostFile_.empty()) {
      std::ofstream out(lostFile_, std::ios::app);
      out << slaveInfo.id().value() << "\n";
      if (!out) {
        return Error("Failed to write to '" + lostFile_ + "'");
      }
    }
    return Nothing();
  }

  // The task's labels followed by label_key=label_value: Mesos replaces the
  // task's labels with what a hook returns.
  Result<mesos::Labels> masterLaunchTaskLabelDecorator(
      const mesos::TaskInfo& taskInfo,
      const mesos::FrameworkInfo&,
      const mesos::SlaveInfo&) override
  {
    if (labelKey_.empty()) {
      return None();
    }

    mesos::Labels labels;
    if (taskInfo.has_labels()) {
      labels.CopyFrom(taskInfo.labels());
    }

    mesos::Label* label = labels.add_labels();
    label->set_key(labelKey_);
    if (hasLabelValue_) {
      label->set_value(labelValue_);
    }
    return labels;
  }

  Result<mesos::Environment> slaveExecutorEnvironmentDecorator(
      const mesos::ExecutorInfo& executorInfo) override
  {
    mesos::Environment environment;
    if (executorInfo.command().has_environment()) {
      environment.CopyFrom(executorInfo.command().environment());
    }

    std::string value = value_;
    if (!command_.empty()) {
      Option<std::string> line = firstLine(command_);
      if (line.isNone()) {
        return None(); // As a fail-open command: Mesos's default.
      }
      value = line.get();
    }
    mesos::Environment::Variable* variable = environment.add_variables();
    variable->set_name(name_);
    variable->set_value(value);
    return environment;
  }

private:
  const std::string name_;
  const std::string value_;
  const std::string command_;
  const std::string labelKey_;
  const bool hasLabelValue_;
  const std::string labelValue_;
  const std::string taskCpus_;
  const std::string lostFile_;
};


mesos::Hook* createProbeHook(const mesos::Parameters& parameters)
{
#ifdef PROBE_PIN_VERSION
  // Needs a symbol only the libmesos of the build it was compiled against
  // has: proves that symbols are resolved against the agent's libmesos.
  MESOS_STANDIN_VERSION_SYMBOL();
#endif

  std::string name = "MESOS_FLEET_PROBE";
  std::string value;
  bool haveValue = false;
  std::string labelKey;
  std::string labelValue;
  bool haveLabelValue = false;
  std::string taskCpus;
  std::string lostFile;
  std::string command;

  for (int i = 0; i < parameters.parameter_size(); i++) {
    const mesos::Parameter& parameter = parameters.parameter(i);
    if (parameter.key() == "env_name") {
      name = parameter.value();
    } else if (parameter.key() == "env_value") {
      value = parameter.value();
      haveValue = true;
    } else if (parameter.key() == "label_key") {
      labelKey = parameter.value();
    } else if (parameter.key() == "label_value") {
      labelValue = parameter.value();
      haveLabelValue = true;
    } else if (parameter.key() == "task_cpus") {
      taskCpus = parameter.value();
    } else if (parameter.key() == "lost_file") {
      lostFile = parameter.value();
    } else if (parameter.key() == "env_command") {
      command = parameter.value();
      if (!runnable(command)) {
        return nullptr;
      }
    } else if (parameter.key() == "fail_create" &&
               parameter.value() == "true") {
      return nullptr;
    } else {
      return nullptr; // An unknown parameter is a configuration error.
    }
  }

  if (haveValue == !command.empty() || name.empty()) {
    return nullptr; // One of env_value and env_command.
  }

  return new ProbeHook(
      name,
      value,
      labelKey,
      haveLabelValue ? &labelValue : nullptr,
      taskCpus,
      lostFile,
      command);
}

} // namespace


mesos::modules::Module<mesos::Hook> org_mesos_fleet_ProbeHook(
    MESOS_MODULE_API_VERSION,
    MESOS_VERSION,
    "mesos_fleet.hooks",
    "mesos-fleet@example.org",
    "Probe hook: adds an environment variable to executors and a label to "
    "tasks.",
    nullptr,
    createProbeHook);
