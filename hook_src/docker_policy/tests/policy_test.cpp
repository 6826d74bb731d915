#include <gtest/gtest.h>

#include "policy.hpp"

using namespace docker_policy;

namespace {

Policy policy(const std::string& prefixes, const std::string& privileged = "false")
{
  Policy p;
  std::string error = parse_policy(
      {{"allowed_host_paths", prefixes}, {"allow_privileged", privileged}}, &p);
  EXPECT_EQ("", error);
  return p;
}

ContainerSpec volumes(std::vector<std::string> paths)
{
  ContainerSpec spec;
  spec.volume_paths = std::move(paths);
  return spec;
}

} // namespace

TEST(Normalize, CollapsesDotsAndSlashes)
{
  EXPECT_EQ("/etc", normalize("/data/../etc"));
  EXPECT_EQ("/", normalize("/.."));
  EXPECT_EQ("/a/b", normalize("//a/./b/"));
  EXPECT_EQ("../etc", normalize("logs/../../etc"));
  EXPECT_EQ("logs", normalize("./logs"));
}

TEST(Policy, AllowsPathsUnderAPrefixByComponent)
{
  Policy p = policy("/data, /srv/shared/");
  EXPECT_TRUE(host_path_allowed("/data", p));
  EXPECT_TRUE(host_path_allowed("/data/x/y", p));
  EXPECT_TRUE(host_path_allowed("/srv/shared", p));
  EXPECT_FALSE(host_path_allowed("/database", p));
  EXPECT_FALSE(host_path_allowed("/srv", p));
  EXPECT_FALSE(host_path_allowed("/data/../etc/shadow", p));
  EXPECT_TRUE(host_path_allowed("logs", p));        // inside the sandbox
  EXPECT_FALSE(host_path_allowed("../../etc", p));  // climbs out of it
}

TEST(Policy, EmptyAllowListRejectsEveryHostPath)
{
  Policy p = policy("");
  EXPECT_EQ("host path /data is outside the allowed prefixes (none)",
            check(volumes({"/data"}), p));
  EXPECT_EQ("", check(ContainerSpec(), p));
}

TEST(Policy, RejectsVolumesOutsideTheAllowList)
{
  Policy p = policy("/data");
  EXPECT_EQ("", check(volumes({"/data/a", "cache"}), p));
  EXPECT_EQ("host path /etc is outside the allowed prefixes (/data)",
            check(volumes({"/data/a", "/etc"}), p));
}

TEST(Policy, SeesHostPathsInDockerParameters)
{
  Policy p = policy("/data");
  ContainerSpec spec;
  spec.parameters = {{"volume", "named:/cache"}, {"v", "/data/x:/x:ro"}};
  EXPECT_EQ("", check(spec, p));
  spec.parameters.push_back({"v", "/:/host"});
  EXPECT_NE("", check(spec, p));

  ContainerSpec mount;
  mount.parameters = {{"mount", "type=bind,source=/var/run/docker.sock,target=/s"}};
  EXPECT_NE(std::string::npos, check(mount, p).find("/var/run/docker.sock"));
  mount.parameters = {{"mount", "type=volume,source=cache,target=/c"}};
  EXPECT_EQ("", check(mount, p));
}

TEST(Policy, PrivilegedNeedsPermission)
{
  ContainerSpec spec;
  spec.privileged = true;
  EXPECT_EQ("privileged containers are not allowed", check(spec, policy("/data")));
  EXPECT_EQ("", check(spec, policy("/data", "true")));

  ContainerSpec by_parameter;
  by_parameter.parameters = {{"privileged", "true"}};
  EXPECT_NE("", check(by_parameter, policy("/data")));
  by_parameter.parameters = {{"privileged", "false"}};
  EXPECT_EQ("", check(by_parameter, policy("/data")));
}

TEST(ParsePolicy, RefusesBadParameters)
{
  Policy p;
  EXPECT_NE(std::string::npos,
            parse_policy({{"allowed_host_paths", "data"}}, &p).find("absolute"));
  EXPECT_NE(std::string::npos,
            parse_policy({{"allow_privileged", "yes"}}, &p).find("'true' or 'false'"));
  EXPECT_NE(std::string::npos,
            parse_policy({{"allowed_paths", "/data"}}, &p).find("unknown parameter 'allowed_paths'"));
  EXPECT_NE(std::string::npos,
            parse_policy({{"allow_privileged", "true"}, {"allow_privileged", "false"}}, &p)
                .find("more than once"));
}

TEST(ParsePolicy, DefaultsDenyEverything)
{
  Policy p;
  p.allow_privileged = true;
  ASSERT_EQ("", parse_policy({}, &p));
  EXPECT_FALSE(p.allow_privileged);
  EXPECT_TRUE(p.allowed_prefixes.empty());
}
