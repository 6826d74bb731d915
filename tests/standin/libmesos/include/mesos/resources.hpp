// A minimal mesos::Resources of the Mesos stand-in, with the names of
// Mesos 1.11.0's include/mesos/resources.hpp: a collection of Resource
// messages that converts to and from the repeated field of a TaskInfo.
// Its members are defined in libmesos (out of line, as in Mesos), so a hook
// that uses them needs libmesos's symbols to load.
#ifndef MESOS_STANDIN_RESOURCES_HPP
#define MESOS_STANDIN_RESOURCES_HPP

#include <cstddef>
#include <vector>

#include <google/protobuf/repeated_field.h>

#include <mesos/mesos.hpp>

namespace mesos {
inline namespace MESOS_STANDIN_ABI {

class Resources
{
public:
  Resources();
  Resources(const Resource& resource);
  Resources(const google::protobuf::RepeatedPtrField<Resource>& resources);

  size_t size() const;
  bool empty() const { return size() == 0; }

  // Adds a resource: a scalar of a name already held is added to it.
  Resources& operator+=(const Resource& resource);
  Resources& operator+=(const Resources& resources);

  operator google::protobuf::RepeatedPtrField<Resource>() const;

  std::vector<Resource>::const_iterator begin() const { return resources_.begin(); }
  std::vector<Resource>::const_iterator end() const { return resources_.end(); }

private:
  std::vector<Resource> resources_;
};

} // inline namespace MESOS_STANDIN_ABI
} // namespace mesos

#endif // MESOS_STANDIN_RESOURCES_HPP
