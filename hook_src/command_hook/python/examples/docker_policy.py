#!/usr/bin/env python3
"""Docker pre-launch policy: rejects tasks that mount host paths outside an
allow-list or ask for a privileged container.

Configure as slavePreLaunchDockerTaskExecutorDecorator_command with
slavePreLaunchDockerTaskExecutorDecorator_failure=closed, and the allowed
host-path prefixes as arguments, e.g. `--allow /data --allow /srv/shared`.
Add `--allow-privileged` to permit privileged containers.
"""

import argparse
import os
import posixpath
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), ".."))

from mesos_hook_command import Reject, serve, task_container  # noqa: E402

# Docker run options that mount host paths or grant privileges, as Mesos
# passes them through ContainerInfo.DockerInfo.parameters.
VOLUME_PARAMETERS = ("volume", "v")
MOUNT_PARAMETERS = ("mount",)


def normalize(path):
    return posixpath.normpath(path) if path else path


def host_path_allowed(path, allowed):
    """True when `path` is under one of the `allowed` absolute prefixes,
    compared by path components after normalization ('..' cannot escape).
    Relative paths stay inside the sandbox unless they climb out of it."""
    path = normalize(path)
    if not path.startswith("/"):
        return not (path == ".." or path.startswith("../"))
    for prefix in allowed:
        prefix = normalize(prefix)
        if prefix == "/" or path == prefix or path.startswith(prefix + "/"):
            return True
    return False


def host_paths(container):
    """Host paths the container would mount."""
    paths = [v["host_path"] for v in container.get("volumes", [])
             if v.get("host_path")]
    for parameter in container.get("docker", {}).get("parameters", []):
        key, value = parameter.get("key", ""), parameter.get("value", "")
        if key in VOLUME_PARAMETERS:
            source = value.split(":", 1)[0]
            if "/" in source:  # otherwise a named Docker volume
                paths.append(source)
        elif key in MOUNT_PARAMETERS:
            fields = dict(f.split("=", 1) for f in value.split(",") if "=" in f)
            if fields.get("type", "volume") == "bind":
                paths.append(fields.get("source") or fields.get("src", ""))
    return paths


def is_privileged(container):
    docker = container.get("docker", {})
    if docker.get("privileged"):
        return True
    for parameter in docker.get("parameters", []):
        if parameter.get("key") == "privileged" and \
                parameter.get("value", "true").lower() not in ("false", "0"):
            return True
    return False


def check(event, allowed, allow_privileged):
    """Raises Reject when the event's container breaks the policy."""
    if event.get("method") != "slavePreLaunchDockerTaskExecutorDecorator":
        return None
    container = task_container(event)
    if is_privileged(container) and not allow_privileged:
        raise Reject("privileged containers are not allowed")
    for path in host_paths(container):
        if not host_path_allowed(path, allowed):
            raise Reject("host path %s is outside the allowed prefixes (%s)"
                         % (path, ", ".join(allowed) or "none"))
    return None


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--allow", action="append", default=[],
                        help="allowed absolute host-path prefix (repeatable)")
    parser.add_argument("--allow-privileged", action="store_true")
    parser.add_argument("--persistent", action="store_true")
    args = parser.parse_args(argv)
    for prefix in args.allow:
        if not prefix.startswith("/"):
            parser.error("--allow takes absolute paths, got %r" % prefix)
    serve(lambda event: check(event, args.allow, args.allow_privileged),
          argv=["--persistent"] if args.persistent else [])


if __name__ == "__main__":
    main()
