#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: rollout_lock
short_description: Hold a host for one rollout so a second concurrent run fails clearly
version_added: 0.1.0
description:
  - Creates the lock file exclusively (it fails if another run holds the host) and records the
    run and the time. Taking it again in the same run changes nothing; releasing drops it only if
    this run holds it.
author:
  - mesos_fleet.hooks maintainers (@mesos_fleet)
attributes:
  check_mode:
    support: full
    description: Reports whether the lock could be taken without taking it.
  diff_mode:
    support: none
    description: Nothing to diff.
options:
  path:
    description: The lock file, in a root-only directory.
    type: path
    default: /var/lib/mesos-fleet-hooks/rollout.lock
  run_id:
    description: Identifies this run (the same for every host of one playbook run).
    type: str
    required: true
  state:
    description: C(acquired) takes the lock, C(released) drops it.
    type: str
    choices: [acquired, released]
    default: acquired
  stale_after:
    description: Break a lock older than this many seconds; 0 never breaks one.
    type: int
    default: 0
"""

EXAMPLES = r"""
- name: Hold the host
  mesos_fleet.hooks.rollout_lock:
    run_id: "{{ mesos_rollout_run_id }}"

- name: Let it go
  mesos_fleet.hooks.rollout_lock:
    run_id: "{{ mesos_rollout_run_id }}"
    state: released
"""

RETURN = r"""
acquired:
  description: Whether this call took the lock (false when this run already held it).
  returned: state=acquired
  type: bool
holder:
  description: Who held the lock before this call.
  returned: always
  type: dict
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import host_lock


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/var/lib/mesos-fleet-hooks/rollout.lock"),
            run_id=dict(type="str", required=True),
            state=dict(type="str", choices=["acquired", "released"], default="acquired"),
            stale_after=dict(type="int", default=0),
        ),
        supports_check_mode=True,
    )
    p = module.params
    holder = host_lock.read_lock(p["path"])
    try:
        if p["state"] == "acquired":
            acquired, holder = host_lock.take_lock(p["path"], p["run_id"], stale_after=p["stale_after"],
                                                   check_only=module.check_mode)
            module.exit_json(changed=acquired, acquired=acquired, holder=holder)
        changed = os.path.exists(p["path"]) and holder.get("run_id") in (p["run_id"], None)
        if not module.check_mode:
            changed = host_lock.release(p["path"], p["run_id"])
    except host_lock.LockError as e:
        module.fail_json(msg=str(e), holder=holder)
    module.exit_json(changed=changed, holder=holder)


if __name__ == "__main__":
    main()
