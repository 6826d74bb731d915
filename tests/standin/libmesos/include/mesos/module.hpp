// Minimal module API of the Mesos stand-in (test fixture, written for the
// stand-in; not taken from Apache Mesos).
//
// ModuleBase keeps the exact field order and types of Mesos 1.11's
// ModuleBase, so tools that read a module symbol out of an ELF file see a
// stand-in module exactly like a real one.
#ifndef MESOS_STANDIN_MODULE_HPP
#define MESOS_STANDIN_MODULE_HPP

#include <mesos/version.hpp>

#define MESOS_MODULE_API_VERSION "2"

namespace mesos {
namespace modules {

struct ModuleBase
{
  ModuleBase(
      const char* moduleApiVersion_,
      const char* mesosVersion_,
      const char* kind_,
      const char* authorName_,
      const char* authorEmail_,
      const char* description_,
      bool (*compatible_)())
    : moduleApiVersion(moduleApiVersion_),
      mesosVersion(mesosVersion_),
      kind(kind_),
      authorName(authorName_),
      authorEmail(authorEmail_),
      description(description_),
      compatible(compatible_) {}

  const char* moduleApiVersion;
  const char* mesosVersion;
  const char* kind;
  const char* authorName;
  const char* authorEmail;
  const char* description;
  // nullptr: the module must be built for exactly the running version.
  bool (*compatible)();
};

// Specialised per module kind (see mesos/module/hook.hpp).
template <typename T>
struct Module;

template <typename T>
const char* kind();

} // namespace modules
} // namespace mesos

#endif // MESOS_STANDIN_MODULE_HPP
