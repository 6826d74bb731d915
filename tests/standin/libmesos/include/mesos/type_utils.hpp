// Equality and hashing of the stand-in's ContainerID, as Mesos 1.11.0's
// include/mesos/type_utils.hpp gives them (so a hashset<ContainerID> works).
#ifndef MESOS_STANDIN_TYPE_UTILS_HPP
#define MESOS_STANDIN_TYPE_UTILS_HPP

#include <functional>
#include <string>

#include <mesos/mesos.hpp>

namespace mesos {
inline namespace MESOS_STANDIN_ABI {

inline bool operator==(const ContainerID& left, const ContainerID& right)
{
  return left.value() == right.value() &&
    left.has_parent() == right.has_parent() &&
    (!left.has_parent() || left.parent() == right.parent());
}

inline bool operator!=(const ContainerID& left, const ContainerID& right)
{
  return !(left == right);
}

} // inline namespace MESOS_STANDIN_ABI
} // namespace mesos

namespace std {

template <>
struct hash<mesos::ContainerID>
{
  size_t operator()(const mesos::ContainerID& containerId) const
  {
    size_t seed = std::hash<std::string>()(containerId.value());
    if (containerId.has_parent()) {
      seed ^= (*this)(containerId.parent()) + 0x9e3779b9 + (seed << 6) +
        (seed >> 2);
    }
    return seed;
  }
};

} // namespace std

#endif // MESOS_STANDIN_TYPE_UTILS_HPP
