#include <gtest/gtest.h>

#include "method.hpp"
#include "test_util.hpp"

using namespace command_hook;
using namespace command_hook::testing;

namespace {

Outcome outcome(Status status, const std::string& out = "")
{
  Outcome o;
  o.status = status;
  o.out = out;
  o.exit_code = status == Status::kOk ? 0 : 1;
  o.err = status == Status::kOk ? "" : "privileged is not allowed";
  return o;
}

MethodConfig method(const std::string& script, Mode mode, FailurePolicy failure)
{
  MethodConfig m;
  m.method = "slavePreLaunchDockerTaskExecutorDecorator";
  m.command = shell(script);
  m.limits = limits(2000);
  m.mode = mode;
  m.failure = failure;
  return m;
}

} // namespace

TEST(Decide, ResultIsAppliedOnlyWhenPresent)
{
  EXPECT_EQ(Action::kApply, decide(outcome(Status::kOk, "{\"labels\":[]}"),
                                   FailurePolicy::kClosed).action);
  EXPECT_EQ(Action::kKeepDefault, decide(outcome(Status::kOk, " \n"),
                                         FailurePolicy::kClosed).action);
}

TEST(Decide, FailOpenKeepsTheDefaultAndSaysWhy)
{
  for (Status s : {Status::kFailed, Status::kTimeout, Status::kSignaled,
                   Status::kOutputTooLarge, Status::kSpawnError,
                   Status::kProtocolError}) {
    Decision d = decide(outcome(s), FailurePolicy::kOpen);
    EXPECT_EQ(Action::kKeepDefault, d.action) << to_string(s);
    EXPECT_FALSE(d.reason.empty());
  }
}

TEST(Decide, FailClosedFails)
{
  for (Status s : {Status::kFailed, Status::kTimeout, Status::kSignaled,
                   Status::kOutputTooLarge, Status::kSpawnError,
                   Status::kProtocolError}) {
    EXPECT_EQ(Action::kFail, decide(outcome(s), FailurePolicy::kClosed).action)
        << to_string(s);
  }
  Decision d = decide(outcome(Status::kFailed), FailurePolicy::kClosed);
  EXPECT_NE(std::string::npos, d.reason.find("privileged is not allowed")) << d.reason;
}

TEST(MethodRunner, OneShotGetsTheEventOnStdinAndItsEnvironment)
{
  MethodConfig m = method("read event; echo \"{\\\"got\\\":$event}\"",
                          Mode::kOneShot, FailurePolicy::kClosed);
  MethodRunner runner(m, nullptr);
  Outcome o = runner.invoke("{\"method\":\"x\"}");
  ASSERT_EQ(Status::kOk, o.status) << o.describe();
  EXPECT_EQ("{\"got\":{\"method\":\"x\"}}\n", o.out);
}

TEST(MethodRunner, PersistentKeepsOneProcess)
{
  MethodConfig m = method("while read e; do echo \"OK {\\\"pid\\\":$$}\"; done",
                          Mode::kPersistent, FailurePolicy::kOpen);
  MethodRunner runner(m, nullptr);
  Outcome a = runner.invoke("{}");
  Outcome b = runner.invoke("{}");
  ASSERT_EQ(Status::kOk, a.status) << a.describe();
  EXPECT_EQ(a.out, b.out);
}

TEST(MethodRunner, FailClosedTimeoutRejects)
{
  MethodConfig m = method("sleep 10", Mode::kOneShot, FailurePolicy::kClosed);
  m.limits = limits(100, 100);
  MethodRunner runner(m, nullptr);
  Decision d = decide(runner.invoke("{}"), m.failure);
  EXPECT_EQ(Action::kFail, d.action);
  EXPECT_NE(std::string::npos, d.reason.find("timed out")) << d.reason;
}

TEST(MethodRunner, FailOpenErrorKeepsTheDefault)
{
  MethodConfig m = method("echo 'policy store unreachable' >&2; exit 2",
                          Mode::kOneShot, FailurePolicy::kOpen);
  MethodRunner runner(m, nullptr);
  Decision d = decide(runner.invoke("{}"), m.failure);
  EXPECT_EQ(Action::kKeepDefault, d.action);
  EXPECT_NE(std::string::npos, d.reason.find("policy store unreachable")) << d.reason;
}

// A policy command that hangs on every call must cost each event no more than its timeout
// plus the kill grace, keep the default under fail-open, and leave no process behind.
TEST(MethodRunner, CommandThatHangsOnEveryCallTimesOutEveryTime)
{
  for (Mode mode : {Mode::kOneShot, Mode::kPersistent}) {
    {
      MethodConfig m = method(mode == Mode::kOneShot
                                  ? "trap '' TERM; sleep 30"
                                  : "trap '' TERM; while read e; do sleep 30; done",
                              mode, FailurePolicy::kOpen);
      m.limits = limits(150, 100);
      MethodRunner runner(m, nullptr);
      for (int call = 0; call < 5; ++call) {
        Outcome o = runner.invoke("{}");
        EXPECT_EQ(Status::kTimeout, o.status) << o.describe();
        EXPECT_LT(o.elapsed.count(), 150 + 100 + 500) << "call " << call;
        Decision d = decide(o, m.failure);
        EXPECT_EQ(Action::kKeepDefault, d.action);
        EXPECT_NE(std::string::npos, d.reason.find("timed out")) << d.reason;
      }
    }
    EXPECT_TRUE(no_children()) << (mode == Mode::kOneShot ? "one-shot" : "persistent");
  }
}
