# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: linear
short_description: Ansible's linear strategy, waiting for a free worker without spinning
version_added: 0.1.0
description:
  - Runs plays exactly as C(ansible.builtin.linear) does (tasks in lockstep per batch, C(serial),
    C(throttle), C(run_once), C(any_errors_fatal)); only the wait for a free worker differs.
  - When a play has more hosts than C(forks), the builtin strategy waits for a worker to end by
    checking every worker slot over and over with a pause of 0.1 ms between rounds, so the
    controller's main process spends most of the wait on its CPU. On a fleet larger than
    C(forks) that was most of the main process's CPU in a rollout (see C(bench/rollout)). This
    strategy checks the slots every C(internal_poll_interval) seconds instead, the pause Ansible
    itself uses while it waits for results, before handing the host to the builtin code.
  - Enable it with C(strategy = mesos_fleet.hooks.linear) under C([defaults]) in C(ansible.cfg)
    (this collection's checkout does), or C(ANSIBLE_STRATEGY).
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
"""

import time

from ansible import constants as C
from ansible.plugins.strategy.linear import StrategyModule as LinearStrategyModule


def free_worker_slots(workers, limit):
    """How many of the first ``limit`` worker slots can take a task: empty, or their process ended."""
    return sum(1 for worker in workers[:limit] if worker is None or not worker.is_alive())


def wait_for_free_worker(workers, limit, interval, sleep=time.sleep):
    """Return once one of the first ``limit`` slots of ``workers`` is free, checking every
    ``interval`` seconds; returns how many times it paused."""
    pauses = 0
    while limit > 0 and not free_worker_slots(workers, limit):
        sleep(interval)
        pauses += 1
    return pauses


def worker_limit(task, worker_count):
    """The slots the builtin code will queue the task on (fewer with ``throttle``), or None when
    the throttle is still a template: then the builtin code alone decides."""
    throttle = task.throttle
    if not isinstance(throttle, int):
        return None
    if 0 < throttle <= worker_count and not task.run_once:
        return throttle
    return worker_count


class StrategyModule(LinearStrategyModule):

    def _queue_task(self, host, task, task_vars, play_context):
        limit = worker_limit(task, len(self._workers))
        if limit is not None:
            wait_for_free_worker(self._workers, limit, C.DEFAULT_INTERNAL_POLL_INTERVAL)
        return super(StrategyModule, self)._queue_task(host, task, task_vars, play_context)
