"""Isolator modules and --isolation, as Mesos 1.11.0's containerizer creates and calls them
(src/slave/containerizer/mesos/containerizer.cpp), including an agent restarted with an
isolator added to or removed from --isolation under running tasks."""

import json
import os
import subprocess

import pytest

from standin_helpers import (PROBE, STANDIN, environ_of, get, manifest, pid_alive, post,
                             registered, wait_for)

ISOLATOR = "org_mesos_fleet_ProbeIsolator"
CONTAINERIZER = "EXIT with status 1: Failed to create a containerizer: Could not create " \
                "MesosContainerizer: "


@pytest.fixture(scope="session")
def probe_isolator(prefix):
    return os.path.join(prefix, "lib/mesos/probe/libprobe_isolator.so")


def isolator_modules(path, **parameters):
    parameters.setdefault("env_value", "isolated")
    return "--modules=%s" % json.dumps(manifest(path, ISOLATOR, sorted(parameters.items())))


def records(path):
    """The probe's record file as [[method, container id, ...]]."""
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [line.split() for line in f.read().splitlines()]


def running_tasks(agent):
    state = get(agent.port, "/state")[1]
    return {t["id"]: t["state"] for f in state["frameworks"] for e in f["executors"]
            for t in e["tasks"]}


def container_of(agent, task_id):
    state = get(agent.port, "/state")[1]
    return next(e["container"] for f in state["frameworks"]
                for e in f["executors"] + f["completed_executors"] if e["id"] == task_id)


def test_isolator_module_prepares_every_task(run_agent, master, probe_isolator, tmp_path, tasks):
    record = tmp_path / "calls"
    m = master()
    isolation = "posix/cpu,posix/mem," + ISOLATOR
    agent = run_agent(isolator_modules(probe_isolator, record_file=str(record)),
                      "--isolation=" + isolation, master="127.0.0.1:%d" % m.port).wait_healthy()
    assert get(agent.port, "/flags")[1]["flags"]["isolation"] == isolation
    # create() ran, nothing else yet: no checkpointed containers to recover.
    assert records(record) == []

    wait_for(lambda: registered(agent))
    status, task = post(agent.port, "/standin/launch", {"task_id": "t1",
                                                        "environment": {"OWN": "1"}})
    assert status == 200 and task["state"] == "TASK_RUNNING", task
    tasks.append(task["pid"])
    env = environ_of(task["pid"])
    assert env["MESOS_FLEET_PROBE_ISOLATOR"] == "isolated"  # from prepare()'s launch info
    assert env["OWN"] == "1"
    container = container_of(agent, "t1")
    # prepare() before the process exists, isolate() with its pid.
    assert records(record) == [["prepare", container], ["isolate", container, str(task["pid"])]]

    statistics = get(agent.port, "/monitor/statistics")[1]
    assert [(s["executor_id"], s["framework_id"]) for s in statistics] == [
        ("t1", task["framework_id"])]
    assert statistics[0]["statistics"]["mem_rss_bytes"] > 0  # the probe's usage()
    assert statistics[0]["statistics"]["timestamp"] > 0

    assert post(agent.port, "/standin/kill", {"task_id": "t1"})[0] == 200
    wait_for(lambda: ["cleanup", container] in records(record))
    assert not pid_alive(task["pid"])
    assert get(agent.port, "/monitor/statistics")[1] == []


def test_loaded_isolator_not_in_isolation_is_not_used(run_agent, master, probe_isolator,
                                                      tmp_path, tasks):
    record = tmp_path / "calls"
    m = master()
    agent = run_agent(isolator_modules(probe_isolator, record_file=str(record)),
                      master="127.0.0.1:%d" % m.port).wait_healthy()
    assert get(agent.port, "/flags")[1]["flags"]["isolation"] == "posix/cpu,posix/mem"
    wait_for(lambda: registered(agent))
    task = post(agent.port, "/standin/launch", {"task_id": "t1"})[1]
    tasks.append(task["pid"])
    assert "MESOS_FLEET_PROBE_ISOLATOR" not in environ_of(task["pid"])
    assert records(record) == []
    assert "mem_rss_bytes" not in get(agent.port, "/monitor/statistics")[1][0]["statistics"]


def test_builtin_and_deprecated_isolator_names_are_accepted(run_agent):
    agent = run_agent("--isolation=filesystem/linux,cgroups/cpu,cgroups/mem,disk/du,process,"
                      "network/cni,namespaces/pid,volume/sandbox_path").wait_healthy()
    log = agent.log()
    assert "The 'process' isolation flag is deprecated, please update your flags to " \
           "'--isolation=posix/cpu,posix/mem'." in log
    assert "Using isolation { cgroups/cpu, cgroups/mem, disk/du, environment_secret, " \
           "filesystem/linux, namespaces/pid, network/cni, posix/cpu, posix/mem, volume/host_path, " \
           "volume/image, volume/sandbox_path }" in log


@pytest.mark.parametrize("isolation,error", [
    ("posix/cpu,posix/mem,org_example_Missing",
     "Unknown or unsupported isolator 'org_example_Missing'"),
    # Not in a default Linux build (configure --enable-network-ports-isolator).
    ("network/ports", "Unknown or unsupported isolator 'network/ports'"),
    # Tokens are not trimmed.
    ("posix/cpu, posix/mem", "Unknown or unsupported isolator ' posix/mem'"),
    # A loaded module of another kind is not an isolator (ModuleManager::contains<Isolator>).
    ("posix/cpu," + PROBE, "Unknown or unsupported isolator '%s'" % PROBE),
    ("posix/cpu,posix/mem,posix/cpu",
     "Duplicate entries found in --isolation flag '[ posix/cpu, posix/mem, posix/cpu ]'"),
    ("filesystem/posix,filesystem/linux",
     "Using multiple filesystem isolators simultaneously is disallowed"),
    ("gpu/nvidia", "Failed to create isolator 'gpu/nvidia': Cannot create the Nvidia GPU "
                   "isolator: NVML is not available"),
])
def test_isolation_refused(run_agent, probe, isolation, error):
    agent = run_agent("--modules=%s" % json.dumps(manifest(probe)), "--isolation=" + isolation)
    assert agent.wait_exit() == 1
    assert CONTAINERIZER + error in agent.log()


def test_isolation_not_checked_without_mesos_containerizer(run_agent):
    run_agent("--containerizers=docker", "--isolation=nonsense").wait_healthy()


@pytest.mark.parametrize("parameters", [{"fail_create": "true"}, {"unknown": "x"}])
def test_failed_isolator_create(run_agent, probe_isolator, parameters):
    agent = run_agent(isolator_modules(probe_isolator, **parameters),
                      "--isolation=posix/cpu,posix/mem," + ISOLATOR)
    assert agent.wait_exit() == 1
    assert CONTAINERIZER + "Failed to create isolator '%s': Error creating Module instance for " \
                           "'%s'" % (ISOLATOR, ISOLATOR) in agent.log()


def test_isolator_module_is_verified_like_a_hook(run_agent, prefixes, tmp_path):
    out = tmp_path / "build"
    subprocess.run(["cmake", "-S", os.path.join(STANDIN, "probe_isolator"), "-B", str(out),
                    "-DMESOS_PREFIX=" + prefixes["new"]], check=True, stdout=subprocess.DEVNULL)
    subprocess.run(["cmake", "--build", str(out)], check=True, stdout=subprocess.DEVNULL)
    newer = str(out / "libprobe_isolator.so")
    agent = run_agent(isolator_modules(newer), "--isolation=" + ISOLATOR)
    assert agent.wait_exit() == 1
    assert "EXIT with status 1: Error loading modules: Error verifying module '%s': Mesos has " \
           "version 1.11.0, but module is compiled with version 1.12.0" % ISOLATOR in agent.log()


def test_isolator_module_is_not_a_hook(run_agent, probe_isolator):
    agent = run_agent(isolator_modules(probe_isolator), "--hooks=" + ISOLATOR)
    assert agent.wait_exit() == 1
    assert "Error installing hooks: No hook module named '%s' available" % ISOLATOR \
        in agent.log()


# --- restarts with a changed --isolation ---------------------------------------------------

def restart_common(m, tmp_path):
    return dict(work_dir=tmp_path / "work", master="127.0.0.1:%d" % m.port)


def test_isolator_added_under_running_task_recovers_it(run_agent, master, probe_isolator,
                                                       tmp_path, tasks):
    """Nothing records which isolators a container was launched with: a new isolator's
    recover() is given every recovered container, then cleans up one it never prepared."""
    record = tmp_path / "calls"
    m = master()
    common = restart_common(m, tmp_path)
    first = run_agent("--executor_reregistration_timeout=200ms", **common).wait_healthy()
    wait_for(lambda: registered(first))
    task = post(first.port, "/standin/launch", {"task_id": "old"})[1]
    tasks.append(task["pid"])
    container = container_of(first, "old")
    first.stop()
    assert pid_alive(task["pid"])

    second = run_agent("--executor_reregistration_timeout=200ms",
                       isolator_modules(probe_isolator, record_file=str(record)),
                       "--isolation=posix/cpu,posix/mem," + ISOLATOR, port=first.port,
                       **common).wait_healthy()
    wait_for(lambda: registered(second))
    assert records(record) == [["recover", container, str(task["pid"])]]
    assert running_tasks(second) == {"old": "TASK_RUNNING"}
    # Its environment is what it was launched with.
    assert "MESOS_FLEET_PROBE_ISOLATOR" not in environ_of(task["pid"])
    # usage() now reports it: the probe took the pid from the ContainerState.
    assert get(second.port, "/monitor/statistics")[1][0]["statistics"]["mem_rss_bytes"] > 0

    post(second.port, "/standin/kill", {"task_id": "old"})
    wait_for(lambda: ["cleanup", container] in records(record))
    assert [r[0] for r in records(record)] == ["recover", "cleanup"]  # never prepared


def test_added_isolator_that_fails_recovery_stops_the_agent(run_agent, master, probe_isolator,
                                                            tmp_path, tasks):
    m = master()
    common = restart_common(m, tmp_path)
    first = run_agent(**common).wait_healthy()
    wait_for(lambda: registered(first))
    task = post(first.port, "/standin/launch", {"task_id": "old"})[1]
    tasks.append(task["pid"])
    container = container_of(first, "old")
    agent_id = get(first.port, "/state")[1]["id"]
    first.stop()

    second = run_agent(isolator_modules(probe_isolator, fail_recover="true"),
                       "--isolation=posix/cpu,posix/mem," + ISOLATOR, port=first.port, **common)
    assert second.wait_exit() == 1
    log = second.log()
    assert "EXIT with status 1: Failed to perform recovery: Probe isolator cannot recover " \
           "container %s\nIf recovery failed due to a change in configuration" % container in log
    assert "rm -f %s" % (tmp_path / "work/meta/slaves/latest") in log
    assert pid_alive(task["pid"])  # a failing agent does not touch its tasks

    # Without the task, the same configuration starts: recover() gets no container.
    os.killpg(task["pid"], 9)
    wait_for(lambda: not pid_alive(task["pid"]))
    third = run_agent(isolator_modules(probe_isolator, fail_recover="true"),
                      "--isolation=posix/cpu,posix/mem," + ISOLATOR, port=first.port, **common)
    # The dead task's container is still recovered (its run is not completed): it fails again.
    assert third.wait_exit() == 1
    assert "Probe isolator cannot recover container %s" % container in third.log()
    # Back without the isolator, the agent recovers and the task is failed.
    fourth = run_agent(port=first.port, **common).wait_healthy()
    wait_for(lambda: registered(fourth))
    assert get(fourth.port, "/state")[1]["id"] == agent_id
    state = get(fourth.port, "/state")[1]
    assert [t["state"] for f in state["frameworks"] for e in f["completed_executors"]
            for t in e["completed_tasks"]] == ["TASK_FAILED"]


def test_isolator_removed_under_running_task(run_agent, master, probe_isolator, tmp_path,
                                             tasks):
    """A removed isolator is simply not created: its containers recover and run on, and it is
    never told about them again (no recover(), usage() or cleanup())."""
    record = tmp_path / "calls"
    m = master()
    common = restart_common(m, tmp_path)
    modules = isolator_modules(probe_isolator, record_file=str(record))
    first = run_agent("--executor_reregistration_timeout=200ms", modules,
                      "--isolation=posix/cpu,posix/mem," + ISOLATOR, **common).wait_healthy()
    wait_for(lambda: registered(first))
    task = post(first.port, "/standin/launch", {"task_id": "kept"})[1]
    tasks.append(task["pid"])
    container = container_of(first, "kept")
    assert [r[0] for r in records(record)] == ["prepare", "isolate"]
    first.stop()

    # The module stays loaded (same --modules); only --isolation changes.
    second = run_agent("--executor_reregistration_timeout=200ms", modules, port=first.port,
                       **common).wait_healthy()
    wait_for(lambda: registered(second))
    assert running_tasks(second) == {"kept": "TASK_RUNNING"}
    assert environ_of(task["pid"])["MESOS_FLEET_PROBE_ISOLATOR"] == "isolated"
    assert "mem_rss_bytes" not in get(second.port, "/monitor/statistics")[1][0]["statistics"]
    post(second.port, "/standin/kill", {"task_id": "kept"})
    wait_for(lambda: not pid_alive(task["pid"]))
    wait_for(lambda: get(second.port, "/monitor/statistics")[1] == [])
    # No cleanup ever reaches the isolator that prepared the container.
    assert records(record) == [["prepare", container], ["isolate", container, str(task["pid"])]]
