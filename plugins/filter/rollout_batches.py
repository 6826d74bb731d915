# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rollout_batches
short_description: The batch sizes a play's serial setting gives, checked
version_added: 0.1.0
description:
  - Computes the batch sizes Ansible's C(serial) (a number, a percentage, or a list of them)
    gives for a number of hosts, so a rollout can show "batch k of n".
  - Refuses batch sizes of 0 and percentages of 0 or above 100.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: total
options:
  _input:
    description: The serial setting.
    type: raw
    required: true
  total:
    description: Number of hosts.
    type: int
    required: true
"""

EXAMPLES = r"""
- name: Count the batches
  ansible.builtin.debug:
    msg: "{{ ([1, '10%', '25%'] | mesos_fleet.hooks.rollout_batches(40)) | length }} batches"
"""

RETURN = r"""
_value:
  description: Batch sizes in order.
  type: list
  elements: int
"""

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def rollout_batches(serial, total):
    try:
        return rollout.batch_sizes(serial, int(total))
    except rollout.RolloutError as e:
        raise AnsibleFilterError("mesos_rollout_serial: %s" % e)


class FilterModule(object):
    def filters(self):
        return {"rollout_batches": rollout_batches}
