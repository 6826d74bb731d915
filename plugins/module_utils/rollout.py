# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""Rolling-restart bookkeeping: batch arithmetic, per-host records, the running agent
against its files. The host lock is in host_lock."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
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
# What the rollout call of each host registers (roles/mesos_rollout): the host's record.
RESULT = "__mesos_rollout_result"


def lost_contact_message(host, state_dir="/var/lib/mesos-fleet-hooks"):
    """What an operator needs about a host the controller lost during its rollout call: what that
    leaves on the agent, and how to finish or undo it once the host answers."""
    return (
        "lost contact during its rollout call, or before it began. The call does not stop for a lost "
        "controller: it ends with the agent proven on the new configuration or rolled back, and "
        "releases its rollout lock; a lock still in %s/rollout.lock once %s answers again says the "
        "last step it reached (the host itself went down meanwhile). Then run the deploy again "
        "(with -e mesos_rollout_lock_stale_after=<seconds since this run began> if the lock is left; "
        "it restarts the agent if its files differ from what it runs), or put back the previous "
        "configuration with ansible-playbook playbooks/rollback-hooks.yml -i <inventory> "
        "-e mesos_rollback_hosts=%s" % (state_dir, host, host))


def host_record(host, facts, call):
    """The report's record of one host from what its rollout call returned (``call``): what it
    ran before and after, with the step timings."""
    agent = daemon_facts(facts)
    artifacts = facts.get("mesos_stage_artifacts") or {}
    result = call.get("result") or "failed"
    before = call.get("hooks_before", agent.get("hooks"))
    kept = result in ("updated", "unchanged")
    return dict(
        host=host, result=result, role=role(facts, call), fingerprint=agent.get("build_fingerprint"),
        artifact_sha256=",".join(a["sha256"] for a in artifacts.values()),
        hooks_before=before, hooks_after=call.get("hooks_after", agent.get("hooks")) if kept else before,
        isolation_before=call.get("isolation_before"),
        isolation_after=call.get("isolation_after") if kept else call.get("isolation_before"),
        restart_seconds=float(call.get("restart_seconds") or 0), gate_seconds=float(call.get("gate_seconds") or 0),
        reached=call.get("reached"), message=call.get("message") or (call.get("msg") if result == "failed" else "") or "")


def daemon_facts(facts):
    """What discovery found about the daemon a host's rollout changes: its master's facts on a
    master (mesos_master), else its agent's."""
    return facts.get("mesos_master") or facts.get("mesos_agent") or {}


def role(facts, call):
    """The report's ROLE of a host: ``agent``, or ``master`` with whether it led the cluster when
    its rollout read it (``master (leader)``, ``master (standby)``)."""
    if not facts.get("mesos_master"):
        return "agent"
    led = call.get("role") or ("leader" if facts["mesos_master"].get("elected") else None)
    return "master (%s)" % led if led else "master"


def records(hostvars, hosts, batch=()):
    """The per-host records that exist, in host order: the record each host's rollout call
    returned; ``unreachable`` for a host of ``batch`` (the batch about to start or running) whose
    call has not returned, or whose contact was lost. Hosts not reached yet have none."""
    out = []
    for host in hosts:
        facts = hostvars[host] if host in hostvars else {}
        call = facts.get(RESULT)
        if isinstance(call, dict) and not call.get("unreachable") and not call.get("skipped"):
            out.append(host_record(host, facts, call))
        elif host in batch or isinstance(call, dict):
            agent = daemon_facts(facts)
            out.append(dict(host=host, result=LOST_CONTACT, role=role(facts, {}), fingerprint=agent.get("build_fingerprint"),
                            artifact_sha256="", hooks_before=agent.get("hooks"), hooks_after=agent.get("hooks"),
                            restart_seconds=None, gate_seconds=None, reached=None,
                            message=lost_contact_message(host, facts.get("mesos_rollout_state_dir") or
                                                         "/var/lib/mesos-fleet-hooks")))
    return out


def master_urls(given, agent):
    """The masters' HTTP endpoints the gates ask about an agent: ``given``
    (mesos_rollout_master_urls) when set, else http(s)://<--master> (https when the agent serves
    TLS) when the agent's --master is one host:port; [] when neither tells (a ZooKeeper URL, a file)."""
    if given:
        return [given] if isinstance(given, str) else list(given)
    master = str(((agent or {}).get("flags") or {}).get("master") or "")
    # libprocess's TLS settings are the whole cluster's: an agent serving https has masters that do.
    scheme = "https" if str((agent or {}).get("agent_url") or "").startswith("https:") else "http"
    return ["%s://%s" % (scheme, master)] if _MASTER_HOST_PORT.match(master) else []


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


def live_mismatch(live, hooks, module_names=None, manifest=None, isolation=None):
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
    if isolation is not None:
        isolating = flag_stores.split_isolation((live.get("flags") or {}).get("isolation"))
        if isolating != list(isolation):
            problems.append("runs --isolation=[%s], the files say [%s]" % (",".join(isolating), ",".join(isolation)))
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
