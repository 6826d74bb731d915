# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cases for the linear strategy's wait for a free worker, run in a child process by
test_linear_strategy.py (it imports Ansible's strategy machinery)."""

from __future__ import annotations

from types import SimpleNamespace

from ansible_collections.mesos_fleet.hooks.plugins.strategy import linear


class Worker:
    """A worker process that ends after ``checks`` calls of is_alive()."""

    def __init__(self, checks):
        self.checks = checks

    def is_alive(self):
        if self.checks <= 0:
            return False
        self.checks -= 1
        return True


class Clock:
    def __init__(self):
        self.pauses = []

    def sleep(self, seconds):
        self.pauses.append(seconds)


def test_an_empty_slot_takes_the_task_at_once():
    clock = Clock()
    assert linear.wait_for_free_worker([Worker(99), None], 2, 0.01, clock.sleep) == 0
    assert clock.pauses == []


def test_a_slot_whose_process_ended_takes_the_task_at_once():
    clock = Clock()
    assert linear.wait_for_free_worker([Worker(99), Worker(0)], 2, 0.01, clock.sleep) == 0
    assert clock.pauses == []


def test_all_busy_waits_one_poll_interval_at_a_time_until_a_worker_ends():
    clock = Clock()
    workers = [Worker(99), Worker(3), Worker(99)]
    assert linear.wait_for_free_worker(workers, 3, 0.01, clock.sleep) == 3
    assert clock.pauses == [0.01, 0.01, 0.01]


def test_a_free_slot_beyond_the_throttle_does_not_count():
    clock = Clock()
    workers = [Worker(99), Worker(2), None]
    assert linear.wait_for_free_worker(workers, 2, 0.5, clock.sleep) == 2
    assert clock.pauses == [0.5, 0.5]


def test_the_slots_follow_the_builtin_rules_for_throttle():
    def task(throttle, run_once=False):
        return SimpleNamespace(throttle=throttle, run_once=run_once)

    assert linear.worker_limit(task(0), 50) == 50
    assert linear.worker_limit(task(5), 50) == 5
    assert linear.worker_limit(task(50), 50) == 50
    assert linear.worker_limit(task(80), 50) == 50
    # run_once ignores throttle, as the builtin strategy does.
    assert linear.worker_limit(task(5, run_once=True), 50) == 50
    # A throttle still to be templated: the builtin code alone decides.
    assert linear.worker_limit(task("{{ n }}"), 50) is None
