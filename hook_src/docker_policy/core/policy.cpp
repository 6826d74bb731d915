#include "policy.hpp"

#include <map>
#include <set>

namespace docker_policy {

namespace {

std::vector<std::string> split(const std::string& text, char separator)
{
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(separator, start);
    if (end == std::string::npos) end = text.size();
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

std::string trim(const std::string& s)
{
  size_t b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

} // namespace

std::string normalize(const std::string& path)
{
  const bool absolute = !path.empty() && path[0] == '/';
  std::vector<std::string> parts;
  for (const std::string& part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") parts.pop_back();
      else if (!absolute) parts.push_back("..");
      continue;  // "/.." is "/"
    }
    parts.push_back(part);
  }
  std::string result = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) result += "/";
    result += parts[i];
  }
  return result.empty() ? "." : result;
}

bool host_path_allowed(const std::string& path, const Policy& policy)
{
  const std::string p = normalize(path);
  if (p[0] != '/') return !(p == ".." || p.compare(0, 3, "../") == 0);
  for (const std::string& prefix : policy.allowed_prefixes) {
    if (prefix == "/" || p == prefix || p.compare(0, prefix.size() + 1, prefix + "/") == 0) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> host_paths(const ContainerSpec& spec)
{
  std::vector<std::string> paths;
  for (const std::string& path : spec.volume_paths) {
    if (!path.empty()) paths.push_back(path);
  }
  for (const auto& parameter : spec.parameters) {
    const std::string& key = parameter.first;
    const std::string& value = parameter.second;
    if (key == "volume" || key == "v") {
      std::string source = value.substr(0, value.find(':'));
      if (source.find('/') != std::string::npos) paths.push_back(source);
    } else if (key == "mount") {
      std::map<std::string, std::string> fields;
      for (const std::string& field : split(value, ',')) {
        size_t eq = field.find('=');
        if (eq != std::string::npos) fields[field.substr(0, eq)] = field.substr(eq + 1);
      }
      std::string type = fields.count("type") ? fields["type"] : "volume";
      if (type == "bind") {
        paths.push_back(fields.count("source") ? fields["source"]
                        : fields.count("src") ? fields["src"] : "");
      }
    }
  }
  return paths;
}

bool wants_privileged(const ContainerSpec& spec)
{
  if (spec.privileged) return true;
  for (const auto& parameter : spec.parameters) {
    if (parameter.first == "privileged" && parameter.second != "false" &&
        parameter.second != "0") {
      return true;
    }
  }
  return false;
}

std::string check(const ContainerSpec& spec, const Policy& policy)
{
  if (wants_privileged(spec) && !policy.allow_privileged) {
    return "privileged containers are not allowed";
  }
  for (const std::string& path : host_paths(spec)) {
    if (!host_path_allowed(path, policy)) {
      std::string allowed;
      for (const std::string& prefix : policy.allowed_prefixes) {
        allowed += (allowed.empty() ? "" : ", ") + prefix;
      }
      return "host path " + path + " is outside the allowed prefixes (" +
             (allowed.empty() ? "none" : allowed) + ")";
    }
  }
  return "";
}

std::string parse_policy(const Parameters& parameters, Policy* policy)
{
  Policy result;
  std::set<std::string> seen;
  for (const auto& kv : parameters) {
    if (!seen.insert(kv.first).second) {
      return "parameter '" + kv.first + "' is given more than once";
    }
    if (kv.first == "allowed_host_paths") {
      for (const std::string& raw : split(kv.second, ',')) {
        std::string prefix = trim(raw);
        if (prefix.empty()) continue;
        if (prefix[0] != '/') {
          return "allowed_host_paths takes absolute paths, got '" + prefix + "'";
        }
        result.allowed_prefixes.push_back(normalize(prefix));
      }
    } else if (kv.first == "allow_privileged") {
      if (kv.second == "true") result.allow_privileged = true;
      else if (kv.second == "false") result.allow_privileged = false;
      else return "allow_privileged must be 'true' or 'false', got '" + kv.second + "'";
    } else {
      return "unknown parameter '" + kv.first +
             "'; expected allowed_host_paths or allow_privileged";
    }
  }
  *policy = std::move(result);
  return "";
}

} // namespace docker_policy
