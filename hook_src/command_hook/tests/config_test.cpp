#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "config.hpp"
#include "test_util.hpp"

using namespace command_hook;
using namespace command_hook::testing;

namespace {

class ConfigTest : public ::testing::Test
{
protected:
  ConfigTest()
  {
    ::chmod(dir.path().c_str(), 0755);
    command = dir.script("policy", "cat");
    options.default_name = "org_example_CommandHook";
    options.command_owner = ::geteuid();
  }

  std::string parse(const Parameters& parameters)
  {
    return parse_config(parameters, options, &config);
  }

  TempDir dir;
  std::string command;
  ParseOptions options;
  Config config;
};

bool contains(const std::string& haystack, const std::string& needle)
{
  return haystack.find(needle) != std::string::npos;
}

} // namespace

TEST(HookMethods, AreTheElevenOfMesosHook)
{
  EXPECT_EQ(11u, hook_methods().size());
}

TEST_F(ConfigTest, OneCommandWithDefaults)
{
  ASSERT_EQ("", parse({{"slaveRunTaskLabelDecorator_command", command}}));
  ASSERT_EQ(1u, config.methods.size());
  const MethodConfig& m = config.methods[0];
  EXPECT_EQ("slaveRunTaskLabelDecorator", m.method);
  EXPECT_EQ(std::vector<std::string>{command}, m.command.argv);
  EXPECT_EQ(Mode::kOneShot, m.mode);
  EXPECT_EQ(FailurePolicy::kOpen, m.failure);
  EXPECT_EQ(5000, m.limits.timeout.count());
  EXPECT_EQ("org_example_CommandHook", config.name);
}

TEST_F(ConfigTest, MethodSettingsOverrideGlobalOnes)
{
  ASSERT_EQ("", parse({{"timeout_ms", "800"},
                       {"failure", "closed"},
                       {"mode", "persistent"},
                       {"name", "policy"},
                       {"slavePreLaunchDockerTaskExecutorDecorator_command", command},
                       {"slavePreLaunchDockerTaskExecutorDecorator_args", "--strict  -v"},
                       {"slaveTaskStatusDecorator_command", command},
                       {"slaveTaskStatusDecorator_timeout_ms", "50"},
                       {"slaveTaskStatusDecorator_failure", "open"},
                       {"slaveTaskStatusDecorator_mode", "oneshot"},
                       {"slaveTaskStatusDecorator_max_output_bytes", "2048"},
                       {"slaveTaskStatusDecorator_kill_grace_ms", "0"}}));
  ASSERT_EQ(2u, config.methods.size());
  const MethodConfig& docker = config.methods[0];
  const MethodConfig& status = config.methods[1];
  EXPECT_EQ("slavePreLaunchDockerTaskExecutorDecorator", docker.method);
  EXPECT_EQ((std::vector<std::string>{command, "--strict", "-v"}), docker.command.argv);
  EXPECT_EQ(800, docker.limits.timeout.count());
  EXPECT_EQ(FailurePolicy::kClosed, docker.failure);
  EXPECT_EQ(Mode::kPersistent, docker.mode);
  EXPECT_EQ(50, status.limits.timeout.count());
  EXPECT_EQ(0, status.limits.kill_grace.count());
  EXPECT_EQ(2048u, status.limits.max_output);
  EXPECT_EQ(FailurePolicy::kOpen, status.failure);
  EXPECT_EQ(Mode::kOneShot, status.mode);
  EXPECT_EQ("policy", config.name);
}

TEST_F(ConfigTest, EnvironmentIsSanitized)
{
  ::setenv("HOOK_SITE", "eu-west", 1);
  ::setenv("AGENT_SECRET", "hunter2", 1);
  std::string error = parse({{"env_pass", "HOOK_SITE,UNSET_VARIABLE"},
                             {"slavePostFetchHook_command", command}});
  ::unsetenv("HOOK_SITE");
  ::unsetenv("AGENT_SECRET");
  ASSERT_EQ("", error);
  EXPECT_EQ((std::vector<std::string>{
                "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
                "HOOK_SITE=eu-west",
                "MESOS_HOOK_METHOD=slavePostFetchHook",
                "MESOS_HOOK_INSTANCE=org_example_CommandHook",
                "MESOS_HOOK_MODE=oneshot"}),
            config.methods[0].command.env);
}

TEST_F(ConfigTest, OtherMethodListAndEnvironmentPrefix)
{
  // How another module on this core (the command isolator) uses the parser.
  const std::vector<std::string> methods = {"prepare", "cleanup"};
  options.methods = &methods;
  options.env_prefix = "MESOS_ISOLATOR_";
  options.method_kind = "mesos::slave::Isolator";
  ASSERT_EQ("", parse({{"prepare_command", command}, {"cleanup_command", command},
                       {"cleanup_timeout_ms", "100"}}));
  ASSERT_EQ(2u, config.methods.size());
  EXPECT_EQ("prepare", config.methods[0].method);
  EXPECT_EQ("cleanup", config.methods[1].method);
  EXPECT_EQ(100, config.methods[1].limits.timeout.count());
  EXPECT_EQ("MESOS_ISOLATOR_METHOD=prepare", config.methods[0].command.env[1]);
  EXPECT_EQ("MESOS_ISOLATOR_MODE=oneshot", config.methods[0].command.env[3]);

  std::string error = parse({{"slavePostFetchHook_command", command}});
  EXPECT_TRUE(contains(error, "unknown parameter 'slavePostFetchHook_command'")) << error;
  EXPECT_TRUE(contains(error, "mesos::slave::Isolator method")) << error;
  error = parse({{"prepare_command", command}, {"env_pass", "MESOS_ISOLATOR_METHOD"}});
  EXPECT_TRUE(contains(error, "may not pass 'MESOS_ISOLATOR_METHOD'")) << error;
}

TEST_F(ConfigTest, RefusesUnknownKeys)
{
  std::string error = parse({{"slaveRunTaskLabelDecorator_command", command},
                             {"slaveRunTaskLabelDecorator_timeout", "5"}});
  EXPECT_TRUE(contains(error, "unknown parameter 'slaveRunTaskLabelDecorator_timeout'")) << error;
  EXPECT_TRUE(config.methods.empty());

  error = parse({{"slaveLaunchHook_command", command}});
  EXPECT_TRUE(contains(error, "unknown parameter 'slaveLaunchHook_command'")) << error;
}

TEST_F(ConfigTest, RefusesBadNumbers)
{
  for (const std::string& bad : {"5s", "", "-1", "1e3", "0", "99999999999999"}) {
    std::string error = parse({{"slavePostFetchHook_command", command},
                               {"slavePostFetchHook_timeout_ms", bad}});
    EXPECT_TRUE(contains(error, "slavePostFetchHook_timeout_ms")) << bad << ": " << error;
  }
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", command},
                              {"max_output_bytes", "lots"}}),
                       "'max_output_bytes' must be a whole number"));
}

TEST_F(ConfigTest, RefusesBadModeAndFailure)
{
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", command},
                              {"slavePostFetchHook_mode", "daemon"}}),
                       "'oneshot' or 'persistent'"));
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", command},
                              {"failure", "ignore"}}),
                       "'open' or 'closed'"));
}

TEST_F(ConfigTest, RefusesRelativeCommands)
{
  std::string error = parse({{"slavePostFetchHook_command", "bin/policy"}});
  EXPECT_TRUE(contains(error, "must be an absolute path")) << error;
}

TEST_F(ConfigTest, RefusesCommandsOwnedBySomeoneElse)
{
  options.command_owner = ::geteuid() + 1;
  std::string error = parse({{"slavePostFetchHook_command", command}});
  EXPECT_TRUE(contains(error, "must be owned by uid")) << error;
}

TEST_F(ConfigTest, RefusesCommandsWritableByOthers)
{
  ::chmod(command.c_str(), 0775);
  std::string error = parse({{"slavePostFetchHook_command", command}});
  EXPECT_TRUE(contains(error, "must not be writable by group or others")) << error;

  ::chmod(command.c_str(), 0755);
  ::chmod(dir.path().c_str(), 0777);
  error = parse({{"slavePostFetchHook_command", command}});
  EXPECT_TRUE(contains(error, "directory '" + dir.path() + "'")) << error;
}

TEST_F(ConfigTest, RefusesMissingOrNonExecutableCommands)
{
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", dir.path() + "/none"}}),
                       "does not exist"));
  std::string plain = dir.script("plain", "cat", 0644);
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", plain}}), "not executable"));
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", dir.path()}}),
                       "not a regular file"));
}

TEST_F(ConfigTest, RefusesSettingsWithoutACommandAndEmptyConfigs)
{
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_timeout_ms", "10"}}),
                       "'slavePostFetchHook_command' is not"));
  EXPECT_TRUE(contains(parse({{"timeout_ms", "10"}}), "would do nothing"));
  EXPECT_TRUE(contains(parse({}), "would do nothing"));
}

TEST_F(ConfigTest, RefusesDuplicatesAndBadNames)
{
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", command},
                              {"slavePostFetchHook_command", command}}),
                       "more than once"));
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", command},
                              {"name", "a/b"}}),
                       "'name'"));
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", command},
                              {"env_pass", "OK,1BAD"}}),
                       "invalid variable name '1BAD'"));
  EXPECT_TRUE(contains(parse({{"slavePostFetchHook_command", command},
                              {"path", "bin:/usr/bin"}}),
                       "absolute directories"));
}
