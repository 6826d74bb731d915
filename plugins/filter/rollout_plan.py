# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rollout_plan
short_description: Split the planned agents into those the rollout must visit and those it leaves alone
version_added: 0.1.0
description:
  - From each host's C(mesos_rollout_preview) (the plan step's check-mode C(agent_hooks) result),
    or where that step was skipped, the change discovery previewed (C(mesos_agent.rollout_preview)
    of M(mesos_fleet.hooks.agent_info), kept only where the staged artifacts are at the paths it
    assumed), returns C(pending), the hosts in the given order whose files would change or whose
    running flags differ from their files, and C(unchanged), a report record for each of the others.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: hosts
options:
  _input:
    description: C(hostvars).
    type: raw
    required: true
  hosts:
    description: The planned hosts, in rollout order.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Sort the agents
  ansible.builtin.set_fact:
    mesos_rollout_planned: "{{ hostvars | mesos_fleet.hooks.rollout_plan(groups['mesos_agents'] | intersect(ansible_play_hosts)) }}"
  run_once: true
  delegate_to: localhost
  delegate_facts: true
"""

RETURN = r"""
_value:
  description: C(pending), a list of host names, and C(unchanged), host name to record.
  type: dict
"""

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def rollout_plan(hostvars, hosts):
    return rollout.plan_summary(hostvars, hosts)


class FilterModule(object):
    def filters(self):
        return {"rollout_plan": rollout_plan}
