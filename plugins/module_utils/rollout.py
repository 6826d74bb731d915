# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rolling-restart bookkeeping: batch arithmetic, per-host records, the running agent
against its files. The host lock is in host_lock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api

_PERCENT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%\s*$")
# --master as one host:port (not zk://..., not a file): its HTTP API is http://host:port.
_MASTER_HOST_PORT = re.compile(r"^[^/\s]+:[0-9]+$")


class RolloutError(ValueError):
    """Bad rollout settings; the message says which."""


def batch_sizes(serial, total):
    """Batch sizes Ansible's ``serial`` gives for ``total`` hosts (the last size repeats).

    serial: an int, a percentage string, or a list of them. Sizes of 0, or percentages of 0 or
    above 100, are refused: they are typing mistakes, not rollout plans.
    """
    steps = serial if isinstance(serial, list) else [serial]
    if not steps:
        raise RolloutError("serial must not be an empty list")
    sizes = []
    for step in steps:
        if isinstance(step, bool):
            raise RolloutError("serial entry %r is not a number or a percentage" % (step,))
        m = _PERCENT.match(step) if isinstance(step, str) else None
        if m:
            pct = float(m.group(1))
            if pct <= 0 or pct > 100:
                raise RolloutError("serial entry %r must be a percentage above 0%% and at most 100%%" % step)
            sizes.append(max(1, int(total * pct / 100.0)))
        else:
            try:
                n = int(step)
            except (TypeError, ValueError):
                raise RolloutError("serial entry %r is not a number or a percentage" % (step,))
            if n <= 0:
                raise RolloutError("serial entry %r must be at least 1" % (step,))
            sizes.append(n)
    batches = []
    left = total
    i = 0
    while left > 0:
        size = min(sizes[min(i, len(sizes) - 1)], left)
        batches.append(size)
        left -= size
        i += 1
    return batches


def batch_number(sizes, pending, batch):
    """Which of the planned batches (``sizes``, over the hosts ``pending`` in order) ``batch``
    is, counted from 1; 0 when it does not start where a planned batch starts (serial was not
    the planned one), so a play needs no counter task on every batch."""
    if not batch or batch[0] not in pending:
        return 0
    start, first = 0, pending.index(batch[0])
    for number, size in enumerate(sizes, 1):
        if start == first:
            return number
        start += size
    return 0


def check_percentage(value, name="max_fail_percentage"):
    try:
        pct = float(value)
    except (TypeError, ValueError):
        raise RolloutError("%s must be a number from 0 to 100, got %r" % (name, value))
    if pct < 0 or pct > 100:
        raise RolloutError("%s must be from 0 to 100, got %r" % (name, value))
    return pct


LOST_CONTACT = "unreachable"
# How far a host's rollout got (``mesos_rollout_reached``), in order, and what that leaves on it.
REACHED = {
    # The report is rewritten at each later step only while some host of the batch still answers:
    # when the whole batch is lost, the last word is this one, so it must not claim too much.
    "lock": "at or after taking its rollout lock, and possibly further (when every host of the "
            "batch was lost, later steps were not recorded): the agent runs its previous "
            "configuration unless its files were written and it was restarted; its rollout lock "
            "may be left behind",
    "files": "while taking its rollout lock and writing its modules JSON and flags, before its "
             "restart: the agent still runs its previous configuration, its files may already be "
             "the new ones, and its rollout lock may be left behind",
    "restarting": "during the call that restarts it and runs its gates, so its restart may not "
                  "have begun: the agent may still run its previous configuration (its files are "
                  "the new ones), run the new configuration unproven, or be down; its rollout lock "
                  "is left behind",
    "restart": "after its restart began, before it passed the gates: the agent may run the new "
               "configuration unproven, or be down; its rollout lock is left behind",
    "passed": "after it passed its gates on the new configuration, which dropped its rollout "
              "lock: the agent runs the new configuration; if the rollout took it out of offers "
              "(mesos_rollout_deactivate), the master may still hold them back",
    "rollback": "while rolling it back after a failed gate: the agent may be down or on either "
                "configuration; its rollout lock is left behind",
}


def lost_contact_message(host, reached):
    """What an operator needs about a host the controller lost during its rollout: how far it
    got, what that leaves on the agent, and how to finish or undo it once the host answers."""
    where = REACHED.get(reached, "at a step not recorded: the agent's state is unknown")
    return (
        "lost contact during its rollout, %s. Once %s answers again, run the deploy again with "
        "-e mesos_rollout_lock_stale_after=<seconds since this run began> (it restarts the agent "
        "if its files differ from what it runs), or put back the previous configuration with "
        "ansible-playbook playbooks/rollback-hooks.yml -i <inventory> -e mesos_rollback_hosts=%s"
        % (where, host, host))


# What each step of a host's rollout registers (roles/mesos_rollout/tasks): the record of a host
# is made from these, so no task has to spend a turn on every host to write it down.
PREVIEW = "mesos_rollout_preview"    # plan.yml: agent_hooks in check mode, before the rolling play
CONFIG = "mesos_rollout_config"      # configure.yml: rollout lock taken, modules JSON and flags written
GATES = "mesos_rollout_gates"        # restart.yml: restarted and through the gates (lock dropped)
RELEASED = "mesos_rollout_released"  # finish.yml: lock released if still held, the host's last step
# Set only on the way out: rollback.yml's outcome and message, and that it began.
OUTCOME, MESSAGE, REACHED_FACT = "mesos_rollout_outcome", "mesos_rollout_message", "mesos_rollout_reached"


def _ran(facts, name):
    """Whether the step registered as ``name`` ran to its end on the host (contact held)."""
    result = facts.get(name)
    return isinstance(result, dict) and not result.get("unreachable")


def reached(facts):
    """How far a host's rollout got (a key of REACHED), from what its steps registered."""
    if facts.get(REACHED_FACT) == "rollback":
        return "rollback"
    if _ran(facts, GATES) and not facts[GATES].get("skipped"):
        return "passed" if facts[GATES].get("lock_released") else "restart"
    # One call restarts the agent and runs the gates; contact lost during it leaves open
    # whether the restart began.
    if (facts.get(GATES) or {}).get("unreachable"):
        return "restarting"
    if CONFIG in facts:
        return "files"
    return "lock"


def host_record(host, facts, result, message="", config=None, gates=None):
    """The report's record of one host: what it ran before and after, with the step timings;
    ``config`` and ``gates`` default to what the host's own steps registered."""
    agent = facts.get("mesos_agent") or {}
    artifacts = facts.get("mesos_stage_artifacts") or {}
    config = (facts.get(CONFIG) if config is None else config) or {}
    gates = (facts.get(GATES) if gates is None else gates) or {}
    before = config.get("hooks_before", agent.get("hooks"))
    kept = result in ("updated", "unchanged")
    return dict(
        host=host, result=result, fingerprint=agent.get("build_fingerprint"),
        artifact_sha256=",".join(a["sha256"] for a in artifacts.values()),
        hooks_before=before, hooks_after=config.get("hooks_after", agent.get("hooks")) if kept else before,
        restart_seconds=float(gates.get("restart_seconds") or 0), gate_seconds=float(gates.get("seconds") or 0),
        message=message)


def outcome_record(host, facts):
    """The record of a host the rolling play visited: its outcome once its last step ran,
    LOST_CONTACT with how far it got otherwise (it went unreachable, or has not finished)."""
    if not _ran(facts, RELEASED):
        # Nothing of the new configuration is proven: it ran what discovery found.
        record = host_record(host, facts, LOST_CONTACT, config={}, gates={})
        return dict(record, restart_seconds=None, gate_seconds=None,
                    message=lost_contact_message(host, reached(facts)))
    if facts.get(OUTCOME):
        return host_record(host, facts, facts[OUTCOME], facts.get(MESSAGE) or "")
    gates = facts.get(GATES) or {}
    config = facts.get(CONFIG) or {}
    if _ran(facts, GATES) and not gates.get("failed") and not gates.get("skipped"):
        message = "" if config.get("changed") else (
            "restarted although its files were already written: the running agent %s" % config.get("live_stale"))
        return host_record(host, facts, "updated", message)
    return host_record(host, facts, "unchanged")


def master_urls(given, agent):
    """The masters' HTTP endpoints the gates ask about an agent: ``given``
    (mesos_rollout_master_urls) when set, else http://<--master> when the agent's --master is
    one host:port; [] when neither tells (a ZooKeeper URL, a file)."""
    if given:
        return [given] if isinstance(given, str) else list(given)
    master = str(((agent or {}).get("flags") or {}).get("master") or "")
    return ["http://" + master] if _MASTER_HOST_PORT.match(master) else []


def discovered_preview(facts):
    """The change discovery previewed on a host (``mesos_agent.rollout_preview``), if it holds:
    discovery assumed each hook's library stays where the agent's modules JSON has it now, so
    its preview is the plan only where every staged artifact (``mesos_stage_artifacts``) is at
    the path it assumed, for the same hooks. Where it is not, the host's libraries change: a
    preview that says so, for the rollout to plan on the host. None without a preview."""
    found = (facts.get("mesos_agent") or {}).get("rollout_preview")
    if not isinstance(found, dict):
        return None
    assumes = found.get("assumes") or {}
    staged = facts.get("mesos_stage_artifacts") or {}
    holds = "result" in found and set(assumes) == set(staged) and all(
        path and (staged[name] or {}).get("dest") == path for name, path in assumes.items())
    return found["result"] if holds else dict(changed=True)


def plan_summary(hostvars, hosts):
    """What the plan step found, from each host's facts: ``pending``, the hosts (in the given
    order) whose files would change or whose running flags lag behind their files;
    ``unchanged``, the record of every other host (the same record a host that the rollout
    visited and found current gets); ``masterless``, the pending hosts whose re-registration
    cannot be checked, as neither mesos_rollout_master_urls nor their --master gives the
    master's HTTP address. One pass on the controller instead of tasks per host. A host's own
    plan (``mesos_rollout_preview``) counts where it ran; where it was skipped, what discovery
    previewed (discovered_preview)."""
    pending, unchanged, masterless = [], {}, []
    for host in hosts:
        facts = hostvars[host]
        preview = facts.get(PREVIEW) or {}
        if preview.get("skipped") or not preview:
            # Not planned on the host: what discovery previewed, else (never planned) visit it.
            preview = discovered_preview(facts) or (dict(changed=True) if preview.get("skipped") else preview)
        if preview.get("changed") or preview.get("live_stale"):
            pending.append(host)
            if not master_urls(facts.get("mesos_rollout_master_urls"), facts.get("mesos_agent")):
                masterless.append(host)
        else:
            unchanged[host] = host_record(host, facts, "unchanged", config=preview)
    return dict(pending=pending, unchanged=unchanged, masterless=masterless)


def records(hostvars, hosts, unchanged=None, batch=()):
    """The per-host records that exist, in host order: for a host the rolling play visited (it
    is in ``batch``, the batch about to start, or its configure step ran), the record its steps make
    (outcome_record); else the one the plan step made for it (``unchanged``, from plan_summary).
    Hosts not reached yet have none."""
    out = []
    unchanged = unchanged or {}
    for host in hosts:
        facts = hostvars[host] if host in hostvars else {}
        if host in batch or CONFIG in facts:
            out.append(outcome_record(host, facts))
        elif host in unchanged:
            out.append(unchanged[host])
    return out


# --- live agent against the files ------------------------------------------------------

def planned_manifest(plan, root="/"):
    """The modules manifest (JSON text) the agent's --modules gives once ``plan`` (an
    agent_config plan) is applied, ours and everyone else's modules; None when the agent reads
    --modules_dir (its /flags show only the directory)."""
    after = plan.modules_after or {}
    if after.get("modules_dir"):
        return None
    path = plan.manifest_path
    if not path:
        return after.get("modules") or ""  # inline JSON, never rewritten
    if path in plan.changes:
        data = plan.changes[path][1]
    else:
        try:
            with open(os.path.join(root, path.lstrip("/")), "rb") as f:
                data = f.read()
        except (IOError, OSError):
            data = None
    return data.decode("utf-8") if data is not None else ""


def manifest_module_names(manifest):
    """Names of every module a planned_manifest() declares, as the agent's /flags would show
    them after a restart; None for None (--modules_dir)."""
    if manifest is None:
        return None
    return [name for name in mesos_api.module_names(manifest) if name]


def live_mismatch(live, hooks, module_names=None, manifest=None):
    """Why the running agent does not run the configuration its files now hold ('' if it does).

    ``live`` is an agent_snapshot() taken before anything is written: its /flags show what the
    running process loaded. ``hooks`` is the --hooks list the files give (in order);
    ``module_names`` the modules the --modules manifest declares, or None when the agent reads
    --modules_dir (whose /flags show only the directory). ``manifest``, the manifest's JSON
    text, adds a comparison of each module's library and parameters with those the agent loaded
    (only parameter keys are named: values may be secrets). A run interrupted between writing the
    files and restarting leaves the files right and the agent on its old flags: the next run sees
    no file change and must restart all the same.
    """
    if not isinstance(live, dict):
        raise ValueError("live must be an agent snapshot (dict), got %r" % (live,))
    problems = []
    running = list(live.get("hooks") or [])
    if running != list(hooks or []):
        problems.append("runs --hooks=[%s], the files say [%s]" % (",".join(running), ",".join(hooks or [])))
    if module_names is not None:
        loaded = sorted(live.get("module_names") or [])
        if loaded != sorted(module_names):
            problems.append("runs modules [%s], the files declare [%s]" % (
                ", ".join(loaded), ", ".join(sorted(module_names))))
    if manifest is not None:  # an unset --modules or an empty manifest declares no module
        problems.extend(_spec_mismatches(mesos_api.module_specs(live.get("modules")),
                                         mesos_api.module_specs(manifest)))
    return "; ".join(problems)


def _spec_mismatches(loaded, planned):
    """Modules on both sides whose library or parameters differ, one line each."""
    problems = []
    for name in sorted(set(loaded) & set(planned)):
        (lib_now, params_now), (lib_then, params_then) = loaded[name], planned[name]
        if lib_now != lib_then:
            problems.append("runs module %s from %s, the files say %s" % (name, lib_now, lib_then))
        elif params_now != params_then:
            now, then = dict(params_now), dict(params_then)
            keys = sorted(k for k in set(now) | set(then) if now.get(k) != then.get(k))
            problems.append("runs module %s with other parameters than the files give (%s)" % (
                name, ", ".join(str(k) for k in keys) if keys else "their order"))
    return problems
