# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The artifact_stage module and its action plugin: one remote call when everything is staged,
two plus the transfers when something is missing, real checks on compiled test libraries.
The action plugin's own cases are in tests/unit/plugins/action."""

from __future__ import annotations

import os

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store
from ansible_collections.mesos_fleet.hooks.plugins.modules import artifact_stage
from ansible_collections.mesos_fleet.hooks.tests.unit.fixtures.hook_elf import build


@pytest.fixture(scope='session')
def libs():
    if not build.compiler_available():
        pytest.skip('%s not found: the test libraries are compiled at test time' % build.CXX)
    return build.session_libraries()


def entry(libs, name='static_good', hook='probe'):
    return dict(name=hook, sha256=artifact_store.file_sha256(libs[name]), library='libprobe.so',
                modules=[build.SYMBOL], allow_resource_decorators=False)


def args_for(libs, root, artifacts, **extra):
    args = dict(root=root, artifacts=artifacts, mesos_version=build.TARGET_VERSION,
                libmesos=libs['libmesos'], keep_count=2)
    args.update(extra)
    return args


def test_module_stages_then_finds_it_present(run_module, libs, tmp_path):
    root = str(tmp_path / 'artifacts')
    art = entry(libs)
    args = args_for(libs, root, [art])
    first = run_module(artifact_stage, args)
    assert first['missing'] == ['probe'] and first['changed'] is False and not os.path.exists(root)
    done = run_module(artifact_stage, dict(args, sources={'probe': libs['static_good']}), diff=True)
    dest = os.path.join(root, 'probe', art['sha256'], 'libprobe.so')
    assert not done.failed and done['changed'] is True and done['staged'] == [dest]
    assert done['artifacts']['probe']['checked'] is True and done['transferred'] == ['probe']
    assert done['diff']['before'] == '' and done['diff']['after'] == 'probe/%s/\n' % art['sha256']
    again = run_module(artifact_stage, args)
    assert again['changed'] is False and again['missing'] == []
    assert again['artifacts']['probe']['state'] == 'present'


def test_module_fails_naming_the_path_when_the_check_fails(run_module, libs, tmp_path):
    root = str(tmp_path / 'artifacts')
    art = entry(libs, 'static_new_version')
    result = run_module(artifact_stage, args_for(libs, root, [art], sources={'probe': libs['static_new_version']}))
    dest = os.path.join(root, 'probe', art['sha256'], 'libprobe.so')
    assert result.failed
    assert result['msg'].startswith('%s failed validation: ' % dest)
    assert 'module is compiled with version 1.12.0' in result['msg']


def test_module_check_mode_writes_nothing(run_module, libs, tmp_path):
    root = str(tmp_path / 'artifacts')
    result = run_module(artifact_stage, args_for(libs, root, [entry(libs)]), check_mode=True, diff=True)
    assert result['changed'] is True and result['artifacts']['probe']['state'] == 'would stage'
    assert result['missing'] == [] and not os.path.exists(root)
