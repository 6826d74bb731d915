#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: build_requirements
short_description: Find what a builder lacks to compile hooks against its installed Mesos
version_added: 0.1.0
description:
  - For each build job of this host, checks for a C++ compiler, the hook's build tool (CMake of
    the version its C(CMakeLists.txt) asks for, or make) and every header the Mesos headers the
    hook includes need (protobuf's, curl's, ...), by running the compiler as a preprocessor
    with C(-M -MG) over those Mesos headers, which lists a header it cannot find instead of failing.
  - Maps each missing header to the library libmesos links for it (its C(DT_NEEDED) entries),
    the distribution package that owns that library, and the development package of the same
    version, so the headers match the library libmesos uses (protobuf's generated headers refuse
    any other). Returns the package specs that would install what is missing (C(name=version)
    on Debian, C(name-version) on RPM distributions).
  - Changes nothing.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
requirements:
  - pyelftools on the host, to read which libraries libmesos links.
extends_documentation_fragment:
  - mesos_fleet.hooks.attributes.read_only
options:
  builds:
    description:
      - The build jobs this host runs, as the build role plans them. Each is a dict with
        C(hook) (the name, for the messages), C(flags) (the compiler flags from the Mesos
        install), C(libmesos) (the library the hook is built for) and optionally C(prefix)
        (the Mesos install prefix), C(build_system) (C(cmake) or C(make), default C(make)),
        C(mesos_headers) (the Mesos headers the hook includes; C(mesos/hook.hpp) when empty) and
        C(cmake_minimum) (the CMake version the hook asks for). Other keys are ignored.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
- name: Find what this builder lacks for its builds
  mesos_fleet.hooks.build_requirements:
    builds:
      - hook: command_hook
        flags: [-std=c++14, -fPIC, -I/opt/mesos/include, -I/opt/mesos/lib/mesos/3rdparty/include]
        libmesos: /opt/mesos/lib/libmesos-1.11.0.so
        build_system: cmake
        cmake_minimum: "3.16"
        mesos_headers: [mesos/hook.hpp, mesos/module/hook.hpp]
  register: needs
"""

RETURN = r"""
missing:
  description: What is missing, per hook, with the package that provides it.
  returned: always
  type: list
  elements: dict
  sample:
    - hook: command_hook
      what: headers of libprotobuf (libmesos links /usr/lib/x86_64-linux-gnu/libprotobuf.so.32), for google/protobuf/port_def.inc
      package: libprotobuf-dev
      version: 3.21.12-3
      spec: libprotobuf-dev=3.21.12-3
packages:
  description: Package specs that install everything in RV(missing).
  returned: always
  type: list
  elements: str
  sample: [cmake, libprotobuf-dev=3.21.12-3]
problems:
  description: What no package install fixes (a CMake too old, headers Mesos should have shipped), per hook.
  returned: always
  type: list
  elements: str
"""

import shutil

from ansible.module_utils.basic import AnsibleModule, missing_required_lib
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import build_requirements as br
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_elf


def main():
    module = AnsibleModule(
        argument_spec=dict(builds=dict(type="list", elements="dict", required=True)),
        supports_check_mode=True,
    )
    if not hook_elf.HAS_ELFTOOLS:
        module.fail_json(msg=missing_required_lib("pyelftools"), exception=hook_elf.ELFTOOLS_IMPORT_ERROR)

    def run(argv, data=None):
        return module.run_command(argv, data=data)

    try:
        builds = br.normalise_builds(module.params["builds"])
        result = br.check_builds(builds, shutil.which, run, hook_elf.linked_libraries)
    except (ValueError, hook_elf.HookElfError) as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=False, **result)


if __name__ == "__main__":
    main()
