#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hook_source
short_description: Describe a hook source directory and fingerprint its content
version_added: 0.1.0
description:
  - Reads the hook's C(hook.json) (library name, module symbols), finds its build file, and
    computes a sha256 over the names and contents of its source files (build outputs ignored).
  - Run it where the sources are. Equal digests, build fingerprints and flags mean an artifact
    can be taken from the cache.
  - On the controller the P(mesos_fleet.hooks.hook_sources#lookup) lookup returns the same for
    every hook at once without starting a module process; the build role uses that.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
extends_documentation_fragment:
  - mesos_fleet.hooks.attributes.read_only
options:
  path:
    description: The hook's source directory.
    type: path
    required: true
"""

EXAMPLES = r"""
- name: Describe the command hook's sources
  mesos_fleet.hooks.hook_source:
    path: "{{ playbook_dir }}/../hook_src/command_hook"
  delegate_to: localhost
  register: source
"""

RETURN = r"""
path:
  description: The source directory.
  returned: success
  type: str
library:
  description: Library file name the build produces.
  returned: success
  type: str
  sample: libcommand_hook.so
modules:
  description: Module symbols the library defines.
  returned: success
  type: list
  elements: str
build_system:
  description: C(cmake) or C(make).
  returned: success
  type: str
digest:
  description: sha256 over the source files' names and contents.
  returned: success
  type: str
files:
  description: The source files that went into the digest, relative to I(path).
  returned: success
  type: list
  elements: str
enabled_by_parameter:
  description: Hook method -> the module parameter that turns it on, from C(hook.json) (empty when it says nothing).
  returned: success
  type: dict
mesos_headers:
  description: The Mesos headers (C(mesos/), C(stout/), C(process/)) the sources include; a builder must find what they include.
  returned: success
  type: list
  elements: str
cmake_minimum:
  description: The CMake version the C(CMakeLists.txt) asks for (C(cmake_minimum_required)), null without one.
  returned: success
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb


def main():
    module = AnsibleModule(argument_spec=dict(path=dict(type="path", required=True)), supports_check_mode=True)
    try:
        info = hb.describe_source(module.params["path"])
    except (hb.BuildError, IOError, OSError) as e:
        module.fail_json(msg=str(e))
    module.exit_json(changed=False, **info)


if __name__ == "__main__":
    main()
