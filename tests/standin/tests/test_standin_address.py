"""The address a daemon binds and advertises, as Mesos 1.11 sets it: src/slave/main.cpp and
src/master/main.cpp export LIBPROCESS_IP from --ip_discovery_command or --ip, and libprocess binds
LIBPROCESS_IP (0.0.0.0 when unset) and LIBPROCESS_PORT (3rdparty/libprocess/src/process.cpp)."""

import os

import pytest

from standin_helpers import Daemon, free_port, get


def start(prefix, tmp_path, daemons, *flags, role="agent", env=None, host="127.0.0.1"):
    port = free_port()
    args = ["--port=%d" % port, *flags]
    if role == "agent":
        args += ["--work_dir=%s" % (tmp_path / "work"), "--master=127.0.0.1:%d" % free_port()]
    daemon = Daemon(os.path.join(prefix, "sbin/mesos-" + role), args, tmp_path / "log", env,
                    host=host)
    daemons.append(daemon)
    return daemon


def answers(host, port):
    try:
        return get(port, "/health", host)[0] == 200
    except OSError:
        return False


@pytest.mark.parametrize("role", ["agent", "master"])
def test_ip_discovery_command_output_is_the_only_address(prefix, tmp_path, daemons, role):
    daemon = start(prefix, tmp_path, daemons, "--ip_discovery_command=echo '  127.0.0.2 '",
                   role=role, host="127.0.0.2").wait_healthy()
    assert not answers("127.0.0.1", daemon.port)
    pid = get(daemon.port, "/state", "127.0.0.2")[1]["pid"]
    assert pid.endswith("@127.0.0.2:%d" % daemon.port)


def test_discovery_command_from_the_environment(prefix, tmp_path, daemons):
    # DC/OS sets MESOS_IP_DISCOVERY_COMMAND.
    daemon = start(prefix, tmp_path, daemons, env={"MESOS_IP_DISCOVERY_COMMAND": "echo 127.0.0.2"},
                   host="127.0.0.2").wait_healthy()
    assert not answers("127.0.0.1", daemon.port)


def test_libprocess_ip_alone_binds_there(prefix, tmp_path, daemons):
    daemon = start(prefix, tmp_path, daemons, env={"LIBPROCESS_IP": "127.0.0.3"},
                   host="127.0.0.3").wait_healthy()
    assert not answers("127.0.0.1", daemon.port)
    assert get(daemon.port, "/state", "127.0.0.3")[1]["pid"].endswith("@127.0.0.3:%d" % daemon.port)


def test_ip_flag_wins_over_libprocess_ip(prefix, tmp_path, daemons):
    daemon = start(prefix, tmp_path, daemons, "--ip=127.0.0.2", env={"LIBPROCESS_IP": "127.0.0.3"},
                   host="127.0.0.2").wait_healthy()
    assert not answers("127.0.0.3", daemon.port)


def test_no_address_binds_every_interface(prefix, tmp_path, daemons):
    daemon = start(prefix, tmp_path, daemons).wait_healthy()
    assert answers("127.0.0.2", daemon.port)


@pytest.mark.parametrize("role", ["agent", "master"])
def test_ip_and_discovery_command_together_exit(prefix, tmp_path, daemons, role):
    daemon = start(prefix, tmp_path, daemons, "--ip=127.0.0.1", "--ip_discovery_command=echo 127.0.0.2",
                   role=role)
    assert daemon.wait_exit() == 1
    assert ("EXIT with status 1: Only one of `--ip` or `--ip_discovery_command` should be specified"
            in daemon.log())


@pytest.mark.parametrize("command, message", [
    ("echo out; exit 3", "Failed to execute 'echo out; exit 3'; the command was either not found or "
                         "exited with a non-zero exit status: 3"),
    ("kill -TERM $$", "Running 'kill -TERM $$' was interrupted by signal 'Terminated'"),
    ("echo not-an-ip", "Failed to load flag 'ip': Failed to load value 'not-an-ip': "
                       "Failed to parse IP as either IPv4 or IPv6:not-an-ip"),
])
def test_failing_discovery_command_exits(prefix, tmp_path, daemons, command, message):
    daemon = start(prefix, tmp_path, daemons, "--ip_discovery_command=" + command)
    assert daemon.wait_exit() == 1
    assert "EXIT with status 1: " + message in daemon.log()
