"""The Mesos containerizer's isolators, as Mesos 1.11.0 sets them up and calls them
(src/slave/containerizer/containerizer.cpp Containerizer::create(),
src/slave/containerizer/mesos/containerizer.cpp MesosContainerizer::create(), prepare(),
isolate(), usage(), cleanupIsolators(), recover()).

Built-in isolators are only names here: the stand-in accepts those a default Linux build of
Mesos 1.11.0 knows and runs nothing for them. Isolator modules (kind "Isolator") named in
--isolation are created with their parameters and really called: prepare() before a task's
process starts, isolate() with its pid, usage() for /monitor/statistics, cleanup() when it has
ended, and recover() at start-up with every recovered container.
"""

import threading

from .common import Exit, log

# The creators table of MesosContainerizer::create() on Linux, in its order, for a build without
# --enable-xfs-disk-isolator, --enable-seccomp-isolator, --enable-port-mapping-isolator and
# --enable-network-ports-isolator (configure.ac: all off by default), so 'disk/xfs',
# 'linux/seccomp', 'network/port_mapping' and 'network/ports' are unknown names.
BUILTIN_ISOLATORS = (
    "filesystem/posix", "filesystem/linux", "filesystem/shared",
    "posix/cpu", "posix/mem", "posix/rlimits",
    "cgroups/all", "cgroups/blkio", "cgroups/cpu", "cgroups/cpuset", "cgroups/devices",
    "cgroups/hugetlb", "cgroups/mem", "cgroups/net_cls", "cgroups/net_prio",
    "cgroups/perf_event", "cgroups/pids",
    "appc/runtime", "docker/runtime",
    "linux/devices", "linux/capabilities", "linux/nnp",
    "namespaces/ipc", "namespaces/pid",
    "volume/sandbox_path", "docker/volume", "volume/host_path", "volume/image",
    "volume/secret", "volume/csi",
    "disk/du",
    "gpu/nvidia",
    "network/cni",
    "environment_secret",
)

# containerizer.cpp create(): deprecated names and what replaces them (Linux).
DEPRECATIONS = {
    "process": ("posix/cpu", "posix/mem"),
    "cgroups": ("cgroups/cpu", "cgroups/mem"),
    "posix/disk": ("disk/du",),
}


def stringify_vector(items):
    """stout's stringify(std::vector): '[ a, b ]'."""
    return "[ %s ]" % ", ".join(items)


class Containerizer:
    """The isolators of a Mesos containerizer: [(name, Isolator* or None for a built-in)] in
    Mesos's order (built-ins in table order, then modules in --isolation order)."""

    def __init__(self, libmesos, isolators):
        self.libmesos = libmesos
        self.isolators = isolators
        # The Mesos containerizer is one libprocess actor: its calls into isolators are
        # sequential. The stand-in calls from several threads, so it serializes them.
        self.mutex = threading.Lock()

    def modules(self):
        return [(name, isolator) for name, isolator in self.isolators if isolator is not None]

    def recover(self, containers):
        """recoverIsolators(): every isolator's recover() gets every recovered container (the
        stand-in has no nested or standalone containers, so isSupportedByIsolator() passes
        all); the first failure fails recovery. containers: task records. Returns None or the
        failure message."""
        with self.mutex:
            for name, isolator in self.modules():
                result = self.libmesos.isolator_recover(isolator, containers)
                if result["result"] == "failed":
                    return result["message"]
                if result["result"] == "pending":
                    # A future that never completes: Mesos would wait for ever.
                    return "Isolator '%s' never finished recovery (pending future)" % name
        return None

    def prepare(self, container):
        """prepare(): each isolator in order; returns the environment variables their
        ContainerLaunchInfos add, in order, or raises ValueError with the failure."""
        variables = []
        with self.mutex:
            for name, isolator in self.modules():
                result = self.libmesos.isolator_prepare(isolator, container)
                if result["result"] != "ready":
                    raise ValueError(result.get("message") or "pending future")
                launch_info = result["value"]
                if launch_info is not None:
                    for variable in launch_info.get("environment", {}).get("variables", []):
                        variables.append((variable["name"], variable.get("value", "")))
        return variables

    def isolate(self, container_id, pid):
        """isolate(): every isolator, with the forked pid; returns None or a failure."""
        with self.mutex:
            for name, isolator in self.modules():
                result = self.libmesos.isolator_isolate(isolator, container_id, pid)
                if result["result"] != "ready":
                    return result.get("message") or "pending future"
        return None

    def usage(self, container_id, timestamp):
        """usage() and _usage(): the statistics of every isolator merged (protobuf MergeFrom:
        a later isolator's field wins) over the timestamp; failures are skipped."""
        statistics = {"timestamp": timestamp}
        with self.mutex:
            for name, isolator in self.modules():
                result = self.libmesos.isolator_usage(isolator, container_id)
                if result["result"] == "ready":
                    statistics.update(result["value"])
                    statistics["timestamp"] = timestamp
                else:
                    log("W", "Skipping resource statistic for container %s because: %s"
                        % (container_id, result.get("message") or "discarded"))
        return statistics

    def cleanup(self, container_id):
        """cleanupIsolators(): every isolator in the reverse order, each whatever the others
        did; failures are logged (destroy() then fails the termination)."""
        with self.mutex:
            for name, isolator in reversed(self.modules()):
                result = self.libmesos.isolator_cleanup(isolator, container_id)
                if result["result"] == "failed":
                    log("E", "Failed to clean up an isolator when destroying container %s: %s"
                        % (container_id, result["message"]))


def create(flags, modules):
    """Containerizer::create() with MesosContainerizer::create(): returns a Containerizer or
    raises Exit with the agent's message (src/slave/main.cpp: 'Failed to create a
    containerizer: ...')."""
    types = flags.get("containerizers").split(",")
    if len(set(types)) != len(types):
        raise Exit("Failed to create a containerizer: Duplicate entries found in "
                   "--containerizer flag '%s'" % flags.get("containerizers"))
    if "mesos" not in types:
        # The stand-in has no Docker containerizer to check: no isolators.
        return Containerizer(modules.libmesos, [])
    try:
        return create_mesos(flags, modules)
    except ValueError as e:
        raise Exit("Failed to create a containerizer: Could not create MesosContainerizer: %s"
                   % e)


def create_mesos(flags, modules):
    """MesosContainerizer::create(flags, ...); raises ValueError with its error."""
    # strings::tokenize: empty tokens are dropped, nothing is trimmed.
    tokens = [t for t in flags.get("isolation").split(",") if t]
    isolations = set(tokens)
    if len(isolations) != len(tokens):
        raise ValueError("Duplicate entries found in --isolation flag '%s'"
                         % stringify_vector(tokens))
    for name, replacements in DEPRECATIONS.items():
        if name in isolations:
            log("W", "The '%s' isolation flag is deprecated, please update your flags to "
                "'--isolation=%s'." % (name, ",".join(replacements)))
            isolations.discard(name)
            isolations.update(replacements)
    filesystems = [i for i in isolations if i.startswith("filesystem/")]
    if not filesystems:
        isolations.add("filesystem/posix")
    elif len(filesystems) > 1:
        raise ValueError("Using multiple filesystem isolators simultaneously is disallowed")
    networks = [i for i in isolations if i.startswith("network/") and i != "network/ports"]
    if not networks:
        isolations.add("network/cni")
    elif len(networks) > 1:
        raise ValueError("Using multiple network isolators simultaneously is disallowed")
    if "filesystem/linux" in isolations:
        isolations.update(("volume/image", "volume/host_path", "volume/sandbox_path"))
    isolations.add("environment_secret")
    if flags.get("image_providers") is not None:
        if "filesystem/linux" not in isolations:
            raise ValueError("The 'filesystem/linux' isolator must be enabled for container "
                             "image support")
        if flags.get("launcher") != "linux":
            raise ValueError("The 'linux' launcher must be used for container image support")
    log("I", "Using isolation { %s }" % ", ".join(sorted(isolations)))
    if flags.get("launcher") not in ("linux", "posix"):
        raise ValueError("Failed to create launcher: Unknown or unsupported launcher: %s"
                         % flags.get("launcher"))

    isolators = []
    for name in BUILTIN_ISOLATORS:
        if name not in isolations:
            continue
        if name.startswith("cgroups/") and any(n.startswith("cgroups/") for n, _ in isolators):
            continue  # one CgroupsIsolatorProcess for every cgroups/ name
        if name == "gpu/nvidia":
            # The stand-in host has no NVML (the creator checks nvml::isAvailable()).
            raise ValueError("Failed to create isolator 'gpu/nvidia': Cannot create the Nvidia "
                             "GPU isolator: NVML is not available")
        isolators.append((name, None))  # a built-in: accepted, nothing runs

    for name in tokens:
        # ModuleManager::contains<Isolator>(name): loaded and of kind "Isolator".
        if name in modules.bases and modules.kind_of(name) == "Isolator":
            isolator, error = modules.create_isolator(name)
            if error:
                raise ValueError("Failed to create isolator '%s': %s" % (name, error))
            isolators.append((name, isolator))
            continue
        if name in DEPRECATIONS or name in BUILTIN_ISOLATORS:
            continue
        raise ValueError("Unknown or unsupported isolator '%s'" % name)
    return Containerizer(modules.libmesos, isolators)
