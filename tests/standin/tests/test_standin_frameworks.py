"""Frameworks on a stand-in master as on Mesos 1.11 (src/master/master.cpp subscribe, _exited,
frameworkFailoverTimeout, removeFramework; src/master/readonly_handler.cpp FullFrameworkWriter),
with the stand-in scheduler holding its SUBSCRIBE connection; and the master hooks that need an
agent or a framework: masterLaunchTaskResourceDecorator and masterSlaveLostHook."""

import json
import signal

from standin_helpers import (PROBE, get, manifest, pid_alive, post, registered, scheduler,  # noqa: F401
                             wait_for)
from test_standin_zookeeper import raw


def frameworks(m, key="frameworks"):
    return {f["id"]: f for f in get(m.port, "/state")[1][key]}


def flags_of(f):
    return (f["active"], f["connected"], f["recovered"])


def agent_tasks(agent):
    return {t["id"]: t for f in get(agent.port, "/state")[1]["frameworks"]
            for e in f["executors"] + f["completed_executors"]
            for t in e["tasks"] + e["completed_tasks"]}


def task_pid(s, task_id, agent="agent1"):
    """The pid of a task of the test's first agent, from its checkpoint."""
    path = s.log_path.parent / agent / "meta/slaves/latest/tasks" / (task_id + ".json")
    return json.loads(path.read_text())["pid"]


def test_a_framework_is_connected_while_its_scheduler_is(master, run_agent, scheduler, tasks):
    m = master()
    agent = run_agent(master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(agent))
    s = scheduler("127.0.0.1:%d" % m.port, "--task=t1", "--name=web")
    framework_id = s.framework_id()
    # master.cpp newFrameworkId(): <master ID>-<4-digit sequence>.
    assert framework_id == get(m.port, "/state")[1]["id"] + "-0000"
    wait_for(lambda: agent_tasks(agent).get("t1"))
    tasks.append(task_pid(s, "t1"))
    f = frameworks(m)[framework_id]
    assert flags_of(f) == (True, True, False)
    assert (f["name"], f["user"], f["checkpoint"], f["failover_timeout"]) == (
        "web", "root", True, 604800)
    assert "reregistered_time" not in f and f["unregistered_time"] == 0
    assert get(m.port, "/metrics/snapshot")[1]["master/frameworks_connected"] == 1

    # The connection drops: deactivated and disconnected (master.cpp _exited()), kept for its
    # failover timeout with its tasks.
    s.stop(signal.SIGKILL)
    wait_for(lambda: flags_of(frameworks(m)[framework_id]) == (False, False, False))
    assert [t["id"] for t in frameworks(m)[framework_id]["tasks"]] == ["t1"]
    assert "Giving framework %s 1weeks to failover" % framework_id in m.log()

    # The same scheduler again, with its ID: failed over (reregistered_time changes), its task
    # is not launched twice.
    back = scheduler("127.0.0.1:%d" % m.port, "--task=t1", s.args[1])
    wait_for(lambda: flags_of(frameworks(m)[framework_id]) == (True, True, False))
    f = frameworks(m)[framework_id]
    assert f["reregistered_time"] > f["registered_time"]
    assert [t["id"] for t in f["tasks"]] == ["t1"] and back.process.poll() is None
    assert list(frameworks(m)) == [framework_id]


def test_a_framework_not_back_within_its_failover_timeout_is_removed(master, run_agent,
                                                                     scheduler, tasks):
    m = master()
    agent = run_agent(master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(agent))
    s = scheduler("127.0.0.1:%d" % m.port, "--task=t1", "--failover_timeout=1")
    framework_id = s.framework_id()
    task = wait_for(lambda: agent_tasks(agent).get("t1"))
    pid = task_pid(s, "t1")
    tasks.append(pid)
    assert task["state"] == "TASK_RUNNING"
    s.stop(signal.SIGKILL)
    # master.cpp frameworkFailoverTimeout() and removeFramework(): completed, its tasks killed.
    completed = wait_for(lambda: frameworks(m, "completed_frameworks").get(framework_id))
    assert framework_id not in frameworks(m)
    assert flags_of(completed) == (False, False, False) and completed["unregistered_time"] > 0
    assert [(t["id"], t["state"]) for t in completed["completed_tasks"]] == [("t1", "TASK_KILLED")]
    wait_for(lambda: agent_tasks(agent)["t1"]["state"] == "TASK_KILLED")
    wait_for(lambda: not pid_alive(pid))
    # Subscribing again with that ID is refused (master.cpp validateFrameworkSubscription()).
    refused = scheduler("127.0.0.1:%d" % m.port, s.args[1])
    assert refused.wait_exit() == 1
    assert "Received an ERROR event: Framework has been removed" in refused.log()


def test_subscribe_is_checked_as_mesos_does(master):
    m = master()
    assert raw(m.port, "/api/v1/scheduler")[0] == 405
    assert raw(m.port, "/api/v1/scheduler", "POST", "{}")[::2] == (
        400, "Expecting 'Content-Type' to be present")
    call = json.dumps({"type": "SUBSCRIBE", "subscribe": {"framework_info": {"user": "u"}}})
    status, _, body = raw(m.port, "/api/v1/scheduler", "POST", call,
                          {"Content-Type": "application/json"})
    assert (status, body) == (400, "Failed to convert JSON into Call protobuf: Missing required "
                                   "fields: subscribe.framework_info.name")


def test_probe_decorates_the_resources_of_every_task_launched(master, run_agent, scheduler,
                                                             probe, tasks):
    modules = manifest(probe, parameters=[("env_value", "x"), ("task_cpus", "0.25")])
    m = master("--modules=" + json.dumps(modules), "--hooks=" + PROBE)
    agent = run_agent("--resources=cpus:4;mem:1024", master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(agent))
    framework_id = scheduler("127.0.0.1:%d" % m.port).framework_id()
    status, body = post(m.port, "/standin/launch", {
        "framework_id": framework_id, "task_id": "t", "resources": [
            {"name": "cpus", "type": "SCALAR", "scalar": {"value": 2}},
            {"name": "mem", "type": "SCALAR", "scalar": {"value": 64}}]})
    assert status == 200, body
    tasks.append(body["pid"])
    # master.cpp accept(): the decorated resources replace the task's before it is added, so
    # the master and the agent both hold them.
    [task] = frameworks(m)[framework_id]["tasks"]
    assert task["resources"] == {"mem": 64, "cpus": 0.25}
    assert agent_tasks(agent)["t"]["resources"] == {"mem": 64, "cpus": 0.25}


def test_probe_is_told_of_an_agent_marked_unreachable(master, run_agent, probe, tmp_path):
    lost = tmp_path / "lost"
    modules = manifest(probe, parameters=[("env_value", "x"), ("lost_file", str(lost))])
    m = master("--modules=" + json.dumps(modules), "--hooks=" + PROBE,
               "--agent_ping_timeout=1secs", "--max_agent_ping_timeouts=2")
    agent = run_agent(master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(agent))
    agent_id = get(agent.port, "/state")[1]["id"]
    assert not lost.exists()
    # Silent past agent_ping_timeout x max_agent_ping_timeouts: marked unreachable, and
    # master.cpp sendSlaveLost() runs HookManager::masterSlaveLostHook.
    agent.process.send_signal(signal.SIGSTOP)
    try:
        wait_for(lambda: lost.exists() and lost.read_text() == agent_id + "\n", timeout=10)
        assert get(m.port, "/slaves")[1]["slaves"] == []
    finally:
        agent.process.send_signal(signal.SIGCONT)
