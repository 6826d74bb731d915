#include "config.hpp"

#include <stdlib.h>
#include <sys/stat.h>

#include <map>
#include <set>
#include <sstream>

namespace command_hook {

namespace {

const char kDefaultPath[] = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// Options that may be set for all methods ("timeout_ms") or one method
// ("slavePostFetchHook_timeout_ms").
const std::vector<std::string>& shared_options()
{
  static const std::vector<std::string> options = {
      "timeout_ms", "kill_grace_ms", "max_output_bytes", "mode", "failure"};
  return options;
}

// Options that only exist per method.
const std::vector<std::string>& method_only_options()
{
  static const std::vector<std::string> options = {"command", "args"};
  return options;
}

const std::vector<std::string>& global_only_options()
{
  static const std::vector<std::string> options = {"name", "env_pass", "path"};
  return options;
}

struct Range { unsigned long min, max; };

const std::map<std::string, Range>& numeric_ranges()
{
  static const std::map<std::string, Range> ranges = {
      {"timeout_ms", {1, 600000}},
      {"kill_grace_ms", {0, 60000}},
      {"max_output_bytes", {1, 64UL << 20}},
  };
  return ranges;
}

std::string parse_number(const std::string& key, const std::string& option,
                         const std::string& value, unsigned long* out)
{
  const Range range = numeric_ranges().at(option);
  if (value.empty() || value.size() > 12 ||
      value.find_first_not_of("0123456789") != std::string::npos) {
    return "parameter '" + key + "' must be a whole number, got '" + value + "'";
  }
  unsigned long n = std::stoul(value);
  if (n < range.min || n > range.max) {
    return "parameter '" + key + "' must be between " +
           std::to_string(range.min) + " and " + std::to_string(range.max) +
           ", got " + value;
  }
  *out = n;
  return "";
}

bool valid_env_name(const std::string& name)
{
  if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
  for (char c : name) {
    if (!(c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
          (c >= '0' && c <= '9'))) {
      return false;
    }
  }
  return true;
}

std::vector<std::string> split(const std::string& text, const char* separators)
{
  std::vector<std::string> parts;
  size_t i = 0;
  while (i < text.size()) {
    size_t start = text.find_first_not_of(separators, i);
    if (start == std::string::npos) break;
    size_t end = text.find_first_of(separators, start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    i = end;
  }
  return parts;
}

std::string apply(const std::string& key, const std::string& option,
                  const std::string& value, Limits* limits, Mode* mode,
                  FailurePolicy* failure)
{
  unsigned long n = 0;
  std::string error;
  if (option == "timeout_ms") {
    if (!(error = parse_number(key, option, value, &n)).empty()) return error;
    limits->timeout = Millis(n);
  } else if (option == "kill_grace_ms") {
    if (!(error = parse_number(key, option, value, &n)).empty()) return error;
    limits->kill_grace = Millis(n);
  } else if (option == "max_output_bytes") {
    if (!(error = parse_number(key, option, value, &n)).empty()) return error;
    limits->max_output = n;
  } else if (option == "mode") {
    if (value == "oneshot") *mode = Mode::kOneShot;
    else if (value == "persistent") *mode = Mode::kPersistent;
    else return "parameter '" + key + "' must be 'oneshot' or 'persistent', got '" + value + "'";
  } else if (option == "failure") {
    if (value == "open") *failure = FailurePolicy::kOpen;
    else if (value == "closed") *failure = FailurePolicy::kClosed;
    else return "parameter '" + key + "' must be 'open' or 'closed', got '" + value + "'";
  }
  return "";
}

} // namespace

const char* to_string(Mode mode)
{
  return mode == Mode::kOneShot ? "oneshot" : "persistent";
}

const char* to_string(FailurePolicy policy)
{
  return policy == FailurePolicy::kOpen ? "open" : "closed";
}

const std::vector<std::string>& hook_methods()
{
  static const std::vector<std::string> methods = {
      "masterLaunchTaskLabelDecorator",
      "masterLaunchTaskResourceDecorator",
      "slaveRunTaskLabelDecorator",
      "masterSlaveLostHook",
      "slaveExecutorEnvironmentDecorator",
      "slavePreLaunchDockerTaskExecutorDecorator",
      "slavePostFetchHook",
      "slaveRemoveExecutorHook",
      "slaveTaskStatusDecorator",
      "slaveResourcesDecorator",
      "slaveAttributesDecorator",
  };
  return methods;
}

std::string check_command_path(const std::string& path, uid_t owner)
{
  if (path.empty() || path[0] != '/') {
    return "command '" + path + "' must be an absolute path";
  }
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    return "command '" + path + "' does not exist or is not accessible";
  }
  if (!S_ISREG(st.st_mode)) {
    return "command '" + path + "' is not a regular file";
  }
  if ((st.st_mode & S_IXUSR) == 0) {
    return "command '" + path + "' is not executable";
  }
  if (st.st_uid != owner) {
    return "command '" + path + "' must be owned by uid " +
           std::to_string(owner) + " (owned by uid " +
           std::to_string(st.st_uid) + ")";
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return "command '" + path + "' must not be writable by group or others";
  }
  // Whoever can write a directory above the command can replace it.
  std::string dir = path;
  while (true) {
    size_t slash = dir.find_last_of('/');
    dir = slash == 0 ? "/" : dir.substr(0, slash);
    struct stat ds;
    if (::stat(dir.c_str(), &ds) != 0) {
      return "directory '" + dir + "' of command '" + path + "' is not accessible";
    }
    bool sticky_root = (ds.st_mode & S_ISVTX) != 0 && ds.st_uid == 0;
    if ((ds.st_uid != owner && ds.st_uid != 0) ||
        ((ds.st_mode & (S_IWGRP | S_IWOTH)) != 0 && !sticky_root)) {
      return "directory '" + dir + "' of command '" + path +
             "' must be owned by root and not writable by group or others";
    }
    if (dir == "/") break;
  }
  return "";
}

std::string parse_config(const Parameters& parameters,
                         const ParseOptions& options, Config* config)
{
  std::map<std::string, std::string> given;
  for (const auto& kv : parameters) {
    if (!given.emplace(kv.first, kv.second).second) {
      return "parameter '" + kv.first + "' is given more than once";
    }
  }

  const std::vector<std::string>& method_list =
      options.methods != nullptr ? *options.methods : hook_methods();
  const std::set<std::string> methods(method_list.begin(), method_list.end());
  std::set<std::string> global_keys(global_only_options().begin(),
                                    global_only_options().end());
  global_keys.insert(shared_options().begin(), shared_options().end());

  // Split keys into global and per-method settings.
  std::map<std::string, std::string> global;
  std::map<std::string, std::map<std::string, std::string>> per_method;
  for (const auto& kv : given) {
    const std::string& key = kv.first;
    if (global_keys.count(key) != 0) {
      global[key] = kv.second;
      continue;
    }
    size_t underscore = key.find('_');
    std::string method = key.substr(0, underscore);
    std::string option =
        underscore == std::string::npos ? "" : key.substr(underscore + 1);
    bool known_option = false;
    for (const auto* list : {&shared_options(), &method_only_options()}) {
      for (const std::string& o : *list) known_option |= (o == option);
    }
    if (methods.count(method) == 0 || !known_option) {
      return "unknown parameter '" + key + "'; expected <method>_command, "
             "<method>_args, [<method>_]timeout_ms, [<method>_]kill_grace_ms, "
             "[<method>_]max_output_bytes, [<method>_]mode, [<method>_]failure, "
             "name, env_pass or path, where <method> is a " +
             options.method_kind + " method";
    }
    per_method[method][option] = kv.second;
  }

  Config result;
  result.name = options.default_name;
  if (global.count("name") != 0) result.name = global["name"];
  if (result.name.empty() ||
      result.name.find_first_of("/ \t\n") != std::string::npos) {
    return "parameter 'name' must be non-empty without '/' or spaces";
  }

  Limits default_limits;
  Mode default_mode = Mode::kOneShot;
  FailurePolicy default_failure = FailurePolicy::kOpen;
  for (const std::string& option : shared_options()) {
    if (global.count(option) == 0) continue;
    std::string error = apply(option, option, global[option], &default_limits,
                              &default_mode, &default_failure);
    if (!error.empty()) return error;
  }

  std::string path = kDefaultPath;
  if (global.count("path") != 0) {
    path = global["path"];
    for (const std::string& dir : split(path, ":")) {
      if (dir[0] != '/') return "parameter 'path' may hold absolute directories only";
    }
  }

  // The command's environment: a fixed PATH, what the operator passes
  // through by name, and the hook's own variables. Nothing else of the
  // agent's environment (credentials, LIBPROCESS_*, ...) leaks through.
  std::vector<std::string> base_env = {"PATH=" + path};
  if (global.count("env_pass") != 0) {
    for (const std::string& name : split(global["env_pass"], ", ")) {
      if (!valid_env_name(name)) {
        return "parameter 'env_pass' holds an invalid variable name '" + name + "'";
      }
      if (name == "PATH" ||
          name.compare(0, options.env_prefix.size(), options.env_prefix) == 0) {
        return "parameter 'env_pass' may not pass '" + name + "'";
      }
      const char* value = ::getenv(name.c_str());
      if (value != nullptr) base_env.push_back(name + "=" + value);
    }
  }

  for (const std::string& method : method_list) {
    auto it = per_method.find(method);
    if (it == per_method.end()) continue;
    std::map<std::string, std::string>& settings = it->second;
    if (settings.count("command") == 0) {
      return "parameters for '" + method + "' are given but '" + method +
             "_command' is not";
    }
    MethodConfig mc;
    mc.method = method;
    mc.limits = default_limits;
    mc.mode = default_mode;
    mc.failure = default_failure;
    for (const std::string& option : shared_options()) {
      if (settings.count(option) == 0) continue;
      std::string error = apply(method + "_" + option, option, settings[option],
                                &mc.limits, &mc.mode, &mc.failure);
      if (!error.empty()) return error;
    }
    const std::string& command = settings["command"];
    std::string error = check_command_path(command, options.command_owner);
    if (!error.empty()) return "parameter '" + method + "_command': " + error;
    mc.command.argv.push_back(command);
    if (settings.count("args") != 0) {
      for (const std::string& arg : split(settings["args"], " \t")) {
        mc.command.argv.push_back(arg);
      }
    }
    mc.command.env = base_env;
    mc.command.env.push_back(options.env_prefix + "METHOD=" + method);
    mc.command.env.push_back(options.env_prefix + "INSTANCE=" + result.name);
    mc.command.env.push_back(options.env_prefix + "MODE=" + to_string(mc.mode));
    result.methods.push_back(std::move(mc));
  }

  if (result.methods.empty()) {
    return "no '<method>_command' parameter given: the hook would do nothing";
  }
  *config = std::move(result);
  return "";
}

} // namespace command_hook
