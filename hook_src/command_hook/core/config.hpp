// Parameters of one command-hook instance: parsing and validation. Every
// problem is reported as one clear message; nothing here throws.
#ifndef COMMAND_HOOK_CONFIG_HPP
#define COMMAND_HOOK_CONFIG_HPP

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "runner.hpp"

namespace command_hook {

enum class Mode { kOneShot, kPersistent };
enum class FailurePolicy { kOpen, kClosed };

const char* to_string(Mode mode);
const char* to_string(FailurePolicy policy);

struct MethodConfig
{
  std::string method;             // e.g. "slaveRunTaskLabelDecorator"
  Command command;                // argv and sanitized environment
  Limits limits;
  Mode mode = Mode::kOneShot;
  FailurePolicy failure = FailurePolicy::kOpen;
};

struct Config
{
  std::string name;                   // instance name (metrics, logs)
  std::vector<MethodConfig> methods;  // only methods with a command
};

struct ParseOptions
{
  std::string default_name;  // used when no "name" parameter is given
  uid_t command_owner = 0;   // commands (and their directories) must be
                             // owned by this user (root in the agent)

  // What the parameters configure, so the same parser serves every module
  // built on this core: the method names ('<method>_command' keys; null =
  // hook_methods()), the prefix of the variables naming the call in a
  // command's environment (<prefix>METHOD, <prefix>INSTANCE, <prefix>MODE),
  // and how error messages name a method.
  const std::vector<std::string>* methods = nullptr;
  std::string env_prefix = "MESOS_HOOK_";
  std::string method_kind = "mesos::Hook";
};

using Parameters = std::vector<std::pair<std::string, std::string>>;

// The 11 methods of mesos::Hook (Mesos 1.11), in header order.
const std::vector<std::string>& hook_methods();

// Fills `config`; returns an empty string on success, else the reason.
std::string parse_config(const Parameters& parameters,
                         const ParseOptions& options, Config* config);

// Checks that `path` is a command an agent may run: absolute, a regular
// executable file, owned by `owner`, and neither it nor a directory above
// it writable by group or others (unless sticky and root-owned).
std::string check_command_path(const std::string& path, uid_t owner);

} // namespace command_hook

#endif // COMMAND_HOOK_CONFIG_HPP
