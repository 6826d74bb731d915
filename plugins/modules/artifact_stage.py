#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: artifact_stage
short_description: Stage, check and prune every hook artifact of an agent in one pass
version_added: 0.1.0
description:
  - Puts each artifact at its content-addressed path C(<root>/<name>/<sha256>/<library>) on the
    host, checks it there against the agent's libmesos and Mesos version, and prunes old
    artifacts, in one remote call when every artifact is already in place and two (plus the
    file transfers) when some must be copied, or one when O(staged_at_discovery) says which.
  - An artifact already in place with the expected sha256 is only checked (and its owner and
    mode set to root and 0644). A path that holds other content, or is not a regular file, is
    never overwritten; the module fails and names it.
  - A missing artifact is copied from the controller (O(artifacts[].src)) by the action plugin
    to the remote temporary directory, then written to a temporary file in the destination
    directory (root-owned 0644, fsync'ed, sha256 checked) and published under its path with a
    hard link, so a library an agent has loaded is never replaced in place. Directories are
    created root-owned 0755. Any error leaves no partial file behind.
  - The check is that of M(mesos_fleet.hooks.hook_validate), optionally with its C(dlopen)
    probe. Pruning is that of M(mesos_fleet.hooks.artifact_prune), run per hook directory
    after every artifact passed its check; it never removes the staged artifact nor one that
    a manifest in O(manifests) references.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
requirements:
  - pyelftools (on the host)
attributes:
  action:
    support: full
    description:
      - The action plugin of the same name transfers the missing artifacts, and records the
        artifacts as the fact C(mesos_stage_artifacts).
  check_mode:
    support: full
    description:
      - Reports what would be copied and pruned and writes nothing. Artifacts already on the
        host are checked; one not yet there cannot be and is not.
  diff_mode:
    support: full
    description: Shows the artifact directories under O(root) before and after.
  platform:
    support: full
    platforms: posix
    description: Linux hosts with Python 3 and pyelftools.
options:
  root:
    description: The staging root on the host.
    type: path
    required: true
  artifacts:
    description:
      - The artifacts to stage, one per hook. A dict of hook name to entry (the role's
        C(mesos_stage_artifacts)) is accepted too; keys other than those below are ignored,
        except that a given C(dest) must equal C(<root>/<name>/<sha256>/<library>).
    type: list
    elements: dict
    required: true
    suboptions:
      name:
        description: Hook name, the directory under O(root).
        type: str
        required: true
      src:
        description: The artifact on the controller. Only read by the action plugin, when the host lacks it.
        type: path
      sha256:
        description: SHA-256 of the artifact.
        type: str
        required: true
      library:
        description: File name of the library.
        type: str
        required: true
      modules:
        description: Module symbols the library must provide.
        type: list
        elements: str
        required: true
      allow_resource_decorators:
        description: Accept a library that overrides C(slaveResourcesDecorator) or C(slaveAttributesDecorator).
        type: bool
        default: false
      idle_methods:
        description:
          - Hook methods that do nothing as the hook is configured (its C(hook.json) says a
            parameter turns them on and no module sets it); overriding one of them is not refused.
        type: list
        elements: str
        default: []
      kinds:
        description: Module name to the kind it must be, C(Hook) (the default) or C(Isolator).
        type: dict
        default: {}
  files:
    description:
      - Set by the action plugin from each artifact entry's C(files) (what the hook's commands
        need, shipped with it), never by hand. Each is staged like an artifact, at
        C(<root>/<hook>/files/<sha256>/<name>), but not checked as a library; old ones are
        pruned down to the newest O(keep_count).
    type: list
    elements: dict
    default: []
    suboptions:
      hook:
        description: Hook name.
        type: str
        required: true
      sha256:
        description: SHA-256 of the file.
        type: str
        required: true
      name:
        description: File name.
        type: str
        required: true
  mesos_version:
    description: Version of the agent's Mesos, for example C(1.11.0).
    type: str
    required: true
  libmesos:
    description: Path of the agent's C(libmesos.so); undefined symbols must resolve against it.
    type: path
    required: true
  dlopen_probe:
    description: Also load each artifact with O(libmesos) in a child process (see M(mesos_fleet.hooks.hook_validate)).
    type: bool
    default: false
  keep_count:
    description: How many of the newest other artifacts to keep per hook, for rollback.
    type: int
    default: 2
  manifests:
    description:
      - Modules manifest files whose referenced artifacts must stay. A directory stands for
        every C(.json) file in it (C(--modules_dir)).
    type: list
    elements: path
    default: []
  staged_at_discovery:
    description:
      - Only read by the action plugin. The artifacts a read of the host found staged, as
        C(<name>/<sha256>/<library>) paths under O(root) (C(mesos_agent.staged_artifacts) of
        M(mesos_fleet.hooks.agent_info)). An artifact not listed is transferred before the
        first module call, so staging it takes one call instead of two. Unset, only what the
        first call finds missing is transferred.
    type: list
    elements: str
  sources:
    description:
      - Set by the action plugin, never by hand. Hook name (or a shipped file's
        C(<hook>/files/<sha256>/<name>)) to the path of the copy it transferred to the host.
    type: dict
    default: {}
notes:
  - Runs as root so that directories and files are root-owned.
seealso:
  - module: mesos_fleet.hooks.hook_validate
  - module: mesos_fleet.hooks.artifact_prune
'''

EXAMPLES = r'''
- name: Stage this agent's artifacts
  mesos_fleet.hooks.artifact_stage:
    root: /var/lib/mesos-fleet-hooks/artifacts
    artifacts:
      - name: probe
        src: /var/cache/mesos-fleet/probe/3f2a/libprobe.so
        sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
        library: libprobe.so
        modules: [org_mesos_fleet_ProbeHook]
    mesos_version: 1.11.0
    libmesos: /usr/lib/libmesos.so
    dlopen_probe: true
    manifests: [/etc/mesos-fleet-hooks/modules.json]
  become: true
'''

RETURN = r'''
ansible_facts:
  description: Set on success, in check mode too.
  returned: success
  type: dict
  contains:
    mesos_stage_artifacts:
      description:
        - Hook name to its artifact entry as given in O(artifacts) (with C(src) and C(dest)),
          which the rollout's modules JSON loads.
      type: dict
artifacts:
  description: Per hook, what happened to its artifact.
  returned: always
  type: dict
  sample:
    probe:
      dest: /var/lib/mesos-fleet-hooks/artifacts/probe/9f86d0.../libprobe.so
      sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
      state: present
      checked: true
      build_id: 3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0c
      problems: []
      warnings: []
  contains:
    state:
      description: C(present) (already there), C(staged) (copied now) or C(would stage) (check mode).
      type: str
    checked:
      description: Whether it was checked against libmesos (not in check mode before it is copied).
      type: bool
files:
  description: Per shipped file (C(<hook>/files/<sha256>/<name>)), its staged path and what happened to it.
  returned: always
  type: dict
  sample:
    probe/files/2c26b4.../env-hook:
      dest: /var/lib/mesos-fleet-hooks/artifacts/probe/files/2c26b4.../env-hook
      sha256: 2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae
      state: staged
staged:
  description: Paths copied in this run.
  returned: always
  type: list
  elements: str
removed:
  description: Old artifact directories removed (or that would be, in check mode).
  returned: always
  type: list
  elements: str
transferred:
  description: Hooks (and shipped files) whose copy the controller transferred in this run.
  returned: always
  type: list
  elements: str
'''

import functools

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_stage
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_elf


def _validate(path, artifact, mesos_version, libmesos, probe):
    try:
        return hook_elf.validate_hook(path, artifact['modules'], mesos_version, libmesos=libmesos,
                                      probe=probe,
                                      allow_resource_decorators=artifact['allow_resource_decorators'],
                                      idle_methods=artifact['idle_methods'], kinds=artifact['kinds'])
    except hook_elf.HookElfError as exc:
        return dict(ok=False, problems=[str(exc)], warnings=[], build_id=None)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            root=dict(type='path', required=True),
            artifacts=dict(type='list', elements='dict', required=True, options=dict(
                name=dict(type='str', required=True),
                src=dict(type='path'),
                sha256=dict(type='str', required=True),
                library=dict(type='str', required=True),
                modules=dict(type='list', elements='str', required=True),
                allow_resource_decorators=dict(type='bool', default=False),
                idle_methods=dict(type='list', elements='str', default=[]),
                kinds=dict(type='dict', default={}),
            )),
            files=dict(type='list', elements='dict', default=[], options=dict(
                hook=dict(type='str', required=True),
                sha256=dict(type='str', required=True),
                name=dict(type='str', required=True),
            )),
            mesos_version=dict(type='str', required=True),
            libmesos=dict(type='path', required=True),
            dlopen_probe=dict(type='bool', default=False),
            keep_count=dict(type='int', default=2),
            manifests=dict(type='list', elements='path', default=[]),
            staged_at_discovery=dict(type='list', elements='str'),
            sources=dict(type='dict', default={}),
        ),
        supports_check_mode=True,
    )
    if not hook_elf.HAS_ELFTOOLS:
        module.fail_json(msg=missing_required_lib('pyelftools'), exception=hook_elf.ELFTOOLS_IMPORT_ERROR)
    p = module.params
    validate = functools.partial(_validate, mesos_version=p['mesos_version'], libmesos=p['libmesos'],
                                 probe=p['dlopen_probe'])
    try:
        artifacts = artifact_stage.normalise(p['artifacts'], p['root'])
        result = artifact_stage.stage(artifacts, p['root'], validate, sources=p['sources'],
                                      check_mode=module.check_mode, manifests=p['manifests'],
                                      keep_count=p['keep_count'],
                                      files=artifact_stage.normalise_files(p['files'], p['root']))
    except (ValueError, artifact_stage.StageError) as exc:
        module.fail_json(msg=str(exc))
    diff = result.pop('diff', None)
    if module._diff and diff is not None:
        result['diff'] = diff
    for warning in result.pop('warnings'):
        module.warn(warning)
    result['transferred'] = sorted(p['sources'])
    problems = result.pop('problems')
    if problems:
        module.fail_json(msg=' | '.join(problems), **result)
    module.exit_json(**result)


if __name__ == '__main__':
    main()
