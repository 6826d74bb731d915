# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""One master's rollout, whole, in one call, as agent_rollout does for an agent: take the host's
lock, read the running master and the cluster around it, plan its modules JSON and flags,
refuse a restart that would break the replicated log's quorum, snapshot, write, restart if
anything changed, run the master gates (master_gates), roll back on a failed gate, release.

The playbook restarts masters one at a time, the leading one last, so that a cluster has one
election per rollout (when the leader restarts), and none when a change fails on a master that
does not lead: it is rolled back before the leader is touched.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from urllib.parse import urlsplit

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_config as ac
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_rollout as ar
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import daemon_process
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates as g
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_config
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import master_gates as mg
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import zk_group

ERRORS = ar.ERRORS + (zk_group.ZkError,)


class Options(ar.Options):
    """What a rollout of one master needs; ``addresses`` and ``zk_members`` (this host's
    addresses, the ZooKeeper reader) are replaced in unit tests."""

    def __init__(self, params, check_mode=False, diff=False, restart=g.restart_unit, run=g.run_command,
                 addresses=daemon_process.local_addresses, zk_members=zk_group.members):
        super(Options, self).__init__(params, check_mode, diff, restart, run)
        self.addresses = addresses
        self.zk_members = zk_members


def probe(opts, restarting, zk=None):
    """A MasterProbe of this host's master; ``zk``: its --zk URL, once read."""
    url = mesos_api.base_url(opts["master_url"])
    port = urlsplit(url).port or 5050
    others = [u for u in opts["master_urls"] or [] if mesos_api.base_url(u) != url]
    return mg.MasterProbe(url, [url] + others, zk=zk, ips=opts.addresses(), port=port,
                          request_timeout=opts["request_timeout"],
                          service=opts["service"] if restarting else None, since=time.time(), run=opts.run,
                          zk_members=opts.zk_members)


def read(opts):
    """The master and the cluster around it now (master_gates.snapshot), waiting out a failover."""
    return mesos_api.while_unavailable(mg.snapshot, probe(opts, False), wait=mesos_api.FAILOVER_WAIT)


def _specs(opts, names):
    return g.gate_specs(names, g.seconds_by_gate(opts["timeouts"], "timeouts"),
                        g.seconds_by_gate(opts["intervals"], "intervals"), gate_set=mg.MASTER_GATES)


def restart_and_prove(opts, before, expect, names, daemon_reload):
    """Restart the master's unit, then run the master gates ``names`` against ``before``."""
    return ar.restart_then_gates(opts, before, expect, _specs(opts, names), probe(opts, True, before.get("zk")),
                                 daemon_reload)


def roll_out(opts):
    """Bring one master to ``present``/``absent``; the host's record (agent_rollout.Step) with
    ``role`` (leader or standby) at the restart."""
    return ar.locked(opts, _roll_out)


def _roll_out(opts, step):
    p = opts
    record = step.record
    step.reach("read")
    present, secret_keys = hook_config.entries(p["present"], p["secrets"])
    store = flag_stores.make_store(p["style"], root=p["root"], daemon="master")
    live = read(opts)
    plan, found = hook_config.preview(store, present, p["absent"], secret_keys, p["secrets"], p["managed_path"],
                                      p["dir_file_name"], p["backup_dir"], position=p["position"], live=live,
                                      diff=opts.diff, absent_files=p["absent_files"])
    stale = None if plan.changed else found["live_stale"]
    record.update(daemon="master", role="leader" if live["elected"] else "standby", leader_before=live["leader_url"],
                  hooks_before=plan.hooks_before, hooks_after=plan.hooks_after, files=found["files"], live_stale=stale)
    if "diff" in found:
        record["diff"] = found["diff"]
    record["changed"] = plan.changed or bool(stale)
    if not record["changed"]:
        return ar.done(step, "unchanged")
    if not plan.restart_needed and not stale:
        return ar.install_without_restart(opts, step, plan, present, secret_keys, "master")
    problem = mg.quorum_problem(live, p["host"] or "this master")
    if problem:
        raise ValueError(problem)
    names = mg.gate_names(live, p["canary_command"])
    expect = g.Expectations(hooks=plan.hooks_after, module_names=ar.module_names(plan, p["root"]),
                            modules_dir=plan.modules_after.get("modules_dir") or "", canary=p["canary_command"])
    if opts.check_mode:
        return ar.done(step, "updated")
    record["message"] = ar.restart_message(plan, stale, "master")
    if plan.changed:
        step.reach("files")
        record["snapshot"] = ac.write_change(plan, p["root"], p["backup_dir"], p["snapshot_dir"],
                                             present, p["absent"], secret_keys)
    step.reach("restart")
    outcome = restart_and_prove(opts, live, expect, names, daemon_reload=plan.daemon_reload_needed or bool(stale))
    record.update(restart_seconds=outcome["restart_seconds"], gate_seconds=outcome["seconds"], gates=outcome["gates"],
                  leader_after=_leader_after(outcome["gates"]))
    if outcome["passed"]:
        step.reach("passed")
        ac.put_back_shipped(plan, p["root"], p["backup_dir"])
        return ar.done(step, "updated", record["message"])
    why = outcome["msg"]
    step.reach("rollback")
    if not record.get("snapshot"):
        return ar.done(step, "failed", "%s; its files were already these before this run, so there "
                                       "was nothing to roll back to" % why)
    try:
        back = roll_back(opts, record["snapshot"], live)
    except ERRORS as e:
        back = dict(passed=False, msg=str(e))
    record["rollback"] = back
    if back["passed"]:
        return ar.done(step, "rolled_back", why)
    return ar.done(step, "failed", ar.rollback_failed_message(opts, why, back["msg"], record["snapshot"], "master"))


def _leader_after(results):
    for result in results:
        if result["name"] == "leader" and result["passed"]:
            return result["details"].get("leader_url")
    return None


def roll_back(opts, snapshot, before=None):
    """Put ``snapshot`` back and restart the master onto it behind the gates. ``before``: the
    cluster before the change (its agents and frameworks are compared); None reads it now, and a
    master that is down then gets only the gates that need nothing from before."""
    index, out = ar.rollback_outline(snapshot, opts["root"])
    if before is None:
        try:
            before = read(opts)
        except ERRORS:
            before = {}
    lagging = bool(before) and before.get("hooks") != index["hooks"]
    if not (out["changed"] or not before or lagging):
        out["msg"] = "the master already runs the snapshot's configuration"
        return out
    names = mg.gate_names(before) if before else ["health", "flags", "leader"]
    expect = g.Expectations(hooks=index["hooks"])
    return ar.restore_and_prove(opts, snapshot, out, "master", lambda: restart_and_prove(
        opts, before, expect, names, daemon_reload=True))
