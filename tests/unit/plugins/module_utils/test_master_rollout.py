"""One master's rollout in one call, against three Mesos-shaped masters over HTTP, their ZooKeeper
group, and a fake systemd whose restart makes the master run what its files on the (temporary)
host say, rejoin the group under a new member, and hand leadership on when it led."""

import os
import sys

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import master_gates as mg
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import master_rollout as mr
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import zk_group

from file_trees import OTHER_MANIFEST, read_tree, write_tree

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_mesos_api import AGENT_ID, FakeMaster, pb_text  # noqa: E402 pylint: disable=wrong-import-position

SO = "/var/lib/mesos-fleet-hooks/artifacts/label/%s/liblabel_hook.so" % ("c" * 64)
LABEL = "org_fleet_Label"
PRESENT = [dict(file=SO, modules=[dict(name=LABEL, parameters={"key": "team"})], hooks=[LABEL])]
QUICK = dict((name, 0.8) for name in mg.GATE_ORDER)
STEP = dict((name, 0.05) for name in mg.GATE_ORDER)
ZK = "zk://zk1:2181/mesos"
FRAMEWORK = "fw-0001"
MASTER_FILES = {"etc/mesos-master/modules": "/etc/mesos/modules.json\n",
                "etc/mesos-master/hooks": "com_example_Other\n",
                "etc/mesos-master/zk": ZK + "\n",
                "etc/mesos-master/quorum": "2\n",
                "etc/mesos/modules.json": OTHER_MANIFEST}


class Cluster(object):
    """Three masters electing through a ZooKeeper group (a list of members here): the lowest
    member leads, the others redirect to it (src/master/detector/zookeeper.cpp)."""

    def __init__(self):
        self.masters = [FakeMaster(), FakeMaster(), FakeMaster()]
        self.members = []
        self.seq = 0
        for master in self.masters:
            master.flags.update(zk=ZK, quorum="2", registry="replicated_log",
                                hooks="com_example_Other",
                                modules=pb_text([{"file": "/usr/lib/libother.so", "modules": [{"name": "com_example_Other"}]}]))
            master.down = False
            self.join(master)
        self.elect()
        leader = self.leader()
        leader.add_agent(AGENT_ID, "slave(1)@127.0.0.1:5051")
        leader.frameworks[FRAMEWORK] = {"id": FRAMEWORK, "active": True, "connected": True}

    def port(self, master):
        return master.httpd.server_address[1]

    def join(self, master):
        self.seq += 1
        self.members.append(dict(seq=self.seq, znode="json.info_%010d" % self.seq, info={
            "id": master.master_id, "hostname": "master-%d" % self.port(master),
            "address": {"ip": "127.0.0.1", "port": self.port(master)}}))

    def leave(self, master):
        self.members = [m for m in self.members if m["info"]["address"]["port"] != self.port(master)]

    def leader(self):
        return [m for m in self.masters if m.leader is None and not m.down][0]

    def elect(self):
        """The lowest member leads; the new leader learns the agents and frameworks (they
        re-register and re-subscribe with it)."""
        old = [m for m in self.masters if m.leader is None]
        lowest = sorted(self.members, key=lambda m: m["seq"])[0]
        new = [m for m in self.masters if self.port(m) == lowest["info"]["address"]["port"]][0]
        for master in self.masters:
            master.leader = None if master is new else new
        for previous in old:
            if previous is not new:
                new.agents.update(previous.agents)
                new.frameworks.update(previous.frameworks)

    def zk_members(self, url, timeout):
        assert url == ZK
        return [dict(m) for m in sorted(self.members, key=lambda m: m["seq"])]

    def close(self):
        for master in self.masters:
            master.close()


class FakeSystemd(object):
    """``systemctl restart`` of one master: it runs what its files say; one asked to load the
    module ``refuse`` never starts (Mesos exits at start on a hook module it cannot load)."""

    def __init__(self, cluster, master, root, refuse=None):
        self.cluster, self.master, self.root, self.refuse = cluster, master, root, refuse
        self.restarts = []

    def restart(self, service, daemon_reload=False, run=None):
        flags = dict((k, v["value"]) for k, v in
                     flag_stores.make_store("auto", root=self.root, daemon="master").read_flags().items())
        import json
        with open(os.path.join(self.root, flags["modules"].lstrip("/"))) as handle:
            libraries = json.load(handle)["libraries"]
        self.restarts.append((service, flags.get("hooks")))
        master, cluster = self.master, self.cluster
        was_leader = master.leader is None
        cluster.leave(master)
        master.down = bool(self.refuse and self.refuse in flags.get("hooks", "").split(","))
        if not master.down:
            master.flags["hooks"] = flags.get("hooks", "")
            master.flags["modules"] = pb_text([dict(file=lib["file"], modules=[
                dict(name=m["name"], parameters=[(q["key"], q["value"]) for q in m.get("parameters", [])])
                for m in lib["modules"]]) for lib in libraries])
            cluster.join(master)
        if was_leader:
            cluster.elect()
        return 0.01

    @staticmethod
    def run(argv, timeout=None):
        return 1, "", "no systemd here"


def down_aware(master):
    answer = master._respond

    def respond(method, path, body, headers):
        if master.down:
            return None, None, None  # nothing listens
        return answer(method, path, body, headers)
    master._respond = respond


@pytest.fixture
def cluster():
    found = Cluster()
    for master in found.masters:
        down_aware(master)
    yield found
    found.close()


@pytest.fixture
def host(tmp_path):
    return write_tree(tmp_path / "host", MASTER_FILES)


def options(host, tmp_path, cluster, master, systemd, check_mode=False, **kw):
    p = dict(present=PRESENT, absent=[], absent_files=[], secrets={}, position="append", style="auto",
             managed_path="/etc/mesos-fleet-hooks/modules.json", dir_file_name="50-mesos-fleet-hooks.json",
             lock_path=str(tmp_path / "state/rollout.lock"), snapshot_dir=str(tmp_path / "state/snapshots"),
             backup_dir=str(tmp_path / "state/backup"), service="mesos-master", run_id="run-1",
             lock_stale_after=0, host="master1", root=host, master_url=master.url,
             master_urls=[m.url for m in cluster.masters], timeouts=QUICK, intervals=STEP,
             request_timeout=2, canary_command=None)
    p.update(kw)
    return mr.Options(p, check_mode=check_mode, restart=systemd.restart, run=systemd.run,
                      addresses=lambda: set(["127.0.0.1"]), zk_members=cluster.zk_members)


def standby(cluster):
    return [m for m in cluster.masters if m.leader is not None][0]


def test_a_standby_master_is_rolled_with_its_leader_and_cluster_untouched(cluster, host, tmp_path):
    master = standby(cluster)
    leader = cluster.leader()
    systemd = FakeSystemd(cluster, master, host)
    record = mr.roll_out(options(host, tmp_path, cluster, master, systemd))
    assert record["result"] == "updated" and record["reached"] == "done", record
    assert record["role"] == "standby" and record["daemon"] == "master"
    assert record["hooks_after"] == ["com_example_Other", LABEL]
    assert master.flags["hooks"] == "com_example_Other," + LABEL
    assert [gate["name"] for gate in record["gates"]] == ["health", "flags", "group", "leader", "agents", "frameworks"]
    assert cluster.leader() is leader and record["leader_after"] == record["leader_before"] == leader.url
    assert record["lock_released"] and len(systemd.restarts) == 1

    again = mr.roll_out(options(host, tmp_path, cluster, master, systemd, run_id="run-2"))
    assert again["result"] == "unchanged" and len(systemd.restarts) == 1


def test_the_leader_is_rolled_and_another_master_leads_after(cluster, host, tmp_path):
    leader = cluster.leader()
    systemd = FakeSystemd(cluster, leader, host)
    record = mr.roll_out(options(host, tmp_path, cluster, leader, systemd))
    assert record["result"] == "updated", record
    assert record["role"] == "leader" and record["leader_before"] == leader.url
    assert cluster.leader() is not leader and record["leader_after"] == cluster.leader().url
    agents = [g for g in record["gates"] if g["name"] == "agents"][0]
    assert agents["details"]["agents"] == 1


def test_a_master_that_refuses_the_hook_is_rolled_back_onto_its_files(cluster, host, tmp_path):
    master = standby(cluster)
    leader = cluster.leader()
    before = read_tree(host)
    systemd = FakeSystemd(cluster, master, host, refuse=LABEL)
    record = mr.roll_out(options(host, tmp_path, cluster, master, systemd))
    assert record["result"] == "rolled_back", record
    assert "gate 'health' failed" in record["message"]
    restarted_with = [hooks for _service, hooks in systemd.restarts]
    assert record["rollback"]["passed"] and restarted_with == ["com_example_Other," + LABEL, "com_example_Other"]
    assert read_tree(host) == before and master.flags["hooks"] == "com_example_Other"
    # A standby master failed: the leader never changed.
    assert cluster.leader() is leader


def test_a_restart_that_would_lose_the_quorum_is_refused_with_nothing_written(cluster, host, tmp_path):
    master = standby(cluster)
    other = [m for m in cluster.masters if m is not master and m.leader is not None][0]
    cluster.leave(other)  # one master of three is down already; --quorum=2
    before = read_tree(host)
    systemd = FakeSystemd(cluster, master, host)
    record = mr.roll_out(options(host, tmp_path, cluster, master, systemd))
    assert record["result"] == "failed" and record["reached"] == "read"
    assert "would leave 1 master(s) running" in record["message"] and "--quorum=2 needs 2" in record["message"]
    assert read_tree(host) == before and systemd.restarts == []


def test_a_framework_that_does_not_come_back_fails_the_gate(cluster, host, tmp_path):
    leader = cluster.leader()
    systemd = FakeSystemd(cluster, leader, host)

    restart = systemd.restart

    def restart_losing_the_scheduler(service, daemon_reload=False, run=None):
        # The scheduler does not follow the new leader until the change is undone.
        seconds = restart(service, daemon_reload, run)
        cluster.leader().frameworks[FRAMEWORK]["connected"] = len(systemd.restarts) > 1
        return seconds
    systemd.restart = restart_losing_the_scheduler
    record = mr.roll_out(options(host, tmp_path, cluster, leader, systemd))
    assert record["result"] == "rolled_back", record
    assert "gate 'frameworks' failed" in record["message"] and FRAMEWORK in record["message"]


def test_check_mode_reads_and_plans_but_writes_and_restarts_nothing(cluster, host, tmp_path):
    master = standby(cluster)
    before = read_tree(host)
    systemd = FakeSystemd(cluster, master, host)
    record = mr.roll_out(options(host, tmp_path, cluster, master, systemd, check_mode=True))
    assert record["result"] == "updated" and record["changed"]
    assert read_tree(host) == before and systemd.restarts == []


def test_zk_group_live_members_keep_the_newest_of_each_address():
    old = dict(seq=1, znode="json.info_0000000001", info={"address": {"ip": "10.0.0.1", "port": 5050}})
    other = dict(seq=2, znode="json.info_0000000002", info={"pid": "master@10.0.0.2:5050"})
    new = dict(seq=3, znode="json.info_0000000003", info={"address": {"ip": "10.0.0.1", "port": 5050}})
    assert zk_group.live([old, other, new]) == [other, new]
    assert zk_group.own([other, new], {"10.0.0.1"}, 5050) is new
    assert zk_group.leader(zk_group.live([old, other, new])) is other


@pytest.mark.parametrize("url, parsed", [
    ("zk://zk1:2181,zk2:2181/mesos", ("zk1:2181,zk2:2181", "/mesos", None)),
    ("zk://ops:s3cret@zk1:2181/mesos/", ("zk1:2181", "/mesos", ("digest", "ops:s3cret"))),
])
def test_zk_url(url, parsed):
    assert zk_group.parse_url(url) == parsed


@pytest.mark.parametrize("url", ["zk1:2181/mesos", "zk://zk1:2181", "zk://zk1:2181/"])
def test_bad_zk_url(url):
    with pytest.raises(zk_group.ZkError):
        zk_group.parse_url(url)
