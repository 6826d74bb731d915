#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: hook_build
short_description: Compile a Mesos hook against the Mesos installed on this host
version_added: 0.1.0
description:
  - Runs the hook's own build file (C(CMakeLists.txt) or C(Makefile)) out of tree, passing the
    Mesos install prefix as C(MESOS_PREFIX) and the compile flags derived from the install as
    C(MESOS_CXXFLAGS).
  - On a compiler error, fails with the lines that matter (each error with its context) rather
    than the whole log.
  - Runs on the build group's builder host, against that host's installed headers.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
attributes:
  check_mode:
    support: none
    description: Compiling changes no configuration; run it with C(check_mode=false) to get exact artifacts in check runs.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  src:
    description: The hook's source directory on this host (C(hook.json) and a build file in it).
    type: path
    required: true
  build_dir:
    description: Where the build writes; created when missing.
    type: path
    required: true
  mesos_prefix:
    description: The Mesos install prefix on this host.
    type: path
    required: true
  cxxflags:
    description: Compile flags from the install (standard, C(-fPIC), include dirs, defines).
    type: list
    elements: str
    required: true
  jobs:
    description: Parallel compile jobs.
    type: int
    default: 2
seealso:
  - module: mesos_fleet.hooks.hook_validate
"""

EXAMPLES = r"""
- name: Compile the command hook on the group's builder
  mesos_fleet.hooks.hook_build:
    src: /tmp/mesos-fleet-build/src
    build_dir: /tmp/mesos-fleet-build/out
    mesos_prefix: /usr
    cxxflags: [-std=c++14, -fPIC, -I/usr/include, -D__STDC_FORMAT_MACROS]
  register: built
"""

RETURN = r"""
artifact:
  description: Path of the built library on this host.
  returned: success
  type: str
  sample: /tmp/mesos-fleet-build/out/libcommand_hook.so
sha256:
  description: sha256 of the artifact.
  returned: success
  type: str
library:
  description: Library file name from C(hook.json).
  returned: always
  type: str
modules:
  description: Module symbols the library defines, from C(hook.json).
  returned: always
  type: list
  elements: str
compiler:
  description: First line of C(c++ --version) on this host.
  returned: always
  type: str
commands:
  description: The build commands that ran.
  returned: always
  type: list
  elements: list
seconds:
  description: Wall time of the build.
  returned: always
  type: float
errors:
  description: The compiler lines that matter, on failure.
  returned: failure
  type: list
  elements: str
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb


def find_artifact(library, build_dir, src):
    for d in (build_dir, src):
        path = os.path.join(d, library)
        if os.path.isfile(path):
            return path
    return None


def main():
    module = AnsibleModule(
        argument_spec=dict(
            src=dict(type="path", required=True),
            build_dir=dict(type="path", required=True),
            mesos_prefix=dict(type="path", required=True),
            cxxflags=dict(type="list", elements="str", required=True),
            jobs=dict(type="int", default=2),
        ),
        supports_check_mode=False,
    )
    p = module.params
    try:
        info = hb.read_hook_manifest(p["src"])
    except hb.BuildError as e:
        module.fail_json(msg=str(e))
    tool = "cmake" if info["build_system"] == "cmake" else "make"
    if not module.get_bin_path(tool):
        module.fail_json(msg="%s is not installed on this host, needed to build %s" % (tool, p["src"]))
    cxx = module.get_bin_path("c++") or module.get_bin_path("g++")
    if not cxx:
        module.fail_json(msg="no C++ compiler (c++ or g++) on this host")
    compiler = module.run_command([cxx, "--version"])[1].splitlines()[0]
    if not os.path.isdir(p["build_dir"]):
        os.makedirs(p["build_dir"], 0o755)

    commands = hb.build_commands(info["build_system"], p["src"], p["build_dir"], p["mesos_prefix"],
                                 p["cxxflags"], p["jobs"])
    result = dict(changed=True, library=info["library"], modules=info["modules"], compiler=compiler,
                  commands=commands)
    start = time.time()
    for argv in commands:
        rc, out, err = module.run_command(argv, cwd=p["build_dir"])
        if rc != 0:
            errors = hb.first_errors(out + "\n" + err)
            module.fail_json(msg="building %s from %s failed (%s exited %d):\n%s"
                             % (info["library"], p["src"], argv[0], rc, "\n".join(errors)),
                             errors=errors, seconds=round(time.time() - start, 3), **result)
    result["seconds"] = round(time.time() - start, 3)
    artifact = find_artifact(info["library"], p["build_dir"], p["src"])
    if not artifact:
        module.fail_json(msg="the build of %s succeeded but left no %s in %s"
                         % (p["src"], info["library"], p["build_dir"]), **result)
    result.update(artifact=artifact, sha256=module.digest_from_file(artifact, "sha256"))
    module.exit_json(**result)


if __name__ == "__main__":
    main()
