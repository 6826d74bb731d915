// The hook interface of the Mesos stand-in. Only the agent-side method the
// stand-in actually runs is declared. The destructor and the default
// implementation live in libmesos, so every hook needs libmesos's symbols
// (typeinfo, vtable) at load time, as a real hook needs the real libmesos.
#ifndef MESOS_STANDIN_HOOK_HPP
#define MESOS_STANDIN_HOOK_HPP

#include <mesos/mesos.hpp>
#include <stout/result.hpp>

namespace mesos {
inline namespace MESOS_STANDIN_ABI {

class Hook
{
public:
  virtual ~Hook();

  // Called before an executor is launched; a Some result replaces the
  // executor's environment. None leaves it unchanged.
  virtual Result<Environment> slaveExecutorEnvironmentDecorator(
      const ExecutorInfo& executorInfo);
};

} // inline namespace MESOS_STANDIN_ABI
} // namespace mesos

#endif // MESOS_STANDIN_HOOK_HPP
