# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for the hook_validate module front-end, run in-process on compiled test libraries."""

from __future__ import annotations

import json

import pytest

from ansible.module_utils import basic
from ansible.module_utils.testing import patch_module_args

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_elf
from ansible_collections.mesos_fleet.hooks.plugins.modules import hook_validate
from ansible_collections.mesos_fleet.hooks.tests.unit.fixtures.hook_elf import build

SYMBOL = build.SYMBOL


class ModuleExit(Exception):
    def __init__(self, failed, result):
        super().__init__(result.get('msg'))
        self.failed = failed
        self.result = result


@pytest.fixture(scope='session')
def libs():
    if not build.compiler_available():
        pytest.skip('%s not found: the test libraries are compiled at test time' % build.CXX)
    return build.session_libraries()


@pytest.fixture(autouse=True)
def capture_exit(monkeypatch):
    def exit_json(self, **result):
        # Results must be plain JSON, as they travel back to the controller.
        raise ModuleExit(False, json.loads(json.dumps(result)))

    def fail_json(self, msg, **result):
        result['msg'] = msg
        raise ModuleExit(True, json.loads(json.dumps(result)))

    monkeypatch.setattr(basic.AnsibleModule, 'exit_json', exit_json)
    monkeypatch.setattr(basic.AnsibleModule, 'fail_json', fail_json)


def run(args, check_mode=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(ModuleExit) as caught:
            hook_validate.main()
    return caught.value


def args_for(libs, name, **extra):
    args = {'path': libs[name], 'modules': [SYMBOL], 'mesos_version': build.TARGET_VERSION,
            'libmesos': libs['libmesos']}
    args.update(extra)
    return args


@pytest.mark.parametrize('check_mode', [False, True])
def test_good_hook_passes(libs, check_mode):
    outcome = run(args_for(libs, 'dynamic_good', dlopen_probe=True), check_mode=check_mode)
    assert outcome.failed is False
    result = outcome.result
    assert result['changed'] is False
    assert result['ok'] is True and result['problems'] == []
    assert result['build_id'] == hook_elf.gnu_build_id(libs['dynamic_good'])
    assert len(result['sha256']) == 64
    assert 'path' not in result and 'mode' not in result
    module = result['modules'][SYMBOL]
    assert module['mesos_version'] == build.TARGET_VERSION
    assert module['kind'] == 'Hook'
    assert module['source'] == 'dlopen'
    assert result['unresolved_symbols'] == []


def test_failure_names_file_module_and_every_problem(libs):
    outcome = run(args_for(libs, 'static_old_version'))
    assert outcome.failed is True
    msg = outcome.result['msg']
    assert msg.startswith('%s failed validation: ' % libs['static_old_version'])
    assert ("module '%s': Minimum supported mesos version for 'Hook' is 1.11.0, but module is "
            "compiled with version 1.10.0" % SYMBOL) in msg
    assert outcome.result['ok'] is False
    assert outcome.result['modules'][SYMBOL]['mesos_version'] == '1.10.0'


def test_several_problems_are_all_reported(libs):
    outcome = run(args_for(libs, 'dynamic_unresolved', dlopen_probe=True))
    assert outcome.failed is True
    assert len(outcome.result['problems']) == 3
    for problem in outcome.result['problems']:
        assert problem in outcome.result['msg']
    assert [u['name'] for u in outcome.result['unresolved_symbols']] == [
        '_ZN5mesos7fixture13notInLibmesosEi']


def test_resource_decorator_override_flag(libs):
    refused = run(args_for(libs, 'static_resources'))
    assert refused.failed is True
    assert 'Incompatible agent info detected' in refused.result['msg']
    allowed = run(args_for(libs, 'static_resources', allow_resource_decorators=True))
    assert allowed.failed is False
    assert len(allowed.result['resource_decorators']) == 1


def test_unverifiable_module_asks_for_the_probe(libs):
    outcome = run(args_for(libs, 'dynamic_good'))
    assert outcome.failed is True
    assert 'run the dlopen probe (dlopen_probe=true)' in outcome.result['msg']


def test_probe_requires_libmesos(libs):
    args = args_for(libs, 'dynamic_good', dlopen_probe=True)
    del args['libmesos']
    outcome = run(args)
    assert outcome.failed is True
    assert 'dlopen_probe is True but all of the following are missing: libmesos' in outcome.result['msg']


def test_bad_input_is_a_clear_error(libs, tmp_path):
    outcome = run(args_for(libs, 'static_good', path=str(tmp_path / 'absent.so')))
    assert outcome.failed is True
    assert outcome.result['msg'] == '%s does not exist or is not a file' % (tmp_path / 'absent.so')
    outcome = run(args_for(libs, 'static_good', mesos_version='one.eleven'))
    assert outcome.result['msg'].startswith("invalid Mesos version 'one.eleven'")


def test_missing_pyelftools_is_reported(libs, monkeypatch):
    monkeypatch.setattr(hook_elf, 'HAS_ELFTOOLS', False)
    outcome = run(args_for(libs, 'static_good'))
    assert outcome.failed is True
    assert 'pyelftools' in outcome.result['msg']
    assert 'Failed to import the required Python library' in outcome.result['msg']
