#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: artifact_prune
short_description: Remove old staged hook artifacts, keeping what is loaded or needed for rollback
version_added: 0.1.0
description:
  - Staged artifacts live in C(<hook_dir>/<sha256>/). Deletes the oldest ones beyond I(keep_count),
    but never the I(keep) ones nor any that a modules manifest still references (the running agent
    may have it loaded, and a rollback restores a manifest that points at it).
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
attributes:
  check_mode:
    support: full
    description: Reports what would be removed.
  diff_mode:
    support: none
    description: Lists removed directories in C(removed).
options:
  hook_dir:
    description: The hook's staging directory, C(<staging root>/<hook name>).
    type: path
    required: true
  keep:
    description: Artifact sha256 names to keep whatever their age (the one being deployed).
    type: list
    elements: str
    default: []
  keep_count:
    description: How many of the newest other artifacts to keep.
    type: int
    default: 2
  manifests:
    description:
      - Modules manifest files whose referenced artifacts must stay. A directory stands for every
        C(.json) file in it (C(--modules_dir)).
    type: list
    elements: path
    default: []
"""

EXAMPLES = r"""
- name: Keep the deployed artifact, anything referenced, and two older ones
  mesos_fleet.hooks.artifact_prune:
    hook_dir: /var/lib/mesos-fleet-hooks/artifacts/command_hook
    keep: ["{{ artifact_sha256 }}"]
    manifests: [/etc/mesos/modules.json]
"""

RETURN = r"""
removed:
  description: Artifact directories removed (or that would be).
  returned: always
  type: list
  elements: str
kept:
  description: Artifact directories that stay.
  returned: always
  type: list
  elements: str
"""

import os
import shutil

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file


def manifest_files(paths):
    for path in paths:
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                if name.endswith(".json"):
                    yield os.path.join(path, name)
        else:
            yield path


def main():
    module = AnsibleModule(
        argument_spec=dict(
            hook_dir=dict(type="path", required=True),
            keep=dict(type="list", elements="str", default=[]),
            keep_count=dict(type="int", default=2),
            manifests=dict(type="list", elements="path", default=[]),
        ),
        supports_check_mode=True,
    )
    p = module.params
    if p["keep_count"] < 0:
        module.fail_json(msg="keep_count must be 0 or more, got %d" % p["keep_count"])
    try:
        texts = [atomic_file.read_text(path) for path in manifest_files(p["manifests"])]
    except atomic_file.AtomicFileError as e:
        module.fail_json(msg=str(e))
    keep = set(p["keep"]) | artifact_store.referenced(texts, p["hook_dir"])
    entries = artifact_store.list_entries(p["hook_dir"])
    removed = artifact_store.plan_prune(entries, keep, p["keep_count"])
    if not module.check_mode:
        for name in removed:
            shutil.rmtree(os.path.join(p["hook_dir"], name))
    kept = sorted(set(name for name, mtime in entries) - set(removed))
    module.exit_json(changed=bool(removed), removed=removed, kept=kept)


if __name__ == "__main__":
    main()
