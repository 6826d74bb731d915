# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The artifact_stage action plugin: one module call when everything is staged, a transfer of
only the missing artifacts and a second call otherwise, never a transfer in check mode or of a
controller copy with the wrong checksum. Run in a child process (see artifact_stage_cases.py)."""

import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def test_action_plugin_cases_in_a_child_process(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "--basetemp", str(tmp_path / "cases"), os.path.join(HERE, "artifact_stage_cases.py")],
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                          timeout=300, check=False)
    assert proc.returncode == 0, proc.stdout
    assert " passed" in proc.stdout and "failed" not in proc.stdout
