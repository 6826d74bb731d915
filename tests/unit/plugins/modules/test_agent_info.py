"""What discovery asks of an agent and its master over HTTP before anything is written."""

import os
import sys

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_discovery
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api
from ansible_collections.mesos_fleet.hooks.plugins.modules import agent_info

# The Mesos-shaped test servers live with the client's tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "module_utils"))
from test_mesos_api import FakeMaster, agent, master  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position


@pytest.fixture(autouse=True)
def no_credentials_after():
    yield
    mesos_api.configure()


def facts_of(agent_server, master_flag=""):
    return {"agent_url": agent_server.url, "flags": {"master": master_flag}, "kill_mode": "process",
            "healthy": True}


def test_an_open_cluster_refuses_nothing(agent, master):
    assert agent_info.refusals(facts_of(agent), [master.url], 2) == []


def test_an_authenticating_agent_and_master_are_named_when_no_credentials_are_given(agent, master):
    agent.authenticate({"ops": "s3cret"})
    master.authenticate({"ops": "s3cret"}, readwrite=False)
    master_flag = master.url[len("http://"):]  # --master=host:port
    found = agent_info.refusals(facts_of(agent, master_flag), [], 2)
    assert len(found) == 2
    assert found[0].startswith(agent.url + "/flags: HTTP 401 Unauthorized (realm mesos-agent-readonly)")
    assert found[1].startswith(master.url + "/flags: HTTP 401 Unauthorized (realm mesos-master-readonly)")
    # Listed among the host's problems, so discovery refuses the change before any write.
    facts = dict(facts_of(agent, master_flag), http_refused=found)
    assert agent_discovery.agent_problems(facts) == found


def test_the_right_credentials_are_accepted(agent, master):
    agent.authenticate({"ops": "s3cret"})
    master.authenticate({"ops": "s3cret"})
    mesos_api.configure(principal="ops", secret="s3cret")
    assert agent_info.refusals(facts_of(agent), [master.url], 2) == []


def test_a_master_is_read_on_its_own_endpoints(master):
    master.flags["hooks"] = "org_a,org_b"
    facts = {"daemon": "master", "master_url": master.url, "kill_mode": "control-group", "healthy": True}
    assert agent_info.elected(master.url, 2) is True
    assert agent_info.running_hooks(master.url, 2) == ["org_a", "org_b"]
    # A master that does not lead answers /flags and /metrics/snapshot itself.
    standby = FakeMaster(leader=master)
    try:
        standby.flags["hooks"] = "org_c"
        assert agent_info.elected(standby.url, 2) is False
        assert agent_info.running_hooks(standby.url, 2) == ["org_c"]
    finally:
        standby.close()
    # A master's unit may kill its control group: it has no executors to keep.
    assert agent_discovery.agent_problems(facts, require_kill_mode_process=True) == []
    master.authenticate({"ops": "s3cret"}, readwrite=False)
    assert agent_info.refusals(facts, [], 2)[0].startswith(master.url + "/flags: HTTP 401")
