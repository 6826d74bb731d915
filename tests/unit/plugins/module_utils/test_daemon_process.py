# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import daemon_process as ap


def fake_process(proc, pid, argv, environ=None, children=()):
    """A /proc/<pid> with the files daemon_process reads."""
    base = proc / str(pid)
    (base / "task" / str(pid)).mkdir(parents=True)
    (base / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    (base / "environ").write_bytes(b"\0".join(("%s=%s" % kv).encode() for kv in (environ or {}).items()))
    (base / "task" / str(pid) / "children").write_text(" ".join(str(c) for c in children))


def no_run(argv):
    raise AssertionError("nothing to run: %r" % (argv,))


@pytest.mark.parametrize("flags, environ, url, how", [
    ({}, {}, "http://127.0.0.1:5051", "no address set (it serves on all)"),
    ({"ip": "0.0.0.0", "port": "5052"}, {}, "http://127.0.0.1:5052", "--ip"),
    ({"ip": "10.1.2.3"}, {"LIBPROCESS_IP": "10.9.9.9"}, "http://10.1.2.3:5051", "--ip"),
    ({}, {"LIBPROCESS_IP": "10.9.9.9"}, "http://10.9.9.9:5051", "LIBPROCESS_IP"),
    ({"ip": "10.1.2.3"}, {"LIBPROCESS_SSL_ENABLED": "true"}, "https://10.1.2.3:5051", "--ip"),
    ({}, {"LIBPROCESS_SSL_ENABLED": "1"}, "https://127.0.0.1:5051", "no address set (it serves on all)"),
    ({}, {"LIBPROCESS_SSL_ENABLED": "false"}, "http://127.0.0.1:5051", "no address set (it serves on all)"),
    ({"ip": "fd00::5"}, {}, "http://[fd00::5]:5051", "--ip"),
], ids=["default", "any-address", "ip-wins-over-env", "libprocess-ip", "tls", "tls-1", "tls-off", "ipv6"])
def test_agent_url(flags, environ, url, how):
    assert ap.daemon_url(flags, environ, no_run) == (url, how)


def test_agent_url_runs_the_discovery_command_with_a_shell_and_trims_it():
    calls = []

    def run(argv):
        calls.append(argv)
        return 0, " 10.4.5.6\n", ""

    assert ap.daemon_url({"ip_discovery_command": "/opt/mesosphere/bin/detect_ip"}, {}, run) == (
        "http://10.4.5.6:5051", "--ip_discovery_command")
    assert calls == [["/bin/sh", "-c", "/opt/mesosphere/bin/detect_ip"]]


def test_a_failing_discovery_command_is_an_address_error():
    with pytest.raises(ap.AddressError, match=r"--ip_discovery_command=detect failed \(exit 2\): no route"):
        ap.daemon_url({"ip_discovery_command": "detect"}, {}, lambda argv: (2, "", "no route\n"))


def test_flags_of_a_process_command_line_wins_over_its_environment():
    process = {"argv": ["/usr/bin/python3", "/opt/mesos/sbin/mesos-agent", "--IP=10.0.0.1", "--strict",
                        "--no-hostname_lookup", "positional", "--", "--port=1"],
               "environ": {"MESOS_IP": "10.0.0.9", "MESOS_PORT": "5055", "MESOS_": "x", "PATH": "/bin"}}
    assert ap.flags(process) == {"ip": "10.0.0.1", "port": "5055", "strict": "true",
                                 "hostname_lookup": "false"}


def test_running_agent_url_reads_the_units_main_process(tmp_path):
    fake_process(tmp_path, 812, ["/usr/sbin/mesos-slave", "--master=zk://zk1:2181/mesos", "--port=5052"],
                 {"LIBPROCESS_IP": "10.0.0.12", "LIBPROCESS_SSL_ENABLED": "true"})
    assert ap.running_url("812", no_run, proc=str(tmp_path)) == (
        "https://10.0.0.12:5052", "LIBPROCESS_IP of the running agent (pid 812)", 812)


def test_running_agent_url_follows_a_wrapper_that_forks(tmp_path):
    fake_process(tmp_path, 700, ["/bin/bash", "/opt/site/start-agent"], {}, children=[701])
    fake_process(tmp_path, 701, ["/opt/mesos/sbin/mesos-agent", "--ip=10.0.0.7"])
    assert ap.running_url(700, no_run, proc=str(tmp_path)) == (
        "http://10.0.0.7:5051", "--ip of the running agent (pid 701)", 701)


@pytest.mark.parametrize("pid", [None, "0", "999"], ids=["no-unit", "stopped", "gone"])
def test_running_agent_url_is_none_without_an_agent_process(tmp_path, pid):
    fake_process(tmp_path, 5, ["/bin/sleep", "100"])
    assert ap.running_url(pid, no_run, proc=str(tmp_path)) is None
    assert ap.running_url(5, no_run, proc=str(tmp_path)) is None


def test_ip_and_ip_discovery_command_together_are_what_mesos_refuses():
    with pytest.raises(ap.AddressError, match=r"^Only one of `--ip` or `--ip_discovery_command` should be specified"):
        ap.daemon_url({"ip": "10.0.0.1", "ip_discovery_command": "detect"}, {}, no_run)


def test_running_master_url_reads_the_master_not_an_agent_on_the_same_host(tmp_path):
    # A host with both daemons: each unit's process is read for its own daemon only.
    fake_process(tmp_path, 900, ["/usr/sbin/mesos-master", "--zk=zk://zk1:2181/mesos", "--quorum=2"],
                 {"MESOS_IP": "10.0.0.20"})
    fake_process(tmp_path, 901, ["/usr/sbin/mesos-agent", "--ip=10.0.0.21"])
    assert ap.running_url(900, no_run, proc=str(tmp_path), daemon="master") == (
        "http://10.0.0.20:5050", "--ip of the running master (pid 900)", 900)
    assert ap.running_url(901, no_run, proc=str(tmp_path), daemon="master") is None
    assert ap.running_url(900, no_run, proc=str(tmp_path)) is None
