#include "protocol.hpp"

#include <set>

namespace command_isolator {

namespace {

bool blank(const std::string& text)
{
  return text.find_first_not_of(" \t\r\n") == std::string::npos;
}

std::string expect(const json::Value* v, json::Value::Type type,
                   const std::string& where)
{
  if (v != nullptr && v->type != type) {
    return "'" + where + "' must be " + json::type_name(type) + ", got " +
           json::type_name(v->type);
  }
  return "";
}

std::string only_keys(const json::Value& object,
                      const std::set<std::string>& allowed,
                      const std::string& what)
{
  for (const auto& kv : object.object) {
    if (allowed.count(kv.first) == 0) {
      std::string list;
      for (const std::string& k : allowed) list += (list.empty() ? "" : ", ") + k;
      return what + " may not set '" + kv.first + "' (allowed: " + list + ")";
    }
  }
  return "";
}

// ContainerLaunchInfo (include/mesos/slave/containerizer.proto).
std::string check_launch_info(const json::Value& v)
{
  // containerizer.cpp, _launch(): "Isolator should not specify rootfs" /
  // "... user" fail the launch, and only one isolator may set
  // working_directory, effective_capabilities, rlimits or tty_slave_path
  // ("Multiple isolators specify ..."); those stay with Mesos's own
  // isolators.
  static const std::set<std::string> allowed = {
      "environment", "task_environment", "pre_exec_commands",
      "enter_namespaces", "clone_namespaces", "supplementary_groups",
      "task_supplementary_groups", "command", "mounts", "masked_paths",
      "file_operations", "bounding_capabilities", "no_new_privileges"};
  std::string error = only_keys(v, allowed, "a prepare result");
  if (!error.empty()) return error;
  const json::Value* command = v.find("command");
  if (command != nullptr) {
    if (!(error = expect(command, json::Value::kObject, "command")).empty()) return error;
    // containerizer.cpp, _launch(): for command tasks the agent CHECKs
    // (aborts) when an isolator's command sets uris, environment, shell,
    // value or user; only arguments may be added.
    if (!(error = only_keys(*command, {"arguments"}, "a prepare result's 'command'")).empty()) {
      return error;
    }
    if (!(error = expect(command->find("arguments"), json::Value::kArray,
                         "command.arguments")).empty()) {
      return error;
    }
  }
  for (const char* key : {"environment", "task_environment"}) {
    const json::Value* env = v.find(key);
    if (env == nullptr) continue;
    if (!(error = expect(env, json::Value::kObject, key)).empty()) return error;
    const json::Value* vars = env->find("variables");
    if (!(error = expect(vars, json::Value::kArray, std::string(key) + ".variables")).empty()) {
      return error;
    }
    if (vars == nullptr) continue;
    for (const json::Value& var : vars->array) {
      if (var.type != json::Value::kObject || var.find("name") == nullptr ||
          var.find("name")->type != json::Value::kString) {
        return std::string("each of '") + key + ".variables' needs a string 'name'";
      }
    }
  }
  return "";
}

// ContainerLimitation: a limitation needs a message; the containerizer
// turns it into the task's TASK_FAILED message (containerizer.cpp, limited()).
std::string check_limitation(const json::Value& v)
{
  std::string error = only_keys(v, {"resources", "message", "reason"}, "a watch result");
  if (!error.empty()) return error;
  const json::Value* message = v.find("message");
  if (message == nullptr || message->type != json::Value::kString || message->string.empty()) {
    return "a watch result (a ContainerLimitation) needs a non-empty string 'message'";
  }
  if (!(error = expect(v.find("resources"), json::Value::kArray, "resources")).empty()) return error;
  return expect(v.find("reason"), json::Value::kString, "reason");
}

// ContainerStatus: container_id is set by the containerizer and
// executor_pid by the launcher (containerizer.cpp, status()).
std::string check_status(const json::Value& v)
{
  std::string error = only_keys(v, {"network_infos", "cgroup_info"}, "a status result");
  if (!error.empty()) return error;
  error = expect(v.find("network_infos"), json::Value::kArray, "network_infos");
  if (!error.empty()) return error;
  return expect(v.find("cgroup_info"), json::Value::kObject, "cgroup_info");
}

} // namespace

const std::vector<std::string>& isolator_methods()
{
  static const std::vector<std::string> methods = {
      "recover", "prepare", "isolate", "watch",
      "update", "usage", "status", "cleanup"};
  return methods;
}

bool has_result(const std::string& method)
{
  return method == "prepare" || method == "watch" || method == "usage" ||
         method == "status";
}

std::string parse_isolator_config(const command_hook::Parameters& parameters,
                                  const command_hook::ParseOptions& options,
                                  IsolatorConfig* config)
{
  IsolatorConfig result;
  command_hook::Parameters rest;
  bool cleanup_closed = false;
  for (const auto& kv : parameters) {
    const std::string& key = kv.first;
    const std::string& value = kv.second;
    if (key == "watch_interval_ms") {
      if (value.empty() || value.size() > 9 ||
          value.find_first_not_of("0123456789") != std::string::npos ||
          std::stoul(value) < 100 || std::stoul(value) > 3600000) {
        return "parameter 'watch_interval_ms' must be a whole number between "
               "100 and 3600000, got '" + value + "'";
      }
      result.watch_interval = Millis(std::stoul(value));
    } else if (key == "nesting" || key == "standalone") {
      if (value != "true" && value != "false") {
        return "parameter '" + key + "' must be 'true' or 'false', got '" + value + "'";
      }
      (key == "nesting" ? result.nesting : result.standalone) = value == "true";
    } else {
      if (key == "cleanup_failure" && value == "closed") cleanup_closed = true;
      rest.push_back(kv);
    }
  }
  if (cleanup_closed) {
    return "parameter 'cleanup_failure' cannot be 'closed': a failed cleanup "
           "leaves the container in the agent for good, so cleanup is always "
           "best-effort";
  }
  command_hook::ParseOptions parse_options = options;
  parse_options.methods = &isolator_methods();
  parse_options.env_prefix = "MESOS_ISOLATOR_";
  parse_options.method_kind = "mesos::slave::Isolator";
  std::string error = command_hook::parse_config(rest, parse_options, &result.commands);
  if (!error.empty()) return error;
  for (command_hook::MethodConfig& m : result.commands.methods) {
    if (m.method == "cleanup") m.failure = FailurePolicy::kOpen;
  }
  *config = std::move(result);
  return "";
}

std::string make_event(
    const std::string& method,
    const std::vector<std::pair<std::string, std::string>>& fields)
{
  std::string event = "{\"method\":" + json::quote(method);
  for (const auto& kv : fields) {
    event += "," + json::quote(kv.first) + ":" + kv.second;
  }
  return event + "}";
}

std::string check_result(const std::string& method, const std::string& out,
                         json::Value* value)
{
  *value = json::Value();
  if (!has_result(method) || blank(out)) return "";
  std::string error = json::parse(out, value);
  if (!error.empty()) return "result is not JSON: " + error;
  if (value->type != json::Value::kObject) {
    return std::string("result must be a JSON object, got ") + json::type_name(value->type);
  }
  if (method == "prepare") return check_launch_info(*value);
  if (method == "watch") return check_limitation(*value);
  // usage: a ResourceStatistics, merged with the other isolators' (containerizer.cpp,
  // _usage(): result.MergeFrom(statistic)); the adapter sets its timestamp.
  if (method == "usage") return "";
  return check_status(*value);
}

Decision resolve(const std::string& method, const command_hook::Outcome& outcome,
                 FailurePolicy policy, json::Value* value)
{
  if (method == "cleanup") policy = FailurePolicy::kOpen;
  *value = json::Value();
  Decision decision = command_hook::decide(outcome, policy);
  if (decision.action != Action::kApply) return decision;
  if (!has_result(method)) return {Action::kKeepDefault, ""};
  std::string error = check_result(method, outcome.out, value);
  if (error.empty()) return decision;
  *value = json::Value();
  command_hook::Outcome invalid = outcome;
  invalid.status = command_hook::Status::kProtocolError;
  invalid.detail = "invalid " + method + " result: " + error;
  return command_hook::decide(invalid, policy);
}

} // namespace command_isolator
