#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "method.hpp"
#include "protocol.hpp"
#include "test_util.hpp"  // command hook tests: TempDir, limits()

using namespace command_isolator;
using command_hook::Mode;
using command_hook::Outcome;
using command_hook::Status;

namespace {

bool contains(const std::string& haystack, const std::string& needle)
{
  return haystack.find(needle) != std::string::npos;
}

Outcome ok(const std::string& out)
{
  Outcome o;
  o.status = Status::kOk;
  o.exit_code = 0;
  o.out = out;
  return o;
}

Outcome failed(Status status)
{
  Outcome o;
  o.status = status;
  o.exit_code = status == Status::kFailed ? 3 : -1;
  o.err = "policy says no";
  return o;
}

class IsolatorConfigTest : public ::testing::Test
{
protected:
  IsolatorConfigTest()
  {
    ::chmod(dir.path().c_str(), 0755);
    command = dir.script("isolate", "cat");
    options.default_name = "mesos_fleet_hooks_CommandIsolator1";
    options.command_owner = ::geteuid();
  }

  std::string parse(const command_hook::Parameters& parameters)
  {
    return parse_isolator_config(parameters, options, &config);
  }

  command_hook::testing::TempDir dir;
  std::string command;
  command_hook::ParseOptions options;
  IsolatorConfig config;
};

} // namespace

TEST(IsolatorMethods, AreTheEightOfMesosIsolator)
{
  EXPECT_EQ((std::vector<std::string>{"recover", "prepare", "isolate", "watch",
                                      "update", "usage", "status", "cleanup"}),
            isolator_methods());
  for (const std::string& m : isolator_methods()) {
    EXPECT_EQ(m == "prepare" || m == "watch" || m == "usage" || m == "status",
              has_result(m)) << m;
  }
}

TEST_F(IsolatorConfigTest, Defaults)
{
  ASSERT_EQ("", parse({{"prepare_command", command}}));
  EXPECT_EQ("mesos_fleet_hooks_CommandIsolator1", config.commands.name);
  ASSERT_EQ(1u, config.commands.methods.size());
  EXPECT_EQ("prepare", config.commands.methods[0].method);
  EXPECT_EQ(5000, config.watch_interval.count());
  EXPECT_FALSE(config.nesting);
  EXPECT_FALSE(config.standalone);
  EXPECT_EQ((std::vector<std::string>{
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "MESOS_ISOLATOR_METHOD=prepare",
                "MESOS_ISOLATOR_INSTANCE=mesos_fleet_hooks_CommandIsolator1",
                "MESOS_ISOLATOR_MODE=oneshot"}),
            config.commands.methods[0].command.env);
}

TEST_F(IsolatorConfigTest, IsolatorOnlyParameters)
{
  ASSERT_EQ("", parse({{"watch_command", command}, {"watch_interval_ms", "250"},
                       {"nesting", "true"}, {"standalone", "false"},
                       {"watch_mode", "persistent"}, {"failure", "closed"}}));
  EXPECT_EQ(250, config.watch_interval.count());
  EXPECT_TRUE(config.nesting);
  EXPECT_FALSE(config.standalone);
  EXPECT_EQ(Mode::kPersistent, config.commands.methods[0].mode);
  EXPECT_EQ(FailurePolicy::kClosed, config.commands.methods[0].failure);

  EXPECT_TRUE(contains(parse({{"watch_command", command}, {"watch_interval_ms", "50"}}),
                       "between 100 and 3600000"));
  EXPECT_TRUE(contains(parse({{"watch_command", command}, {"watch_interval_ms", "1s"}}),
                       "watch_interval_ms"));
  EXPECT_TRUE(contains(parse({{"watch_command", command}, {"nesting", "yes"}}),
                       "'true' or 'false'"));
}

TEST_F(IsolatorConfigTest, CleanupIsAlwaysBestEffort)
{
  ASSERT_EQ("", parse({{"failure", "closed"}, {"prepare_command", command},
                       {"cleanup_command", command}}));
  ASSERT_EQ(2u, config.commands.methods.size());
  EXPECT_EQ(FailurePolicy::kClosed, config.commands.methods[0].failure);
  EXPECT_EQ("cleanup", config.commands.methods[1].method);
  EXPECT_EQ(FailurePolicy::kOpen, config.commands.methods[1].failure);

  std::string error = parse({{"cleanup_command", command}, {"cleanup_failure", "closed"}});
  EXPECT_TRUE(contains(error, "cleanup is always best-effort")) << error;
}

TEST_F(IsolatorConfigTest, RefusesHookMethodsAndUnsafeCommands)
{
  std::string error = parse({{"slavePostFetchHook_command", command}});
  EXPECT_TRUE(contains(error, "mesos::slave::Isolator method")) << error;
  EXPECT_TRUE(contains(parse({{"usage_command", "relative/cmd"}}), "absolute path"));
  std::string writable = dir.script("writable", "cat", 0777);
  ::chmod(writable.c_str(), 0777);
  EXPECT_TRUE(contains(parse({{"usage_command", writable}}), "writable by group or others"));
  options.command_owner = ::geteuid() + 1;
  EXPECT_TRUE(contains(parse({{"usage_command", command}}), "must be owned by uid"));
  EXPECT_TRUE(contains(parse({}), "would do nothing"));
}

TEST(Event, IsOneJsonObjectWithTheMethodAndRawFields)
{
  std::string event = make_event("update", {
      {"containerId", "{\"value\":\"c1\"}"},
      {"resourceRequests", "[{\"name\":\"cpus\",\"type\":\"SCALAR\",\"scalar\":{\"value\":0.5}}]"},
      {"resourceLimits", "{\"cpus\":1.0}"}});
  json::Value v;
  ASSERT_EQ("", json::parse(event, &v)) << event;
  EXPECT_EQ("update", v.find("method")->string);
  EXPECT_EQ("c1", v.find("containerId")->find("value")->string);
  EXPECT_EQ(0.5, v.find("resourceRequests")->array[0].find("scalar")->find("value")->number);
  EXPECT_EQ(1.0, v.find("resourceLimits")->find("cpus")->number);
  EXPECT_EQ("{\"method\":\"isolate\",\"pid\":42}", make_event("isolate", {{"pid", "42"}}));
}

TEST(Result, BlankMeansNoResultAndMethodsWithoutResultIgnoreStdout)
{
  json::Value v;
  for (const std::string& m : isolator_methods()) {
    EXPECT_EQ("", check_result(m, " \n", &v)) << m;
    EXPECT_EQ(json::Value::kNull, v.type);
  }
  for (const char* m : {"recover", "isolate", "update", "cleanup"}) {
    EXPECT_EQ("", check_result(m, "not json at all", &v)) << m;
  }
}

TEST(Result, PrepareIsAContainerLaunchInfoMesosAccepts)
{
  json::Value v;
  EXPECT_EQ("", check_result("prepare",
      "{\"environment\":{\"variables\":[{\"name\":\"ZONE\",\"value\":\"a\"}]},"
      " \"command\":{\"arguments\":[\"--x\"]}, \"clone_namespaces\":[]}", &v));
  EXPECT_EQ("ZONE", v.find("environment")->find("variables")->array[0].find("name")->string);

  // Mesos fails the launch for these (containerizer.cpp, _launch()).
  EXPECT_TRUE(contains(check_result("prepare", "{\"rootfs\":\"/x\"}", &v), "may not set 'rootfs'"));
  EXPECT_TRUE(contains(check_result("prepare", "{\"user\":\"nobody\"}", &v), "may not set 'user'"));
  EXPECT_TRUE(contains(check_result("prepare", "{\"working_directory\":\"/\"}", &v),
                       "may not set 'working_directory'"));
  // The agent aborts on these (CHECKs in containerizer.cpp, _launch()).
  for (const char* field : {"value", "environment", "shell", "uris", "user"}) {
    std::string doc = std::string("{\"command\":{\"") + field + "\":\"x\"}}";
    EXPECT_TRUE(contains(check_result("prepare", doc, &v),
                         std::string("'command' may not set '") + field + "'")) << doc;
  }
  EXPECT_TRUE(contains(check_result("prepare", "{\"command\":{\"arguments\":\"x\"}}", &v),
                       "must be an array"));
  EXPECT_TRUE(contains(check_result("prepare", "{\"environment\":[]}", &v), "must be an object"));
  EXPECT_TRUE(contains(check_result("prepare", "{\"environment\":{\"variables\":[{\"value\":\"1\"}]}}", &v),
                       "needs a string 'name'"));
  EXPECT_TRUE(contains(check_result("prepare", "{\"enviroment\":{}}", &v), "may not set 'enviroment'"));
  EXPECT_TRUE(contains(check_result("prepare", "[]", &v), "must be a JSON object"));
  EXPECT_TRUE(contains(check_result("prepare", "{\"environment\":", &v), "not JSON"));
}

TEST(Result, WatchIsAContainerLimitationWithAMessage)
{
  json::Value v;
  EXPECT_EQ("", check_result("watch",
      "{\"message\":\"disk quota exceeded\",\"reason\":\"REASON_CONTAINER_LIMITATION_DISK\","
      " \"resources\":[{\"name\":\"disk\",\"type\":\"SCALAR\",\"scalar\":{\"value\":10}}]}", &v));
  EXPECT_EQ("disk quota exceeded", v.find("message")->string);
  EXPECT_TRUE(contains(check_result("watch", "{}", &v), "non-empty string 'message'"));
  EXPECT_TRUE(contains(check_result("watch", "{\"message\":\"\"}", &v), "non-empty"));
  EXPECT_TRUE(contains(check_result("watch", "{\"message\":\"m\",\"reason\":3}", &v), "'reason' must be a string"));
  EXPECT_TRUE(contains(check_result("watch", "{\"message\":\"m\",\"resources\":{}}", &v), "must be an array"));
  EXPECT_TRUE(contains(check_result("watch", "{\"message\":\"m\",\"kill\":true}", &v), "may not set 'kill'"));
}

TEST(Result, UsageAndStatus)
{
  json::Value v;
  EXPECT_EQ("", check_result("usage", "{\"cpus_user_time_secs\":1.5,\"mem_rss_bytes\":1048576}", &v));
  EXPECT_EQ(1.5, v.find("cpus_user_time_secs")->number);
  EXPECT_TRUE(contains(check_result("usage", "42", &v), "must be a JSON object"));
  EXPECT_EQ("", check_result("status", "{\"network_infos\":[{\"ip_addresses\":[{\"ip_address\":\"10.0.0.2\"}]}]}", &v));
  EXPECT_TRUE(contains(check_result("status", "{\"executor_pid\":1}", &v), "may not set 'executor_pid'"));
  EXPECT_TRUE(contains(check_result("status", "{\"container_id\":{\"value\":\"x\"}}", &v),
                       "may not set 'container_id'"));
  EXPECT_TRUE(contains(check_result("status", "{\"cgroup_info\":[]}", &v), "must be an object"));
}

TEST(Resolve, FailurePolicyPerMethod)
{
  json::Value v;
  for (const std::string& m : isolator_methods()) {
    for (Status s : {Status::kFailed, Status::kTimeout, Status::kSignaled,
                     Status::kOutputTooLarge, Status::kSpawnError}) {
      Decision open = resolve(m, failed(s), FailurePolicy::kOpen, &v);
      EXPECT_EQ(Action::kKeepDefault, open.action) << m;
      EXPECT_FALSE(open.reason.empty());
      Decision closed = resolve(m, failed(s), FailurePolicy::kClosed, &v);
      // cleanup never fails: a failed cleanup strands the container.
      EXPECT_EQ(m == "cleanup" ? Action::kKeepDefault : Action::kFail, closed.action) << m;
    }
  }
  Decision timeout = resolve("prepare", failed(Status::kTimeout), FailurePolicy::kClosed, &v);
  EXPECT_TRUE(contains(timeout.reason, "timed out") || contains(timeout.reason, "timeout"))
      << timeout.reason;
}

TEST(Resolve, ResultsAppliedOnlyWhenValid)
{
  json::Value v;
  Decision d = resolve("prepare", ok("{\"environment\":{\"variables\":[{\"name\":\"A\",\"value\":\"1\"}]}}"),
                       FailurePolicy::kClosed, &v);
  EXPECT_EQ(Action::kApply, d.action);
  EXPECT_EQ(json::Value::kObject, v.type);

  EXPECT_EQ(Action::kKeepDefault, resolve("prepare", ok(""), FailurePolicy::kClosed, &v).action);
  EXPECT_EQ(Action::kKeepDefault, resolve("isolate", ok("{\"ignored\":1}"), FailurePolicy::kClosed, &v).action);

  d = resolve("prepare", ok("{\"rootfs\":\"/\"}"), FailurePolicy::kClosed, &v);
  EXPECT_EQ(Action::kFail, d.action);
  EXPECT_TRUE(contains(d.reason, "invalid prepare result")) << d.reason;
  d = resolve("watch", ok("{}"), FailurePolicy::kOpen, &v);
  EXPECT_EQ(Action::kKeepDefault, d.action);
  EXPECT_TRUE(contains(d.reason, "invalid watch result")) << d.reason;
  EXPECT_EQ(json::Value::kNull, v.type);
}

// The whole path a call takes in the module, minus Mesos: the command hook's
// runner runs a real command with the event; resolve() reads its answer.
TEST_F(IsolatorConfigTest, RealCommandsThroughTheRunnerCore)
{
  std::string prepare = dir.script("prepare",
      "read event\n"
      "case \"$event\" in *'\"method\":\"prepare\"'*) ;; *) echo \"bad event: $event\" >&2; exit 2;; esac\n"
      "echo '{\"environment\":{\"variables\":[{\"name\":\"FROM\",\"value\":\"'$MESOS_ISOLATOR_METHOD'\"}]}}'");
  std::string slow = dir.script("slow", "sleep 5");
  std::string persistent = dir.script("persistent",
      "while read event; do echo 'OK {\"mem_rss_bytes\":4096}'; done");
  ASSERT_EQ("", parse({{"prepare_command", prepare}, {"prepare_failure", "closed"},
                       {"isolate_command", slow}, {"isolate_timeout_ms", "200"},
                       {"isolate_kill_grace_ms", "50"}, {"isolate_failure", "closed"},
                       {"usage_command", persistent}, {"usage_mode", "persistent"}}));
  ASSERT_EQ(3u, config.commands.methods.size());
  json::Value v;

  command_hook::MethodRunner runner_prepare(config.commands.methods[0], nullptr);
  std::string event = make_event("prepare", {{"containerId", "{\"value\":\"c1\"}"}});
  Decision d = resolve("prepare", runner_prepare.invoke(event), FailurePolicy::kClosed, &v);
  ASSERT_EQ(Action::kApply, d.action) << d.reason;
  EXPECT_EQ("prepare", v.find("environment")->find("variables")->array[0].find("value")->string);

  command_hook::MethodRunner runner_isolate(config.commands.methods[1], nullptr);
  d = resolve("isolate", runner_isolate.invoke(make_event("isolate", {{"pid", "1"}})),
              FailurePolicy::kClosed, &v);
  EXPECT_EQ(Action::kFail, d.action);
  EXPECT_TRUE(contains(d.reason, "timed out") || contains(d.reason, "timeout")) << d.reason;

  command_hook::MethodRunner runner_usage(config.commands.methods[2], nullptr);
  for (int i = 0; i < 3; ++i) {
    d = resolve("usage", runner_usage.invoke(make_event("usage", {})), FailurePolicy::kOpen, &v);
    ASSERT_EQ(Action::kApply, d.action) << d.reason;
    EXPECT_EQ(4096, v.find("mem_rss_bytes")->number);
  }
}
