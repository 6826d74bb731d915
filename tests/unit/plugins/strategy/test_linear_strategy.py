# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The linear strategy's wait for a free worker. Run in a child process (see
linear_strategy_cases.py); tests/unit/playbooks runs playbooks with it."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def test_strategy_cases_in_a_child_process(run_cases_in_child):
    run_cases_in_child(os.path.join(HERE, "linear_strategy_cases.py"))
