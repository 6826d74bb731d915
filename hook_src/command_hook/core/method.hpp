// One configured hook method: runs its command in the configured mode and
// turns the outcome into what the hook should do under its failure policy.
#ifndef COMMAND_HOOK_METHOD_HPP
#define COMMAND_HOOK_METHOD_HPP

#include <memory>
#include <string>

#include "config.hpp"
#include "persistent.hpp"
#include "runner.hpp"

namespace command_hook {

enum class Action
{
  kApply,        // use the command's result
  kKeepDefault,  // behave as if the hook were absent (Mesos's default)
  kFail,         // return an Error / Failure to Mesos
};

struct Decision
{
  Action action;
  std::string reason;  // why, for kKeepDefault after an error and kFail
};

// ok + non-blank stdout -> apply; ok + blank -> keep default; any error ->
// keep default (fail-open) or fail (fail-closed).
Decision decide(const Outcome& outcome, FailurePolicy policy);

class MethodRunner
{
public:
  MethodRunner(MethodConfig config, Logger logger);

  const MethodConfig& config() const { return config_; }

  // Runs the command with `event_json` on stdin (one-shot) or as one line
  // (persistent).
  Outcome invoke(const std::string& event_json);

private:
  const MethodConfig config_;
  std::unique_ptr<PersistentCommand> persistent_;
};

} // namespace command_hook

#endif // COMMAND_HOOK_METHOD_HPP
