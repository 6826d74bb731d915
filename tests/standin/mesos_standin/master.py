"""mesos-master of the stand-in.

Keeps its agents in memory. Agents register over HTTP (/standin/register)
with their checkpointed agent ID and ping at the pace the registration reply
gives them, a third of --agent_ping_timeout (a real master pings each agent
once per timeout). An agent that stops gracefully is disconnected at once (as
when its socket closes); one silent for --agent_ping_timeout is disconnected; one silent for
--agent_ping_timeout x --max_agent_ping_timeouts becomes unreachable and
leaves /slaves. /slaves, /state and the DEACTIVATE_AGENT/REACTIVATE_AGENT
operator calls of /api/v1 keep Mesos's shapes and answers.

Frameworks subscribe through the v1 scheduler API (POST /api/v1/scheduler, SUBSCRIBE: a
streaming answer of RecordIO JSON events that stays open) and are connected while that connection
is; a master that restarts or fails over learns them again from the re-registering agents and
lists them as recovered until their scheduler subscribes again (see Frameworks below). Tasks of a
subscribed framework launched through the master (POST /standin/launch, test only: the stand-in
has no offers) go to their agent as a Mesos master sends a RunTaskMessage: after the hooks'
masterLaunchTaskResourceDecorator and masterLaunchTaskLabelDecorator.

With --zk the masters contend for leadership through ZooKeeper (zookeeper.py); a master that
does not lead redirects to the leader, and a newly elected one recovers the registry, which the
stand-in keeps in a znode (see Registry below), before it serves the operator API.
"""

import json
import os
import queue
import signal
import threading
import time
import urllib.parse
import uuid

from . import daemon, zookeeper
from .common import (MASTER_READONLY, MASTER_READWRITE, TASK_COMMAND, Exit, Response, Server,
                     advertised_ip, exit_with, hostname_of, http_authenticators, http_json, log,
                     method_not_allowed, parse_duration, parse_labels, temporary_redirect)

FLAG_DEFAULTS = {
    "port": "5050", "ip": None, "hostname": None, "advertise_ip": None,
    "advertise_port": None, "work_dir": None, "registry": "replicated_log",
    "quorum": None, "zk": None, "zk_session_timeout": "10secs", "cluster": None,
    "registry_fetch_timeout": "1mins",
    "agent_ping_timeout": "15secs", "max_agent_ping_timeouts": "5",
    "agent_reregister_timeout": "10mins",
    "modules": None, "modules_dir": None, "hooks": None,
    "log_dir": None, "logging_level": "INFO", "quiet": "false",
    "authenticate_agents": "false", "authenticate_frameworks": "false",
    "authenticate_http_readonly": "false", "authenticate_http_readwrite": "false",
    "credentials": None, "http_authenticators": "basic",
    "help": "false", "version": "false",
}
# Agents ping this many times per --agent_ping_timeout: often enough that a live agent is never
# taken for a silent one, rarely enough that a fleet of idle agents costs its master little.
PINGS_PER_TIMEOUT = 3
BOOLEANS = ("quiet", "authenticate_agents", "authenticate_frameworks",
            "authenticate_http_readonly", "authenticate_http_readwrite", "help", "version")
# Children of the --zk path besides the masters' json.info_<seq> members. Neither name ends in
# '_<number>', so neither is taken for a member (src/zookeeper/group.cpp cache()).
LOG_REPLICAS = "log_replicas"        # src/master/main.cpp: the replicated log's replicas
REGISTRY_ZNODE = "standin-registry"  # the stand-in's registry (see Registry)
# src/master/constants.hpp DEFAULT_HEARTBEAT_INTERVAL: HEARTBEAT events on a scheduler's stream.
HEARTBEAT_INTERVAL = 15.0
TERMINAL = ("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST", "TASK_ERROR",
            "TASK_DROPPED", "TASK_GONE")


def recordio(event):
    """src/common/recordio.hpp: each record is its length in decimal, a newline, the record."""
    data = json.dumps(event).encode()
    return b"%d\n%s" % (len(data), data)


class Subscription:
    """The streaming connection of one SUBSCRIBE call (src/common/http.hpp
    StreamingHttpConnection): events queued here are written to it by the HTTP thread that
    holds it; close() ends it from the master's side."""

    def __init__(self, stream_id):
        self.stream_id = stream_id
        self.events = queue.Queue()

    def send(self, event):
        self.events.put(event)

    def close(self):
        self.events.put(None)


def fatal(message):
    """LOG(FATAL): the line, then abort()."""
    log("F", message)
    signal.signal(signal.SIGABRT, signal.SIG_DFL)
    os.abort()


def exit_now(message):
    """EXIT(EXIT_FAILURE) from any thread. The ZooKeeper session is not closed, as a Mesos
    master closes none when it exits: its znodes go when the session times out."""
    exit_with(Exit(message))
    os._exit(1)


class Registry:
    """The registry a master recovers when it is elected and updates on every change of its
    agents (src/master/registrar.cpp; the Registry message of src/master/registry.proto).
    Mesos keeps it in the replicated log (src/log/), whose replicas live in the masters' work
    dirs and find each other under `<zk path>/log_replicas`. The stand-in has no replicated
    log: the document is kept in the znode `<zk path>/standin-registry`, as JSON with the
    field names of registry.proto, and a master waits for --quorum members under
    `log_replicas` (each master joins with its replica's PID, as src/log/log.cpp does) before
    it reads it, as the log's reads wait for a quorum of replicas. Writes are
    compare-and-set on the znode's version, so a master that another has succeeded cannot
    write, as a demoted log coordinator cannot."""

    def __init__(self, group, znode, quorum, fetch_timeout):
        self.group, self.quorum, self.fetch_timeout = group, quorum, fetch_timeout
        self.replicas = "%s/%s" % (znode, LOG_REPLICAS)
        self.path = "%s/%s" % (znode, REGISTRY_ZNODE)
        self.version = None

    def join_replica(self, pid):
        self.group.create_path(self.replicas)
        log("I", "Attempting to join replica to ZooKeeper group")
        return self.group.join(pid, znode=self.replicas)

    def fetch(self, stopping):
        """registrar.cpp recover(): the registry, or a failure after --registry_fetch_timeout."""
        from kazoo.exceptions import NodeExistsError
        started = time.time()
        while len(self.group.members(self.replicas, watch=False)) < self.quorum:
            if time.time() - started >= self.fetch_timeout:
                raise ValueError("Failed to perform fetch within %s"
                                 % zookeeper.format_duration(self.fetch_timeout))
            if stopping.wait(0.1):
                raise ValueError("discarded")
        try:
            self.group.zk.create(self.path, b"{}")
        except NodeExistsError:
            pass
        data, stat = self.group.zk.get(self.path)
        self.version = stat.version
        log("I", "Successfully fetched the registry (%dB) in %s" % (
            len(data), zookeeper.format_duration(time.time() - started)))
        return json.loads(data.decode() or "{}")

    def store(self, document):
        """registrar.cpp _update(): a failed store aborts the registrar and the master."""
        from kazoo.exceptions import BadVersionError, KazooException
        try:
            stat = self.group.zk.set(self.path, json.dumps(document, sort_keys=True).encode(),
                                     version=self.version)
        except BadVersionError:
            fatal("Registrar aborting: Failed to update registry: version mismatch")
        except KazooException as e:
            fatal("Registrar aborting: Failed to update registry: %r" % e)
        self.version = stat.version


class Master:
    def __init__(self, flags, version, modules_text, hooks):
        self.flags = flags
        self.version = version
        self.modules_text = modules_text
        self.hooks = hooks
        self.id = str(uuid.uuid4())
        self.hostname = hostname_of(flags)
        self.ip = advertised_ip(flags)
        self.port = int(flags.get("advertise_port") or flags.get("port"))
        self.pid = "master@%s:%d" % (self.ip, self.port)
        self.info = zookeeper.master_info(self.id, self.ip, self.port, self.hostname, version)
        self.start_time = time.time()
        self.ping_timeout = parse_duration(flags.get("agent_ping_timeout"))
        self.max_pings = int(flags.get("max_agent_ping_timeouts"))
        self.lock = threading.Lock()
        self.agents = {}         # id -> dict (registered agents)
        self.unreachable = {}    # id -> time marked unreachable
        self.deactivated = set()
        self.recovered = {}      # id -> SlaveInfo (id, hostname, port): recovered, not back yet
        self.next_agent = 0
        # Frameworks (src/master/master.hpp Master::frameworks): id -> dict with "info"
        # (FrameworkInfo), "state" (RECOVERED, CONNECTED, DISCONNECTED: Framework::State),
        # "active", the times FullFrameworkWriter shows, "tasks" {task id: Task dict} and the
        # "subscription" of a connected one.
        self.frameworks = {}
        self.completed_frameworks = []
        self.next_framework = 0
        self.stopping = threading.Event()
        # Without --zk the master appoints itself (src/master/main.cpp, the standalone
        # detector) and has nothing to recover (the stand-in keeps no registry then).
        self.leader = self.info
        self.elected_time = self.start_time
        self.recovery_done = True
        self.group = self.registry = None
        self.sequence = None     # our json.info_<sequence> member
        self.replica = None      # our log_replicas member

    @property
    def elected(self):
        return self.leader is not None and self.leader["id"] == self.id

    # --- ZooKeeper: contention, detection, recovery ---

    def use_zookeeper(self, url):
        self.leader = self.elected_time = None
        self.recovery_done = False
        self.group = zookeeper.Group(url, parse_duration(self.flags.get("zk_session_timeout")))
        if self.flags.get("registry") != "in_memory":
            self.registry = Registry(self.group, self.group.znode, int(self.flags.get("quorum")),
                                     parse_duration(self.flags.get("registry_fetch_timeout")))
        self.group.start()
        threading.Thread(target=self.contend_and_detect, daemon=True).start()

    def contend_and_detect(self):
        group = self.group
        if not group.wait_connected(self.stopping):
            return
        group.create_path(group.znode)
        if self.registry is not None:
            self.replica = self.registry.join_replica("log-replica(1)@%s:%d" % (self.ip, self.port))
        self.contend()
        zookeeper.LeaderDetector(group, self.detected, self.detect_failed, self.stopping,
                                 every_change=True).start()
        # src/zookeeper/group.cpp reconnecting()/timedout(): a session that cannot reconnect
        # within its timeout is taken for expired at once, so that a partitioned leader goes.
        while not self.stopping.wait(0.2):
            since = group.suspended_since
            if since is not None and time.time() - since > group.session_timeout:
                group.suspended_since = None
                log("W", "Timed out waiting to connect to ZooKeeper. Forcing ZooKeeper session "
                         "(sessionId=%x) expiration" % group.session_id)
                log("I", "ZooKeeper session expired")
                if self.elected:
                    exit_now("Lost candidacy as a leader... committing suicide!")

    def contend(self):
        """src/master/contender/zookeeper.cpp contend(): our MasterInfo as compact JSON."""
        self.sequence = self.group.join(json.dumps(self.info, separators=(",", ":")),
                                        zookeeper.MASTER_INFO_JSON_LABEL)
        log("I", "Contending for leadership as '%s_%010d'" % (
            zookeeper.MASTER_INFO_JSON_LABEL, self.sequence))

    def detect_failed(self, message):
        exit_now("Failed to detect the leading master: %s; committing suicide!" % message)

    def detected(self, leader, members):
        """Called on every change of the group. Candidacy as in src/master/master.cpp
        lostCandidacy(), leadership as in Master::detected()."""
        if self.sequence not in members:
            if self.elected:
                exit_now("Lost candidacy as a leader... committing suicide!")
            log("I", "Lost candidacy as a follower... Contend again")
            self.contend()
        if self.registry is not None and self.replica not in self.group.members(
                self.registry.replicas, watch=False):
            # src/log/log.cpp watched(): the replica's membership expired; join back up.
            self.replica = self.registry.join_replica("log-replica(1)@%s:%d" % (self.ip, self.port))
        if leader == self.leader:
            return
        was_elected = self.elected
        self.leader = leader
        if self.elected:
            self.elected_time = time.time()
            if not was_elected:
                log("I", "Elected as the leading master!")
                threading.Thread(target=self.recover, daemon=True).start()
            else:
                log("I", "Re-elected as the leading master")
        elif leader is not None:
            log("I", "The newly elected leader is %s with id %s" % (leader.get("pid"), leader["id"]))
            if was_elected:
                exit_now("Conceded leadership to another master... committing suicide!")
        else:
            log("I", "No master was elected.")
            if was_elected:
                exit_now("Lost leadership after indecisive election... committing suicide!")

    def recover(self):
        """src/master/master.cpp recover() and _recover(): the registry's agents are
        `recovered` until they re-register; --agent_reregister_timeout later, those still
        missing are marked unreachable (recoveredSlavesTimeout())."""
        log("I", "Recovering from registrar")
        document = {}
        if self.registry is not None:
            try:
                document = self.registry.fetch(self.stopping)
            except ValueError as e:
                fatal("Recovery failed: Failed to recover registrar: %s" % e)
            # registrar.cpp: the Recover operation stores the new leader's MasterInfo.
            document["master"] = {"info": self.info}
            self.registry.store(document)
            log("I", "Successfully recovered registrar")
        with self.lock:
            for slave in (document.get("slaves") or {}).get("slaves") or []:
                info = slave["info"]
                agent_id = info["id"]["value"]
                self.recovered[agent_id] = {"id": agent_id, "hostname": info.get("hostname", ""),
                                            "port": info.get("port", 5051)}
                if slave.get("deactivated"):
                    self.deactivated.add(agent_id)
            for slave in (document.get("unreachable") or {}).get("slaves") or []:
                agent_id = slave["id"]["value"]
                self.unreachable[agent_id] = slave["timestamp"]["nanoseconds"] / 1e9
                if slave.get("deactivated"):
                    self.deactivated.add(agent_id)
            self.recovery_done = True
            count = len(self.recovered)
        timeout = parse_duration(self.flags.get("agent_reregister_timeout"))
        log("I", "Recovered %d agents from the registry (%dB); allowing %s for agents to "
                 "reregister" % (count, len(json.dumps(document)), zookeeper.format_duration(timeout)))
        timer = threading.Timer(timeout, self.recovered_agents_timeout)
        timer.daemon = True
        timer.start()

    def recovered_agents_timeout(self):
        timeout = self.flags.get("agent_reregister_timeout")
        with self.lock:
            for agent_id, info in list(self.recovered.items()):
                log("W", "Marking agent %s (%s) unreachable: did not reregister within %s "
                         "after master failover" % (agent_id, info["hostname"], timeout))
                del self.recovered[agent_id]
                self.unreachable[agent_id] = time.time()
                # master.cpp _markUnreachable() during a failover: sendSlaveLost().
                self.agent_lost(agent_id, info)
            self.persist()

    def persist(self):
        """Stores the registry after a change of the agents (call with the lock held)."""
        if self.registry is None or not self.recovery_done:
            return
        slaves = [dict(a, info=dict(id={"value": a["id"]}, hostname=a["hostname"], port=a["port"]))
                  for a in list(self.agents.values()) + list(self.recovered.values())]
        self.registry.store({
            "master": {"info": self.info},
            "slaves": {"slaves": [
                dict({"info": s["info"]}, **({"deactivated": True} if s["id"] in self.deactivated
                                             else {})) for s in slaves]},
            "unreachable": {"slaves": [
                dict({"id": {"value": agent_id}, "timestamp": {"nanoseconds": int(t * 1e9)}},
                     **({"deactivated": True} if agent_id in self.deactivated else {}))
                for agent_id, t in self.unreachable.items()]},
        })

    # --- frameworks ---

    def new_framework(self, info, state, active, now):
        """src/master/framework.cpp Framework(): registered and reregistered times are the
        time given (process::Time(), the epoch, for a recovered one)."""
        return {"info": info, "state": state, "active": active, "registered_time": now,
                "reregistered_time": now, "unregistered_time": 0, "tasks": {},
                "unreachable_tasks": [], "completed_tasks": [], "subscription": None}

    def recover_framework(self, info):
        """master.cpp recoverFramework(): a framework known only from the agents (or from a
        SUBSCRIBE with an ID this master has not seen): RECOVERED, inactive, registered at the
        epoch, with the tasks the registered agents run for it. Call with the lock held."""
        framework_id = info["id"]["value"]
        framework = self.frameworks[framework_id] = self.new_framework(
            info, "RECOVERED", False, 0)
        for agent in self.agents.values():
            for task in agent.get("tasks", {}).values():
                if task["framework_id"] == framework_id:
                    framework["tasks"][task["id"]] = task
        return framework

    def subscribed_event(self, framework_id):
        # include/mesos/v1/scheduler/scheduler.proto Event.Subscribed.
        return {"type": "SUBSCRIBED", "subscribed": {
            "framework_id": {"value": framework_id},
            "heartbeat_interval_seconds": HEARTBEAT_INTERVAL, "master_info": self.info}}

    def subscribe(self, subscription, info):
        """master.cpp _subscribe() for an HTTP scheduler. Returns None, or the error the
        scheduler is sent (an ERROR event, then the connection is closed)."""
        now = time.time()
        framework_id = (info.get("id") or {}).get("value") or ""
        with self.lock:
            if not framework_id:
                # The first subscription: a new FrameworkID, <master ID>-<4-digit sequence>
                # (newFrameworkId()); addFramework(); SUBSCRIBED.
                framework_id = "%s-%04d" % (self.id, self.next_framework)
                self.next_framework += 1
                info = dict(info, id={"value": framework_id})
                framework = self.frameworks[framework_id] = self.new_framework(
                    info, "CONNECTED", True, now)
                framework["subscription"] = subscription
                log("I", "Adding framework %s (%s)" % (framework_id, info.get("name")))
                subscription.send(self.subscribed_event(framework_id))
                return None
            if any(f["info"]["id"]["value"] == framework_id for f in self.completed_frameworks):
                # master.cpp validateFrameworkSubscription().
                return "Framework has been removed"
            framework = self.frameworks.get(framework_id)
            if framework is None:
                # Neither the scheduler nor an agent running its tasks has come back since
                # the failover: rebuilt from the FrameworkInfo given.
                framework = self.recover_framework(info)
            # updateFramework(): the new FrameworkInfo (its ID is immutable).
            framework["info"] = dict(info, id={"value": framework_id})
            old = framework["subscription"]
            if framework["state"] != "RECOVERED":
                # Subscribed to this master before, connected or not: failoverFramework() tells
                # the old connection "Framework failed over" and closes it (MESOS-4712).
                framework["reregistered_time"] = now
                if old is not None and framework["state"] == "CONNECTED":
                    old.send({"type": "ERROR", "error": {"message": "Framework failed over"}})
                    old.close()
                log("I", "Framework %s failed over" % framework_id)
            else:
                # connectAndActivateRecoveredFramework(): both times are now.
                framework["registered_time"] = now
                framework["reregistered_time"] = time.time()
                log("I", "Recovered framework %s reregistered" % framework_id)
            framework.update(state="CONNECTED", active=True, subscription=subscription)
            subscription.send(self.subscribed_event(framework_id))
        return None

    def connection_closed(self, framework_id, subscription):
        """master.cpp exited(frameworkId, http) and _exited(): when the scheduler's connection
        closes, the framework is deactivated and disconnected, and its failover timeout starts;
        a connection that another subscription has replaced is ignored."""
        with self.lock:
            framework = self.frameworks.get(framework_id)
            if framework is None or framework["subscription"] is not subscription:
                log("I", "Ignoring disconnection for framework %s as it has already "
                         "reconnected" % framework_id)
                return
            log("I", "Framework %s disconnected" % framework_id)
            framework.update(state="DISCONNECTED", active=False, subscription=None)
            timeout = float(framework["info"].get("failover_timeout") or 0)
            log("I", "Giving framework %s %s to failover" % (
                framework_id, zookeeper.format_duration(timeout)))
            timer = threading.Timer(timeout, self.framework_failover_timeout,
                                    (framework_id, framework["reregistered_time"]))
            timer.daemon = True
            timer.start()

    def framework_failover_timeout(self, framework_id, reregistered_time):
        """master.cpp frameworkFailoverTimeout(): not back since it disconnected: removed."""
        with self.lock:
            framework = self.frameworks.get(framework_id)
            if (framework is None or framework["state"] == "CONNECTED"
                    or framework["reregistered_time"] != reregistered_time):
                return
            log("I", "Framework failover timeout, removing framework %s" % framework_id)
            kills = self.remove_framework(framework)
        self.kill_tasks(kills)

    def remove_framework(self, framework):
        """master.cpp removeFramework(): its tasks are killed (TASK_KILLED, completed), its
        agents told to shut it down, and it moves to the completed frameworks. Returns the
        (agent address, task id) pairs to kill; call with the lock held."""
        framework_id = framework["info"]["id"]["value"]
        kills = []
        now = time.time()
        for task in list(framework["tasks"].values()):
            agent = self.agents.get(task["slave_id"])
            if agent is not None:
                agent.get("tasks", {}).pop(task["id"], None)
                kills.append((agent["pid"].split("@")[-1], task["id"]))
            task["state"] = "TASK_KILLED"
            task["statuses"].append({"state": "TASK_KILLED", "timestamp": now})
            framework["completed_tasks"].append(task)
        framework["tasks"] = {}
        framework.update(state="DISCONNECTED", active=False, subscription=None,
                         unregistered_time=now)
        del self.frameworks[framework_id]
        self.completed_frameworks.append(framework)
        return kills

    def kill_tasks(self, kills):
        # ShutdownFrameworkMessage: the stand-in's agents kill the tasks one by one.
        for address, task_id in kills:
            try:
                http_json("http://%s/standin/kill" % address, {"task_id": task_id}, timeout=2)
            except OSError as e:
                log("W", "Failed to shut down task %s on %s: %s" % (task_id, address, e))

    def scheduler_api(self, request):
        """src/master/http.cpp Master::Http::scheduler(), for SUBSCRIBE (the only call the
        stand-in implements), after the redirect of a non-leader."""
        if not self.recovery_done:
            return Response(503, "Master has not finished recovery")
        if request.method != "POST":
            return method_not_allowed(["POST"], request.method)
        content_type = request.headers.get("Content-Type")
        if content_type is None:
            return Response(400, "Expecting 'Content-Type' to be present")
        if content_type != "application/json":
            return Response(415, "Expecting 'Content-Type' of application/json or "
                                 "application/x-protobuf")
        try:
            call = request.json()
        except ValueError as e:
            return Response(400, "Failed to parse body into JSON: %s" % e)
        if not isinstance(call, dict) or not isinstance(call.get("type"), str):
            return Response(400, "Failed to convert JSON into Call protobuf: "
                                 "Missing required fields: type")
        if call["type"] != "SUBSCRIBE":
            return Response(400, "Failed to validate scheduler::Call: the Mesos stand-in "
                                 "does not implement '%s'" % call["type"])
        info = (call.get("subscribe") or {}).get("framework_info")
        if not isinstance(info, dict):
            return Response(400, "Failed to validate scheduler::Call: Expecting 'subscribe' "
                                 "to be present")
        missing = [k for k in ("user", "name") if not isinstance(info.get(k), str)]
        if missing:
            return Response(400, "Failed to convert JSON into Call protobuf: Missing required "
                                 "fields: %s" % ", ".join("subscribe.framework_info." + k
                                                          for k in missing))
        framework_id = (info.get("id") or {}).get("value")
        if framework_id and (call.get("framework_id") or {}).get("value") != framework_id:
            # src/master/validation.cpp scheduler::call::validate().
            return Response(400, "Failed to validate scheduler::Call: 'framework_id' differs "
                                 "from 'subscribe.framework_info.id'")
        accept = request.headers.get("Accept")
        if accept is not None and not any(
                t.split(";")[0].strip() in ("application/json", "application/*", "*/*")
                for t in accept.split(",")):
            return Response(406, "Expecting 'Accept' to allow 'application/x-protobuf' or "
                                 "'application/json' (the stand-in answers JSON only)")
        if "Mesos-Stream-Id" in request.headers:
            return Response(400, "Subscribe calls should not include the 'Mesos-Stream-Id' "
                                 "header")
        subscription = Subscription(str(uuid.uuid4()))
        error = self.subscribe(subscription, info)
        if error is not None:
            subscription.send({"type": "ERROR", "error": {"message": error}})
            subscription.close()
        return Response(200, content_type="application/json",
                        headers={"Mesos-Stream-Id": subscription.stream_id},
                        stream=lambda write, closed: self.stream(subscription, write, closed))

    def stream(self, subscription, write, closed):
        """Writes the subscription's events, and a HEARTBEAT every HEARTBEAT_INTERVAL
        (src/common/http.hpp ResponseHeartbeater), until either side closes it."""
        framework_id = None
        last = time.time()
        try:
            while not self.stopping.is_set():
                try:
                    event = subscription.events.get(timeout=0.2)
                except queue.Empty:
                    event = False
                if event is None:
                    return
                if event:
                    if event["type"] == "SUBSCRIBED":
                        framework_id = event["subscribed"]["framework_id"]["value"]
                    write(recordio(event))
                    last = time.time()
                elif time.time() - last >= HEARTBEAT_INTERVAL:
                    write(recordio({"type": "HEARTBEAT"}))
                    last = time.time()
                if closed():
                    return
        finally:
            if framework_id is not None:
                self.connection_closed(framework_id, subscription)

    # --- agent protocol ---

    def serving_agents(self):
        # src/master/master.cpp visit(): every message is dropped while the master is not
        # elected or has not recovered; the agent retries.
        return self.elected and self.recovery_done

    def register(self, request):
        if not self.serving_agents():
            return Response(503, "Not the leading master, or not recovered yet")
        try:
            info = request.json()
            hostname, port, pid = info["hostname"], int(info["port"]), info["pid"]
        except (ValueError, KeyError, TypeError):
            return Response(400, "Malformed registration")
        now = time.time()
        with self.lock:
            agent_id = info.get("agent_id")
            if agent_id:
                agent = self.agents.get(agent_id)
                self.unreachable.pop(agent_id, None)
                self.recovered.pop(agent_id, None)
                if agent is None:
                    # Back after a failover, or readmitted: a new Slave whose registered and
                    # reregistered times are both now (master.cpp __reregisterSlave()).
                    agent = self.agents[agent_id] = {"registered_time": now}
                agent["reregistered_time"] = now
                log("I", "Re-registered agent %s at %s (%s)" % (agent_id, pid, hostname))
            else:
                agent_id = "%s-S%d" % (self.id, self.next_agent)
                self.next_agent += 1
                agent = self.agents[agent_id] = {"registered_time": now}
                log("I", "Registered agent %s at %s (%s)" % (agent_id, pid, hostname))
            agent.update({"id": agent_id, "hostname": hostname, "port": port, "pid": pid,
                          "version": info.get("version", ""), "connected": True,
                          "last_ping": now, "resources": info.get("resources") or []})
            self.add_agent_tasks(agent, info.get("frameworks") or [], info.get("tasks") or [])
            self.persist()
        return Response(200, {"agent_id": agent_id, "pid": self.pid,
                              "ping_interval": self.ping_timeout / PINGS_PER_TIMEOUT})

    def add_agent_tasks(self, agent, frameworks, tasks):
        """master.cpp __reregisterSlave() and updateSlaveFrameworks(): the tasks the agent
        reports (all but those of a completed framework) replace what the master had for it
        and join their frameworks; a framework the master does not know is recovered from the
        FrameworkInfo the agent holds (recoverFramework()), unless it has completed. Call with
        the lock held."""
        completed = set(f["info"]["id"]["value"] for f in self.completed_frameworks)
        for task in agent.get("tasks", {}).values():
            framework = self.frameworks.get(task["framework_id"])
            if framework is not None:
                framework["tasks"].pop(task["id"], None)
        agent["tasks"] = {}
        for reported in tasks:
            if reported["framework_id"] in completed:
                continue
            task = {"id": reported["task_id"], "name": reported["task_id"],
                    "framework_id": reported["framework_id"], "executor_id": "",
                    "slave_id": agent["id"], "state": reported["state"],
                    "resources": reported.get("resources") or [], "role": "*",
                    "statuses": [{"state": reported["state"], "timestamp": time.time()}],
                    "labels": reported.get("labels")}
            agent["tasks"][task["id"]] = task
            framework = self.frameworks.get(task["framework_id"])
            if framework is not None:
                framework["tasks"][task["id"]] = task
        for info in frameworks:
            framework_id = info["id"]["value"]
            if framework_id not in self.frameworks and framework_id not in completed:
                log("I", "Recovering framework %s from reregistering agent %s" % (
                    framework_id, agent["id"]))
                self.recover_framework(info)

    def agent_lost(self, agent_id, info):
        """master.cpp sendSlaveLost(), on an agent marked unreachable (or removed): the
        hooks' masterSlaveLostHook with its SlaveInfo. Call with the lock held; the tasks
        the master had on it become unreachable tasks of their frameworks
        (__removeSlave())."""
        for task in self.agents.get(agent_id, {}).get("tasks", {}).values():
            framework = self.frameworks.get(task["framework_id"])
            if framework is not None and framework["tasks"].pop(task["id"], None):
                task["state"] = "TASK_UNREACHABLE"
                task["statuses"].append({"state": "TASK_UNREACHABLE", "timestamp": time.time()})
                framework["unreachable_tasks"].append(task)
        if self.hooks.available():
            self.hooks.master_slave_lost(info)

    def ping(self, request):
        if not self.serving_agents():
            return Response(503, "Not the leading master, or not recovered yet")
        agent_id = (request.json() or {}).get("agent_id")
        with self.lock:
            agent = self.agents.get(agent_id)
            if agent is None or not agent["connected"]:
                return Response(404, "Unknown or disconnected agent; re-register")
            agent["last_ping"] = time.time()
        return Response(200, {"pid": self.pid})

    def exited(self, request):
        if not self.serving_agents():
            return Response(503, "Not the leading master, or not recovered yet")
        agent_id = (request.json() or {}).get("agent_id")
        with self.lock:
            agent = self.agents.get(agent_id)
            if agent is not None and agent["connected"]:
                agent["connected"] = False
                log("I", "Agent %s at %s (%s) disconnected" % (
                    agent_id, agent["pid"], agent["hostname"]))
        return Response(200, {})

    def health_loop(self, stopping):
        while not stopping.wait(0.5):
            now = time.time()
            with self.lock:
                for agent_id, agent in list(self.agents.items()):
                    silent = now - agent["last_ping"]
                    if silent > self.ping_timeout * self.max_pings:
                        self.agent_lost(agent_id, {"id": agent_id, "hostname": agent["hostname"],
                                                   "port": agent["port"]})
                        del self.agents[agent_id]
                        self.unreachable[agent_id] = now
                        log("W", "Marking agent %s (%s) unreachable: health check timed out"
                            % (agent_id, agent["hostname"]))
                        self.persist()
                    elif silent > self.ping_timeout and agent["connected"]:
                        agent["connected"] = False
                        log("W", "Agent %s (%s) disconnected: no ping for %.0f secs"
                            % (agent_id, agent["hostname"], silent))

    # --- tasks (test only) ---

    def launch(self, request):
        """A task of a subscribed framework launched through the master (the stand-in has no
        offers: this stands for its ACCEPT with a LAUNCH operation), as src/master/master.cpp
        accept() and _accept() launch one: if HookManager::hooksAvailable(), the task's
        resources are first set to what masterLaunchTaskResourceDecorator returns, given the
        agent's total resources (accept(), before validation, so the master keeps the decorated
        resources too); addTask() keeps the TaskInfo; then the labels of the task in the
        RunTaskMessage are set to what masterLaunchTaskLabelDecorator returns, and the message
        goes to the agent. So the master's /state shows the framework's labels and the agent's
        the decorated ones. The agent's answer stands for its TASK_RUNNING status update."""
        if not self.serving_agents():
            return Response(503, "Not the leading master, or not recovered yet")
        try:
            spec = request.json() or {}
            assert isinstance(spec, dict)
            agent_id = spec.get("agent_id")
            framework_id = spec["framework_id"]
            assert isinstance(framework_id, str) and isinstance(agent_id, (str, type(None)))
        except (ValueError, AssertionError, KeyError):
            return Response(400, "Expecting a JSON object with 'framework_id' (and 'agent_id')")
        try:
            labels = parse_labels(spec.get("labels"))
            resources = parse_resources(spec.get("resources"))
        except ValueError as e:
            return Response(400, str(e))
        task_id = str(spec.get("task_id") or "task-" + uuid.uuid4().hex[:12])
        now = time.time()
        with self.lock:
            framework = self.frameworks.get(framework_id)
            if framework is None or framework["state"] != "CONNECTED":
                # src/master/http.cpp scheduler(): a call of a framework that is not
                # subscribed on this connection is refused.
                return Response(403, "Framework is not subscribed")
            if agent_id is None:
                # No offers in the stand-in: the first active agent, by ID.
                active = sorted(a["id"] for a in self.agents.values()
                                if a["connected"] and a["id"] not in self.deactivated)
                if not active:
                    return Response(400, "No active agent to launch on")
                agent_id = active[0]
            agent = self.agents.get(agent_id)
            if agent is None or not agent["connected"]:
                return Response(400, "Unknown or disconnected agent '%s'" % agent_id)
            if task_id in framework["tasks"]:
                return Response(400, "Task ID '%s' is already used" % task_id)
            info = {"hostname": agent["hostname"], "port": agent["port"]}
            agent_resources = list(agent.get("resources") or [])
            framework_info = dict(framework["info"])
            address = agent["pid"].split("@")[-1]
        task = {"name": task_id, "task_id": task_id, "agent_id": agent_id,
                "command": str(spec.get("command") or TASK_COMMAND), "labels": labels,
                "resources": resources}
        if self.hooks.available():
            task["resources"] = self.hooks.master_launch_task_resources(task, agent_resources)
        log("I", "Adding task %s of framework %s on agent %s" % (task_id, framework_id, agent_id))
        with self.lock:
            if task_id in framework["tasks"]:
                return Response(400, "Task ID '%s' is already used" % task_id)
            master_task = framework["tasks"][task_id] = {
                "id": task_id, "name": task_id, "framework_id": framework_id,
                "executor_id": "", "slave_id": agent_id, "state": "TASK_STAGING",
                "resources": task["resources"], "role": "*", "statuses": [], "labels": labels}
            agent.setdefault("tasks", {})[task_id] = master_task
        if self.hooks.available():
            # Set labels retrieved from label-decorator hooks (set even when empty).
            task["labels"] = self.hooks.master_launch_task_labels(
                task, {"id": framework_id, "name": framework_info.get("name", ""),
                       "user": framework_info.get("user", "")}, info)
        run_task = {"task_id": task_id, "framework_id": framework_id,
                    "framework": framework_info, "command": task["command"],
                    "environment": spec.get("environment"), "resources": task["resources"]}
        if task["labels"] is not None:
            run_task["labels"] = {"labels": task["labels"]}
        log("I", "Launching task %s of framework %s on agent %s" % (
            task_id, framework_id, agent_id))
        try:
            status, body = http_json("http://%s/standin/launch" % address, run_task, timeout=5)
        except OSError as e:
            status, body = 502, "Failed to send the task to agent %s: %s" % (agent_id, e)
        with self.lock:
            if status != 200:
                # The stand-in forgets a task its agent did not take.
                framework["tasks"].pop(task_id, None)
                agent.get("tasks", {}).pop(task_id, None)
                return Response(status, body)
            master_task["state"] = body["state"]
            master_task["statuses"].append({"state": body["state"], "timestamp": now})
        return Response(200, body)

    def task_json(self, task):
        """src/common/http.cpp json(Task): labels only when the task has them, as an array;
        resources as an object of scalar values by name (json(Resources))."""
        result = {k: v for k, v in task.items() if k != "labels" or v is not None}
        result["resources"] = resources_json(task.get("resources"))
        return result

    def framework_json(self, framework):
        """src/master/readonly_handler.cpp FullFrameworkWriter (with json(Summary<Framework>)):
        active, connected (state CONNECTED) and recovered (state RECOVERED);
        reregistered_time only when it differs from registered_time."""
        info = framework["info"]
        result = {
            "id": info["id"]["value"], "name": info.get("name", ""), "used_resources": {},
            "offered_resources": {}, "capabilities": info.get("capabilities") or [],
            "hostname": info.get("hostname", ""), "webui_url": info.get("webui_url", ""),
            "active": framework["active"], "connected": framework["state"] == "CONNECTED",
            "recovered": framework["state"] == "RECOVERED", "user": info.get("user", ""),
            "failover_timeout": info.get("failover_timeout", 0),
            "checkpoint": info.get("checkpoint", False),
            "registered_time": framework["registered_time"],
            "unregistered_time": framework["unregistered_time"], "resources": {}}
        if "principal" in info:
            result["principal"] = info["principal"]
        if framework["registered_time"] != framework["reregistered_time"]:
            result["reregistered_time"] = framework["reregistered_time"]
        result.update({
            "role": info.get("role", "*"),
            "tasks": [self.task_json(t) for t in framework["tasks"].values()],
            "unreachable_tasks": [self.task_json(t) for t in framework["unreachable_tasks"]],
            "completed_tasks": [self.task_json(t) for t in framework["completed_tasks"]],
            "offers": [], "executors": []})
        if "labels" in info:
            result["labels"] = info["labels"]
        result["offer_constraints"] = {}
        return result

    # --- HTTP ---

    def agent_json(self, agent):
        deactivated = agent["id"] in self.deactivated
        result = {
            "id": agent["id"], "hostname": agent["hostname"], "port": agent["port"],
            "attributes": {}, "pid": agent["pid"], "registered_time": agent["registered_time"],
            "resources": {}, "used_resources": {}, "offered_resources": {},
            "reserved_resources": {}, "unreserved_resources": {},
            "active": agent["connected"] and not deactivated, "deactivated": deactivated,
            "version": agent["version"], "capabilities": [],
        }
        if "reregistered_time" in agent:
            result["reregistered_time"] = agent["reregistered_time"]
        return result

    def flags_json(self):
        values = dict(self.flags.values)
        if self.modules_text is not None:
            values["modules"] = self.modules_text
        return values

    def recovered_json(self):
        # src/common/http.cpp json(SlaveInfo), as src/master/readonly_handler.cpp writes
        # `recovered_slaves`: agents of the registry that have not re-registered yet.
        return [{"id": a["id"], "hostname": a["hostname"], "port": a["port"], "attributes": {}}
                for a in self.recovered.values()]

    def redirect(self, request):
        """src/master/http.cpp Master::Http::redirect(): 307 to the leading master, by a
        protocol-relative URL of its hostname (MasterInfo.hostname) and port."""
        leader = self.leader
        if leader is None:
            log("W", "Current master is not elected as leader, and leader information is "
                     "unavailable. Failed to redirect the request url: %s" % request.target)
            return Response(503, "No leader elected")
        hostname = leader.get("hostname")
        if not hostname:
            # The IP is in network order (MESOS-1201): back to dotted form, then looked up.
            import socket
            import struct
            try:
                hostname = socket.gethostbyaddr(
                    socket.inet_ntoa(struct.pack("=I", leader["ip"])))[0]
            except OSError as e:
                return Response(500, str(e))
        log("I", "Redirecting request for %s to the leading master %s" % (request.target, hostname))
        base = "//%s:%d" % (hostname, leader["port"])
        path, _, query = request.target.partition("?")
        if path in ("/redirect", "/master/redirect"):
            # The base URL of the leader, not its /redirect: no loop.
            return temporary_redirect(base)
        if path.startswith("/redirect/") or path.startswith("/master/redirect/"):
            return Response(404, "404 Not Found.")
        # libprocess hands a request for /slaves to the master process as /master/slaves (its
        # delegate, 3rdparty/libprocess/src/process.cpp), and that is the path Mesos redirects to.
        if not path.startswith("/master/"):
            path = "/master" + path
        # libprocess prints request.url: the path, then the decoded query re-encoded
        # (3rdparty/libprocess/src/http.cpp operator<<(URL), query::encode()).
        if query:
            pairs = dict(urllib.parse.parse_qsl(query, keep_blank_values=True))
            path += "?" + "&".join(
                urllib.parse.quote(k, safe="-._~") + ("=" + urllib.parse.quote(v, safe="-._~")
                                                      if v else "")
                for k, v in pairs.items())
        return temporary_redirect(base + path)

    def leading(self, handler):
        """The endpoints that answer only on the leading master (src/master/http.cpp: /slaves,
        /state, /api/v1, ... start with `if (!master->elected()) return redirect(request)`)."""
        return lambda request: handler(request) if self.elected else self.redirect(request)

    def slaves(self, request):
        with self.lock:
            return Response(200, {"slaves": [self.agent_json(a) for a in self.agents.values()],
                                  "recovered_slaves": self.recovered_json()})

    def state(self, request):
        with self.lock:
            agents = [self.agent_json(a) for a in self.agents.values()]
            state = {
                "version": self.version, "start_time": self.start_time}
            # src/master/readonly_handler.cpp state(): elected_time once elected; leader and
            # leader_info (src/common/http.cpp json(MasterInfo)) once a leader is known.
            if self.elected_time is not None:
                state["elected_time"] = self.elected_time
            state.update({
                "id": self.id, "pid": self.pid,
                "hostname": self.hostname, "capabilities": list(zookeeper.MASTER_CAPABILITIES),
                "activated_slaves": sum(1 for a in agents if a["active"]),
                "deactivated_slaves": sum(1 for a in agents if not a["active"]),
                "unreachable_slaves": len(self.unreachable)})
            if self.leader is not None:
                state["leader"] = self.leader.get("pid")
                state["leader_info"] = {k: self.leader[k] for k in ("id", "pid", "port", "hostname")
                                        if k in self.leader}
            state.update({
                "flags": self.flags_json(), "slaves": agents,
                "recovered_slaves": self.recovered_json(),
                # readonly_handler.cpp state(): every framework the master holds, recovered
                # ones included, is in `frameworks`; `orphan_tasks` and
                # `unregistered_frameworks` are always empty since 1.x.
                "frameworks": [self.framework_json(f) for f in self.frameworks.values()],
                "completed_frameworks": [self.framework_json(f)
                                         for f in self.completed_frameworks],
                "orphan_tasks": [], "unregistered_frameworks": []})
            return Response(200, state)

    def api_get(self, request):
        if not self.recovery_done:
            return Response(503, "Master has not finished recovery")
        return method_not_allowed(["POST"], "GET")

    def api(self, request):
        # src/master/http.cpp api(): after the redirect of a non-leader, 503 until recovered.
        if not self.recovery_done:
            return Response(503, "Master has not finished recovery")
        content_type = request.headers.get("Content-Type")
        if content_type is None:
            return Response(400, "Expecting 'Content-Type' to be present")
        if content_type.split(";")[0].strip() != "application/json":
            return Response(415, "Expecting 'Content-Type' of application/json or "
                                 "application/x-protobuf")
        try:
            call = request.json()
        except ValueError as e:
            return Response(400, "Failed to parse body into JSON: %s" % e)
        if not isinstance(call, dict) or not isinstance(call.get("type"), str):
            return Response(400, "Failed to convert JSON into Call protobuf: "
                                 "Missing required fields: type")
        kind = call["type"]
        if kind not in ("DEACTIVATE_AGENT", "REACTIVATE_AGENT"):
            return Response(400, "Failed to validate master::Call: the Mesos stand-in "
                                 "does not implement '%s'" % kind)
        field = kind.lower()
        try:
            agent_id = call[field]["agent_id"]["value"]
            assert isinstance(agent_id, str)
        except (KeyError, TypeError, AssertionError):
            return Response(400, "Failed to validate master::Call: Expecting '%s' to be present"
                                 % field)
        with self.lock:
            # src/master/http.cpp: an agent registered, recovered or unreachable is known.
            known = (agent_id in self.agents or agent_id in self.unreachable
                     or agent_id in self.recovered)
            if kind == "DEACTIVATE_AGENT":
                if not known:
                    return Response(400, "Unknown agent")
                self.deactivated.add(agent_id)
                log("I", "Deactivating agent %s" % agent_id)
            else:
                if agent_id not in self.deactivated:
                    return Response(400, "Agent is not deactivated")
                self.deactivated.discard(agent_id)
                log("I", "Reactivating agent %s" % agent_id)
            self.persist()
        return Response(200, b"")

    def routes(self):
        # Realms as src/master/master.cpp routes them (/health and /redirect have none;
        # /api/v1, read-only calls included, is in the read-write realm); /metrics/snapshot as
        # on the agent. /health, /flags and /metrics/snapshot answer on every master; /slaves,
        # /state and /api/v1 only on the leader, which the others redirect to.
        return {
            ("GET", "/health"): lambda r: Response(200, b""),
            ("GET", "/flags"): (MASTER_READONLY, lambda r: Response(200, {"flags": self.flags_json()})),
            ("GET", "/redirect"): self.redirect,
            ("GET", "/slaves"): (MASTER_READONLY, self.leading(self.slaves)),
            ("GET", "/state"): (MASTER_READONLY, self.leading(self.state)),
            ("GET", "/state.json"): (MASTER_READONLY, self.leading(self.state)),
            ("POST", "/api/v1"): (MASTER_READWRITE, self.leading(self.api)),
            ("GET", "/api/v1"): (MASTER_READWRITE, self.leading(self.api_get)),
            ("GET", "/metrics/snapshot"): (MASTER_READONLY, lambda r: Response(200, {
                # src/master/metrics.cpp: master/elected is 1 on the leader, 0 elsewhere.
                "master/elected": 1.0 if self.elected else 0.0,
                "master/slaves_active": float(sum(
                    1 for a in self.agents.values()
                    if a["connected"] and a["id"] not in self.deactivated)),
                "master/slaves_connected": float(sum(
                    1 for a in self.agents.values() if a["connected"])),
                "master/frameworks_active": float(sum(
                    1 for f in self.frameworks.values() if f["active"])),
                "master/frameworks_connected": float(sum(
                    1 for f in self.frameworks.values() if f["state"] == "CONNECTED")),
                "master/frameworks_disconnected": float(sum(
                    1 for f in self.frameworks.values() if f["state"] == "DISCONNECTED")),
                "master/uptime_secs": time.time() - self.start_time})),
            ("POST", "/api/v1/scheduler"): self.leading(self.scheduler_api),
            ("GET", "/api/v1/scheduler"): self.leading(self.scheduler_api),
            ("POST", "/standin/register"): self.register,
            ("POST", "/standin/ping"): self.ping,
            ("POST", "/standin/exited"): self.exited,
            ("POST", "/standin/launch"): self.launch,
        }


def resources_json(resources):
    """src/common/http.cpp json(Resources): scalar values summed by name."""
    result = {}
    for resource in resources or []:
        result[resource["name"]] = result.get(resource["name"], 0.0) + resource["scalar"]["value"]
    return result


def parse_resources(value):
    """A task's resources from a /standin/launch request: a list of Resource objects in JSON
    (name, type SCALAR, scalar.value), as mesos.proto has them; scalars only."""
    if value is None:
        return []
    if not isinstance(value, list) or not all(
            isinstance(r, dict) and isinstance(r.get("name"), str)
            and isinstance((r.get("scalar") or {}).get("value"), (int, float)) for r in value):
        raise ValueError("Expecting 'resources' to be [{\"name\": ..., \"type\": \"SCALAR\", "
                         "\"scalar\": {\"value\": ...}}]")
    return [{"name": r["name"], "type": "SCALAR", "scalar": {"value": float(r["scalar"]["value"])}}
            for r in value]


def zookeeper_url(flags):
    """The --zk URL, checked in the order of src/master/main.cpp: the registry (with
    replicated_log, --work_dir and --quorum are needed), then the contender (a `file://` is
    read; the path may not be '/'). None without --zk: the master stands alone, and then, as
    before, the stand-in asks for neither --work_dir nor --quorum."""
    value = flags.get("zk")
    if value is None:
        return None
    registry = flags.get("registry")
    if registry not in ("in_memory", "replicated_log", "log_storage"):
        raise Exit("'%s' is not a supported option for registry persistence" % registry)
    if registry != "in_memory":
        work_dir = flags.get("work_dir")
        if work_dir is None:
            raise Exit("--work_dir needed for replicated log based registry")
        try:
            os.makedirs(work_dir, exist_ok=True)
        except OSError as e:
            raise Exit("Failed to create work directory '%s': %s" % (work_dir, e.strerror))
        if flags.get("quorum") is None:
            raise Exit("Need to specify --quorum for replicated log based registry when "
                       "using ZooKeeper")
        try:
            if int(flags.get("quorum")) < 1:
                raise ValueError()
        except ValueError:
            raise Exit("The stand-in needs a positive integer --quorum, not '%s'"
                       % flags.get("quorum"))
    try:
        url = zookeeper.resolve(value)
    except ValueError as e:
        raise Exit("Failed to create a master contender: %s" % e)
    if url is None:
        raise Exit("Failed to create a master contender: Failed to parse '%s'" % value)
    return url


def main(argv, prefix):
    started = daemon.start("mesos-master", FLAG_DEFAULTS, BOOLEANS, argv, prefix)
    if not isinstance(started, daemon.Startup):
        return started
    master = Master(started.flags, started.libmesos.version, started.modules_text,
                    started.hooks)
    try:
        zk_url = zookeeper_url(started.flags)
        # The master authenticates HTTP with --credentials; it has no --http_credentials.
        authenticators = http_authenticators(started.flags, "credentials", (
            ("authenticate_http_readonly", MASTER_READONLY),
            ("authenticate_http_readwrite", MASTER_READWRITE)))
    except Exit as e:
        return exit_with(e)
    server = Server(started.listener, master.routes(), "/master", authenticators)

    stopping = master.stopping

    def shutdown(signum, frame):
        log("I", "Received signal %d; exiting" % signum)
        stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    threading.Thread(target=master.health_loop, args=(stopping,), daemon=True).start()
    log("I", "Master %s started on %s" % (master.id, master.pid))
    if zk_url is not None:
        try:
            master.use_zookeeper(zk_url)
        except ValueError as e:
            return exit_with(Exit("Failed to create a master contender: %s" % e))
    server.serve_forever(poll_interval=0.2)
    if master.group is not None:
        # Leave at once, without kazoo's exit handlers: like a Mesos daemon that a signal
        # ends, the ZooKeeper session is not closed and times out on the server.
        os._exit(0)
    return 0
