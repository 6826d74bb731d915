// The isolator interface of the Mesos stand-in: the methods of Mesos
// 1.11.0's include/mesos/slave/isolator.hpp that the stand-in calls, in
// that order and with those signatures (recover, prepare, isolate, usage,
// cleanup; not supportsNesting, supportsStandalone, watch, update, status).
// An isolator that overrides only these compiles against both.
//
// Unlike Mesos, whose Isolator is all inline, the destructor and the
// default methods live in libmesos (as mesos::Hook's do here), so an
// isolator module needs libmesos's symbols (typeinfo, vtable) to load.
#ifndef MESOS_STANDIN_SLAVE_ISOLATOR_HPP
#define MESOS_STANDIN_SLAVE_ISOLATOR_HPP

#include <sys/types.h>

#include <vector>

#include <mesos/mesos.hpp>
#include <mesos/resources.hpp>
#include <mesos/slave/containerizer.hpp>

#include <process/future.hpp>

#include <stout/hashset.hpp>
#include <stout/nothing.hpp>
#include <stout/option.hpp>

namespace mesos {
namespace slave {
inline namespace MESOS_STANDIN_ABI {

class Isolator
{
public:
  virtual ~Isolator();

  // Called once at agent start-up, with the state of every checkpointed
  // container the agent recovers (whichever isolators it was launched
  // with) and the orphans (the stand-in has none). A failure makes the
  // agent's recovery fail.
  virtual process::Future<Nothing> recover(
      const std::vector<ContainerState>& states,
      const hashset<ContainerID>& orphans);

  // Called before a container is launched; the environment of a returned
  // ContainerLaunchInfo is added to the container's. A failure fails the
  // launch.
  virtual process::Future<Option<ContainerLaunchInfo>> prepare(
      const ContainerID& containerId,
      const ContainerConfig& containerConfig);

  // Called with the container's pid once it is forked.
  virtual process::Future<Nothing> isolate(
      const ContainerID& containerId,
      pid_t pid);

  // Resource usage of the container (merged into /monitor/statistics).
  virtual process::Future<ResourceStatistics> usage(
      const ContainerID& containerId);

  // Called after the container has terminated (also for containers this
  // isolator never prepared).
  virtual process::Future<Nothing> cleanup(
      const ContainerID& containerId);
};

} // inline namespace MESOS_STANDIN_ABI
} // namespace slave
} // namespace mesos

#endif // MESOS_STANDIN_SLAVE_ISOLATOR_HPP
