# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Health gates of a restarted master, run like the agent's (gates.run_gate):

- ``health``: the master's own /health answers 200;
- ``flags``: its own /flags shows exactly the expected ``--hooks`` and modules. A master that
  does not lead still answers /health, /flags and /metrics/snapshot itself
  (src/master/http.cpp: only the cluster's endpoints redirect to the leader);
- ``group``: with ZooKeeper, the master is back in the masters' group: a member with its
  address and a sequence newer than the one it had before the restart (zk_group);
- ``leader``: a leader is elected and has recovered: the masters' /state answers (a
  non-leader redirects it to the leader; the leader answers 503 until its registry is
  recovered, and without a leader the masters answer 503 too);
- ``agents``: every agent the leader listed as active before the restart is active again;
- ``frameworks``: every framework the leader listed as connected before is connected again
  (after a leader change its scheduler has to subscribe to the new leader);
- ``canary``: an operator command exits 0.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import gates as g
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import zk_group

GATE_ORDER = ("health", "flags", "group", "leader", "agents", "frameworks", "canary")
# A restarted leader's znode outlives it by --zk_session_timeout (10 s) before another master
# can be elected; then the new leader recovers its registry and the agents and schedulers
# find it (each on its own backoff). The measured failover took 7-11 s to elect on a real
# Mesos 1.11.0 (docs/production.md); these leave room for slower clusters.
DEFAULT_TIMEOUTS = {"health": 30.0, "flags": 10.0, "group": 30.0, "leader": 60.0, "agents": 60.0,
                    "frameworks": 60.0, "canary": 30.0}
DEFAULT_INTERVALS = {"health": 0.5, "flags": 1.0, "group": 0.5, "leader": 0.5, "agents": 1.0,
                     "frameworks": 1.0, "canary": 1.0}


class MasterProbe(g.AgentProbe):
    """Reads what the master gates look at: the restarted master itself (``master_url``; its own
    /health, /flags and /metrics/snapshot as the agent probe reads an agent's), the leader through
    every master (``master_urls``), and the ZooKeeper group (``zk``), one request per call.
    ``ips`` and ``port``: the restarted master's addresses, to find its member."""

    def __init__(self, master_url, master_urls, zk=None, ips=(), port=5050, request_timeout=mesos_api.DEFAULT_TIMEOUT,
                 service=None, since=None, run=None, zk_members=zk_group.members):
        super(MasterProbe, self).__init__(master_url, master_urls or [master_url], request_timeout,
                                          service=service, since=since, run=run)
        self.master_url = self.agent_url
        self.zk, self.ips, self.port = zk, set(ips), int(port)
        self._zk_members = zk_members

    def members(self, limit=None):
        try:
            return self._zk_members(self.zk, self._timeout(limit))
        except zk_group.ZkError as e:
            raise g.GateFailure("ZooKeeper: %s" % e)

    def leader_state(self, limit=None):
        return mesos_api.master_state(self.master_urls, self._timeout(limit))


def snapshot(probe, limit=None):
    """What the gates compare against, read before the restart: the master's own flags, whether
    it leads, its group member, the leader and the agents and frameworks the leader has."""
    flags = probe.flags(limit)
    try:
        names = mesos_api.module_names(flags.get("modules"))
    except ValueError as e:
        raise mesos_api.MesosApiError(probe.master_url + "/flags", str(e))
    elected = mesos_api.metric(probe.metrics(limit), "master/elected", probe.master_url + "/metrics/snapshot") == 1
    if probe.zk is None and flags.get("zk"):
        # The master's own --zk, from the /flags just read (a file:// value is read there).
        probe.zk = zk_group.resolve(flags["zk"])
    out = dict(url=probe.master_url, flags=flags, hooks=mesos_api.parse_hooks(flags.get("hooks")),
               modules=flags.get("modules"), module_names=names, modules_dir=flags.get("modules_dir"),
               elected=elected, zk=probe.zk, quorum=_quorum(flags), members=None, own_member=None)
    if probe.zk:
        members = zk_group.live(probe.members(limit))
        out.update(members=members, own_member=zk_group.own(members, probe.ips, probe.port))
    leader = probe.leader_state(limit)
    out.update(leader_url=leader_base(leader["master_url"]), leader_id=leader["state"].get("id"),
               frameworks=mesos_api.connected_frameworks(leader["state"]),
               agents=mesos_api.active_agents(probe.master_agents(limit)["agents"]))
    return out


def leader_base(url):
    """The leader's base URL as the operator knows it: a redirect leaves ``/master`` after it
    (src/master/http.cpp redirect())."""
    return url[:-len("/master")] if url.endswith("/master") else url


def _quorum(flags):
    # --quorum matters with the replicated log (src/master/main.cpp); in_memory has none.
    if flags.get("registry", "replicated_log") == "in_memory":
        return None
    try:
        return int(flags.get("quorum"))
    except (TypeError, ValueError):
        return None


def quorum_problem(before, host="this master"):
    """Why restarting this master now would stop the cluster (None when it would not): with
    the replicated log, the masters left running must still make ``--quorum``
    (src/log/: a write, and so the registry and the election's recovery, needs a quorum of
    replicas)."""
    if before.get("quorum") is None or before.get("members") is None:
        return None
    others = [m for m in before["members"] if m is not before.get("own_member")]
    if before.get("own_member") is None:
        return ("%s is not in the masters' ZooKeeper group (%s): it is not running as a master of this "
                "cluster; fix it before a rollout" % (host, before["zk"]))
    if len(others) < before["quorum"]:
        return ("restarting %s would leave %d master(s) running (%s) where --quorum=%d needs %d: the "
                "replicated log would stop, and with it the registry and any election. Bring the "
                "other masters back first" % (host, len(others), ", ".join(zk_group.describe(m) for m in others) or "none",
                                              before["quorum"], before["quorum"]))
    return None


# --- the gates -----------------------------------------------------------------

def _gate_group(probe, before, expect, limit):
    members = zk_group.live(probe.members(limit))
    mine = zk_group.own(members, probe.ips, probe.port)
    old = before.get("own_member")
    if mine is None or (old is not None and mine["seq"] <= old["seq"]):
        raise g.GateFailure("the master has not joined the ZooKeeper group %s again (members: %s)" % (
            probe.zk, ", ".join(zk_group.describe(m) for m in members) or "none"))
    leader = zk_group.leader(members)
    return {"member": mine["znode"], "members": len(members), "leading_member": zk_group.describe(leader)}


def _gate_leader(probe, before, expect, limit):
    leader = probe.leader_state(limit)
    state = leader["state"]
    return {"leader_url": leader_base(leader["master_url"]), "leader_id": state.get("id"),
            "leader_before": before.get("leader_url"), "leader_changed": state.get("id") != before.get("leader_id")}


def _gate_agents(probe, before, expect, limit):
    seen = probe.master_agents(limit)
    active = set(mesos_api.active_agents(seen["agents"]))
    missing = [a for a in before.get("agents") or [] if a not in active]
    if missing:
        recovered = [a for a in missing if a in seen["recovered"]]
        raise g.GateFailure("leader %s does not list as active %d agent(s) that were: %s%s" % (
            seen["master_url"], len(missing), ", ".join(missing),
            "; %d of them it knows from its registry and is waiting for (recovered_slaves)" % len(recovered)
            if recovered else ""))
    return {"agents": len(before.get("agents") or []), "leader_url": seen["master_url"]}


def _gate_frameworks(probe, before, expect, limit):
    leader = probe.leader_state(limit)
    connected = set(mesos_api.connected_frameworks(leader["state"]))
    missing = [f for f in before.get("frameworks") or [] if f not in connected]
    if missing:
        raise g.GateFailure("leader %s does not list as connected %d framework(s) that were: %s (their "
                            "schedulers have not subscribed to it again)" % (
                                leader["master_url"], len(missing), ", ".join(missing)))
    return {"frameworks": len(before.get("frameworks") or []), "leader_url": leader["master_url"]}


GATES = {"health": g.GATES["health"], "flags": g.GATES["flags"], "group": _gate_group,
         "leader": _gate_leader, "agents": _gate_agents, "frameworks": _gate_frameworks,
         "canary": g.GATES["canary"]}
MASTER_GATES = g.GateSet(GATE_ORDER, DEFAULT_TIMEOUTS, DEFAULT_INTERVALS, GATES)


def gate_names(before, canary=None):
    """The gates that apply: ``group`` only with ZooKeeper, ``canary`` only with a command."""
    return [n for n in GATE_ORDER if (n != "group" or before.get("zk")) and (n != "canary" or canary)]
