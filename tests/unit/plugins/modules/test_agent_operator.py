import json
import os
import sys

from ansible_collections.mesos_fleet.hooks.plugins.modules import agent_operator

# The Mesos-shaped test servers live with the client's tests.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "module_utils"))
from test_mesos_api import AGENT_ID, FakeMaster, agent, master  # noqa: E402,F401 pylint: disable=unused-import,wrong-import-position


def test_deactivate_changes_once_then_is_idempotent(run_module, master):
    args = dict(master_url=[master.url], agent_id=AGENT_ID, state="deactivated")
    first = run_module(agent_operator, args)
    assert not first.failed, first.get("msg")
    assert first["changed"] is True
    assert (first["deactivated_before"], first["deactivated_after"]) == (False, True)
    assert first["master_url"] == master.url and first["hostname"] == "agent-1.example"
    assert master.agents[AGENT_ID]["deactivated"] is True
    second = run_module(agent_operator, args)
    assert second["changed"] is False and second["deactivated_after"] is True
    posts = master.calls("POST", "/api/v1")
    assert len(posts) == 1
    assert json.loads(posts[0][2])["type"] == "DEACTIVATE_AGENT"


def test_reactivate_round_trip(run_module, master):
    master.agents[AGENT_ID]["deactivated"] = True
    args = dict(master_url=[master.url], agent_id=AGENT_ID, state="active")
    result = run_module(agent_operator, args)
    assert result["changed"] is True and result["active"] is True
    assert run_module(agent_operator, args)["changed"] is False
    assert [json.loads(p[2])["type"] for p in master.calls("POST", "/api/v1")] == ["REACTIVATE_AGENT"]


def test_check_mode_reports_what_would_change_and_sends_nothing(run_module, master):
    result = run_module(agent_operator, dict(master_url=[master.url], agent_id=AGENT_ID, state="deactivated"),
                        check_mode=True, diff=True)
    assert result["changed"] is True and result["deactivated_after"] is True
    assert result["diff"] == {"before": {"deactivated": False}, "after": {"deactivated": True}}
    assert master.calls("POST") == []
    assert master.agents[AGENT_ID]["deactivated"] is False


def test_agent_found_through_its_url(run_module, agent, master):
    result = run_module(agent_operator, dict(master_url=[master.url], agent_url=agent.url, state="deactivated"))
    assert result["agent_id"] == AGENT_ID and result["changed"] is True


def test_unregistered_agent_url_is_refused(run_module, agent, master):
    agent.agent_id = ""
    result = run_module(agent_operator, dict(master_url=[master.url], agent_url=agent.url, state="deactivated"))
    assert result.failed and "shows no agent ID" in result["msg"]
    assert master.calls("POST") == []


def test_leader_behind_a_follower_gets_the_call(run_module, master):
    follower = FakeMaster(leader=master)
    try:
        result = run_module(agent_operator, dict(master_url=[follower.url], agent_id=AGENT_ID, state="deactivated"))
        assert result["changed"] and result["master_url"] == master.url + "/master"
        assert follower.calls("POST") == [] and len(master.calls("POST")) == 1
    finally:
        follower.close()


def test_unknown_agent_fails_naming_it(run_module, master):
    result = run_module(agent_operator, dict(master_url=[master.url], agent_id="nope-S1", state="deactivated"))
    assert result.failed and "master does not list agent nope-S1" in result["msg"]


def test_bad_master_url_fails_clearly(run_module):
    result = run_module(agent_operator, dict(master_url=["gopher://m1"], agent_id=AGENT_ID, state="active"))
    assert result.failed and "scheme must be http or https" in result["msg"]


def test_agent_id_and_url_are_exclusive(run_module, master):
    result = run_module(agent_operator, dict(master_url=[master.url], agent_id=AGENT_ID,
                                             agent_url="http://127.0.0.1:5051", state="active"))
    assert result.failed and "mutually exclusive" in result["msg"]
    assert master.requests == []


def test_drain_is_not_offered(run_module, master):
    result = run_module(agent_operator, dict(master_url=[master.url], agent_id=AGENT_ID, state="drained"))
    assert result.failed and "value of state must be one of: active, deactivated" in result["msg"]


def test_credentials_reach_an_authenticating_master_and_stay_out_of_the_result(run_module, master):
    master.authenticate({"ops": "s3cret"})
    args = dict(master_url=[master.url], agent_id=AGENT_ID, state="deactivated")
    refused = run_module(agent_operator, args)
    assert refused.failed and "HTTP 401 Unauthorized (realm mesos-master-readonly)" in refused["msg"]
    result = run_module(agent_operator, dict(args, http_principal="ops", http_secret="s3cret"))
    assert not result.failed, result.get("msg")
    assert result["changed"] is True and master.agents[AGENT_ID]["deactivated"] is True
    assert "s3cret" not in json.dumps(dict(result))
