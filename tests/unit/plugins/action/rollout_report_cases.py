# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cases for the rollout_report action plugin, run in a child process by
test_rollout_report_action.py (see artifact_stage_cases.py for why)."""

from __future__ import annotations

import json
from unittest import mock

import pytest

from ansible.errors import AnsibleActionFail

from ansible_collections.mesos_fleet.hooks.plugins.action import rollout_report as action

from controller_plugins import action_task

RECORDS = [dict(host='agent-1', result='unchanged', hooks_before=['org_fleet_Probe'],
                hooks_after=['org_fleet_Probe'], message='secret-token in a message')]


def make_action(args, transport='local', become=False, check_mode=False):
    task = action_task(args, check_mode=check_mode)
    connection = mock.MagicMock()
    connection.transport = transport
    play_context = mock.MagicMock()
    play_context.become = become
    plugin = action.ActionModule(task, connection, play_context, loader=None, templar=None,
                                 shared_loader_obj=None)
    plugin._execute_module = mock.MagicMock(return_value=dict(changed=True, text='from the module'))
    return plugin


def test_on_the_controller_it_writes_the_report_itself(tmp_path):
    path = tmp_path / 'reports' / 'report.json'
    plugin = make_action(dict(records=RECORDS, path=str(path), secrets=['secret-token']))
    result = plugin.run(task_vars={})
    assert plugin._execute_module.call_count == 0
    assert result['changed'] is True and not result.get('failed')
    assert result['text'] == (tmp_path / 'reports' / 'report.txt').read_text()
    assert json.loads(path.read_text())['summary']['unchanged'] == 1
    assert 'secret-token' not in path.read_text() and 'secret-token' not in result['text']
    again = make_action(dict(records=RECORDS, path=str(path), secrets=['secret-token'])).run(task_vars={})
    assert again['changed'] is False


def test_check_mode_on_the_controller_writes_nothing(tmp_path):
    path = tmp_path / 'report.json'
    result = make_action(dict(records=RECORDS, path=str(path)), check_mode=True).run(task_vars={})
    assert result['changed'] is True and not path.exists()


@pytest.mark.parametrize('transport, become', [('ssh', False), ('local', True)])
def test_elsewhere_or_with_become_it_runs_the_module(tmp_path, transport, become):
    path = tmp_path / 'report.json'
    plugin = make_action(dict(records=RECORDS, path=str(path)), transport=transport, become=become)
    result = plugin.run(task_vars={})
    assert plugin._execute_module.call_count == 1 and result['text'] == 'from the module'
    assert not path.exists()


def test_bad_arguments_fail_as_the_module_would_and_write_nothing(tmp_path):
    with pytest.raises(AnsibleActionFail, match='path'):
        make_action(dict(records=RECORDS)).run(task_vars={})
    path = tmp_path / 'report.json'
    result = make_action(dict(records=[dict(host='agent-1', result='exploded')], path=str(path))).run(task_vars={})
    assert result['failed'] is True and 'exploded' in result['msg']
    assert not path.exists()
