# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The hook_sources lookup: each hook's source described by name, a declared module its source
does not build refused. Run in a child process (see hook_sources_cases.py)."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def test_lookup_cases_in_a_child_process(run_cases_in_child):
    run_cases_in_child(os.path.join(HERE, "hook_sources_cases.py"))
