"""What discovery's refusal lists over every host (the preflight_problems filter)."""

from ansible_collections.mesos_fleet.hooks.plugins.filter.checks import preflight_problems

ZK = {"flags": {"master": "zk://zk1:2181/mesos"}}


def test_agents_whose_master_cannot_be_told_are_listed_with_the_other_problems():
    hostvars = {
        "zk-unset": {"mesos_agent": ZK, "__mesos_discover_survey": {"problems": ["unit kills tasks"]}},
        "zk-set": {"mesos_agent": ZK, "mesos_rollout_master_urls": ["http://m1:5050"]},
        "host-port": {"mesos_agent": {"flags": {"master": "m1:5050"}}},
        "builder": {"mesos_agent": {"flags": {}}},
    }
    problems = preflight_problems(hostvars, ["zk-unset", "zk-set", "host-port", "builder"], masters=True)
    assert problems == [
        "zk-unset: unit kills tasks",
        "zk-unset: cannot tell the master's HTTP address from --master=zk://zk1:2181/mesos; set "
        "mesos_rollout_master_urls (e.g. ['http://master1:5050'])"]
    # Not asked (discovery for a playbook that restarts nothing): only what the hosts reported.
    assert preflight_problems(hostvars, ["zk-unset"]) == ["zk-unset: unit kills tasks"]
