# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Filters of the rolling restart: batches, masters, the per-host records. Each filter's
documentation is in <filter>.yml next to this file.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout


def rollout_batches(serial, total):
    try:
        return rollout.batch_sizes(serial, int(total))
    except rollout.RolloutError as e:
        raise AnsibleFilterError("mesos_rollout_serial: %s" % e)


def rollout_batch_number(sizes, pending, batch):
    return rollout.batch_number([int(size) for size in sizes], list(pending), list(batch))


def rollout_masters(given, agent):
    return rollout.master_urls(given, agent)


def rollout_records(hostvars, hosts, batch=()):
    return rollout.records(hostvars, hosts, batch)


class FilterModule(object):
    def filters(self):
        return {
            "rollout_batches": rollout_batches,
            "rollout_batch_number": rollout_batch_number,
            "rollout_masters": rollout_masters,
            "rollout_records": rollout_records,
        }
