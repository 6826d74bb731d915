#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
---
module: hook_validate
short_description: Check a built Mesos hook module library before an agent loads it
version_added: 0.1.0
description:
  - Reads a Mesos module library (C(.so)) and checks each named module the way a Mesos agent
    would when it starts, so that a wrong artifact is refused before any agent restarts.
  - Checks that each module symbol is exported, that its module object says API version C(2),
    kind C(Hook) and exactly the target Mesos version, and that its C(create) pointer is set.
    Messages use Mesos's own wording where Mesos has one.
  - With O(libmesos), checks that every undefined dynamic symbol of the library is defined by
    that libmesos or by a library it or the hook needs (Mesos compares version strings only,
    not ABI).
  - Refuses hooks that override C(slaveResourcesDecorator) or C(slaveAttributesDecorator)
    unless O(allow_resource_decorators) is set; they run before agent recovery checks the
    agent info and can keep an agent from recovering.
  - g++ fills module objects declared with Mesos's headers from a static constructor at load
    time, so their fields are not in the file; such modules are only verified with
    O(dlopen_probe=true), which loads libmesos and the library in a child process and reads
    the module objects from memory.
  - Read-only; never changes anything.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
requirements:
  - pyelftools (on the host that runs the check)
  - c++filt (optional, to demangle symbol names in messages)
attributes:
  platform:
    support: full
    platforms: posix
    description: Linux ELF libraries.
extends_documentation_fragment:
  - mesos_fleet.hooks.attributes.read_only
options:
  path:
    description:
      - Path of the hook module library (C(.so)) to check.
    type: path
    required: true
  modules:
    description:
      - Symbol names of the modules the library must provide, as named in the agent's modules
        JSON.
    type: list
    elements: str
    required: true
  mesos_version:
    description:
      - Version of the Mesos agent that will load the library, for example C(1.11.0).
    type: str
    required: true
  libmesos:
    description:
      - Path of the agent's C(libmesos.so). Enables the undefined-symbol check and is required
        by O(dlopen_probe).
    type: path
  dlopen_probe:
    description:
      - Load O(libmesos) (C(RTLD_GLOBAL)) and then the library (C(RTLD_NOW)) in a child process
        and read each module object from memory. A crashing static constructor only ends the
        child. Needed to verify module objects that are filled at load time.
    type: bool
    default: false
  allow_resource_decorators:
    description:
      - Accept a library that overrides C(slaveResourcesDecorator) or
        C(slaveAttributesDecorator).
    type: bool
    default: false
  idle_methods:
    description:
      - Hook methods that do nothing as the hook is configured (its C(hook.json) says a parameter
        turns them on and no module sets it); overriding one of them is not refused.
    type: list
    elements: str
    default: []
  kinds:
    description:
      - Module name to the kind it must be, C(Hook) or C(Isolator) (from the source's C(hook.json));
        a module not named must be a C(Hook).
    type: dict
    default: {}
notes:
  - Library lookup follows C(ld.so) (RPATH, RUNPATH, the directory of O(libmesos), the
    C(ldconfig -p) cache and the standard directories) but ignores C(LD_LIBRARY_PATH).
seealso:
  - name: Mesos modules
    description: How Mesos loads and verifies module libraries.
    link: https://mesos.apache.org/documentation/latest/modules/
'''

EXAMPLES = r'''
- name: Check a built hook against the agent's Mesos
  mesos_fleet.hooks.hook_validate:
    path: /var/lib/mesos-hooks/libcommand_hook.so
    modules:
      - org_mesos_fleet_CommandHook
    mesos_version: 1.11.0
    libmesos: /usr/lib/libmesos.so
    dlopen_probe: true

- name: Accept a hook that decorates agent resources on purpose
  mesos_fleet.hooks.hook_validate:
    path: /var/lib/mesos-hooks/libresource_hook.so
    modules: [org_example_ResourceHook]
    mesos_version: 1.11.0
    allow_resource_decorators: true
'''

RETURN = r'''
ok:
  description: Whether every check passed (the module fails otherwise).
  returned: always
  type: bool
  sample: true
problems:
  description: Every problem found, each naming the module or symbol concerned.
  returned: always
  type: list
  elements: str
  sample: ["module 'org_example_Hook': Mesos has version 1.11.0, but module is compiled with version 1.12.0"]
warnings_found:
  description: Findings that do not fail the check (for example a stripped library).
  returned: always
  type: list
  elements: str
  sample: []
build_id:
  description: GNU build-id of the library, or null when it has none.
  returned: always
  type: str
  sample: 3f2a9c0d5e6b7a8c9d0e1f2a3b4c5d6e7f8a9b0c
sha256:
  description: SHA-256 of the library file.
  returned: always
  type: str
  sample: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08
machine:
  description: ELF machine of the library.
  returned: always
  type: str
  sample: EM_X86_64
arch:
  description: Architecture of the library as pyelftools names it.
  returned: always
  type: str
  sample: x64
needed:
  description: DT_NEEDED entries of the library.
  returned: always
  type: list
  elements: str
  sample: [libstdc++.so.6, libc.so.6]
runpath:
  description: RUNPATH (or RPATH) directories of the library.
  returned: always
  type: list
  elements: str
  sample: []
modules:
  description:
    - Decoded module object per symbol. Fields are null when they could not be read.
  returned: always
  type: dict
  sample:
    org_example_Hook:
      symbol: org_example_Hook
      found: true
      exported: true
      source: dlopen
      initialisation: dynamic
      section: .bss
      size: 64
      module_api_version: '2'
      mesos_version: 1.11.0
      kind: Hook
      author_name: Example
      author_email: ops@example.com
      description: Example hook
      compatible_set: false
      create_set: true
      create_function: null
      unreadable: []
      note: null
  contains:
    found:
      description: The symbol is defined in the library.
      type: bool
    exported:
      description: The symbol is in the dynamic symbol table, where Mesos looks it up.
      type: bool
    source:
      description: C(file) when the fields were read from the file, C(dlopen) when the probe read them, null when nothing could be read.
      type: str
    initialisation:
      description: C(static) when the object is filled in the file, C(dynamic) when a constructor fills it at load time.
      type: str
    module_api_version:
      description: ModuleBase moduleApiVersion.
      type: str
    mesos_version:
      description: ModuleBase mesosVersion.
      type: str
    kind:
      description: ModuleBase kind.
      type: str
    compatible_set:
      description: Whether the compatible() callback is set.
      type: bool
    create_set:
      description: Whether create() is set.
      type: bool
    unreadable:
      description: Fields whose pointers are bound to another library at load time, so the file cannot tell their value.
      type: list
      elements: str
unresolved_symbols:
  description: Undefined symbols that nothing in reach defines (only with O(libmesos)).
  returned: always
  type: list
  elements: dict
  sample: [{name: _ZN5mesos3fooEv, version: null, demangled: 'mesos::foo()'}]
missing_libraries:
  description: DT_NEEDED libraries that were not found (only with O(libmesos)).
  returned: always
  type: list
  elements: dict
  sample: []
resource_decorators:
  description: Overrides of slaveResourcesDecorator / slaveAttributesDecorator found.
  returned: always
  type: list
  elements: str
  sample: []
probe:
  description: Result of the dlopen probe (ok, error, modules), null when it did not run.
  returned: always
  type: dict
  sample: {ok: true, error: null, modules: {}}
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_elf


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type='path', required=True),
            modules=dict(type='list', elements='str', required=True),
            mesos_version=dict(type='str', required=True),
            libmesos=dict(type='path'),
            dlopen_probe=dict(type='bool', default=False),
            allow_resource_decorators=dict(type='bool', default=False),
            idle_methods=dict(type='list', elements='str', default=[]),
            kinds=dict(type='dict', default={}),
        ),
        required_if=[('dlopen_probe', True, ('libmesos',))],
        supports_check_mode=True,
    )
    if not hook_elf.HAS_ELFTOOLS:
        module.fail_json(msg=missing_required_lib('pyelftools'),
                         exception=hook_elf.ELFTOOLS_IMPORT_ERROR)

    params = module.params
    try:
        result = hook_elf.validate_hook(
            params['path'], params['modules'], params['mesos_version'],
            libmesos=params['libmesos'], probe=params['dlopen_probe'],
            allow_resource_decorators=params['allow_resource_decorators'],
            idle_methods=params['idle_methods'], kinds=params['kinds'])
    except hook_elf.HookElfError as exc:
        module.fail_json(msg=str(exc))

    # A 'path' key would make AnsibleModule add the file's owner and mode to the result.
    result.pop('path')
    result['warnings_found'] = result.pop('warnings')
    for warning in result['warnings_found']:
        module.warn(warning)
    if not result['ok']:
        module.fail_json(msg='%s failed validation: %s' % (params['path'],
                                                           '; '.join(result['problems'])),
                         changed=False, **result)
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()
