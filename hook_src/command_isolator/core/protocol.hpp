// The command isolator's protocol, Mesos-free: which mesos::slave::Isolator
// methods exist, the isolator's parameters (parsed by the command hook's
// core), the JSON event each call sends, the checks on each method's JSON
// result, and what each method does when its command fails.
//
// The Mesos behaviour these rules follow is read from Apache Mesos 1.11.0,
// src/slave/containerizer/mesos/containerizer.cpp (cited per rule below).
#ifndef COMMAND_ISOLATOR_PROTOCOL_HPP
#define COMMAND_ISOLATOR_PROTOCOL_HPP

#include <string>
#include <utility>
#include <vector>

#include "config.hpp"  // command hook core
#include "json.hpp"
#include "method.hpp"  // command hook core: Action, Decision, decide()

namespace command_isolator {

using command_hook::Action;
using command_hook::Decision;
using command_hook::FailurePolicy;
using command_hook::Millis;

// The 8 methods of mesos::slave::Isolator (include/mesos/slave/isolator.hpp)
// that can be handed to a command, in header order.
const std::vector<std::string>& isolator_methods();

// True for the methods whose command answers a result on stdout (prepare,
// watch, usage, status); the others only succeed or fail.
bool has_result(const std::string& method);

struct IsolatorConfig
{
  command_hook::Config commands;   // name + configured methods
  Millis watch_interval{5000};     // gap between two rounds of watch calls
  bool nesting = false;            // Isolator::supportsNesting()
  bool standalone = false;         // Isolator::supportsStandalone()
};

// Parses the module parameters: the command hook's keys for the isolator
// methods ('<method>_command', '<method>_timeout_ms', ..., 'name',
// 'env_pass', 'path') plus 'watch_interval_ms', 'nesting' and 'standalone'.
// cleanup is always best-effort: 'cleanup_failure=closed' is refused and a
// global 'failure=closed' does not apply to it. Returns "" or the reason.
std::string parse_isolator_config(const command_hook::Parameters& parameters,
                                  const command_hook::ParseOptions& options,
                                  IsolatorConfig* config);

// One event: {"method": <method>, <name>: <raw JSON>, ...}. `fields` hold
// already-serialized JSON (the adapter's JSON::protobuf output).
std::string make_event(
    const std::string& method,
    const std::vector<std::pair<std::string, std::string>>& fields);

// Checks a command's stdout for `method` (ignored for methods without a
// result; blank = no result). Returns "" when it can be converted, else why
// not. On success `value` holds the parsed document (kNull when blank).
std::string check_result(const std::string& method, const std::string& out,
                         json::Value* value);

// What a finished call means for `method`: decide() of the command hook's
// core (ok + result -> apply, ok + blank -> default, error -> the policy),
// except that cleanup never fails (a failed cleanup future leaves the
// container in the containerizer for good: containerizer.cpp,
// _____destroy: "Failed to clean up an isolator when destroying
// container") and a result that check_result() refuses is an error.
Decision resolve(const std::string& method, const command_hook::Outcome& outcome,
                 FailurePolicy policy, json::Value* value);

} // namespace command_isolator

#endif // COMMAND_ISOLATOR_PROTOCOL_HPP
