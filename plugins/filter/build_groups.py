# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: build_groups
short_description: Group Mesos agents by build fingerprint and pick a builder for each group
version_added: 0.1.0
description:
  - Takes the agent facts of every host (as set by M(mesos_fleet.hooks.agent_info)) and returns
    one entry per build fingerprint, with the hosts in it and the host that compiles for it.
  - A host of the builders list with the same fingerprint is preferred; otherwise the first agent
    of the group that has a compiler and the Mesos headers.
  - Fails naming every group that has no possible builder.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: builders
options:
  _input:
    description: Mapping of host name to its agent facts (C(mesos_agent)).
    type: dict
    required: true
  builders:
    description: Mapping of dedicated builder host name to its agent facts.
    type: dict
    default: {}
"""

EXAMPLES = r"""
- name: One build per group
  ansible.builtin.set_fact:
    mesos_build_groups: >-
      {{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'mesos_agent')))
         | mesos_fleet.hooks.build_groups }}
"""

RETURN = r"""
_value:
  description: One entry per build fingerprint.
  type: list
  elements: dict
  contains:
    fingerprint:
      description: The build fingerprint.
      type: str
    version:
      description: Mesos version of the group.
      type: str
    hosts:
      description: Agents in the group.
      type: list
      elements: str
    builder:
      description: The host that compiles for the group.
      type: str
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb


def build_groups(agents, builders=None):
    try:
        return hb.group_hosts(agents, builders or {})
    except hb.BuildError as e:
        raise AnsibleFilterError(str(e))


class FilterModule(object):
    def filters(self):
        return {"build_groups": build_groups}
