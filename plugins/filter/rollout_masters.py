# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rollout_masters
short_description: The masters' HTTP endpoints to check an agent's re-registration with
version_added: 0.1.0
description:
  - Returns the given endpoints when there are any, otherwise C(http://<host:port>) from the
    agent's C(--master) when that is one host and port; an empty list when neither tells (a
    C(zk://) URL or a file).
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: agent
options:
  _input:
    description: C(mesos_rollout_master_urls), possibly empty.
    type: list
    elements: str
    required: true
  agent:
    description: The agent's C(mesos_agent) facts (from M(mesos_fleet.hooks.agent_info)).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Ask the masters about this agent
  mesos_fleet.hooks.agent_operator:
    master_url: "{{ mesos_rollout_master_urls | mesos_fleet.hooks.rollout_masters(mesos_agent) }}"
    agent_url: "{{ mesos_agent.agent_url }}"
    state: active
"""

RETURN = r"""
_value:
  description: HTTP endpoints of the masters, for example C(['http://master1:5050']).
  type: list
  elements: str
"""

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def rollout_masters(given, agent):
    return rollout.master_urls(given, agent)


class FilterModule(object):
    def filters(self):
        return {"rollout_masters": rollout_masters}
