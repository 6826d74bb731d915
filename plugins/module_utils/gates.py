# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Health gates: the proof that an agent restarted with new hooks is healthy.

After a restart every enabled gate must pass, in this order, each retried at its own
interval until its own timeout:

- ``health``: the agent's /health answers 200;
- ``reregistered``: the agent shows the agent ID it had before, and the master lists it under
  that ID (active, or deactivated, as expected), re-registered after the restart: its
  ``reregistered_time`` is later than the one read before (``before["master_registered_at"]``).
  The agent's own ``slave/registered`` is 1 as soon as it has detected a master, before the
  master accepts it, so only the master's view proves it. A new ID means the agent did not
  recover its checkpointed state: its tasks are lost. That fails at once, without waiting for
  the timeout. Until its recovery ends the agent answers /state with 503; the gate retries;
- ``flags``: /flags shows exactly the expected ``--hooks`` list (order matters: hooks run in
  it), the expected ``--isolation`` list, the expected module names in ``--modules`` and the
  expected ``--modules_dir``;
- ``recovery``: ``slave/recovery_errors`` is 0;
- ``tasks``: every task that ran before the restart is TASK_RUNNING again;
- ``canary``: an operator command exits 0.

When the gates follow a restart of the agent's unit, a failed attempt also asks systemd
whether the daemon has exited since (Mesos exits at start on a module it refuses): then the
gate fails at once with the daemon's own last words from the journal, instead of waiting out
its timeout.

The clock and sleep are injectable, so the timing logic is testable without waiting.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import shlex
import signal
import subprocess
import time

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import flag_stores
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api

GATE_ORDER = ("health", "reregistered", "flags", "recovery", "tasks", "canary")
# Restart (15 s) + health + reregistered + a rollback restart fit the master's default 75 s
# window; an agent re-registers in about 3 s with running executors.
DEFAULT_TIMEOUTS = {"health": 15.0, "reregistered": 20.0, "flags": 10.0, "recovery": 10.0,
                    "tasks": 30.0, "canary": 30.0}
# The gates that wait for the restarted agent (its HTTP server up, its re-registration) look
# often: every second of delay in noticing it is back is a second added to every batch. They ask
# only the agent until it says it is registered (the master once it is); the others normally
# pass at their first attempt, and the canary runs the operator's command each time.
DEFAULT_INTERVALS = {"health": 0.25, "reregistered": 0.25, "flags": 1.0, "recovery": 1.0, "tasks": 1.0,
                     "canary": 1.0}
MASTER_STATES = ("active", "deactivated", "any")
TERMINAL_TASK_STATES = frozenset((
    "TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR", "TASK_DROPPED",
    "TASK_GONE", "TASK_GONE_BY_OPERATOR"))
OUTPUT_CAP = 4096


class GateFailure(Exception):
    """One attempt at a gate did not pass; the gate retries until its timeout."""


class FatalGateFailure(GateFailure):
    """The gate cannot pass any more (new agent ID, a task ended): no more attempts."""


class GateSet:
    """The gates of one kind of daemon: their run order, default timeouts and intervals, and
    the check of each (``check(probe, before, expect, limit)`` -> details, or GateFailure)."""

    def __init__(self, order, timeouts, intervals, checks):
        self.order, self.timeouts, self.intervals, self.checks = tuple(order), timeouts, intervals, checks


class GateSpec:
    """A gate to run, with its timeout and retry interval in seconds."""

    def __init__(self, name, timeout=None, interval=None, gate_set=None):
        gate_set = gate_set or AGENT_GATES
        if name not in gate_set.order:
            raise ValueError("unknown gate %r (known: %s)" % (name, ", ".join(gate_set.order)))
        timeout = gate_set.timeouts[name] if timeout is None else timeout
        interval = gate_set.intervals[name] if interval is None else interval
        for what, value in (("timeout", timeout), ("interval", interval)):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError("gate %r: %s must be a number of seconds, got %r" % (name, what, value))
        if timeout < 0:
            raise ValueError("gate %r: timeout must be 0 or more seconds, got %r" % (name, timeout))
        if interval <= 0:
            raise ValueError("gate %r: interval must be more than 0 seconds, got %r" % (name, interval))
        self.name = name
        self.timeout = float(timeout)
        self.interval = float(interval)
        self.check = gate_set.checks[name]

    def __repr__(self):
        return "GateSpec(%r, %r, %r)" % (self.name, self.timeout, self.interval)


# The options of the modules that restart an agent and prove it (doc fragment mesos_fleet.hooks.gates).
ARGUMENT_SPEC = dict(
    agent_url=dict(type="str", default="http://127.0.0.1:5051"),
    master_url=dict(type="list", elements="str", aliases=["master_urls"]),
    timeouts=dict(type="dict", default={}),
    intervals=dict(type="dict", default={}),
    request_timeout=dict(type="float", default=5),
    canary_command=dict(type="raw"),
    restart_timeout=dict(type="float", default=15),
)


def seconds_by_gate(table, what):
    """``table`` (gate name -> seconds, as an operator gives them) with every value a float;
    ValueError naming ``what`` and the gate otherwise."""
    out = {}
    for name, value in (table or {}).items():
        try:
            out[name] = float(value)
        except (TypeError, ValueError):
            raise ValueError("%s.%s must be a number of seconds, got %r" % (what, name, value))
    return out


def gate_specs(names, timeouts=None, intervals=None, gate_set=None):
    """GateSpecs for ``names`` in run order; ``timeouts``/``intervals`` map names to seconds.
    ``gate_set``: the agent's gates unless told otherwise."""
    gate_set = gate_set or AGENT_GATES
    timeouts = timeouts or {}
    intervals = intervals or {}
    for table in (names, timeouts, intervals):
        for name in table:
            if name not in gate_set.order:
                raise ValueError("unknown gate %r (known: %s)" % (name, ", ".join(gate_set.order)))
    if len(set(names)) != len(names):
        raise ValueError("a gate is listed twice: %s" % ", ".join(names))
    return [GateSpec(n, timeouts.get(n), intervals.get(n), gate_set) for n in gate_set.order if n in names]


class Expectations:
    """What the agent must show after the restart.

    ``hooks``: the exact ``--hooks`` list (None: not checked, [] : no hooks).
    ``module_names``: the module names ``--modules`` must declare, in any order (None: not
    checked, []: no --modules). ``modules_dir``: the exact ``--modules_dir`` ('' : unset,
    None: not checked). ``master_state``: active, deactivated or any. ``canary``: a command,
    as a list of arguments or a string split like a shell would (no shell runs it).
    """

    def __init__(self, hooks=None, module_names=None, modules_dir=None, master_state="active",
                 canary=None, isolation=None):
        if master_state not in MASTER_STATES:
            raise ValueError("master_state must be one of %s, got %r" % (", ".join(MASTER_STATES), master_state))
        for what, value in (("hooks", hooks), ("module_names", module_names)):
            if value is not None and (not isinstance(value, (list, tuple))
                                      or not all(isinstance(v, str) and v for v in value)):
                raise ValueError("%s must be a list of non-empty names, got %r" % (what, value))
        if modules_dir is not None and not isinstance(modules_dir, str):
            raise ValueError("modules_dir must be a string, got %r" % (modules_dir,))
        self.hooks = list(hooks) if hooks is not None else None
        # The whole --isolation list (None: not checked).
        self.isolation = list(isolation) if isolation is not None else None
        self.module_names = list(module_names) if module_names is not None else None
        self.modules_dir = modules_dir
        self.master_state = master_state
        self.canary = canary_argv(canary) if canary else None


def canary_argv(command):
    if isinstance(command, str):
        try:
            argv = shlex.split(command)
        except ValueError as e:
            raise ValueError("canary command %r cannot be split: %s" % (command, e))
    elif isinstance(command, (list, tuple)):
        argv = [str(a) for a in command]
    else:
        raise ValueError("canary command must be a string or a list, got %r" % (command,))
    if not argv:
        raise ValueError("canary command is empty")
    return argv


def validate_before(before, names):
    """Refuse a before-snapshot the enabled gates cannot compare against."""
    if not isinstance(before, dict):
        raise ValueError("the before snapshot must be a dict from agent_snapshot(), got %r"
                         % type(before).__name__)
    if "reregistered" in names and not (isinstance(before.get("id"), str) and before["id"]):
        raise ValueError("the before snapshot has no agent ID: the agent was not registered "
                         "when it was taken, so re-registration under the same ID cannot be proven")
    tasks = before.get("tasks")
    if "tasks" in names:
        if not isinstance(tasks, dict) or not all(
                isinstance(ids, list) for ids in tasks.values()):
            raise ValueError("the before snapshot has no 'tasks' mapping of framework ID to task IDs")


class AgentProbe:
    """Reads what the gates look at, from a real agent and master, one request per call.

    With ``service`` (the unit just restarted, at epoch seconds ``since``) it can also tell
    whether the daemon has exited since, see :func:`unit_exit`.
    """

    def __init__(self, agent_url, master_urls=None, request_timeout=mesos_api.DEFAULT_TIMEOUT,
                 service=None, since=None, run=None):
        self.service = service
        self.since = since
        self._run = run or run_command
        self.agent_url = mesos_api.base_url(agent_url)
        self.master_urls = mesos_api.master_urls(master_urls) if master_urls else None
        if isinstance(request_timeout, bool) or not isinstance(request_timeout, (int, float)) \
                or request_timeout <= 0:
            raise ValueError("request_timeout must be more than 0 seconds, got %r" % (request_timeout,))
        self.request_timeout = float(request_timeout)

    def _timeout(self, limit):
        # A request never outlasts the gate it serves by much, nor lasts less than 0.5 s.
        return max(0.5, min(self.request_timeout, limit)) if limit else self.request_timeout

    def health(self, limit=None):
        return mesos_api.agent_health(self.agent_url, self._timeout(limit))

    def state(self, limit=None):
        return mesos_api.agent_state(self.agent_url, self._timeout(limit))

    def metrics(self, limit=None):
        return mesos_api.agent_metrics(self.agent_url, self._timeout(limit))

    def flags(self, limit=None):
        return mesos_api.agent_flags(self.agent_url, self._timeout(limit))

    def master_agents(self, limit=None):
        if not self.master_urls:
            raise GateFailure("no master URL given: cannot check the master's view")
        return mesos_api.master_agents(self.master_urls, self._timeout(limit))

    def run(self, argv, limit=None):
        # The command may use what is left of its gate's time, not just one request's.
        return run_command(argv, max(0.5, limit) if limit else DEFAULT_TIMEOUTS["canary"])

    def exited(self):
        return unit_exit(self.service, self.since, self._run) if self.service else None


def _tail(text):
    return text if len(text) <= OUTPUT_CAP else "..." + text[-OUTPUT_CAP:]


def run_command(argv, timeout=None):
    """Run ``argv`` without a shell; ``(rc, stdout, stderr)``, rc None when it timed out."""
    try:
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, start_new_session=True)
    except OSError as e:
        return 127, "", "cannot run %s: %s" % (argv[0], e.strerror or e)
    try:
        out, err = proc.communicate(timeout=timeout)
        rc = proc.returncode
    except subprocess.TimeoutExpired:
        # The whole process group: a child still holding the pipes would block communicate().
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except OSError:
            proc.kill()
        out, err = proc.communicate()
        rc = None
    return (rc, _tail(out.decode("utf-8", "replace")), _tail(err.decode("utf-8", "replace")))


# --- the restart ---------------------------------------------------------------

# systemd's own stop timeout is 90 s by default; a restart that takes longer than this is hung.
RESTART_LIMIT = 300


class RestartError(Exception):
    """systemctl could not restart the unit."""


def restart_unit(service, daemon_reload=False, run=None, clock=time.monotonic, limit=RESTART_LIMIT):
    """Restart the systemd unit, after a daemon-reload when asked (a unit drop-in just written);
    returns the seconds it took. Done here rather than in a task of its own so the gates start
    probing as soon as systemctl returns, one remote round trip fewer per agent.

    The unit's failure count is cleared first, whatever that answers: manual restarts count
    against its start rate limit, and a quick restart and rollback could otherwise leave the
    agent down with start-limit-hit. In this call, not a task of its own, for the same reason."""
    run = run or run_command
    run(["systemctl", "reset-failed", service], limit)
    commands = ([["systemctl", "daemon-reload"]] if daemon_reload else []) + [["systemctl", "restart", service]]
    start = clock()
    for argv in commands:
        rc, out, err = run(argv, limit)
        if rc is None:
            raise RestartError("'%s' did not return within %d s" % (" ".join(argv), limit))
        if rc != 0:
            raise RestartError("'%s' failed (exit %d): %s" % (" ".join(argv), rc, (err or out).strip()))
    return round(clock() - start, 2)


# glog's prefix, e.g. "E1207 02:41:07.123456  4242 main.cpp:555] ".
_GLOG_PREFIX = re.compile(r"^[IWEF]\d{4} [\d:.]+\s+\d+ [^\]]+\] ")
_ERROR_WORD = re.compile(r"\b(error|failed|fatal)\b", re.IGNORECASE)


def exit_reason(log):
    """The line of a daemon's log that says why it exited: Mesos's last ``EXIT with status``
    line, else the last error line. Mesos 1.11.0 refuses at start through stout's ``EXIT``
    (3rdparty/stout/include/stout/exit.hpp logs "EXIT with status N: ..."), e.g.
    ``EXIT(EXIT_FAILURE) << "Error installing hooks: "`` in src/slave/main.cpp."""
    lines = [line.strip() for line in (log or "").splitlines() if line.strip()]
    for line in reversed(lines):
        at = line.find("EXIT with status")
        if at >= 0:
            return line[at:]
    for line in reversed(lines):
        if _ERROR_WORD.search(line):
            return _GLOG_PREFIX.sub("", line)
    return None


def unit_exit(service, since=None, run=run_command):
    """Why the unit's daemon exited since epoch second ``since``, or None while it runs.

    Exited: the unit is failed or inactive, or waiting to be started again (``auto-restart``:
    packaged Mesos units say Restart=always). The reason comes from the unit's journal."""
    rc, out, dummy = run(["systemctl", "show", service, "--property=ActiveState,SubState,ExecMainStatus"], 10)
    if rc != 0:
        return None
    props = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    active, sub = props.get("ActiveState"), props.get("SubState")
    if active not in ("failed", "inactive") and sub != "auto-restart":
        return None
    argv = ["journalctl", "--unit", service, "--output", "cat", "--no-pager", "--lines", "200"]
    if since:
        argv += ["--since", "@%d" % int(since)]
    log = run(argv, 10)[1]
    return "%s exited after the restart (%s, %s, exit status %s): %s" % (
        service, active, sub, props.get("ExecMainStatus", "?"),
        exit_reason(log) or "its journal says nothing since the restart (journalctl -u %s)" % service)


# --- the gates -----------------------------------------------------------------

def _gate_health(probe, before, expect, limit):
    probe.health(limit)
    return {}


def _gate_reregistered(probe, before, expect, limit):
    old_id = before["id"]
    state = probe.state(limit)
    new_id = state.get("id") or ""
    if new_id and new_id != old_id:
        raise FatalGateFailure(
            "agent came back under a NEW agent ID %s (was %s): it did not recover its "
            "checkpointed state, so the tasks that ran under %s are lost" % (new_id, old_id, old_id))
    detected = mesos_api.metric(probe.metrics(limit), "slave/registered")
    if detected != 1:
        raise GateFailure("agent reports slave/registered = %g: it has not detected a master yet" % detected)
    seen = probe.master_agents(limit)
    agent = mesos_api.find_agent(seen["agents"], old_id)
    if agent is None:
        pid = state.get("pid") or before.get("pid")
        other = [a for a in seen["agents"] if pid and a.get("pid") == pid]
        if other:
            raise FatalGateFailure(
                "master %s lists this agent (%s) under a NEW agent ID %s (was %s): the tasks "
                "that ran under %s are lost" % (seen["master_url"], pid, other[0].get("id"), old_id, old_id))
        if old_id in seen.get("recovered", []):
            raise GateFailure("master %s knows agent %s from its registry (recovered_slaves) but the agent has "
                              "not re-registered with it yet: the master failed over" % (seen["master_url"], old_id))
        raise GateFailure("master %s does not list agent %s" % (seen["master_url"], old_id))
    if not new_id:
        raise GateFailure("agent /state shows no agent ID yet")
    deactivated = mesos_api.is_deactivated(agent)
    active = bool(agent.get("active"))
    if expect.master_state == "active" and not active:
        raise GateFailure("master %s lists agent %s as not active (%s)" % (
            seen["master_url"], old_id, "deactivated" if deactivated else "disconnected"))
    if expect.master_state == "deactivated" and not deactivated:
        raise GateFailure("master %s lists agent %s as not deactivated" % (seen["master_url"], old_id))
    since = before.get("master_registered_at")
    registered_at = mesos_api.registered_at(agent)
    if since is not None and (registered_at is None or registered_at <= since):
        raise GateFailure("master %s has not seen agent %s re-register since the restart (it was "
                          "last registered at %s)" % (seen["master_url"], old_id, registered_at))
    return {"agent_id": old_id, "master_url": seen["master_url"], "active": active,
            "deactivated": deactivated, "registered_at": registered_at, "registered_before": since}


def _difference(actual, expected):
    missing = [n for n in expected if n not in actual]
    unexpected = [n for n in actual if n not in expected]
    parts = []
    if missing:
        parts.append("missing %s" % ", ".join(missing))
    if unexpected:
        parts.append("unexpected %s" % ", ".join(unexpected))
    return "; ".join(parts) or "same names in another order"


def _gate_flags(probe, before, expect, limit):
    flags = probe.flags(limit)
    problems = []
    hooks = mesos_api.parse_hooks(flags.get("hooks"))
    if expect.hooks is not None and hooks != expect.hooks:
        problems.append("--hooks is [%s], expected [%s] (%s)" % (
            ",".join(hooks), ",".join(expect.hooks), _difference(hooks, expect.hooks)))
    if expect.isolation is not None:
        isolation = flag_stores.split_isolation(flags.get("isolation"))
        if isolation != expect.isolation:
            problems.append("--isolation is [%s], expected [%s] (%s)" % (
                ",".join(isolation), ",".join(expect.isolation), _difference(isolation, expect.isolation)))
    names = None
    if expect.module_names is not None:
        try:
            names = mesos_api.module_names(flags.get("modules"))
        except ValueError as e:
            raise GateFailure("cannot read --modules from /flags: %s" % e)
        if sorted(names) != sorted(expect.module_names):
            problems.append("--modules declares [%s], expected [%s] (%s)" % (
                ", ".join(names), ", ".join(expect.module_names),
                _difference(names, expect.module_names)))
    modules_dir = flags.get("modules_dir") or ""
    if expect.modules_dir is not None and modules_dir != expect.modules_dir:
        problems.append("--modules_dir is %r, expected %r" % (modules_dir, expect.modules_dir))
    if problems:
        raise GateFailure("/flags: " + "; ".join(problems))
    return {"hooks": hooks, "module_names": names, "modules_dir": modules_dir or None}


def _gate_recovery(probe, before, expect, limit):
    errors = mesos_api.metric(probe.metrics(limit), "slave/recovery_errors")
    if errors != 0:
        raise FatalGateFailure(
            "slave/recovery_errors = %g: the agent skipped state it could not recover "
            "(see its log)" % errors)
    return {"recovery_errors": 0}


def _gate_tasks(probe, before, expect, limit):
    wanted = [(fid, tid) for fid, ids in sorted(before["tasks"].items()) for tid in ids]
    if not wanted:
        return {"tasks": 0}
    agent_state = probe.state(limit)
    states = mesos_api.task_states(agent_state)
    ended, waiting = [], []
    for fid, tid in wanted:
        state = states.get((fid, tid))
        if state == mesos_api.RUNNING:
            continue
        if state in TERMINAL_TASK_STATES:
            ended.append("%s (%s, framework %s)" % (tid, state, fid))
        else:
            waiting.append("%s (%s, framework %s)" % (tid, state or "not listed", fid))
    if ended:
        message = "tasks that ran before the restart have ended: %s" % ", ".join(ended)
        if any("TASK_LOST" in e or "TASK_GONE" in e for e in ended):
            # src/slave/slave.cpp reregisterExecutorTimeout(): the only way a recovering agent
            # itself loses a running task; /state does not carry the status's reason.
            window = (agent_state.get("flags") or {}).get("executor_reregistration_timeout") or "2secs"
            message += ("; an agent marks a task LOST or GONE when its executor does not re-register "
                        "within --executor_reregistration_timeout (%s here) after the restart: raise it "
                        "if the executors are slow to reconnect" % window)
        raise FatalGateFailure(message)
    if waiting:
        raise GateFailure("tasks that ran before the restart are not running: %s" % ", ".join(waiting))
    return {"tasks": len(wanted)}


def _gate_canary(probe, before, expect, limit):
    if not expect.canary:
        raise FatalGateFailure("the canary gate needs a command")
    rc, out, err = probe.run(expect.canary, limit)
    details = {"command": expect.canary, "rc": rc, "stdout": out, "stderr": err}
    if rc != 0:
        failure = GateFailure("canary %s %s%s" % (
            " ".join(shlex.quote(a) for a in expect.canary),
            "timed out" if rc is None else "exited %d" % rc,
            (": " + err.strip()[-300:]) if err.strip() else ""))
        failure.details = details
        raise failure
    return details


GATES = {"health": _gate_health, "reregistered": _gate_reregistered, "flags": _gate_flags,
         "recovery": _gate_recovery, "tasks": _gate_tasks, "canary": _gate_canary}
AGENT_GATES = GateSet(GATE_ORDER, DEFAULT_TIMEOUTS, DEFAULT_INTERVALS, GATES)


def run_gate(spec, probe, before, expect, clock=time.monotonic, sleep=time.sleep):
    """Try one gate until it passes, fails for good, or its timeout is spent.

    A timeout of 0 means exactly one attempt. Returns ``name``, ``passed``, ``attempts``,
    ``seconds``, ``error`` (the last failure, None once passed) and ``details``.
    """
    check = spec.check
    start = clock()
    attempts = 0
    error = None
    details = {}
    while True:
        attempts += 1
        remaining = spec.timeout - (clock() - start)
        try:
            details = check(probe, before, expect, remaining if remaining > 0 else None) or {}
            error = None
            break
        except FatalGateFailure as e:
            error = str(e)
            details = getattr(e, "details", {})
            break
        except (GateFailure, mesos_api.MesosApiError) as e:
            error = str(e)
            details = getattr(e, "details", {})
            # A daemon that exited will not answer: say why now rather than at the timeout.
            reason = probe.exited()
            if reason:
                error = reason
                break
        if clock() - start + spec.interval > spec.timeout:
            break
        sleep(spec.interval)
    seconds = clock() - start
    if error is not None and attempts > 1:
        error = "%s (after %d attempts in %.1f s)" % (error, attempts, seconds)
    return {"name": spec.name, "passed": error is None, "skipped": False, "attempts": attempts,
            "seconds": round(seconds, 3), "timeout": spec.timeout, "error": error,
            "details": details}


def check_gates(before, probe, expect, specs, clock=time.monotonic, sleep=time.sleep,
                stop_on_failure=True):
    """Run the gates in ``specs`` (see gate_specs) against ``probe``, comparing with ``before``.

    Stops at the first failed gate (the rest are reported ``skipped``) unless
    ``stop_on_failure`` is false. Returns ``passed``, ``seconds`` (total), ``failed_gate``,
    ``msg`` and ``gates`` (one result per spec, see run_gate).
    """
    names = [s.name for s in specs]
    validate_before(before, names)
    start = clock()
    results = []
    failed = None
    for spec in specs:
        if failed is not None and stop_on_failure:
            results.append({"name": spec.name, "passed": False, "skipped": True, "attempts": 0,
                            "seconds": 0.0, "timeout": spec.timeout, "error": None, "details": {}})
            continue
        result = run_gate(spec, probe, before, expect, clock, sleep)
        results.append(result)
        if not result["passed"] and failed is None:
            failed = result
    seconds = round(clock() - start, 3)
    if failed is None:
        msg = "all %d gates passed in %.1f s (%s)" % (len(results), seconds, ", ".join(names))
    else:
        msg = "gate '%s' failed: %s" % (failed["name"], failed["error"])
    return {"passed": failed is None, "seconds": seconds,
            "failed_gate": failed["name"] if failed else None, "msg": msg, "gates": results}


def reregistration_budget(specs, restart_timeout, window=None):
    """Whether a failed rollout could outlast the master's re-registration window.

    The master marks an agent unreachable (and its tasks lost) when it stays silent for
    ``agent_ping_timeout`` x ``max_agent_ping_timeouts`` (``window``, 75 s by default). In
    the worst case the agent never comes back: the restart, every gate up to and including
    ``reregistered`` (all gates when that one is off) running to its timeout, then the
    rollback's restart all pass before the agent talks to the master again. Gates after
    ``reregistered`` run once the agent is registered again and do not count.

    Returns ``window``, ``worst_case``, ``counted`` (gate names) and ``warning`` (None when
    the worst case fits).
    """
    if window is None:
        window = mesos_api.DEFAULT_PING_TIMEOUT * mesos_api.DEFAULT_MAX_PING_TIMEOUTS
    if isinstance(restart_timeout, bool) or not isinstance(restart_timeout, (int, float)) \
            or restart_timeout < 0:
        raise ValueError("restart_timeout must be 0 or more seconds, got %r" % (restart_timeout,))
    if isinstance(window, bool) or not isinstance(window, (int, float)) or window <= 0:
        raise ValueError("the re-registration window must be more than 0 seconds, got %r" % (window,))
    names = [s.name for s in specs]
    counted = specs[:names.index("reregistered") + 1] if "reregistered" in names else list(specs)
    worst = 2 * restart_timeout + sum(s.timeout for s in counted)
    warning = None
    if worst > window:
        warning = (
            "gate timeouts can outlast the master's re-registration window: restart %gs + %s "
            "+ rollback restart %gs = %gs > %gs (agent_ping_timeout x max_agent_ping_timeouts); "
            "an agent that fails to come back could be marked unreachable and its tasks lost "
            "before the rollback restores it. Lower those timeouts or raise the master's window."
            % (restart_timeout, " + ".join("%s %gs" % (s.name, s.timeout) for s in counted),
               restart_timeout, worst, window))
    return {"window": float(window), "worst_case": float(worst),
            "counted": [s.name for s in counted], "warning": warning}
