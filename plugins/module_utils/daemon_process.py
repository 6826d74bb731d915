# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The running agent's or master's own command line and environment, and the address it serves on.

The configuration files are not the whole truth: an init wrapper (DC/OS's ip-detect, many site
scripts) computes flags such as ``--ip`` when it starts the daemon, so the address is taken from
the process the daemon's unit runs, read from /proc, and from the files only when none runs.
Agent and master take their address the same way (src/slave/main.cpp, src/master/main.cpp).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import glob
import os

BINARIES = {"agent": ("mesos-agent", "mesos-slave"), "master": ("mesos-master",)}
DEFAULT_PORTS = {"agent": "5051", "master": "5050"}


class AddressError(ValueError):
    """The daemon's address cannot be told; the message says why."""


def read(pid, proc="/proc"):
    """``dict(pid, argv, environ)`` of process ``pid``, or None when it cannot be read."""
    base = os.path.join(proc, str(pid))
    try:
        with open(os.path.join(base, "cmdline"), "rb") as handle:
            argv = [a.decode("utf-8", "replace") for a in handle.read().split(b"\0")]
        with open(os.path.join(base, "environ"), "rb") as handle:
            entries = [e.decode("utf-8", "replace") for e in handle.read().split(b"\0")]
    except (IOError, OSError):
        return None
    if argv and argv[-1] == "":
        argv.pop()
    environ = dict(e.split("=", 1) for e in entries if "=" in e)
    return dict(pid=int(pid), argv=argv, environ=environ)


def daemon_args(argv, daemon="agent"):
    """The arguments after the daemon's binary in ``argv`` (it may run under an interpreter or a
    wrapper), or None when ``argv`` does not run that daemon."""
    for i, arg in enumerate(argv):
        if os.path.basename(arg) in BINARIES[daemon]:
            return argv[i + 1:]
    return None


def _children(pid, proc):
    found = []
    for path in sorted(glob.glob(os.path.join(proc, str(pid), "task", "*", "children"))):
        try:
            with open(path) as handle:
                found.extend(int(c) for c in handle.read().split())
        except (IOError, OSError, ValueError):
            continue
    return found


def find_daemon(main_pid, proc="/proc", daemon="agent"):
    """The daemon's process of a unit whose main process is ``main_pid``: that process when it
    runs the daemon's binary (the usual wrappers exec it), else the first child that does."""
    if not main_pid or str(main_pid) == "0":
        return None
    for pid in [main_pid] + _children(main_pid, proc):
        process = read(pid, proc)
        if process and daemon_args(process["argv"], daemon) is not None:
            return process
    return None


def flags(process, daemon="agent"):
    """The flags ``process`` runs with: its ``MESOS_*`` variables, overridden by its
    ``--name=value`` arguments, as stout's flag loader takes them (the command line wins; a bare
    ``--name`` is true, ``--no-name`` false; parsing stops at ``--``)."""
    result = {}
    for name, value in process["environ"].items():
        if name.startswith("MESOS_") and len(name) > 6:
            result[name[6:].lower()] = value
    for arg in daemon_args(process["argv"], daemon) or []:
        arg = arg.strip()
        if arg == "--":
            break
        if not arg.startswith("--"):
            continue
        name, eq, value = arg[2:].partition("=")
        if not eq:
            name, value = (name[3:], "false") if name.startswith("no-") else (name, "true")
        result[name.lower()] = value
    return result


def _true(value):
    # stout parses a bool as "true" or "1" (stout/flags/parse.hpp).
    return value in ("true", "1")


def daemon_url(daemon_flags, environ=None, run=None, daemon="agent"):
    """``(url, how)``: the daemon's HTTP endpoint as seen from its own host, and where its
    address came from.

    It serves on the address its main() gives libprocess (src/slave/main.cpp, src/master/main.cpp): the
    output of ``--ip_discovery_command`` (run by a shell, trimmed), else ``--ip``, else the
    ``LIBPROCESS_IP`` it was started with, else every address (reached on 127.0.0.1); on
    ``--port``. It speaks TLS when started with ``LIBPROCESS_SSL_ENABLED`` true.
    ``run(argv) -> (rc, out, err)`` runs the discovery command.
    """
    environ = environ or {}
    command = daemon_flags.get("ip_discovery_command")
    if command and daemon_flags.get("ip"):
        # src/slave/main.cpp and src/master/main.cpp: the daemon exits at start with exactly this.
        raise AddressError("Only one of `--ip` or `--ip_discovery_command` should be specified: the %s "
                           "has both (--ip=%s, --ip_discovery_command=%s) and will not start" % (daemon, daemon_flags["ip"], command))
    if command:
        if run is None:
            raise AddressError("--ip_discovery_command=%s cannot be run here" % command)
        rc, out, err = run(["/bin/sh", "-c", command])
        if rc != 0 or not (out or "").strip():
            raise AddressError("--ip_discovery_command=%s failed (exit %d): %s; the %s cannot "
                               "start with it either" % (command, rc, (err or out or "no output").strip()[:200], daemon))
        host, how = out.strip(), "--ip_discovery_command"
    elif daemon_flags.get("ip"):
        host, how = daemon_flags["ip"], "--ip"
    elif environ.get("LIBPROCESS_IP"):
        host, how = environ["LIBPROCESS_IP"], "LIBPROCESS_IP"
    else:
        host, how = "0.0.0.0", "no address set (it serves on all)"
    if host == "0.0.0.0":
        host = "127.0.0.1"
    if ":" in host:
        host = "[%s]" % host
    scheme = "https" if _true(environ.get("LIBPROCESS_SSL_ENABLED")) else "http"
    return "%s://%s:%s" % (scheme, host, daemon_flags.get("port") or DEFAULT_PORTS[daemon]), how


def running_url(main_pid, run, proc="/proc", daemon="agent"):
    """``(url, how, pid)``: daemon_url() of the daemon the unit runs as process ``main_pid`` (or
    as its child), ``how`` naming the process; None when no such process can be read (not
    running, or not ours to read)."""
    process = find_daemon(main_pid, proc, daemon)
    if process is None:
        return None
    url, how = daemon_url(flags(process, daemon), process["environ"], run, daemon)
    return url, "%s of the running %s (pid %d)" % (how, daemon, process["pid"]), process["pid"]


def local_addresses():
    """The IPv4 addresses of this host's interfaces, as a master's MasterInfo gives them
    (libprocess's address, src/master/master.cpp)."""
    import fcntl
    import socket
    import struct
    found = set(["127.0.0.1"])
    try:
        names = [name for _index, name in socket.if_nameindex()]
    except (AttributeError, OSError):
        return found
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        for name in names:
            try:
                # SIOCGIFADDR: the interface's IPv4 address, at bytes 20-24 of the ifreq.
                packed = fcntl.ioctl(sock.fileno(), 0x8915, struct.pack("256s", name[:15].encode()))
                found.add(socket.inet_ntoa(packed[20:24]))
            except OSError:
                continue
    finally:
        sock.close()
    return found
