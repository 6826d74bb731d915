#include "method.hpp"

namespace command_hook {

Decision decide(const Outcome& outcome, FailurePolicy policy)
{
  if (outcome.ok()) {
    bool blank = outcome.out.find_first_not_of(" \t\r\n") == std::string::npos;
    return {blank ? Action::kKeepDefault : Action::kApply, ""};
  }
  return {policy == FailurePolicy::kClosed ? Action::kFail
                                           : Action::kKeepDefault,
          outcome.describe()};
}

MethodRunner::MethodRunner(MethodConfig config, Logger logger)
  : config_(std::move(config))
{
  if (config_.mode == Mode::kPersistent) {
    persistent_.reset(new PersistentCommand(config_.command, config_.limits,
                                            std::move(logger)));
  }
}

Outcome MethodRunner::invoke(const std::string& event_json)
{
  if (persistent_) return persistent_->call(event_json);
  return run_once(config_.command, event_json + "\n", config_.limits);
}

} // namespace command_hook
