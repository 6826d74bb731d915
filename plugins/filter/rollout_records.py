# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rollout_records
short_description: Collect the per-host rollout records that exist so far
version_added: 0.1.0
description:
  - Returns, in host order, the record of each of the given hosts the rolling play visited (the
    hosts of O(batch) and those whose configure step ran), made from what its steps registered
    (C(mesos_rollout_config), C(mesos_rollout_gates),
    C(mesos_rollout_released)) and, after a rollback, C(mesos_rollout_outcome) and C(mesos_rollout_message).
  - A visited host whose last step has not run is C(unreachable), with a message saying how far
    it got and what to do.
  - The other hosts get the record the plan step made for them, if any. Hosts not reached yet have none.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: hosts, unchanged, batch
options:
  _input:
    description: C(hostvars).
    type: raw
    required: true
  hosts:
    description: Host names, in report order.
    type: list
    elements: str
    required: true
  unchanged:
    description:
      - Records the plan step made for the hosts that need no change (C(unchanged) of
        C(mesos_fleet.hooks.rollout_plan)), for hosts without a record of their own.
    type: dict
    default: {}
  batch:
    description: The hosts of the batch that is about to start (C(ansible_play_batch)).
    type: list
    elements: str
    default: []
"""

EXAMPLES = r"""
- name: Records so far
  ansible.builtin.debug:
    msg: "{{ hostvars | mesos_fleet.hooks.rollout_records(ansible_play_hosts_all) }}"
"""

RETURN = r"""
_value:
  description: The records.
  type: list
  elements: dict
"""

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def rollout_records(hostvars, hosts, unchanged=None, batch=()):
    return rollout.records(hostvars, hosts, unchanged, batch)


class FilterModule(object):
    def filters(self):
        return {"rollout_records": rollout_records}
