"""Masters and agents behind a real ZooKeeper (Debian's zookeeper package, started here on a
free port with its data in the test's tmp dir), as Mesos 1.11 runs them: masters contend
through json.info_<sequence> znodes, the others redirect to the leader, a new leader recovers
the registry and lists the agents as recovered until they re-register."""

import http.client
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import time

import pytest

from standin_helpers import Daemon, free_port, get, post, wait_for

ZOOKEEPER_JAR = "/usr/share/java/zookeeper.jar"
SYSTEM_PYTHON = "/usr/bin/python3"


def kazoo_missing():
    return subprocess.run([SYSTEM_PYTHON, "-c", "import kazoo"], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode != 0


def srvr(port):
    """ZooKeeper's `srvr` four-letter command (the one whitelisted by default)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"srvr")
            return s.recv(4096).decode(errors="replace")
    except OSError:
        return ""


@pytest.fixture
def zookeeper(tmp_path):
    """A standalone ZooKeeper on a free port: host:port. tickTime 200 ms lets sessions be as
    short as 400 ms, so a killed master's znode goes within a second or two."""
    java = shutil.which("java")
    if not os.path.exists(ZOOKEEPER_JAR) or java is None:
        pytest.skip("ZooKeeper is not installed (Debian package zookeeper; scripts/setup "
                    "installs it)")
    if kazoo_missing():
        pytest.skip("the stand-in's ZooKeeper client is not installed (Debian package "
                    "python3-kazoo; scripts/setup installs it)")
    port = free_port()
    home = tmp_path / "zookeeper"
    home.mkdir()
    env = dict(os.environ, HOME=str(home))
    with open(tmp_path / "zookeeper.log", "ab") as out:
        process = subprocess.Popen(
            [java, "-Dzookeeper.admin.enableServer=false", "-Djava.io.tmpdir=%s" % home,
             "-cp", ZOOKEEPER_JAR, "org.apache.zookeeper.server.ZooKeeperServerMain",
             str(port), str(home / "data"), "200"],
            stdout=out, stderr=out, cwd=str(home), env=env)
    try:
        wait_for(lambda: "Mode: standalone" in srvr(port), timeout=30)
        yield "127.0.0.1:%d" % port
    finally:
        process.kill()
        process.wait(10)


def znodes(servers, path):
    """{child: data} under path, read with the system Python's kazoo."""
    script = (
        "import json, sys\n"
        "from kazoo.client import KazooClient\n"
        "zk = KazooClient(hosts=sys.argv[1]); zk.start(timeout=10)\n"
        "print(json.dumps({c: zk.get(sys.argv[2] + '/' + c)[0].decode(errors='replace')"
        " for c in zk.get_children(sys.argv[2])}))\n"
        "zk.stop()\n")
    out = subprocess.run([SYSTEM_PYTHON, "-c", script, servers, path], check=True,
                         stdout=subprocess.PIPE, universal_newlines=True).stdout
    return json.loads(out)


def raw(port, path, method="GET", body=None, headers=None):
    """(status, headers, body) without following redirects."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=3)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read().decode()
    finally:
        connection.close()


def api(port, call):
    return raw(port, "/api/v1", "POST", json.dumps(call), {"Content-Type": "application/json"})


def elected(m):
    try:
        return get(m.port, "/metrics/snapshot")[1]["master/elected"]
    except (OSError, TypeError, KeyError):
        return None


@pytest.fixture
def cluster(prefix, tmp_path, daemons, zookeeper):
    """start_master(*flags, zk=None) and start_agent(*flags) behind the ZooKeeper; masters use
    /mesos, --quorum=2 and a 1 s session."""
    zk = "zk://%s/mesos" % zookeeper
    count = [0]

    def start_master(*flags, zk_value=None):
        count[0] += 1
        name = "master%d" % count[0]
        m = Daemon(os.path.join(prefix, "sbin/mesos-master"), [
            "--port=%d" % free_port(), "--ip=127.0.0.1", "--zk=%s" % (zk_value or zk),
            "--quorum=2", "--zk_session_timeout=1secs", "--work_dir=%s" % (tmp_path / name),
            *flags], tmp_path / (name + ".log"))
        daemons.append(m)
        return m.wait_healthy()

    def start_agent(*flags, master=None):
        a = Daemon(os.path.join(prefix, "sbin/mesos-agent"), [
            "--port=%d" % free_port(), "--ip=127.0.0.1", "--master=%s" % (master or zk),
            "--work_dir=%s" % (tmp_path / "agent"), *flags], tmp_path / "agent.log")
        daemons.append(a)
        return a.wait_healthy()

    start_master.zk, start_master.servers, start_master.agent = zk, zookeeper, start_agent
    start_master.daemons = daemons
    return start_master


def leader_of(masters):
    leaders = [m for m in masters if elected(m) == 1.0]
    others = [m for m in masters if elected(m) == 0.0]
    return leaders[0] if len(leaders) == 1 and len(others) == len(masters) - 1 else None


def test_masters_elect_the_lowest_member_and_the_others_redirect(cluster, tmp_path):
    zk_file = tmp_path / "zk-url"
    zk_file.write_text(cluster.zk + "\n")
    masters = [cluster(), cluster(), cluster(zk_value="file://%s" % zk_file)]
    leader = wait_for(lambda: leader_of(masters))
    state = get(leader.port, "/state")[1]

    # src/master/contender/zookeeper.cpp: each master is an ephemeral sequential znode
    # json.info_<seq> holding its MasterInfo as compact JSON; the lowest sequence leads.
    members = {k: v for k, v in znodes(cluster.servers, "/mesos").items()
               if k.startswith("json.info_")}
    assert len(members) == 3 and all(len(k) == len("json.info_") + 10 for k in members)
    lowest = json.loads(members[min(members)])
    assert lowest["id"] == state["id"] == state["leader_info"]["id"]
    assert list(lowest) == ["id", "ip", "port", "pid", "hostname", "version", "address",
                            "capabilities"]
    assert lowest["ip"] == struct.unpack("=I", socket.inet_aton("127.0.0.1"))[0]
    assert lowest["port"] == leader.port and lowest["pid"] == "master@127.0.0.1:%d" % leader.port
    assert lowest["address"] == {"hostname": state["hostname"], "ip": "127.0.0.1",
                                 "port": leader.port}
    assert members[min(members)] == json.dumps(lowest, separators=(",", ":"))
    assert state["leader"] == lowest["pid"] and "elected_time" in state

    # src/master/http.cpp redirect(): 307 to //<leader hostname>:<port><path>, the path as the
    # master process got it (/master/slaves for /slaves), no body, no Content-Type; as a real
    # Mesos 1.11.0 non-leader answered.
    base = "//%s:%d" % (state["hostname"], leader.port)
    for m in masters:
        if m is leader:
            continue
        status, headers, body = raw(m.port, "/slaves")
        assert (status, headers["Location"], body) == (307, base + "/master/slaves", "")
        assert "Content-Type" not in headers
        assert raw(m.port, "/master/state?a=1")[1]["Location"] == base + "/master/state?a=1"
        status, headers, _ = api(m.port, {"type": "GET_HEALTH"})
        assert (status, headers["Location"]) == (307, base + "/master/api/v1")
        assert raw(m.port, "/api/v1")[0] == 307  # redirected before the method is checked
        assert raw(m.port, "/redirect")[1]["Location"] == base
        assert raw(m.port, "/master/redirect")[1]["Location"] == base
        assert raw(m.port, "/redirect/x")[0::2] == (404, "404 Not Found.")
        assert get(m.port, "/health")[0] == 200
        assert get(m.port, "/flags")[0] == 200
    # The leader's /redirect leads to itself; its other endpoints answer.
    status, headers, _ = raw(leader.port, "/redirect")
    assert (status, headers["Location"]) == (307, base)
    assert get(leader.port, "/slaves") == (200, {"slaves": [], "recovered_slaves": []})


def test_failover_recovers_the_agents_and_they_reregister(cluster, tmp_path, tasks):
    # A master elected alone cannot read the registry: --quorum=2 replicas are needed
    # (src/master/registrar.cpp), so it answers /api/v1 with 503 until a second one is up.
    first = cluster()
    wait_for(lambda: elected(first) == 1.0)
    assert api(first.port, {"type": "GET_HEALTH"})[::2] == (503, "Master has not finished recovery")
    assert raw(first.port, "/api/v1")[::2] == (503, "Master has not finished recovery")
    assert get(first.port, "/slaves") == (200, {"slaves": [], "recovered_slaves": []})
    masters = [first, cluster(), cluster()]
    wait_for(lambda: api(first.port, {"type": "GET_HEALTH"})[0] != 503)
    assert leader_of(masters) is first

    agent = cluster.agent()
    wait_for(lambda: [s["active"] for s in get(first.port, "/slaves")[1]["slaves"]] == [True])
    agent_id = get(agent.port, "/state")[1]["id"]
    task = post(agent.port, "/standin/launch", {"task_id": "t"})[1]
    tasks.append(task["pid"])
    deactivate = {"type": "DEACTIVATE_AGENT", "deactivate_agent": {"agent_id": {"value": agent_id}}}
    assert api(first.port, deactivate)[0] == 200

    # The agent is held still, so that the new leader is seen before it comes back.
    agent.process.send_signal(signal.SIGSTOP)
    killed = time.time()
    first.stop(signal.SIGKILL)
    rest = masters[1:]
    leader = wait_for(lambda: leader_of(rest), timeout=15)
    wait_for(lambda: api(leader.port, {"type": "GET_HEALTH"})[0] != 503)
    slaves = get(leader.port, "/slaves")[1]
    assert slaves == {"slaves": [], "recovered_slaves": [
        {"id": agent_id, "hostname": socket.gethostname(), "port": agent.port, "attributes": {}}]}
    state = get(leader.port, "/state")[1]
    assert state["slaves"] == [] and state["recovered_slaves"] == slaves["recovered_slaves"]
    assert state["elected_time"] > killed
    other = rest[1] if leader is rest[0] else rest[0]
    assert raw(other.port, "/slaves")[1]["Location"].endswith(":%d/master/slaves" % leader.port)

    agent.process.send_signal(signal.SIGCONT)

    def reregistered():
        body = get(leader.port, "/slaves")[1]
        return body["slaves"] if body["slaves"] and not body["recovered_slaves"] else None
    [back] = wait_for(reregistered, timeout=15)
    assert back["id"] == agent_id
    assert back["reregistered_time"] > killed
    assert back["registered_time"] == back["reregistered_time"]  # master.cpp __reregisterSlave
    assert back["deactivated"] and not back["active"]  # the registry kept the deactivation
    assert get(agent.port, "/state")[1]["id"] == agent_id
    assert [t["state"] for f in get(agent.port, "/state")[1]["frameworks"]
            for e in f["executors"] for t in e["tasks"]] == ["TASK_RUNNING"]
    assert "New master detected at master@127.0.0.1:%d" % leader.port in agent.log()


def test_zookeeper_flags_are_checked_as_mesos_does(prefix, tmp_path):
    master = os.path.join(prefix, "sbin/mesos-master")
    agent = os.path.join(prefix, "sbin/mesos-agent")

    def run(binary, *flags):
        result = subprocess.run([binary, "--ip=127.0.0.1", "--port=%d" % free_port(), *flags],
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                universal_newlines=True, timeout=30,
                                env={k: v for k, v in os.environ.items()
                                     if not k.startswith("MESOS_")})
        return result.returncode, result.stdout

    work = "--work_dir=%s" % tmp_path
    code, out = run(master, "--zk=zk://127.0.0.1:2181/mesos")
    assert code == 1 and "--work_dir needed for replicated log based registry" in out
    code, out = run(master, "--zk=zk://127.0.0.1:2181/mesos", work)
    assert code == 1 and ("Need to specify --quorum for replicated log based registry when "
                          "using ZooKeeper") in out
    code, out = run(master, "--zk=zk://127.0.0.1:2181/", "--quorum=1", work)
    assert code == 1 and ("Failed to create a master contender: Expecting a (chroot) path for "
                          "ZooKeeper ('/' is not supported)") in out
    code, out = run(agent, "--master=zk://127.0.0.1:2181", work)
    assert code == 1 and ("Failed to create a master detector: Expecting a (chroot) path for "
                          "ZooKeeper ('/' is not supported)") in out


def test_failover_keeps_agents_and_frameworks_as_mesos_does(cluster, tmp_path, tasks):
    """Three masters (--quorum=2), an agent and a scheduler through ZooKeeper. The leader is
    killed while agent and scheduler are held still: the new leader lists the agent under
    recovered_slaves and knows no framework; the agent re-registers (active again) and the
    framework appears, from its tasks, as recovered (not active, not connected; in
    `frameworks`, never `unregistered_frameworks`); the scheduler re-subscribes with its ID and
    the framework is active and connected again."""
    masters = [cluster(), cluster(), cluster()]
    first = wait_for(lambda: leader_of(masters))
    wait_for(lambda: api(first.port, {"type": "GET_HEALTH"})[0] != 503)
    agent = cluster.agent()
    wait_for(lambda: [s["active"] for s in get(first.port, "/slaves")[1]["slaves"]] == [True])
    agent_id = get(agent.port, "/state")[1]["id"]
    scheduler = Daemon(os.path.join(os.path.dirname(os.path.dirname(agent.binary)),
                                    "bin/mesos-standin-scheduler"),
                       ["--master=" + cluster.zk, "--task=t1", "--zk_session_timeout=1secs",
                        "--framework_id_file=%s" % (tmp_path / "fid")],
                       tmp_path / "scheduler.log", port=0)
    try:
        framework_id = wait_for(lambda: (tmp_path / "fid").exists()
                                and (tmp_path / "fid").read_text().strip())
        assert framework_id.startswith(get(first.port, "/state")[1]["id"])

        def framework(m):
            state = get(m.port, "/state")[1]
            assert state["unregistered_frameworks"] == []
            found = [f for f in state["frameworks"] if f["id"] == framework_id]
            return found[0] if found else None
        checkpoint = tmp_path / "agent/meta/slaves/latest/tasks/t1.json"
        wait_for(lambda: checkpoint.exists() and
                 [t["state"] for t in framework(first)["tasks"]] == ["TASK_RUNNING"])
        tasks.append(json.loads(checkpoint.read_text())["pid"])
        before = framework(first)
        assert (before["active"], before["connected"], before["recovered"]) == (True, True, False)

        agent.process.send_signal(signal.SIGSTOP)
        scheduler.process.send_signal(signal.SIGSTOP)
        first.stop(signal.SIGKILL)
        rest = masters[1:]
        leader = wait_for(lambda: leader_of(rest), timeout=15)
        wait_for(lambda: api(leader.port, {"type": "GET_HEALTH"})[0] != 503)
        state = get(leader.port, "/state")[1]
        assert state["frameworks"] == [] and state["slaves"] == []
        assert [s["id"] for s in state["recovered_slaves"]] == [agent_id]

        agent.process.send_signal(signal.SIGCONT)
        wait_for(lambda: [s["active"] for s in get(leader.port, "/slaves")[1]["slaves"]] == [True],
                 timeout=15)
        assert get(leader.port, "/slaves")[1]["recovered_slaves"] == []
        # master.cpp recoverFramework(): known from the agent only.
        recovered = wait_for(lambda: framework(leader))
        assert (recovered["active"], recovered["connected"], recovered["recovered"]) == (
            False, False, True)
        assert recovered["registered_time"] == 0 and "reregistered_time" not in recovered
        assert [(t["id"], t["state"]) for t in recovered["tasks"]] == [("t1", "TASK_RUNNING")]
        assert recovered["name"] == "mesos-standin-scheduler"

        scheduler.process.send_signal(signal.SIGCONT)
        back = wait_for(lambda: framework(leader)["connected"] and framework(leader), timeout=15)
        assert (back["active"], back["connected"], back["recovered"]) == (True, True, False)
        assert back["registered_time"] > 0 and [t["id"] for t in back["tasks"]] == ["t1"]
        assert "Subscribed with master master@127.0.0.1:%d" % leader.port in scheduler.log()
        # Launched once only.
        assert scheduler.log().count("Task t1 launched") == 1
    finally:
        scheduler.stop(signal.SIGKILL)


def test_every_master_answers_health_flags_and_metrics(cluster):
    """src/master/http.cpp: /health and /flags are served by any master; /metrics/snapshot is
    libprocess's (src/master/metrics.cpp: master/elected 1 on the leader, 0 elsewhere;
    master/uptime_secs). A restarted master joins as a new member with a new ID."""
    masters = [cluster(), cluster(), cluster()]
    leader = wait_for(lambda: leader_of(masters))
    for m in masters:
        assert raw(m.port, "/health")[0] == 200
        status, flags = get(m.port, "/flags")
        assert status == 200 and flags["flags"]["zk"] == cluster.zk
        status, metrics = get(m.port, "/metrics/snapshot")
        assert status == 200
        assert metrics["master/elected"] == (1.0 if m is leader else 0.0)
        assert metrics["master/uptime_secs"] > 0

    follower = next(m for m in masters if m is not leader)
    before = {k: json.loads(v) for k, v in znodes(cluster.servers, "/mesos").items()
              if k.startswith("json.info_")}
    old = next(v for v in before.values() if v["port"] == follower.port)
    follower.stop(signal.SIGKILL)
    wait_for(lambda: len([k for k in znodes(cluster.servers, "/mesos")
                          if k.startswith("json.info_")]) == 2, timeout=15)
    again = Daemon(follower.binary, follower.args, str(follower.log_path) + ".2")
    cluster.daemons.append(again)
    again.wait_healthy()
    after = wait_for(lambda: {k: json.loads(v) for k, v in znodes(cluster.servers, "/mesos").items()
                              if k.startswith("json.info_") and json.loads(v)["port"] == again.port})
    [(name, info)] = after.items()
    assert name > max(before) and info["id"] != old["id"]
    assert set(info) >= {"id", "ip", "port", "pid", "hostname", "address"}
    assert info["address"] == {"hostname": info["hostname"], "ip": "127.0.0.1", "port": again.port}
