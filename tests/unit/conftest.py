"""Shared helpers for the unit tests."""

import json

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
