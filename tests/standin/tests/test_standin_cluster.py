"""Agent restarts, re-registration with the master, and the operator API."""

import http.server
import json
import os
import signal
import subprocess
import threading
import time

from standin_helpers import PROBE, environ_of, get, manifest, pid_alive, post, registered, wait_for


def slaves(m):
    return {s["id"]: s for s in get(m.port, "/slaves")[1]["slaves"]}


def running_tasks(agent):
    state = get(agent.port, "/state")[1]
    return {t["id"]: t["state"] for f in state["frameworks"] for e in f["executors"]
            for t in e["tasks"]}


def test_restart_keeps_agent_id_and_tasks(run_agent, master, probe, tmp_path, tasks):
    m = master()
    work_dir = tmp_path / "work"
    hooks = ["--modules=%s" % json.dumps(manifest(probe)), "--hooks=" + PROBE]
    common = dict(work_dir=work_dir, master="127.0.0.1:%d" % m.port)
    first = run_agent("--executor_reregistration_timeout=500ms", **common).wait_healthy()
    wait_for(lambda: registered(first))
    agent_id = get(first.port, "/state")[1]["id"]
    assert list(slaves(m)) == [agent_id]
    before = post(first.port, "/standin/launch", {"task_id": "before"})[1]
    tasks.append(before["pid"])
    assert before["agent_id"] == agent_id

    first.stop()  # SIGTERM: like `systemctl restart` with KillMode=process
    assert pid_alive(before["pid"])
    wait_for(lambda: not slaves(m)[agent_id]["active"])  # disconnected at once

    second = run_agent("--executor_reregistration_timeout=500ms", *hooks, port=first.port,
                       **common).wait_healthy()
    wait_for(lambda: registered(second))
    assert get(second.port, "/state")[1]["id"] == agent_id
    assert running_tasks(second) == {"before": "TASK_RUNNING"}
    assert get(second.port, "/metrics/snapshot")[1]["slave/recovery_errors"] == 0.0
    agent = slaves(m)[agent_id]
    assert agent["active"] and not agent["deactivated"]
    assert agent["reregistered_time"] >= agent["registered_time"]
    assert "Re-registered with master" in second.log()

    # The task from before the hook has no hook variable; a new one has it.
    assert "MESOS_FLEET_PROBE" not in environ_of(before["pid"])
    after = post(second.port, "/standin/launch", {"task_id": "after"})[1]
    tasks.append(after["pid"])
    assert environ_of(after["pid"])["MESOS_FLEET_PROBE"] == "probe-ok"
    assert running_tasks(second) == {"before": "TASK_RUNNING", "after": "TASK_RUNNING"}


def test_recovery_answers_as_mesos_does(run_agent, master, tmp_path, tasks):
    # src/slave/http.cpp: /state is 503 until recovery ends, which with a recovered framework is
    # when --executor_reregistration_timeout expires; /health, /flags and /metrics/snapshot
    # answer throughout. slave/registered is 1 once the master is detected (slave.hpp
    # _registered()), not once the master has accepted the agent.
    m = master()
    common = dict(work_dir=tmp_path / "work", master="127.0.0.1:%d" % m.port)
    first = run_agent("--executor_reregistration_timeout=3secs", **common).wait_healthy()
    wait_for(lambda: registered(first))
    tasks.append(post(first.port, "/standin/launch", {"task_id": "t"})[1]["pid"])
    first.stop()
    second = run_agent("--executor_reregistration_timeout=3secs", port=first.port, **common).wait_healthy()
    assert get(second.port, "/state") == (503, "Agent has not finished recovery")
    assert get(second.port, "/flags")[0] == 200
    assert get(second.port, "/metrics/snapshot")[1]["slave/registered"] == 0.0
    wait_for(lambda: get(second.port, "/state")[0] == 200, timeout=10)
    wait_for(lambda: registered(second))


def test_a_detected_master_that_never_accepts_still_reads_registered(run_agent, master, tmp_path):
    m = master()
    work_dir = tmp_path / "work"
    work_dir.mkdir()
    (work_dir / "standin-fault").write_text("no-register\n")
    agent = run_agent(work_dir=work_dir, master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: get(agent.port, "/metrics/snapshot")[1]["slave/registered"] == 1.0)
    time.sleep(0.5)
    assert not registered(agent) and get(m.port, "/slaves")[1]["slaves"] == []


def test_task_gone_while_agent_down_is_reported_failed(run_agent, master, tmp_path, tasks):
    m = master()
    common = dict(work_dir=tmp_path / "work", master="127.0.0.1:%d" % m.port)
    first = run_agent(**common).wait_healthy()
    wait_for(lambda: registered(first))
    task = post(first.port, "/standin/launch", {"task_id": "victim"})[1]
    tasks.append(task["pid"])
    first.stop(signal.SIGKILL)
    os.killpg(task["pid"], signal.SIGKILL)
    wait_for(lambda: not pid_alive(task["pid"]))

    second = run_agent(port=first.port, **common).wait_healthy()
    state = get(second.port, "/state")[1]
    assert running_tasks(second) == {}
    completed = [t for f in state["frameworks"] for e in f["completed_executors"]
                 for t in e["completed_tasks"]]
    assert [(t["id"], t["state"]) for t in completed] == [("victim", "TASK_FAILED")]


def test_task_exit_and_kill_are_tracked(run_agent, master, tasks):
    m = master()
    agent = run_agent(master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(agent))
    quick = post(agent.port, "/standin/launch", {"task_id": "quick", "command": "exit 3"})[1]
    long = post(agent.port, "/standin/launch", {"task_id": "long"})[1]
    tasks.append(long["pid"])
    assert post(agent.port, "/standin/kill", {"task_id": "long"})[0] == 200

    def states():
        state = get(agent.port, "/state")[1]
        return {t["id"]: t["state"] for f in state["frameworks"]
                for e in f["completed_executors"] for t in e["completed_tasks"]}
    wait_for(lambda: states() == {"quick": "TASK_FAILED", "long": "TASK_KILLED"})
    wait_for(lambda: not pid_alive(long["pid"]))
    assert quick["state"] == "TASK_RUNNING"


def test_deactivate_and_reactivate_agent(run_agent, master, tmp_path):
    m = master()
    common = dict(work_dir=tmp_path / "work", master="127.0.0.1:%d" % m.port)
    agent = run_agent(**common).wait_healthy()
    wait_for(lambda: registered(agent))
    agent_id = get(agent.port, "/state")[1]["id"]

    def call(kind):
        return post(m.port, "/api/v1", {"type": kind, kind.lower(): {
            "agent_id": {"value": agent_id}}})

    assert call("REACTIVATE_AGENT") == (400, "Agent is not deactivated")
    assert call("DEACTIVATE_AGENT") == (200, None)
    assert slaves(m)[agent_id]["active"] is False
    assert slaves(m)[agent_id]["deactivated"] is True
    state = get(m.port, "/state")[1]
    assert (state["activated_slaves"], state["deactivated_slaves"]) == (0, 1)

    # Deactivation outlasts the agent's restart (a deactivated agent is never active: only its
    # reregistered_time tells it is back).
    since = slaves(m)[agent_id].get("reregistered_time", 0)
    agent.stop()
    agent = run_agent(port=agent.port, **common).wait_healthy()
    wait_for(lambda: slaves(m)[agent_id].get("reregistered_time", 0) > since)
    assert slaves(m)[agent_id]["active"] is False
    assert call("REACTIVATE_AGENT") == (200, None)
    assert slaves(m)[agent_id]["active"] is True
    assert slaves(m)[agent_id]["deactivated"] is False


def test_operator_api_errors(master):
    m = master()
    assert post(m.port, "/api/v1", {"type": "DEACTIVATE_AGENT", "deactivate_agent": {
        "agent_id": {"value": "nope"}}}) == (400, "Unknown agent")
    assert post(m.port, "/api/v1", "not a call")[0] == 400
    assert post(m.port, "/api/v1", {"type": "DEACTIVATE_AGENT"},
                content_type="text/plain")[0] == 415
    assert get(m.port, "/api/v1") == (405, "405 Method Not Allowed. Expecting one of { 'POST' }, but received 'GET'.")


def test_silent_agent_is_disconnected_then_unreachable(run_agent, master, tmp_path):
    m = master("--agent_ping_timeout=1secs", "--max_agent_ping_timeouts=2")
    common = dict(work_dir=tmp_path / "work", master="127.0.0.1:%d" % m.port)
    agent = run_agent(**common).wait_healthy()
    wait_for(lambda: registered(agent))
    agent_id = get(agent.port, "/state")[1]["id"]
    agent.stop(signal.SIGKILL)  # no goodbye: only the ping timeout notices
    start = time.time()
    wait_for(lambda: not slaves(m)[agent_id]["active"], timeout=5)
    wait_for(lambda: agent_id not in slaves(m), timeout=5)
    assert time.time() - start >= 1.0
    assert get(m.port, "/state")[1]["unreachable_slaves"] == 1

    back = run_agent(port=agent.port, **common).wait_healthy()
    wait_for(lambda: registered(back))
    assert slaves(m)[agent_id]["active"] is True
    assert get(m.port, "/state")[1]["unreachable_slaves"] == 0


class CountingMaster:
    """A master that only takes registrations, with a ping pace of its choosing, and counts pings."""

    def __init__(self, ping_interval=None):
        self.pings = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                reply = {"pid": "master@127.0.0.1:%d" % outer.port}
                if self.path == "/standin/register":
                    reply["agent_id"] = "counted-S0"
                    if ping_interval is not None:
                        reply["ping_interval"] = ping_interval
                else:
                    outer.pings.append(time.time())
                body = json.dumps(reply).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def pings_in(self, seconds):
        wait_for(lambda: self.pings, timeout=5)
        start = time.time()
        time.sleep(seconds)
        return len([t for t in self.pings if start <= t < start + seconds])


def test_agent_pings_at_the_pace_the_master_gives(run_agent, tmp_path):
    fast = CountingMaster(ping_interval=0.2)
    silent = CountingMaster()
    try:
        run_agent(master="127.0.0.1:%d" % fast.port).wait_healthy()
        run_agent(master="127.0.0.1:%d" % silent.port).wait_healthy()
        assert 7 <= fast.pings_in(2.0) <= 11
        # A master that names no pace gets a ping every second.
        assert 1 <= silent.pings_in(2.0) <= 3
    finally:
        fast.server.shutdown()
        silent.server.shutdown()


def test_master_asks_for_three_pings_per_timeout_and_keeps_live_agents(run_agent, master, tmp_path):
    default = master()
    reply = post(default.port, "/standin/register", {"hostname": "h", "port": 1, "pid": "slave(1)@h:1"})[1]
    assert reply["ping_interval"] == 5.0  # --agent_ping_timeout=15secs

    m = master("--agent_ping_timeout=1secs", "--max_agent_ping_timeouts=2")
    agent = run_agent(work_dir=tmp_path / "work", master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(agent))
    agent_id = get(agent.port, "/state")[1]["id"]
    deadline = time.time() + 3.0
    while time.time() < deadline:
        assert slaves(m)[agent_id]["active"] is True
        time.sleep(0.1)


def test_unreadable_task_checkpoint(run_agent, master, tmp_path):
    m = master()
    common = dict(work_dir=tmp_path / "work", master="127.0.0.1:%d" % m.port)
    first = run_agent(**common).wait_healthy()
    wait_for(lambda: registered(first))
    agent_id = get(first.port, "/state")[1]["id"]
    first.stop()
    checkpoint = tmp_path / "work/meta/slaves" / agent_id / "tasks/broken.json"
    checkpoint.parent.mkdir(parents=True)
    checkpoint.write_text("{not json")

    strict = run_agent(port=first.port, **common)  # --strict=true is the default
    assert strict.wait_exit() == 1
    assert "EXIT with status 1: Failed to perform recovery: Failed to read task " \
           "checkpoint '%s'" % checkpoint in strict.log()
    assert "rm -f %s" % (tmp_path / "work/meta/slaves/latest") in strict.log()

    lenient = run_agent("--no-strict", port=first.port, **common).wait_healthy()
    wait_for(lambda: registered(lenient))
    assert get(lenient.port, "/metrics/snapshot")[1]["slave/recovery_errors"] == 1.0
    assert get(lenient.port, "/state")[1]["id"] == agent_id


def test_task_cli(run_agent, master, prefix, tasks):
    m = master()
    agent = run_agent(master="127.0.0.1:%d" % m.port).wait_healthy()
    wait_for(lambda: registered(agent))
    cli = [os.path.join(prefix, "bin/mesos-standin-task")]
    address = "127.0.0.1:%d" % agent.port
    out = subprocess.run(cli + ["launch", "--agent", address, "--task-id", "cli",
                                "--env", "OWN=kept"], stdout=subprocess.PIPE, check=True)
    task = json.loads(out.stdout)
    tasks.append(task["pid"])
    assert environ_of(task["pid"])["OWN"] == "kept"
    assert running_tasks(agent) == {"cli": "TASK_RUNNING"}
    again = subprocess.run(cli + ["launch", "--agent", address, "--task-id", "cli"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert again.returncode == 1 and b"already used" in again.stderr
    subprocess.run(cli + ["kill", "--agent", address, "--task-id", "cli"], check=True,
                   stdout=subprocess.DEVNULL)
    wait_for(lambda: not pid_alive(task["pid"]))
    assert running_tasks(agent) == {}
