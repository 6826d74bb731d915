// The hook interface of the Mesos stand-in. Only the methods the stand-in
// actually runs are declared, in the order of Mesos 1.11.0's
// include/mesos/hook.hpp: the master's task label decorator, task resource
// decorator and agent-lost hook, then the agent's executor environment
// decorator. The destructor and the default
// implementation live in libmesos, so every hook needs libmesos's symbols
// (typeinfo, vtable) at load time, as a real hook needs the real libmesos.
#ifndef MESOS_STANDIN_HOOK_HPP
#define MESOS_STANDIN_HOOK_HPP

#include <mesos/mesos.hpp>
#include <mesos/resources.hpp>
#include <stout/nothing.hpp>
#include <stout/result.hpp>
#include <stout/try.hpp>

namespace mesos {
inline namespace MESOS_STANDIN_ABI {

class Hook
{
public:
  virtual ~Hook();

  // Called by the master when it launches a task; a Some result replaces
  // the labels of the task it sends to the agent. None leaves them as they
  // are.
  virtual Result<Labels> masterLaunchTaskLabelDecorator(
      const TaskInfo& taskInfo,
      const FrameworkInfo& frameworkInfo,
      const SlaveInfo& slaveInfo);

  // Called by the master when it accepts a task launch, with the agent's
  // total resources; a Some result replaces the task's resources (in the
  // master's task and the agent's). None leaves them as they are.
  virtual Result<Resources> masterLaunchTaskResourceDecorator(
      const TaskInfo& taskInfo,
      const Resources& slaveResources);

  // Called by the master when it tells its frameworks that an agent is lost
  // (marked unreachable or removed).
  virtual Try<Nothing> masterSlaveLostHook(const SlaveInfo& slaveInfo);

  // Called before an executor is launched; a Some result replaces the
  // executor's environment. None leaves it unchanged.
  virtual Result<Environment> slaveExecutorEnvironmentDecorator(
      const ExecutorInfo& executorInfo);
};

} // inline namespace MESOS_STANDIN_ABI
} // namespace mesos

#endif // MESOS_STANDIN_HOOK_HPP
