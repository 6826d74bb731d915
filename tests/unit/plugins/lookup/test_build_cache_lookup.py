# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The build_cache lookup: the jobs to compile, the cached artifacts, and refusing one changed
after its build. Run in a child process (see build_cache_cases.py)."""

import os

HERE = os.path.dirname(os.path.abspath(__file__))


def test_lookup_cases_in_a_child_process(run_cases_in_child):
    run_cases_in_child(os.path.join(HERE, "build_cache_cases.py"))
