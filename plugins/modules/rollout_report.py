#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: rollout_report
short_description: Write the per-host report of a hook rollout as a text table and as JSON
version_added: 0.1.0
description:
  - Takes one record per host and renders a fixed-width text table (host, result, build
    fingerprint, artifact hash, hooks before and after, restart and gate seconds, message) with
    a summary line, and a JSON document with the same records.
  - Writes the JSON to I(path) and the text to I(text_path), each atomically (temporary file and
    rename). A file whose content would not change is left alone.
  - Returns the table as I(text) so a playbook can print it.
  - Usually run once on the controller (C(run_once), C(delegate_to=localhost)) with records
    gathered from every host. There, on a local connection without become, its action plugin
    writes the report in the controller's own process instead of starting the module.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
attributes:
  check_mode:
    support: full
    description: Renders the report and tells whether the files would change, without writing.
  diff_mode:
    support: full
    description: Shows the text report before and after.
options:
  records:
    description:
      - One record per host, in the order to show them. Each is a dict with these keys.
      - C(host) (required) the host's inventory name.
      - C(result) (required) C(updated) the hooks changed and every gate passed; C(unchanged)
        nothing needed to change; C(rolled_back) a gate failed and the previous configuration
        was restored; C(failed) the host could be neither updated nor restored; C(unreachable)
        the controller lost contact with the host during its rollout (the message says how far
        it got and what to do).
      - C(fingerprint) the build fingerprint of the host's Mesos.
      - C(artifact_sha256) SHA-256 (64 hex digits) of the hook library staged on the host; with
        several hooks, one per hook, comma-separated.
      - C(hooks_before), C(hooks_after) C(--hooks) before and after, as lists or comma strings.
      - C(isolation_before), C(isolation_after) C(--isolation) before and after, as lists or comma
        strings, or null when the host's rollout involved no isolator module; the text report has an
        ISOLATION column only when some record has them.
      - C(restart_seconds), C(gate_seconds) seconds the restart and the gates took, or null.
      - C(message) one line on what happened, for example the failed gate's error.
      - Any other key, or a bad value, fails the module naming the record and the key.
    type: list
    elements: dict
    required: true
  path:
    description: Where the JSON report goes. Missing parent directories are created.
    type: path
    required: true
  text_path:
    description: Where the text report goes; defaults to I(path) with C(.txt) in place of C(.json).
    type: path
  secrets:
    description:
      - Values that must never appear in the report, its result or its diff (the values of
        secret hook parameters, see P(mesos_fleet.hooks.hook_secrets#filter)); masked as
        C(********) wherever a record holds them. A list of values, or module -> key -> value.
    type: raw
    default: []
  title:
    description: The report's title, shown above the table.
    type: str
    default: Mesos hook rollout
  mode:
    description: File mode of the reports when they are created.
    type: raw
    default: '0644'
seealso:
  - module: mesos_fleet.hooks.agent_gates
"""

EXAMPLES = r"""
- name: Write the rollout report
  mesos_fleet.hooks.rollout_report:
    path: /var/log/mesos-fleet-hooks/rollout.json
    records: "{{ ansible_play_hosts_all | map('extract', hostvars, 'hook_rollout_record') | list }}"
  run_once: true
  delegate_to: localhost
  register: report

- name: Show it
  ansible.builtin.debug:
    msg: "{{ report.text.splitlines() }}"
  run_once: true
"""

RETURN = r"""
text:
  description: The text report.
  returned: always
  type: str
  sample: |
    Mesos hook rollout
    ==================
    HOST     RESULT   FINGERPRINT  ARTIFACT      HOOKS BEFORE -> AFTER            RESTART  GATES  MESSAGE
    -------  -------  -----------  ------------  -------------------------------  -------  -----  -------
    agent-1  updated  1.11.0-9f2c  3f2a9c1d0e4b  - -> org_mesos_fleet_CommandHook     2.7s   3.1s  all gates passed
    1 host: 1 updated, 0 unchanged, 0 rolled back, 0 failed
summary:
  description: Number of hosts in all and per result.
  returned: always
  type: dict
  sample: {"hosts": 1, "updated": 1, "unchanged": 0, "rolled_back": 0, "failed": 0, "unreachable": 0}
ok:
  description: True when every host was updated or unchanged.
  returned: always
  type: bool
path:
  description: The JSON report's path.
  returned: always
  type: str
text_path:
  description: The text report's path.
  returned: always
  type: str
"""

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout_report as rr


def main():
    module = AnsibleModule(argument_spec=rr.ARGUMENT_SPEC, supports_check_mode=True)
    try:
        module.exit_json(**rr.write(module.params, module.check_mode, module._diff))
    except (ValueError, atomic_file.AtomicFileError) as e:
        module.fail_json(msg=str(e))


if __name__ == "__main__":
    main()
