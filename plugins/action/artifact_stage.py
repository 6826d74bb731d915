# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Action plugin of mesos_fleet.hooks.artifact_stage: one module call when every artifact is
already on the host; otherwise transfer just the missing ones and call the module again. Given
what discovery found staged (``staged_at_discovery``), it sends the artifacts not found there
before the first call, so a new artifact also takes one call. On
success it records the artifacts as the host's fact ``mesos_stage_artifacts``, which the later
steps (the modules JSON the rollout writes, the report) read, so no task of its own sets it."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.errors import AnsibleActionFail
from ansible.plugins.action import ActionBase

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_stage
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store

MODULE = 'mesos_fleet.hooks.artifact_stage'
FACT = 'mesos_stage_artifacts'


class ActionModule(ActionBase):

    TRANSFERS_FILES = False  # a temporary directory only when something must be copied

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        del tmp
        args = dict(self._task.args)
        given = self._task.args.get('artifacts')
        try:
            artifacts = artifact_stage.normalise(given, args.get('root'))
            files = artifact_stage.normalise_files(artifact_stage.shipped_files(given), args.get('root'))
        except ValueError as exc:
            raise AnsibleActionFail(str(exc))
        # Artifacts are known by their hook's name, shipped files by their path under the root.
        by_name = dict((a['name'], a) for a in artifacts)
        by_name.update((artifact_stage.relative_path(f), f) for f in files)
        local = dict((name, item.pop('src', None)) for name, item in by_name.items())
        args['artifacts'] = artifacts
        args['files'] = [dict(hook=f['name'].split('/')[0], sha256=f['sha256'], name=f['library']) for f in files]
        args.pop('sources', None)
        known = args.pop('staged_at_discovery', None)

        staged = dict(given) if isinstance(given, dict) else dict((a['name'], a) for a in given)
        # Not there when the host was read: most likely still missing, so send it right away.
        # One that was there and has gone since is still found missing by the module below.
        ahead = [] if known is None or self._task.check_mode else [
            name for name, item in by_name.items() if local.get(name) and artifact_stage.relative_path(item) not in known]
        try:
            if ahead:
                args['sources'] = self._transfer(ahead, local, by_name)
            first = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
            missing = first.get('missing') or []
            if first.get('failed') or not missing or self._task.check_mode:
                return self._record(result, first, staged)
            args['sources'] = dict(args.get('sources') or {}, **self._transfer(missing, local, by_name))
            second = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        finally:
            if self._connection._shell.tmpdir is not None:
                self._remove_tmp_path(self._connection._shell.tmpdir)
        return self._record(result, second, staged)

    @staticmethod
    def _record(result, module_result, staged):
        """The module's result, with the artifacts as a fact unless it failed. In check mode
        too: later steps then show what they would load."""
        result.update(module_result)
        if not result.get('failed'):
            result['ansible_facts'] = {FACT: staged}
        return result

    def _transfer(self, missing, local, by_name):
        """Copy each missing artifact from the controller to the remote temporary directory."""
        for name in missing:
            src = local.get(name)
            if not src:
                raise AnsibleActionFail("hook '%s': %s is not on the host and no src was given to copy it from"
                                        % (name, artifact_stage.destination(self._task.args['root'], by_name[name])))
            if not os.path.isabs(src):
                src = self._find_needle('files', src)
            try:
                found = artifact_store.file_sha256(src)
            except EnvironmentError as exc:
                raise AnsibleActionFail("hook '%s': cannot read the artifact %s on the controller: %s"
                                        % (name, src, artifact_stage.describe(exc)))
            if found != by_name[name]['sha256']:
                raise AnsibleActionFail("hook '%s': the artifact %s on the controller has sha256 %s, expected %s; "
                                        "refusing to stage it" % (name, src, found, by_name[name]['sha256']))
            local[name] = src
        if self._connection._shell.tmpdir is None:
            self._make_tmp_path()
        tmpdir = self._connection._shell.tmpdir
        sources, remote = {}, []
        for name in missing:
            path = self._connection._shell.join_path(tmpdir, '%s-%s' % (name.replace('/', '_'), by_name[name]['sha256'][:16]))
            sources[name] = self._transfer_file(local[name], path)
            remote.append(path)
        self._fixup_perms2([tmpdir] + remote)
        return sources
