# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""One agent's rollout, whole, in one remote call: take the host's lock, read the running agent,
plan the modules JSON and flags, snapshot, write, restart if anything changed, run the health
gates, roll back on a failed gate, release the lock; and the rollback on its own, for
rollback-hooks.yml. Both return the host's record with the last step it reached.

One call, so that the controller pays one round trip per agent per batch and an agent never sits
half-way waiting for the controller. The call ignores the hang-up of a lost controller: it ends
with the agent proven on the new configuration or rolled back, and its lock released; the lock
says the step reached (host_lock.note_step) if the host itself went down meanwhile.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import signal
import time

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import agent_config as ac
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import atomic_file
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates as g
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_config
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import host_lock
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import rollout

# What a call can fail on before it restarts anything: the host keeps its files and its agent.
ERRORS = (ac.ConfigError, mm.ManifestError, flag_stores.FlagStoreError, atomic_file.AtomicFileError,
          mesos_api.MesosApiError, host_lock.LockError, ValueError, OSError)

ROLLBACK_GATES = ["health", "reregistered", "flags", "recovery", "tasks"]

# The options of the modules that roll one daemon out or back in one call (doc fragment
# mesos_fleet.hooks.rollout_call).
ARGUMENT_SPEC = dict(
    state=dict(type="str", choices=["rolled_out", "rolled_back"], default="rolled_out"),
    style=dict(type="str", choices=["auto", "flagdir", "envfile", "dropin", "dcos"], default="auto"),
    state_dir=dict(type="path", default="/var/lib/mesos-fleet-hooks"),
    service=dict(type="str", required=True),
    run_id=dict(type="str"),
    lock_stale_after=dict(type="int", default=0),
    snapshot=dict(type="path"),
    host=dict(type="str"),
    root=dict(type="path", default="/"),
)


class Options(object):
    """What a rollout of one agent needs, as the agent_rollout module's parameters give it."""

    def __init__(self, params, check_mode=False, diff=False, restart=g.restart_unit, run=g.run_command):
        self.p = params
        self.check_mode = check_mode
        self.diff = diff
        # systemctl and journalctl, replaced in unit tests by a fake systemd.
        self.restart = restart
        self.run = run

    def __getitem__(self, name):
        return self.p[name]


def keep_going_without_controller():
    """A controller that goes away (Ctrl-C, lost network) closes our stdin and stdout: carry on
    to the end rather than die between writing the files and proving or undoing them."""
    for sig in (signal.SIGHUP, signal.SIGPIPE):
        signal.signal(sig, signal.SIG_IGN)


class Step(object):
    """The record of one host's rollout as it goes: ``reached`` is the last step begun, also
    written into the host's lock, so a lock left behind says how far the host got."""

    def __init__(self, opts):
        self.opts = opts
        self.record = dict(result="unchanged", reached="start", message="", changed=False,
                           hooks_before=None, hooks_after=None, restart_seconds=None, gate_seconds=None)
        self.lock_held = False

    def reach(self, step):
        self.record["reached"] = step
        if self.lock_held:
            try:
                host_lock.note_step(self.opts["lock_path"], self.opts["run_id"], step)
            except (atomic_file.AtomicFileError, OSError):
                pass  # the note helps an operator; the rollout must not stop for it


def _probe(opts, restarting):
    return g.AgentProbe(opts["agent_url"], opts["master_url"] or None, opts["request_timeout"],
                        service=opts["service"] if restarting else None, since=time.time(), run=opts.run)


def _specs(opts, names):
    return g.gate_specs(names, g.seconds_by_gate(opts["timeouts"], "timeouts"),
                        g.seconds_by_gate(opts["intervals"], "intervals"))


def restart_and_prove(opts, before, expect, names, daemon_reload):
    """Restart the agent's unit, then run the gates ``names`` against ``before``; the gates'
    outcome (passed, msg, gates, seconds) with ``restart_seconds``. A restart systemctl refuses
    is a failed outcome too (gate ``restart``)."""
    specs = _specs(opts, names)
    g.validate_before(before, names)
    return restart_then_gates(opts, before, expect, specs, _probe(opts, restarting=True), daemon_reload)


def restart_then_gates(opts, before, expect, specs, probe, daemon_reload):
    """Restart the daemon's unit, then run ``specs`` with ``probe`` against ``before``."""
    try:
        restart_seconds = opts.restart(opts["service"], daemon_reload, run=opts.run)
    except g.RestartError as e:
        return dict(passed=False, failed_gate="restart", msg="restart of %s: %s" % (opts["service"], e),
                    gates=[], seconds=0.0, restart_seconds=None)
    outcome = g.check_gates(before, probe, expect, specs)
    outcome["restart_seconds"] = restart_seconds
    return outcome


def budget_warning(opts, names):
    """Why the restart and gates could outlast the master's re-registration window, or None."""
    specs = _specs(opts, names)
    window = None
    if opts["master_url"]:
        try:
            window = mesos_api.reregistration_window(mesos_api.master_flags(opts["master_url"], opts["request_timeout"]))
        except (mesos_api.MesosApiError, ValueError):
            window = None  # the gate on the master says what is wrong with it
    return g.reregistration_budget(specs, opts["restart_timeout"], window)["warning"]


def _rollout_gates(opts):
    return [n for n in g.GATE_ORDER if n != "canary" or opts["canary_command"]]


def roll_out(opts):
    """Bring one agent to ``present``/``absent``; the host's record (see Step). Raises one of
    ERRORS, with nothing written, for what stops it before the restart; a failed gate is a
    record with result ``rolled_back`` (or ``failed`` when the rollback failed too)."""
    return locked(opts, _roll_out)


def locked(opts, body):
    """``body(opts, step)`` under the host's rollout lock, released at the end; an error of
    ERRORS (raised before anything was written) becomes a failed record."""
    step = Step(opts)
    record = step.record
    p = opts
    taken = host_lock.take_lock(p["lock_path"], p["run_id"], stale_after=p["lock_stale_after"],
                                check_only=opts.check_mode)[0]
    step.lock_held = taken and not opts.check_mode
    record["lock_acquired"] = taken
    try:
        return body(opts, step)
    except ERRORS as e:
        # Before the restart: the agent runs what it ran, and its files are back as they were.
        # ``reached`` stays the step it failed at.
        record.update(result="failed", message=str(e), changed=False)
        return record
    finally:
        if step.lock_held:
            try:
                host_lock.release(p["lock_path"], p["run_id"])
                record["lock_released"] = True
            except (host_lock.LockError, OSError) as e:
                record["lock_released"] = False
                record["warning"] = "rollout lock not released: %s" % e


def _roll_out(opts, step):
    p = opts
    record = step.record
    step.reach("read")
    present, secret_keys = hook_config.entries(p["present"], p["secrets"])
    store = flag_stores.make_store(p["style"], root=p["root"])
    live = mesos_api.while_unavailable(mesos_api.agent_snapshot, p["agent_url"], p["request_timeout"])
    plan, found = hook_config.preview(store, present, p["absent"], secret_keys, p["secrets"], p["managed_path"],
                                      p["dir_file_name"], p["backup_dir"], position=p["position"], live=live,
                                      diff=opts.diff, absent_files=p["absent_files"])
    # Whether the agent lags behind files that need no change (a run cut off before its
    # restart); with a change the agent is restarted anyway.
    stale = None if plan.changed else found["live_stale"]
    record.update(hooks_before=plan.hooks_before, hooks_after=plan.hooks_after, files=found["files"],
                  live_stale=stale, isolation_before=plan.isolation_before, isolation_after=plan.isolation_after)
    if "diff" in found:
        record["diff"] = found["diff"]
    record["changed"] = plan.changed or bool(stale)
    if not record["changed"]:
        return done(step, "unchanged")
    if not plan.restart_needed and not stale:
        return install_without_restart(opts, step, plan, present, secret_keys, "agent")
    problem = isolation_problem(plan, live)
    if problem:
        raise ValueError(problem)
    if not p["master_url"]:
        raise ValueError("cannot tell the master's HTTP address from the agent's --master; set "
                         "mesos_rollout_master_urls (e.g. ['http://master1:5050'])")
    # The master's view before anything is written: the gate proves the agent re-registered
    # after the restart against it, and a master that cannot be read stops the change here.
    live.update(_master_view(opts, live))
    names = _rollout_gates(opts)
    expect = g.Expectations(hooks=plan.hooks_after, module_names=module_names(plan, p["root"]),
                            isolation=plan.isolation_after,
                            modules_dir=plan.modules_after.get("modules_dir") or "",
                            master_state="deactivated" if p["deactivate"] else "active", canary=p["canary_command"])
    g.validate_before(live, names)
    if opts.check_mode:
        return done(step, "updated")
    record["warning"] = budget_warning(opts, names)
    record["message"] = restart_message(plan, stale, "agent")
    if plan.changed:
        step.reach("files")
        record["snapshot"] = ac.write_change(plan, p["root"], p["backup_dir"], p["snapshot_dir"],
                                             present, p["absent"], secret_keys)
    try:
        deactivated = _set_active(opts, live, active=False) if p["deactivate"] else False
    except mesos_api.MesosApiError:
        if record.get("snapshot"):  # not restarted: its files go back to what it runs
            ac.restore(record["snapshot"], p["root"])
        raise
    step.reach("restart")
    outcome = restart_and_prove(opts, live, expect, names,
                                daemon_reload=plan.daemon_reload_needed or bool(stale))
    record.update(restart_seconds=outcome["restart_seconds"], gate_seconds=outcome["seconds"],
                  gates=outcome["gates"])
    if outcome["passed"]:
        step.reach("passed")
        ac.put_back_shipped(plan, p["root"], p["backup_dir"])
        _reactivate(opts, live, deactivated, record)
        return done(step, "updated", record["message"])
    why = outcome["msg"]
    step.reach("rollback")
    if not record.get("snapshot"):
        # Only the running agent lagged behind its files: there is nothing older to put back.
        _reactivate(opts, live, deactivated, record)
        return done(step, "failed", "%s; its files were already these before this run, so there "
                                    "was nothing to roll back to" % why)
    now_id = _current_id(opts)
    if now_id and now_id != live["id"]:
        # The agent started as a new one: it destroyed the old ID's containers as orphans and
        # checkpointed the new ID (src/slave/containerizer/mesos/containerizer.cpp __recover,
        # src/slave/slave.cpp registered()). The files can go back; the old ID and its tasks
        # cannot, so the rollback proves the agent as it is now.
        why += ("; a rollback cannot bring back agent ID %s or its tasks: the agent killed their "
                "executors as orphans and checkpointed its new ID %s, which it keeps" % (live["id"], now_id))
        live_now = None
    else:
        live_now = live
    try:
        back = roll_back(opts, record["snapshot"], live_now, deactivated)
    except ERRORS as e:
        back = dict(passed=False, msg=str(e))
    record["rollback"] = back
    _reactivate(opts, live, deactivated, record)
    if back["passed"]:
        return done(step, "rolled_back", why)
    return done(step, "failed", rollback_failed_message(opts, why, back["msg"], record["snapshot"]))


def restart_message(plan, stale, daemon):
    """What the report says of a restart the change itself does not explain."""
    if not plan.changed:
        return "restarted although its files were already written: the running %s %s" % (daemon, stale)
    if plan.restart_only_for_files:
        return ("restarted for %s alone: a hook runs it as a persistent command, which reads it only "
                "when it starts" % ", ".join(plan.restart_only_for_files))
    return ""


def install_without_restart(opts, step, plan, present, secret_keys, daemon):
    """Write a change of shipped files alone, which the hook's one-shot commands read at each
    call: the daemon keeps running and the next call runs the new files."""
    p = opts
    paths = sorted(step.record["files"])  # what the plan changes, as the preview listed it
    if opts.check_mode:
        return done(step, "updated", "would install %s; no restart needed" % ", ".join(paths))
    step.reach("files")
    step.record["snapshot"] = ac.write_change(plan, p["root"], p["backup_dir"], p["snapshot_dir"], present,
                                              p["absent"], secret_keys)
    ac.put_back_shipped(plan, p["root"], p["backup_dir"])
    return done(step, "updated", "installed %s without restarting the %s: its hooks' one-shot commands read "
                                 "them at each call" % (", ".join(paths), daemon))


def isolation_problem(plan, live):
    """Why ``plan`` may not change this agent's --isolation now, or None. Mesos keeps no record of
    the isolators a container was launched with and never checks them at recovery
    (src/slave/containerizer/mesos/containerizer.cpp recover(), recoverIsolators()): an isolator
    taken out never cleans up what it prepared for the running containers, and one put in is
    handed at recovery containers it never prepared, and then their updates, usage and cleanup.
    So --isolation changes only on an agent that runs no task. Every live container counts, not
    only TASK_RUNNING tasks: a task being killed (TASK_KILLING, for as long as its kill policy's
    grace period) or launched (TASK_STAGING, TASK_STARTING: prepare already ran) has one too."""
    if plan.isolation_before is None or plan.isolation_before == plan.isolation_after:
        return None
    alive = live.get("containers")
    if alive is None:  # a snapshot taken before "containers" was recorded
        alive = live.get("tasks") or {}
    running = sorted(t for ids in alive.values() for t in ids)
    if not running:
        return None
    added = [i for i in plan.isolation_after if i not in plan.isolation_before]
    removed = [i for i in plan.isolation_before if i not in plan.isolation_after]
    return ("refusing to change --isolation (%s) while the agent runs %d task(s) (%s): Mesos hands a "
            "restarted agent's running containers to the isolators it now has, and keeps no record of "
            "those they were launched with, so an isolator taken out never cleans up what it prepared "
            "for them and one put in recovers containers it never prepared. Drain the agent first "
            "(its tasks moved or ended), then run again" % (
                "; ".join(part for part in ("adding " + ",".join(added) if added else "",
                                            "removing " + ",".join(removed) if removed else "") if part),
                len(running), ", ".join(running[:5]) + (", ..." if len(running) > 5 else "")))


def _current_id(opts):
    """The agent ID the agent answers with now, or None when it does not answer."""
    try:
        return mesos_api.while_unavailable(mesos_api.agent_snapshot, opts["agent_url"], opts["request_timeout"]).get("id")
    except mesos_api.MesosApiError:
        return None


def done(step, result, message=""):
    step.record["result"] = result
    if message:
        step.record["message"] = message
    step.reach("done")
    return step.record


def module_names(plan, root):
    """Every module name /flags must show for --modules after the restart, ours and the
    operator's; None with --modules_dir (/flags shows only the directory there)."""
    return rollout.manifest_module_names(rollout.planned_manifest(plan, root))


def _master_view(opts, before):
    """``master_listed`` and ``master_registered_at`` of the agent in ``before`` (see
    mesos_api.master_view); raises MesosApiError when no master answers."""
    view = mesos_api.while_unavailable(mesos_api.master_view, opts["master_url"], before.get("id"),
                                       opts["request_timeout"], wait=mesos_api.FAILOVER_WAIT)
    return {"master_listed": view["listed"], "master_registered_at": view["registered_at"]}


def _set_active(opts, live, active):
    mesos_api.while_unavailable(mesos_api.set_agent_active, opts["master_url"], live["id"], active,
                                timeout=opts["request_timeout"], wait=mesos_api.FAILOVER_WAIT)
    return not active


def _reactivate(opts, live, deactivated, record):
    if not deactivated:
        return
    try:
        _set_active(opts, live, active=True)
    except mesos_api.MesosApiError as e:
        record["warning"] = "the agent was not reactivated at the master: %s" % e


def roll_back(opts, snapshot, before=None, deactivated=False):
    """Put ``snapshot`` back and restart the agent onto it behind the gates. ``before``: what
    the agent ran before the change (its ID and tasks are compared); None reads it now, and an
    agent that is down or unregistered then gets only the gates that need no reading from
    before. Returns passed, msg, changed, hooks_after, gates, restart_seconds, gate_seconds."""
    p = opts
    index, out = rollback_outline(snapshot, p["root"])
    if before is None:
        try:
            before = mesos_api.while_unavailable(mesos_api.agent_snapshot, p["agent_url"], p["request_timeout"])
            if p["master_url"]:
                before.update(_master_view(opts, before))
        except mesos_api.MesosApiError:
            before = {}
    # Registered in the master's view: the agent's own slave/registered says only that it found one.
    registered = bool(before.get("id") and before.get("master_listed"))
    lagging = registered and rollout.live_mismatch(before, index["hooks"])
    if not (out["changed"] or not registered or lagging):
        out["msg"] = "the agent already runs the snapshot's configuration"
        return out
    names = ROLLBACK_GATES if registered else ["health", "flags", "recovery"]
    expect = g.Expectations(hooks=index["hooks"], master_state="deactivated" if deactivated else "active")
    return restore_and_prove(opts, snapshot, out, "agent", lambda: restart_and_prove(
        opts, before if registered else {}, expect, names, daemon_reload=True))


def rollback_outline(snapshot, root):
    """``(index, record)``: the snapshot's index, and the rollback's record as it starts: whether
    the files differ from the snapshot (``changed``) and which (``files``)."""
    index, changes = ac.restore_plan(snapshot, root)
    changed = any(now != then for now, then in changes.values())
    return index, dict(snapshot=snapshot, changed=changed, hooks_after=index["hooks"], passed=True, msg="",
                       gates=[], restart_seconds=None, gate_seconds=None,
                       files=sorted(path for path, (a, b) in changes.items() if a != b))


def restore_and_prove(opts, snapshot, out, daemon, prove):
    """Put ``snapshot`` back (when the files differ) and restart the daemon behind its gates
    (``prove()``, a restart_and_prove outcome), into the record ``out``; check mode only says so."""
    if opts.check_mode:
        out.update(changed=True, msg="would restore %s and restart the %s" % (snapshot, daemon))
        return out
    if out["changed"]:
        ac.restore(snapshot, opts["root"])
    outcome = prove()
    out.update(changed=True, passed=outcome["passed"], msg=outcome["msg"], gates=outcome["gates"],
               restart_seconds=outcome["restart_seconds"], gate_seconds=outcome.get("seconds"))
    return out


def newest_snapshot(snapshot_dir):
    """The newest snapshot under ``snapshot_dir`` (their names start with the time they were
    taken), or None."""
    try:
        names = [n for n in os.listdir(snapshot_dir) if os.path.isfile(os.path.join(snapshot_dir, n, ac.SNAPSHOT_INDEX))]
    except OSError:
        return None
    if not names:
        return None
    return os.path.join(snapshot_dir, max(names, key=lambda n: (os.path.getmtime(os.path.join(snapshot_dir, n)), n)))


def rollback_failed_message(opts, why, failure, snapshot, daemon="agent"):
    """What an operator must read when the rollback after a failed gate failed too."""
    host = opts["host"] or "this host"
    return (
        'ROLLBACK FAILED after "%s": its previous files were put back, but on the restart onto them %s. '
        "The %s may be down or on the new configuration. Check "
        "'systemctl status %s' and 'journalctl -u %s' on %s, then run: ansible-playbook "
        "playbooks/rollback-hooks.yml -i <inventory> -e mesos_rollback_hosts=%s -e mesos_rollback_snapshot=%s "
        "(the snapshot of the previous files on that host)." % (
            why, failure, daemon, opts["service"], opts["service"], host, host, snapshot))
