# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Everything the rollout needs to know about one Mesos agent (or master) host, gathered in one pass."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import platform

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import daemon_process
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_elf
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_install as mi
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import preflight
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout

SERVICE_UNITS = {
    "agent": ("mesos-agent.service", "mesos-slave.service", "dcos-mesos-slave.service"),
    "master": ("mesos-master.service", "dcos-mesos-master.service"),
}
PKGCONFIG_DIRS = ("lib/pkgconfig", "lib64/pkgconfig", "share/pkgconfig", "lib/x86_64-linux-gnu/pkgconfig")


class DiscoveryError(ValueError):
    """The host does not look like a Mesos agent we can manage; the message says why."""


def _under(root, path):
    return os.path.join(root, path.lstrip("/")) if root != "/" else path


def find_service(root="/", daemon="agent"):
    """The daemon's systemd unit name, from the unit files present."""
    for unit in SERVICE_UNITS[daemon]:
        for d in flag_stores.UNIT_DIRS:
            if os.path.isfile(_under(root, os.path.join(d, unit))):
                return unit
    return None


def find_pkgconfig(prefix):
    for rel in PKGCONFIG_DIRS:
        path = os.path.join(prefix, rel, "mesos.pc")
        if os.path.isfile(path):
            return path
    return None


def discover(run, which, prefix=None, style="auto", root="/", store_paths=None, prefixes=None,
             read_flags=True, daemon="agent"):
    """Gather the facts of the host's ``daemon`` (agent or master); its endpoint is
    ``<daemon>_url``.

    With read_flags false (a build host that runs no agent) the packaging style, flags and
    service are not looked at.

    run(argv) -> (rc, stdout, stderr); which(name) -> path or None. ``root`` lets tests point
    the flag stores at a directory tree; binaries and libraries are looked up as given.
    """
    if prefix is None:
        prefix = mi.find_prefix(prefixes or mi.DEFAULT_PREFIXES, daemon)
    binary = mi.find_binary(prefix, daemon)
    if not binary:
        raise DiscoveryError("no %s binary under %s" % (" or ".join(daemon_process.BINARIES[daemon]), prefix))
    rc, out, err = run([binary, "--version"])
    if rc != 0:
        raise DiscoveryError("%s --version failed (exit %d): %s" % (binary, rc, (err or out).strip()[:300]))
    version = mi.parse_version_output(out)
    libmesos = mi.find_libmesos(prefix, version)
    build_id = hook_elf.gnu_build_id(libmesos)

    pc_path = find_pkgconfig(prefix)
    pkgconfig = None
    if pc_path:
        with open(pc_path) as handle:
            pkgconfig = mi.compile_flags_from_pkgconfig(handle.read())
    headers = mi.header_dirs(prefix)

    cxx = which("c++") or which("g++")
    compiler_abi = None
    compiler = None
    if cxx:
        machine = run([cxx, "-dumpmachine"])[1]
        full = run([cxx, "-dumpfullversion"])[1]
        compiler_abi = mi.compiler_abi(machine, full)
        compiler = "%s %s" % (os.path.basename(cxx), full.strip())
    arch = platform.machine()

    store = None
    flags_detail = {}
    if read_flags:
        store = flag_stores.make_store(style, root=root, daemon=daemon, **(store_paths or {}))
        flags_detail = store.read_flags()
    flags = dict((name, item["value"]) for name, item in flags_detail.items())
    hooks = flag_stores.split_hooks(flags.get("hooks", ""))
    # agent_info replaces this with the running daemon's address when it can read the process.
    try:
        url, how = daemon_process.daemon_url(flags, None, run, daemon)
    except daemon_process.AddressError as e:
        raise DiscoveryError(str(e))

    return dict(
        prefix=prefix,
        binary=binary,
        version=version,
        libmesos=libmesos,
        libmesos_build_id=build_id,
        abi_fingerprint=mi.abi_fingerprint(version, build_id),
        build_fingerprint=mi.build_fingerprint(version, build_id, arch, compiler_abi),
        arch=arch,
        compiler=compiler,
        compiler_abi=compiler_abi,
        pkgconfig_path=pc_path,
        pkgconfig=pkgconfig,
        include_dir=headers["include_dir"],
        hook_header=headers["hook_header"],
        thirdparty_include_dir=headers["thirdparty_include_dir"],
        build_tools=dict((tool, bool(which(tool))) for tool in ("make", "cmake")),
        # Build tools and the headers the Mesos headers include are checked per build (build_requirements).
        can_build=bool(cxx and headers["include_dir"] and headers["hook_header"]),
        style=store.style if store else None,
        flag_sources=dict((name, item["source"]) for name, item in flags_detail.items()),
        flags=flags,
        modules=flags.get("modules", ""),
        modules_dir=flags.get("modules_dir", ""),
        hooks=hooks,
        flag_dir=store.flag_directory() if store else None,
        service=(getattr(store, "unit", None) or find_service(root, daemon)) if store else None,
        daemon=daemon,
        **{"%s_url" % daemon: url, "%s_url_from" % daemon: "%s in the configuration files" % how}
    )


REQUIREMENT_HINT = {"pyelftools": "python3-pyelftools", "kazoo": "python3-kazoo"}


def survey(run, which, preflight_modules=None, have_elftools=True, have_kazoo=True, install_requirements=True,
           prefix=None, style="auto", root="/", store_paths=None, read_flags=True, stat=os.stat,
           lock_path=None, lock_stale_after=0, daemon="agent", preflight_files=()):
    """Discovery and the read-only checks of a change, in one pass that never raises.

    Returns dict(facts, problems, requirements_missing). ``problems`` lists everything that
    rules this host out (a command the command hook would refuse, --modules with --modules_dir, a stray file the agent would read,
    no usable Mesos install, another rollout's lock at ``lock_path``) so a playbook can refuse
    the whole change in one message before it writes anything anywhere. Without pyelftools the build-id cannot be read: the facts are
    None and ``requirements_missing`` names it (and kazoo on a master), to be installed and discovered again (or, with
    install_requirements false, it is a problem too).
    """
    problems = preflight.command_problems(preflight_modules, root=root, stat=stat, shipped=preflight_files)
    held = preflight.lock_problem(lock_path, lock_stale_after, root=root) if lock_path else None
    if held:
        problems.append(held)
    missing = [] if have_elftools else ["pyelftools"]
    # A master's rollout reads the masters' ZooKeeper group (zk_group).
    if daemon == "master" and not have_kazoo:
        missing.append("kazoo")
    if missing and not install_requirements:
        problems.extend("%s is not installed (Debian: %s); install it or set mesos_discover_install_requirements=true"
                        % (name, REQUIREMENT_HINT[name]) for name in missing)
    facts = None
    try:
        if not have_elftools:
            # The flags can still be checked; the rest waits for the requirements.
            flags, flag_dir = {}, None
            if read_flags:
                store = flag_stores.make_store(style, root=root, daemon=daemon, **(store_paths or {}))
                flags = dict((name, item["value"]) for name, item in store.read_flags().items())
                flag_dir = store.flag_directory()
        else:
            facts = discover(run, which, prefix=prefix, style=style, root=root, store_paths=store_paths,
                             read_flags=read_flags, daemon=daemon)
            flags, flag_dir = facts["flags"], facts["flag_dir"]
        if read_flags:
            problems.extend(preflight.flag_problems(flags))
            problems.extend(preflight.stray_entries(flags.get("modules_dir"), flag_dir, root))
    except (DiscoveryError, mi.InstallError, flag_stores.FlagStoreError, hook_elf.HookElfError) as e:
        problems.append("discovery: %s" % e)
        facts = None
    return dict(facts=facts, problems=problems, requirements_missing=missing)


def summary_line(host, facts):
    """One line of what discovery found on a host, for the run's output."""
    if not facts:
        return "%s: not discovered" % host
    line = "%s: %sMesos %s at %s, fingerprint %s" % (host, "master, " if facts.get("daemon") == "master" else "",
                                                     facts.get("version"), facts.get("prefix"), facts.get("build_fingerprint"))
    if facts.get("style"):
        line += ", style %s, service %s, hooks [%s]" % (
            facts["style"], facts.get("service"), ",".join(facts.get("hooks") or []))
    return line + (", can build" if facts.get("can_build") else ", cannot build")


def agent_problems(facts, require_kill_mode_process=False, require_healthy=False):
    """What rules a discovered agent (or master) out of a rolling restart (facts with systemd
    properties and health)."""
    problems = []
    daemon = facts.get("daemon") or "agent"
    kill_mode = facts.get("kill_mode")
    # A master has no executors to keep; only an agent's tasks die with its control group.
    if daemon == "agent" and require_kill_mode_process and kill_mode and kill_mode != "process":
        problems.append("%s has KillMode=%s; restarting it kills every executor and task on the agent. Set "
                        "KillMode=process in the unit (Mesos requires it) or set "
                        "mesos_discover_require_kill_mode_process=false to accept the loss"
                        % (facts.get("service"), kill_mode))
    pid, main_pid = facts.get("%s_pid" % daemon), facts.get("main_pid")
    if kill_mode == "process" and pid and str(pid) != str(main_pid):
        problems.append("%s runs a wrapper (pid %s) that forks the %s (pid %s) instead of exec'ing it: with "
                        "KillMode=process a restart stops only the wrapper, the old %s keeps its port and the "
                        "new one cannot bind it. Make the wrapper exec the %s"
                        % (facts.get("service"), main_pid, daemon, pid, daemon, daemon))
    if facts.get("address_problem"):
        problems.append(facts["address_problem"])
    if require_healthy and facts.get("healthy") is False:
        problems.append("%s/health does not answer (address from %s); fix the %s before a rollout"
                        % (facts.get("%s_url" % daemon), facts.get("%s_url_from" % daemon), daemon))
    # Every later read of the agent or its master would be refused as well.
    problems.extend(facts.get("http_refused") or [])
    return problems


def master_url_problems(facts, master_urls):
    """A problem when neither ``master_urls`` (mesos_rollout_master_urls) nor the agent's
    --master gives a master to call (a ZooKeeper URL, a file)."""
    if rollout.master_urls(master_urls, facts):
        return []
    return ["cannot tell the master's HTTP address from --master=%s; set mesos_rollout_master_urls "
            "(e.g. ['http://master1:5050'])" % (facts.get("flags") or {}).get("master", "")]
