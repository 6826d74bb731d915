"""What discovery's refusal lists over every host (the preflight_problems filter)."""

from ansible_collections.mesos_fleet.hooks.plugins.filter.checks import preflight_problems


def test_every_hosts_problems_are_listed_with_its_name():
    hostvars = {
        "agent1": {"__mesos_discover_survey": {"problems": ["unit kills tasks", "stray file"]}},
        "agent2": {"__mesos_discover_survey": {"problems": []}},
        "builder": {},
    }
    assert preflight_problems(hostvars, ["agent1", "agent2", "builder"]) == [
        "agent1: unit kills tasks", "agent1: stray file"]
