# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: discovery_summary
short_description: One line per host of what discovery found
version_added: 0.1.0
description:
  - Reads each host's C(mesos_agent) fact (M(mesos_fleet.hooks.agent_info)) and describes it in
    one line, so one task shows the whole fleet instead of one task result per host.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: hosts
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  hosts:
    description: The hosts to describe, in this order.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Show what was found
  ansible.builtin.debug:
    msg: "{{ hostvars | mesos_fleet.hooks.discovery_summary(ansible_play_hosts) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: One line per host, the host first.
  type: list
  elements: str
"""

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_discovery


def discovery_summary(hostvars, hosts):
    return [agent_discovery.summary_line(host, (hostvars[host] if host in hostvars else {}).get("mesos_agent"))
            for host in hosts]


class FilterModule(object):
    def filters(self):
        return {"discovery_summary": discovery_summary}
