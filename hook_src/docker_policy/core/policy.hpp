// Mesos-free Docker launch policy: which host paths a container may mount
// and whether it may run privileged.
#ifndef DOCKER_POLICY_POLICY_HPP
#define DOCKER_POLICY_POLICY_HPP

#include <string>
#include <utility>
#include <vector>

namespace docker_policy {

struct Policy
{
  std::vector<std::string> allowed_prefixes;  // normalized absolute paths
  bool allow_privileged = false;
};

// What a container asks for, taken from ContainerInfo.
struct ContainerSpec
{
  bool privileged = false;                 // DockerInfo.privileged
  std::vector<std::string> volume_paths;   // Volume.host_path values
  std::vector<std::pair<std::string, std::string>> parameters;  // DockerInfo.parameters
};

using Parameters = std::vector<std::pair<std::string, std::string>>;

// Parameters: allowed_host_paths (comma-separated absolute prefixes, may be
// empty) and allow_privileged (true/false). Returns "" or the reason.
std::string parse_policy(const Parameters& parameters, Policy* policy);

// Lexical normalization: collapses "//", "." and ".." ("/a/../b" -> "/b").
// A relative path that climbs out of its base keeps a leading "..".
std::string normalize(const std::string& path);

// Absolute paths must lie under an allowed prefix (compared by component);
// relative paths are sandbox-relative and allowed unless they climb out.
bool host_path_allowed(const std::string& path, const Policy& policy);

// Host paths mounted through volumes and the docker run options -v/--volume
// and --mount type=bind (named Docker volumes are not host paths).
std::vector<std::string> host_paths(const ContainerSpec& spec);

bool wants_privileged(const ContainerSpec& spec);

// "" when the container may launch, else why not.
std::string check(const ContainerSpec& spec, const Policy& policy);

} // namespace docker_policy

#endif // DOCKER_POLICY_POLICY_HPP
