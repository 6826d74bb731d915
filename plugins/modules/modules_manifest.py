#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: modules_manifest
short_description: Put our hook libraries into a Mesos agent's modules JSON, or take them out
version_added: 0.1.0
description:
  - Merges the given module libraries into the manifest the agent loads through C(--modules),
    or writes them as a file of their own into C(--modules_dir), leaving every other library
    untouched and in its place.
  - With I(state=absent) removes the named modules again. When the libraries were first merged
    into an operator's file, the file as it was before is kept in I(backup_dir) and restored
    byte for byte once our modules are gone.
  - Validates the existing manifest and ours the way Mesos does before anything is written, and
    refuses the configurations Mesos refuses (C(--modules) together with C(--modules_dir), the
    same module name with a different library or parameters).
  - Writes are atomic (temporary file and rename); the previous content is backed up.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
attributes:
  check_mode:
    support: full
    description: Computes the new manifest and reports it without writing.
  diff_mode:
    support: full
    description: Shows the manifest before and after.
options:
  state:
    description: Whether our libraries should be in the manifest.
    type: str
    choices: [present, absent]
    default: present
  libraries:
    description:
      - Our libraries. Each is referenced by absolute I(file) path.
      - With I(state=absent) only the module names are used.
    type: list
    elements: dict
    required: true
    suboptions:
      file:
        description: Absolute, normalised path of the C(.so) on the agent.
        type: path
        required: true
      modules:
        description: The modules (symbols) of this library to load.
        type: list
        elements: dict
        required: true
        suboptions:
          name:
            description: Module symbol name; a C identifier.
            type: str
            required: true
          parameters:
            description:
              - Parameters passed to the module's C(create()), as a list of C(key)/C(value) pairs
                (order kept) or as a mapping (sorted by key). Values must be strings.
            type: raw
  modules_flag:
    description:
      - The agent's current C(--modules) value (a C(file://) URL, a path or inline JSON), as
        reported by M(mesos_fleet.hooks.agent_info). Empty when the flag is not set.
    type: str
    default: ''
  modules_dir:
    description: The agent's current C(--modules_dir). Empty when the flag is not set.
    type: str
    default: ''
  managed_path:
    description: The manifest file to create when the agent has neither C(--modules) nor C(--modules_dir).
    type: path
    default: /etc/mesos-fleet-hooks/modules.json
  dir_file_name:
    description: Name of our file inside C(--modules_dir). Mesos loads the directory's files in name order.
    type: str
    default: 50-mesos-fleet-hooks.json
  backup_dir:
    description: Where the previous content of every changed file is kept, for rollback.
    type: path
    default: /var/lib/mesos-fleet-hooks/backup
notes:
  - C(--modules) given as inline JSON can be read but not changed; move it to a file first.
seealso:
  - module: mesos_fleet.hooks.agent_flags
  - module: mesos_fleet.hooks.agent_info
"""

EXAMPLES = r"""
- name: Load the command hook through the agent's modules JSON
  mesos_fleet.hooks.modules_manifest:
    modules_flag: "{{ mesos_agent.flags.modules | default('') }}"
    modules_dir: "{{ mesos_agent.flags.modules_dir | default('') }}"
    libraries:
      - file: /var/lib/mesos/modules/command_hook/3f2a.../libcommand_hook.so
        modules:
          - name: org_mesos_fleet_CommandHook
            parameters:
              slave_executor_environment_decorator_command: /usr/local/libexec/mesos-env
  register: manifest

- name: Take it out again
  mesos_fleet.hooks.modules_manifest:
    state: absent
    modules_flag: "file:///etc/mesos/modules.json"
    libraries:
      - file: /var/lib/mesos/modules/command_hook/3f2a.../libcommand_hook.so
        modules:
          - name: org_mesos_fleet_CommandHook
"""

RETURN = r"""
path:
  description: The manifest file that was (or would be) changed; null for inline C(--modules).
  returned: always
  type: str
  sample: /etc/mesos/modules.json
modules_flag:
  description:
    - The value C(--modules) must have afterwards; null when the flag needs no change, an empty
      string when it must be removed.
  returned: always
  type: str
  sample: file:///etc/mesos-fleet-hooks/modules.json
modules:
  description: Names of all modules the manifest declares afterwards.
  returned: always
  type: list
  elements: str
backup:
  description: Path of the backup of the previous content, when a file changed.
  returned: when a file changed and was not created
  type: str
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_config as ac
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm


def build_libraries(raw):
    libraries = []
    for i, library in enumerate(raw):
        modules = []
        for module in library.get("modules") or []:
            entry = {"name": module["name"]}
            parameters = mm.normalise_parameters(module.get("parameters"))
            if parameters:
                entry["parameters"] = parameters
            modules.append(entry)
        libraries.append({"file": library["file"], "modules": modules})
    return libraries


def run(module):
    p = module.params
    libraries = build_libraries(p["libraries"])
    backup_dir = p["backup_dir"]

    pristine = None
    source = p["modules_flag"] and mm.modules_flag_source(p["modules_flag"])
    if source and source[0] == "file":
        pristine = ac.read_pristine(backup_dir, source[1])

    if p["state"] == "present":
        wanted, remove = libraries, []
    else:
        wanted, remove = [], [m["name"] for lib in libraries for m in lib["modules"]]
    change = mm.plan(
        wanted, remove=remove,
        modules_flag=p["modules_flag"] or None,
        modules_dir=p["modules_dir"] or None,
        managed_path=p["managed_path"],
        dir_file_name=p["dir_file_name"],
        read=atomic_file.read_text,
        list_dir=lambda d: os.listdir(d) if os.path.isdir(d) else [],
        pristine=pristine,
    )
    after_doc = mm.parse(change.after, change.path) if change.after else {"libraries": []}
    result = dict(
        changed=change.changed,
        path=change.path,
        modules_flag=change.modules_flag,
        modules=[m["name"] for lib in after_doc["libraries"] for m in lib.get("modules", [])],
    )
    if module._diff:
        result["diff"] = dict(before=change.before or "", after=change.after or "",
                              before_header=change.path, after_header=change.path)
    if not change.changed or module.check_mode:
        return result

    if change.stores_pristine and pristine is None:
        ac.keep_pristine(backup_dir, change.path, change.before)
    if change.after is None:
        backup = atomic_file.atomic_remove(change.path, backup_dir=backup_dir)
    else:
        atomic_file.ensure_dir(os.path.dirname(change.path))
        mode, uid, gid = atomic_file.config_file_mode(change.path)
        backup = atomic_file.atomic_write(change.path, atomic_file.encode_text(change.after),
                                          mode=mode, owner=uid, group=gid, backup_dir=backup_dir)
        if pristine is not None and change.after == pristine:
            ac.drop_pristine(backup_dir, change.path)
    if backup:
        result["backup"] = backup
    return result


def main():
    module = AnsibleModule(
        argument_spec=dict(
            state=dict(type="str", choices=["present", "absent"], default="present"),
            libraries=dict(type="list", elements="dict", required=True, options=dict(
                file=dict(type="path", required=True),
                modules=dict(type="list", elements="dict", required=True, options=dict(
                    name=dict(type="str", required=True),
                    parameters=dict(type="raw"),
                )),
            )),
            modules_flag=dict(type="str", default=""),
            modules_dir=dict(type="str", default=""),
            managed_path=dict(type="path", default="/etc/mesos-fleet-hooks/modules.json"),
            dir_file_name=dict(type="str", default="50-mesos-fleet-hooks.json"),
            backup_dir=dict(type="path", default="/var/lib/mesos-fleet-hooks/backup"),
        ),
        supports_check_mode=True,
    )
    try:
        module.exit_json(**run(module))
    except (mm.ManifestError, atomic_file.AtomicFileError) as e:
        module.fail_json(msg=str(e))


if __name__ == "__main__":
    main()
