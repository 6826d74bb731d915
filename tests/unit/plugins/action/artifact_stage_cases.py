# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cases for the artifact_stage action plugin, run in a child process by
test_artifact_stage_action.py: importing the controller's action plugin machinery changes how
modules report warnings in the same process, which other module tests rely on."""

from __future__ import annotations

import os
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.mesos_fleet.hooks.plugins.action import artifact_stage as action
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_stage as st
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store

from controller_plugins import action_task


def make_action(args, check_mode=False):
    task = action_task(args, check_mode=check_mode)
    connection = mock.MagicMock()
    connection._shell.tmpdir = None
    connection._shell.join_path = os.path.join
    plugin = action.ActionModule(task, connection, mock.MagicMock(), loader=None, templar=None,
                                 shared_loader_obj=None)
    calls = []

    def execute(module_name, module_args, task_vars):
        calls.append(dict(module_args))
        if module_args.get('sources'):
            return dict(changed=True, missing=[], staged=sorted(module_args['sources']))
        missing = [a['name'] for a in module_args['artifacts'] if a['name'] in plugin.absent] + [
            '%s/files/%s/%s' % (f['hook'], f['sha256'], f['name']) for f in module_args.get('files', [])
            if f['name'] in plugin.absent]
        return dict(changed=False, missing=[] if check_mode else missing)

    def make_tmp():
        connection._shell.tmpdir = '/remote/tmp'
        return '/remote/tmp'

    plugin.absent = set()
    plugin._execute_module = execute
    plugin._make_tmp_path = make_tmp
    plugin._transfer_file = mock.MagicMock(side_effect=lambda local, remote: remote)
    plugin._fixup_perms2 = mock.MagicMock()
    plugin._remove_tmp_path = mock.MagicMock()
    return plugin, calls


def plan(tmp_path, names=('probe', 'other')):
    """The role's mesos_stage_artifacts, with controller copies that match their sha256."""
    artifacts = {}
    for name in names:
        src = tmp_path / ('lib%s.so' % name)
        src.write_bytes(b'built ' + name.encode())
        sha = artifact_store.file_sha256(str(src))
        artifacts[name] = dict(src=str(src), sha256=sha, library='lib%s.so' % name, modules=['sym'],
                               allow_resource_decorators=False, mesos_version='1.11.0',
                               hook_dir='/srv/a/%s' % name, dest_dir='/srv/a/%s/%s' % (name, sha),
                               dest='/srv/a/%s/%s/lib%s.so' % (name, sha, name))
    return dict(root='/srv/a', artifacts=artifacts, mesos_version='1.11.0', libmesos='/usr/lib/libmesos.so')


def test_action_makes_one_remote_call_when_everything_is_staged(tmp_path):
    plugin, calls = make_action(plan(tmp_path))
    result = plugin.run(task_vars={})
    assert len(calls) == 1 and result['changed'] is False
    assert plugin._transfer_file.call_count == 0 and plugin._connection._shell.tmpdir is None
    # The controller paths never travel to the host.
    assert all('src' not in a for a in calls[0]['artifacts'])


def test_action_transfers_only_the_missing_artifact_then_calls_again(tmp_path):
    args = plan(tmp_path)
    plugin, calls = make_action(args)
    plugin.absent = {'other'}
    result = plugin.run(task_vars={})
    assert len(calls) == 2 and result['staged'] == ['other']
    plugin._transfer_file.assert_called_once()
    local, remote = plugin._transfer_file.call_args[0]
    assert local == args['artifacts']['other']['src'] and remote.startswith('/remote/tmp/other-')
    assert calls[1]['sources'] == {'other': remote}
    plugin._remove_tmp_path.assert_called_once_with('/remote/tmp')


def test_action_refuses_a_controller_copy_with_the_wrong_checksum_before_any_transfer(tmp_path):
    args = plan(tmp_path)
    with open(args['artifacts']['probe']['src'], 'ab') as handle:
        handle.write(b'changed after the build')
    plugin, calls = make_action(args)
    plugin.absent = {'probe'}
    with pytest.raises(AnsibleActionFail, match="hook 'probe': the artifact .* has sha256 .*, expected .*refusing"):
        plugin.run(task_vars={})
    assert len(calls) == 1 and plugin._transfer_file.call_count == 0


def test_action_in_check_mode_never_transfers(tmp_path):
    plugin, calls = make_action(plan(tmp_path), check_mode=True)
    plugin.absent = {'probe', 'other'}
    plugin.run(task_vars={})
    assert len(calls) == 1 and plugin._transfer_file.call_count == 0


def test_action_records_the_artifacts_as_a_fact_for_the_rollout(tmp_path):
    args = plan(tmp_path)
    plugin, calls = make_action(args)
    plugin.absent = {'other'}
    result = plugin.run(task_vars={})
    # What the modules JSON later loads: the entries as planned, dest included.
    assert result['ansible_facts'] == {'mesos_stage_artifacts': args['artifacts']}
    assert result['ansible_facts']['mesos_stage_artifacts']['other']['dest'].startswith('/srv/a/other/')


def test_action_records_a_list_of_artifacts_by_hook_name(tmp_path):
    args = plan(tmp_path)
    args['artifacts'] = [dict(entry, name=name) for name, entry in args['artifacts'].items()]
    plugin, calls = make_action(args, check_mode=True)
    result = plugin.run(task_vars={})
    assert sorted(result['ansible_facts']['mesos_stage_artifacts']) == ['other', 'probe']


def test_action_records_no_fact_when_the_module_fails(tmp_path):
    plugin, calls = make_action(plan(tmp_path))
    plugin._execute_module = lambda module_name, module_args, task_vars: dict(failed=True, msg='bad artifact')
    result = plugin.run(task_vars={})
    assert result['failed'] and 'ansible_facts' not in result


def known(args, *names):
    """What discovery would have listed with only ``names`` staged."""
    return [st.relative_path(dict(entry, name=name)) for name, entry in args['artifacts'].items() if name in names]


def test_action_sends_what_discovery_did_not_find_with_its_only_call(tmp_path):
    args = plan(tmp_path)
    args['staged_at_discovery'] = known(args, 'probe')
    plugin, calls = make_action(args)
    plugin.absent = {'other'}
    result = plugin.run(task_vars={})
    assert len(calls) == 1 and result['staged'] == ['other']
    plugin._transfer_file.assert_called_once()
    assert list(calls[0]['sources']) == ['other'] and 'staged_at_discovery' not in calls[0]
    plugin._remove_tmp_path.assert_called_once_with('/remote/tmp')


def test_action_with_everything_found_at_discovery_sends_nothing(tmp_path):
    args = plan(tmp_path)
    args['staged_at_discovery'] = known(args, 'probe', 'other')
    plugin, calls = make_action(args)
    plugin.run(task_vars={})
    assert len(calls) == 1 and plugin._transfer_file.call_count == 0
    assert 'sources' not in calls[0] and plugin._remove_tmp_path.call_count == 0


def test_action_still_sends_an_artifact_that_went_away_after_discovery(tmp_path):
    args = plan(tmp_path)
    args['staged_at_discovery'] = known(args, 'probe')
    plugin, calls = make_action(args)
    plugin.absent = {'probe', 'other'}
    # The first call gets 'other' (not found at discovery) and reports 'probe' missing after all.
    plugin._execute_module = lambda module_name, module_args, task_vars: (
        calls.append(dict(module_args)) or
        dict(changed=True, missing=[n for n in ('probe', 'other') if n not in module_args.get('sources', {})],
             staged=sorted(module_args.get('sources', {}))))
    result = plugin.run(task_vars={})
    assert len(calls) == 2 and list(calls[0]['sources']) == ['other']
    assert sorted(calls[1]['sources']) == ['other', 'probe'] and result['missing'] == []
    assert plugin._transfer_file.call_count == 2


def test_action_in_check_mode_sends_nothing_ahead(tmp_path):
    args = plan(tmp_path)
    args['staged_at_discovery'] = []
    plugin, calls = make_action(args, check_mode=True)
    plugin.run(task_vars={})
    assert len(calls) == 1 and plugin._transfer_file.call_count == 0


def test_action_stages_a_file_shipped_with_a_hook_like_an_artifact(tmp_path):
    args = plan(tmp_path)
    script = tmp_path / 'env-hook'
    script.write_bytes(b'#!/bin/sh\n')
    sha = artifact_store.file_sha256(str(script))
    args['artifacts']['probe']['files'] = [dict(src=str(script), sha256=sha, name='env-hook', dest='/usr/local/bin/env-hook',
                                                staged='/srv/a/probe/files/%s/env-hook' % sha, mode='0755', restart=False)]
    plugin, calls = make_action(args)
    plugin.absent = {'env-hook'}
    result = plugin.run(task_vars={})
    key = 'probe/files/%s/env-hook' % sha
    # The host is told what to stage, never the controller's path; the missing copy is sent.
    assert calls[0]['files'] == [dict(hook='probe', sha256=sha, name='env-hook')]
    local, remote = plugin._transfer_file.call_args[0]
    assert local == str(script) and remote == '/remote/tmp/probe_files_%s_env-hook-%s' % (sha, sha[:16])
    assert calls[1]['sources'] == {key: remote} and result['staged'] == [key]
    # Listed at discovery: nothing to send, one call.
    args['staged_at_discovery'] = [key, 'probe/%s/libprobe.so' % args['artifacts']['probe']['sha256'],
                                   'other/%s/libother.so' % args['artifacts']['other']['sha256']]
    plugin, calls = make_action(args)
    plugin.run(task_vars={})
    assert len(calls) == 1 and plugin._transfer_file.call_count == 0
