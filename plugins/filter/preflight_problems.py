# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: preflight_problems
short_description: The problems every host reported in M(mesos_fleet.hooks.agent_info)'s survey, one per line
version_added: 0.1.0
description:
  - Collects the registered C(problems) of M(mesos_fleet.hooks.agent_info) (with C(survey)) from the given hosts
    and prefixes each problem with its host, so one task can fail listing every agent's problems.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: hosts, name
options:
  _input:
    description: C(hostvars).
    type: dict
    required: true
  hosts:
    description: The hosts whose results to collect.
    type: list
    elements: str
    required: true
  name:
    description: The registered variable.
    type: str
    default: mesos_discover_survey
"""

EXAMPLES = r"""
- name: Refuse, listing every agent's problems
  ansible.builtin.assert:
    that: problems | length == 0
    fail_msg: "{{ problems }}"
  vars:
    problems: "{{ hostvars | mesos_fleet.hooks.preflight_problems(ansible_play_hosts_all) }}"
  run_once: true
"""

RETURN = r"""
_value:
  description: One line per problem, the host first.
  type: list
  elements: str
"""

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import input_check


def preflight_problems(hostvars, hosts, name="mesos_discover_survey"):
    results = {}
    for host in hosts:
        result = hostvars[host].get(name) if host in hostvars else None
        results[host] = (result or {}).get("problems") or []
    return input_check.by_host(results)


class FilterModule(object):
    def filters(self):
        return {"preflight_problems": preflight_problems}
