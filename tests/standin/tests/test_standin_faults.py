"""Test-only fault knobs of the stand-in agent (<work_dir>/standin-fault[.once])."""

import os
import time

from standin_helpers import get, post, registered, wait_for
from test_standin_cluster import running_tasks, slaves


def armed(run_agent, master, tmp_path, tasks, fault=None, name="standin-fault.once"):
    """An agent registered with a running task, stopped, with `fault` written for its next start.
    Returns (work_dir, start, agent_id, master); start() runs the agent again on the same port."""
    m = master()
    work_dir = tmp_path / "work"
    common = dict(work_dir=work_dir, master="127.0.0.1:%d" % m.port)
    first = run_agent("--executor_reregistration_timeout=300ms", **common).wait_healthy()
    wait_for(lambda: registered(first))
    agent_id = get(first.port, "/state")[1]["id"]
    task = post(first.port, "/standin/launch", {"task_id": "before"})[1]
    tasks.append(task["pid"])
    first.stop()
    if fault:
        (work_dir / name).write_text(fault + "\n")

    def start():
        return run_agent("--executor_reregistration_timeout=300ms", port=first.port,
                         **common).wait_healthy()
    return work_dir, start, agent_id, m


def test_no_register_once_then_registers_again(run_agent, master, tmp_path, tasks):
    work_dir, start, agent_id, m = armed(run_agent, master, tmp_path, tasks, "no-register")
    silent = start()
    assert not (work_dir / "standin-fault.once").exists()
    time.sleep(1.5)
    assert not registered(silent)
    assert not slaves(m)[agent_id]["active"]
    assert get(silent.port, "/state")[1]["id"] == agent_id  # recovered, only not re-registered
    assert "Stand-in fault injected: no-register" in silent.log()
    silent.stop()

    again = start()
    wait_for(lambda: registered(again))
    assert slaves(m)[agent_id]["active"]
    assert running_tasks(again) == {"before": "TASK_RUNNING"}


def test_no_register_persists_while_the_file_exists(run_agent, master, tmp_path, tasks):
    work_dir, start, agent_id, m = armed(run_agent, master, tmp_path, tasks, "no-register",
                                         name="standin-fault")
    for dummy in range(2):
        agent = start()
        time.sleep(1.0)
        assert not registered(agent)
        agent.stop()
    assert (work_dir / "standin-fault").exists()


def test_new_agent_id_kills_the_old_tasks_and_sticks(run_agent, master, tmp_path, tasks):
    # A real agent that starts as a new one destroys the old ID's containers as orphans and
    # checkpoints its new ID (src/slave/containerizer/mesos/containerizer.cpp __recover,
    # src/slave/slave.cpp registered()): nothing brings the old ID or its tasks back.
    work_dir, start, agent_id, m = armed(run_agent, master, tmp_path, tasks, "new-agent-id")
    task_pid = tasks[-1]
    stranger = start()
    wait_for(lambda: registered(stranger))
    new_id = get(stranger.port, "/state")[1]["id"]
    assert new_id and new_id != agent_id
    assert running_tasks(stranger) == {}
    wait_for(lambda: not alive(task_pid))
    assert set(slaves(m)) >= {agent_id, new_id}
    stranger.stop()

    back = start()
    wait_for(lambda: registered(back))
    assert get(back.port, "/state")[1]["id"] == new_id
    assert running_tasks(back) == {}


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open("/proc/%d/stat" % pid) as f:  # a zombie is gone for our purpose
        return f.read().rsplit(")", 1)[1].split()[0] != "Z"


def test_unknown_fault_stops_the_agent(run_agent, tmp_path):
    work_dir = tmp_path / "work"
    work_dir.mkdir()
    (work_dir / "standin-fault").write_text("explode\n")
    agent = run_agent(work_dir=work_dir)
    assert agent.wait_exit() == 1
    assert "Unknown stand-in fault(s)" in agent.log()
