# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: rollout_batch_number
short_description: Which planned batch the current batch of a serial play is
version_added: 0.1.0
description:
  - Given the planned batch sizes (from C(mesos_fleet.hooks.rollout_batches)) over the hosts in
    rollout order, returns the number (from 1) of the batch that starts with the first host of
    O(batch), or 0 when no planned batch starts there (the play's C(serial) is not the planned one).
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
positional: pending, batch
options:
  _input:
    description: The planned batch sizes.
    type: list
    elements: int
    required: true
  pending:
    description: The hosts the batches are made of, in rollout order.
    type: list
    elements: str
    required: true
  batch:
    description: The hosts of the current batch (C(ansible_play_batch)).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
- name: Show which batch this is
  ansible.builtin.debug:
    msg: "Batch {{ [2, 2] | mesos_fleet.hooks.rollout_batch_number(['a', 'b', 'c', 'd'], ansible_play_batch) }} of 2"
"""

RETURN = r"""
_value:
  description: The batch's number, from 1; 0 when it matches no planned batch.
  type: int
"""

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def rollout_batch_number(sizes, pending, batch):
    return rollout.batch_number([int(size) for size in sizes], list(pending), list(batch))


class FilterModule(object):
    def filters(self):
        return {"rollout_batch_number": rollout_batch_number}
