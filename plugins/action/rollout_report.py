# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Action plugin of mesos_fleet.hooks.rollout_report: on the controller (a local connection
without become, as the deploy playbook runs it) it writes the report in this process, the same
way the module would, instead of starting a Python process for the module; anywhere else it
runs the module."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.plugins.action import ActionBase

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout_report

MODULE = 'mesos_fleet.hooks.rollout_report'


class ActionModule(ActionBase):

    TRANSFERS_FILES = False

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        if self._connection.transport != 'local' or self._play_context.become:
            result.update(self._execute_module(module_name=MODULE, module_args=self._task.args, task_vars=task_vars))
            return result
        # Raises AnsibleActionFail listing what is wrong, as the module would fail.
        dummy, params = self.validate_argument_spec(argument_spec=rollout_report.ARGUMENT_SPEC)
        try:
            result.update(rollout_report.write(params, self._task.check_mode, self._task.diff))
        except (ValueError, atomic_file.AtomicFileError) as exc:
            result.update(failed=True, msg=str(exc))
        return result
