# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The rollout_report action plugin: on the controller it writes the report itself (no module
process), elsewhere it runs the module. Run in a child process (see rollout_report_cases.py)."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def test_action_plugin_cases_in_a_child_process(run_cases_in_child):
    run_cases_in_child(os.path.join(HERE, "rollout_report_cases.py"))
