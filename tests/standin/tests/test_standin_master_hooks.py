"""Hooks on the master: loaded and refused as on the agent, and masterLaunchTaskLabelDecorator
run on every task launched through the master (src/hook/manager.cpp, src/master/master.cpp)."""

import json
import os

import pytest

from standin_helpers import (PROBE, Daemon, environ_of, free_port, get, manifest, post, registered,
                             scheduler, wait_for)  # noqa: F401 (scheduler is a fixture)

APP = {"key": "app", "value": "web"}


@pytest.fixture
def cluster(master, run_agent, scheduler):
    """cluster(*master_flags): a master with these flags, an agent registered with it and a
    subscribed framework; (master, agent, agent ID). launch() uses the framework."""
    def start(*master_flags):
        m = master(*master_flags)
        agent = run_agent(master="127.0.0.1:%d" % m.port).wait_healthy()
        wait_for(lambda: registered(agent))
        m.framework_id = scheduler("127.0.0.1:%d" % m.port).framework_id()
        return m, agent, get(agent.port, "/state")[1]["id"]
    return start


def launch(m, agent_id, task_id, tasks, labels=None):
    payload = {"framework_id": m.framework_id, "agent_id": agent_id, "task_id": task_id}
    if labels is not None:
        payload["labels"] = {"labels": labels}
    status, body = post(m.port, "/standin/launch", payload)
    assert status == 200, body
    tasks.append(body["pid"])
    return body


def master_task(m, task_id):
    tasks = [t for f in get(m.port, "/state")[1]["frameworks"] for t in f["tasks"]]
    return next(t for t in tasks if t["id"] == task_id)


def agent_task(agent, task_id):
    tasks = [t for f in get(agent.port, "/state")[1]["frameworks"] for e in f["executors"]
             for t in e["tasks"]]
    return next(t for t in tasks if t["id"] == task_id)


def test_probe_on_the_master_labels_the_task_the_agent_runs(cluster, probe, tasks):
    modules = manifest(probe, parameters=[("env_value", "x"), ("label_key", "fleet"),
                                          ("label_value", "probed")])
    m, agent, agent_id = cluster("--modules=" + json.dumps(modules),
                                 "--hooks=" + PROBE)
    assert get(m.port, "/flags")[1]["flags"]["hooks"] == PROBE

    body = launch(m, agent_id, "t1", tasks, [APP])
    assert body["state"] == "TASK_RUNNING"
    # The agent runs the task the hook decorated (the RunTaskMessage's labels); /state writes
    # Labels as an array of Label objects (src/common/http.cpp json(Task)).
    assert agent_task(agent, "t1")["labels"] == [APP, {"key": "fleet", "value": "probed"}]
    # The master keeps the task as the framework gave it: master.cpp addTask() comes before
    # the decorator, which sets the labels of the message to the agent only.
    task = master_task(m, "t1")
    assert task["labels"] == [APP]
    assert (task["state"], task["slave_id"]) == ("TASK_RUNNING", agent_id)
    framework = get(m.port, "/state")[1]["frameworks"][0]
    assert framework["id"] == agent_task(agent, "t1")["framework_id"] == body["framework_id"]
    # The probe's agent-side method is not run by a master.
    assert "MESOS_FLEET_PROBE" not in environ_of(body["pid"])


def test_hooks_run_in_order_each_seeing_the_previous_labels(cluster, probe, build_module,
                                                            tasks):
    seen, failing = build_module("odd_seen", LABELS=1), build_module("odd_fail", LABELS_ERROR=1)
    modules = {"libraries": [
        manifest(probe, parameters=[("env_value", "x"), ("label_key", "fleet")])["libraries"][0],
        {"file": seen, "modules": [{"name": "odd_seen"}]},
        {"file": failing, "modules": [{"name": "odd_fail"}]}]}
    m, agent, agent_id = cluster("--modules=" + json.dumps(modules),
                                 "--hooks=%s,odd_seen,odd_fail" % PROBE)

    launch(m, agent_id, "t1", tasks, [APP])
    # The probe adds a label without a value (no label_value); odd_seen saw it; odd_fail's
    # Error is logged and leaves the labels as they were (src/hook/manager.cpp).
    assert agent_task(agent, "t1")["labels"] == [
        APP, {"key": "fleet"}, {"key": "odd_seen", "value": "app,fleet,"}]
    assert master_task(m, "t1")["labels"] == [APP]
    assert ("Master label decorator hook failed for module 'odd_fail': odd label decorator "
            "failed") in m.log()


def test_a_hook_without_the_method_leaves_the_labels_alone(cluster, probe, build_module,
                                                           tasks):
    # Neither a hook that does not override the method nor the probe without label_key
    # changes the labels; with hooks loaded the task sent to the agent always has Labels,
    # empty when the framework gave none (master.cpp sets them to the decorator's result).
    plain = build_module("odd_plain", DECORATE=1)
    modules = {"libraries": [
        manifest(probe, parameters=[("env_value", "x")])["libraries"][0],
        {"file": plain, "modules": [{"name": "odd_plain"}]}]}
    m, agent, agent_id = cluster("--modules=" + json.dumps(modules),
                                 "--hooks=odd_plain," + PROBE)

    launch(m, agent_id, "labelled", tasks, [APP, {"key": "bare"}])
    launch(m, agent_id, "unlabelled", tasks)
    assert agent_task(agent, "labelled")["labels"] == [APP, {"key": "bare"}]
    assert agent_task(agent, "unlabelled")["labels"] == []
    assert master_task(m, "labelled")["labels"] == [APP, {"key": "bare"}]
    assert "labels" not in master_task(m, "unlabelled")


def test_without_hooks_the_master_passes_the_labels_on(cluster, tasks):
    m, agent, agent_id = cluster()
    [framework] = get(m.port, "/state")[1]["frameworks"]
    assert (framework["id"], framework["tasks"]) == (m.framework_id, [])
    launch(m, agent_id, "labelled", tasks, [APP])
    launch(m, agent_id, "unlabelled", tasks)
    assert agent_task(agent, "labelled")["labels"] == master_task(m, "labelled")["labels"] == [APP]
    assert "labels" not in agent_task(agent, "unlabelled")
    assert "labels" not in master_task(m, "unlabelled")
    # A task launched on the agent directly joins the same framework.
    status, direct = post(agent.port, "/standin/launch", {"task_id": "direct"})
    tasks.append(direct["pid"])
    frameworks = get(agent.port, "/state")[1]["frameworks"]
    assert [len(f["executors"]) for f in frameworks] == [3]


def test_launch_through_the_master_refuses_bad_requests(cluster, tasks):
    m, agent, agent_id = cluster()
    framework = {"framework_id": m.framework_id}
    assert post(m.port, "/standin/launch", {"agent_id": agent_id})[0] == 400
    # Only a subscribed framework launches (src/master/http.cpp scheduler()).
    assert post(m.port, "/standin/launch", {"framework_id": "other", "agent_id": agent_id}) == (
        403, "Framework is not subscribed")
    assert post(m.port, "/standin/launch", dict(framework, agent_id="nope")) == (
        400, "Unknown or disconnected agent 'nope'")
    assert post(m.port, "/standin/launch", dict(framework, agent_id=agent_id,
                                                labels=[APP]))[0] == 400
    launch(m, agent_id, "t", tasks)
    assert post(m.port, "/standin/launch", dict(framework, agent_id=agent_id, task_id="t")) == (
        400, "Task ID 't' is already used")
    # An ID the agent refuses: its answer, and the master forgets the task.
    status, _ = post(m.port, "/standin/launch", dict(framework, agent_id=agent_id, task_id="a/b"))
    assert status == 400
    assert [t["id"] for t in get(m.port, "/state")[1]["frameworks"][0]["tasks"]] == ["t"]


def test_master_whose_hook_cannot_be_created_exits(prefix, probe, tmp_path):
    modules = manifest(probe, parameters=[("env_value", "x"), ("fail_create", "true")])
    m = Daemon(os.path.join(prefix, "sbin/mesos-master"),
               ["--port=%d" % free_port(), "--ip=127.0.0.1", "--modules=" + json.dumps(modules),
                "--hooks=" + PROBE], tmp_path / "master.log")
    assert m.wait_exit() == 1
    # src/master/main.cpp, as the agent's: EXIT(EXIT_FAILURE) << "Error installing hooks: ".
    assert ("Error installing hooks: Failed to instantiate hook module '%s': Error creating "
            "Module instance for '%s'" % (PROBE, PROBE)) in m.log()
    assert not m.healthy()
