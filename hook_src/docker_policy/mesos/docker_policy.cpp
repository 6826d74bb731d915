// Mesos adapter of the Docker launch policy: a fail-closed
// slavePreLaunchDockerTaskExecutorDecorator that rejects (fails) the launch
// of a container breaking the policy. Other hook methods keep Mesos's
// default behaviour.
#include <map>
#include <string>

#include <glog/logging.h>

#include <mesos/hook.hpp>
#include <mesos/mesos.hpp>
#include <mesos/module.hpp>
#include <mesos/module/hook.hpp>
#include <mesos/version.hpp>

#include <process/future.hpp>

#include <stout/option.hpp>

#include "policy.hpp"

namespace docker_policy {
namespace {

ContainerSpec spec_of(const mesos::ContainerInfo& container)
{
  ContainerSpec spec;
  for (const mesos::Volume& volume : container.volumes()) {
    if (volume.has_host_path()) spec.volume_paths.push_back(volume.host_path());
  }
  if (container.has_docker()) {
    spec.privileged = container.docker().privileged();
    for (const mesos::Parameter& p : container.docker().parameters()) {
      spec.parameters.emplace_back(p.key(), p.value());
    }
  }
  return spec;
}

class DockerPolicyHook : public mesos::Hook
{
public:
  explicit DockerPolicyHook(Policy policy) : policy_(std::move(policy)) {}

  process::Future<Option<mesos::DockerTaskExecutorPrepareInfo>>
  slavePreLaunchDockerTaskExecutorDecorator(
      const Option<mesos::TaskInfo>& taskInfo,
      const mesos::ExecutorInfo& executorInfo,
      const std::string& containerName,
      const std::string&,
      const std::string&,
      const Option<std::map<std::string, std::string>>&) override
  {
    // A custom executor's container is described by its ExecutorInfo.
    const mesos::ContainerInfo& container =
      taskInfo.isSome() && taskInfo->has_container() ? taskInfo->container()
                                                     : executorInfo.container();
    const std::string reason = check(spec_of(container), policy_);
    if (!reason.empty()) {
      LOG(WARNING) << "Docker policy rejected container " << containerName
                   << ": " << reason;
      return process::Failure("Docker policy: " + reason);
    }
    return None();
  }

private:
  const Policy policy_;
};

mesos::Hook* create(const mesos::Parameters& parameters)
{
  try {
    Parameters params;
    for (const mesos::Parameter& p : parameters.parameter()) {
      params.emplace_back(p.key(), p.value());
    }
    Policy policy;
    std::string error = parse_policy(params, &policy);
    if (!error.empty()) {
      LOG(ERROR) << "Docker policy hook refused its parameters: " << error;
      return nullptr;
    }
    return new DockerPolicyHook(std::move(policy));
  } catch (const std::exception& e) {
    LOG(ERROR) << "Docker policy hook could not start: " << e.what();
  } catch (...) {
    LOG(ERROR) << "Docker policy hook could not start";
  }
  return nullptr;
}

} // namespace
} // namespace docker_policy

mesos::modules::Module<mesos::Hook> mesos_fleet_hooks_DockerPolicyHook(
    MESOS_MODULE_API_VERSION,
    MESOS_VERSION,
    "mesos_fleet.hooks",
    "mesos_fleet@example.invalid",
    "Rejects Docker containers that mount host paths outside an allow-list "
    "or ask to run privileged.",
    nullptr,
    docker_policy::create);
