"""Shared helpers for the unit tests."""

import json
import subprocess
import sys

import pytest

from ansible.module_utils.testing import patch_module_args


class ModuleResult(dict):
    """What a module printed on exit, plus whether it failed."""

    @property
    def failed(self):
        return bool(self.get("failed"))


@pytest.fixture
def run_module(capsys):
    """Run a module's main() with the given args and check mode; return its parsed result."""

    def run(module, args, check_mode=False, diff=False):
        args = dict(args)
        args["_ansible_check_mode"] = check_mode
        args["_ansible_diff"] = diff
        with patch_module_args(args):
            with pytest.raises(SystemExit):
                module.main()
        out = capsys.readouterr().out
        return ModuleResult(json.loads(out))

    return run


@pytest.fixture
def run_cases_in_child(tmp_path):
    """Run a file of test cases in a pytest of its own, for cases that import Ansible's
    controller plugin machinery: it changes how modules report warnings in the process."""

    def run(path):
        proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "--basetemp", str(tmp_path / "cases"), path],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True,
                              timeout=300, check=False)
        assert proc.returncode == 0, proc.stdout
        assert " passed" in proc.stdout and "failed" not in proc.stdout

    return run
