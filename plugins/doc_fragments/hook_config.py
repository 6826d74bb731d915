# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The change of hooks an agent must load, for the modules that write it
    (module_utils/hook_config.py ARGUMENT_SPEC)."""

    DOCUMENTATION = r"""
options:
  present:
    description: Hook libraries that must be loaded.
    type: list
    elements: dict
    default: []
    suboptions:
      name:
        description:
          - The hook's name. A file this hook installed (O(present[].files)) that it no longer lists is put back as it
            was before the first install.
        type: str
      file:
        description: Absolute path of the staged C(.so).
        type: path
        required: true
      modules:
        description: Module symbols with their parameters.
        type: list
        elements: dict
        required: true
        suboptions:
          name:
            description: Module symbol.
            type: str
            required: true
          parameters:
            description:
              - List of C(key)/C(value) pairs, or a mapping. Values must be strings.
              - The value of a key listed in I(secret_parameters) is taken from I(secrets).
            type: raw
          secret_parameters:
            description:
              - Parameter keys whose values are secret. Their values come from I(secrets), are masked
                in the result and the diff, and the manifest holding them is written root-owned 0600.
            type: list
            elements: str
            default: []
      hooks:
        description: Module names to list in C(--hooks).
        type: list
        elements: str
        required: true
      isolation:
        description: Isolator module names to add to C(--isolation) (after the agent's own isolators).
        type: list
        elements: str
        default: []
      files:
        description:
          - Files the hook's commands need, installed from their staged copies before the restart (atomically,
            root-owned, O(present[].files[].mode)). What stood at a path before the first install is recorded and
            put back when the hook goes (O(absent_files)).
          - A change of these alone restarts nothing unless O(present[].files[].restart) is set.
        type: list
        elements: dict
        default: []
        suboptions:
          staged:
            description: The staged copy on the host (M(mesos_fleet.hooks.artifact_stage)).
            type: path
            required: true
          sha256:
            description: SHA-256 the staged copy must have.
            type: str
            required: true
          dest:
            description: Where the commands find it.
            type: path
            required: true
          mode:
            description: Its mode, never writable by group or others.
            type: str
            default: "0755"
          restart:
            description:
              - Restart the daemon when it changes. Set for a hook with a command in persistent mode, whose process
                keeps running what it started with; one-shot commands read the file at each call.
            type: bool
            default: false
  secrets:
    description:
      - Module name -> parameter key -> value of the parameters listed in I(secret_parameters) (see P(mesos_fleet.hooks.hook_secrets#filter)).
        Never logged or returned.
    type: dict
    default: {}
  absent:
    description: Module names of ours that must not be loaded any more.
    type: list
    elements: str
    default: []
  absent_files:
    description:
      - Paths of files shipped with hooks being taken out; each is put back as it was before our first install
        (removed, or the file that stood there). A path we never installed is left alone.
    type: list
    elements: path
    default: []
  position:
    description: Where our hooks go among the agent's other hooks.
    type: str
    choices:
      - append
      - prepend
    default: append
  managed_path:
    description: Manifest we create when the agent has neither C(--modules) nor C(--modules_dir).
    type: path
    default: /etc/mesos-fleet-hooks/modules.json
  dir_file_name:
    description: Name of our manifest inside C(--modules_dir).
    type: str
    default: 50-mesos-fleet-hooks.json
"""
