# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The artifact_stage action plugin: one module call when everything is staged, a transfer of
only the missing artifacts and a second call otherwise, never a transfer in check mode or of a
controller copy with the wrong checksum. Run in a child process (see artifact_stage_cases.py)."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def test_action_plugin_cases_in_a_child_process(run_cases_in_child):
    run_cases_in_child(os.path.join(HERE, "artifact_stage_cases.py"))
