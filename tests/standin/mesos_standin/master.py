"""mesos-master of the stand-in.

Keeps its agents in memory. Agents register over HTTP (/standin/register)
with their checkpointed agent ID and ping at the pace the registration reply
gives them, a third of --agent_ping_timeout (a real master pings each agent
once per timeout). An agent that stops gracefully is disconnected at once (as
when its socket closes); one silent for --agent_ping_timeout is disconnected; one silent for
--agent_ping_timeout x --max_agent_ping_timeouts becomes unreachable and
leaves /slaves. /slaves, /state and the DEACTIVATE_AGENT/REACTIVATE_AGENT
operator calls of /api/v1 keep Mesos's shapes and answers.
"""

import signal
import threading
import time
import uuid

from . import daemon
from .common import (MASTER_READONLY, MASTER_READWRITE, Exit, Response, Server, advertised_ip,
                     exit_with, hostname_of, http_authenticators, log,
                     parse_duration)

FLAG_DEFAULTS = {
    "port": "5050", "ip": None, "hostname": None, "advertise_ip": None,
    "advertise_port": None, "work_dir": None, "registry": "replicated_log",
    "quorum": None, "zk": None, "cluster": None,
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


class Master:
    def __init__(self, flags, version, modules_text):
        self.flags = flags
        self.version = version
        self.modules_text = modules_text
        self.id = str(uuid.uuid4())
        self.hostname = hostname_of(flags)
        self.ip = advertised_ip(flags)
        self.port = int(flags.get("advertise_port") or flags.get("port"))
        self.pid = "master@%s:%d" % (self.ip, self.port)
        self.start_time = time.time()
        self.ping_timeout = parse_duration(flags.get("agent_ping_timeout"))
        self.max_pings = int(flags.get("max_agent_ping_timeouts"))
        self.lock = threading.Lock()
        self.agents = {}         # id -> dict (registered agents)
        self.unreachable = {}    # id -> time marked unreachable
        self.deactivated = set()
        self.next_agent = 0

    # --- agent protocol ---

    def register(self, request):
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
                if agent is None:
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
                          "last_ping": now})
        return Response(200, {"agent_id": agent_id, "pid": self.pid,
                              "ping_interval": self.ping_timeout / PINGS_PER_TIMEOUT})

    def ping(self, request):
        agent_id = (request.json() or {}).get("agent_id")
        with self.lock:
            agent = self.agents.get(agent_id)
            if agent is None or not agent["connected"]:
                return Response(404, "Unknown or disconnected agent; re-register")
            agent["last_ping"] = time.time()
        return Response(200, {"pid": self.pid})

    def exited(self, request):
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
                        del self.agents[agent_id]
                        self.unreachable[agent_id] = now
                        log("W", "Marking agent %s (%s) unreachable: health check timed out"
                            % (agent_id, agent["hostname"]))
                    elif silent > self.ping_timeout and agent["connected"]:
                        agent["connected"] = False
                        log("W", "Agent %s (%s) disconnected: no ping for %.0f secs"
                            % (agent_id, agent["hostname"], silent))

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

    def slaves(self, request):
        with self.lock:
            return Response(200, {"slaves": [self.agent_json(a) for a in self.agents.values()],
                                  "recovered_slaves": []})

    def state(self, request):
        with self.lock:
            agents = [self.agent_json(a) for a in self.agents.values()]
            return Response(200, {
                "version": self.version, "start_time": self.start_time,
                "elected_time": self.start_time, "id": self.id, "pid": self.pid,
                "hostname": self.hostname, "capabilities": [],
                "activated_slaves": sum(1 for a in agents if a["active"]),
                "deactivated_slaves": sum(1 for a in agents if not a["active"]),
                "unreachable_slaves": len(self.unreachable),
                "leader": self.pid, "flags": self.flags_json(), "slaves": agents,
                "frameworks": [], "completed_frameworks": [], "unregistered_frameworks": []})

    def api(self, request):
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
            known = agent_id in self.agents or agent_id in self.unreachable
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
        return Response(200, b"")

    def routes(self):
        # Realms as src/master/master.cpp routes them (/health has none; /api/v1, read-only
        # calls included, is in the read-write realm); /metrics/snapshot as on the agent.
        return {
            ("GET", "/health"): lambda r: Response(200, b""),
            ("GET", "/flags"): (MASTER_READONLY, lambda r: Response(200, {"flags": self.flags_json()})),
            ("GET", "/slaves"): (MASTER_READONLY, self.slaves),
            ("GET", "/state"): (MASTER_READONLY, self.state),
            ("GET", "/state.json"): (MASTER_READONLY, self.state),
            ("POST", "/api/v1"): (MASTER_READWRITE, self.api),
            ("GET", "/api/v1"): (MASTER_READWRITE, lambda r: Response(405, "Expecting 'POST', received 'GET'")),
            ("GET", "/metrics/snapshot"): (MASTER_READONLY, lambda r: Response(200, {
                "master/elected": 1.0,
                "master/slaves_active": float(sum(
                    1 for a in self.agents.values()
                    if a["connected"] and a["id"] not in self.deactivated)),
                "master/slaves_connected": float(sum(
                    1 for a in self.agents.values() if a["connected"])),
                "master/uptime_secs": time.time() - self.start_time})),
            ("POST", "/standin/register"): self.register,
            ("POST", "/standin/ping"): self.ping,
            ("POST", "/standin/exited"): self.exited,
        }


def main(argv, prefix):
    started = daemon.start("mesos-master", FLAG_DEFAULTS, BOOLEANS, argv, prefix)
    if not isinstance(started, daemon.Startup):
        return started
    master = Master(started.flags, started.libmesos.version, started.modules_text)
    try:
        # The master authenticates HTTP with --credentials; it has no --http_credentials.
        authenticators = http_authenticators(started.flags, "credentials", (
            ("authenticate_http_readonly", MASTER_READONLY),
            ("authenticate_http_readwrite", MASTER_READWRITE)))
    except Exit as e:
        return exit_with(e)
    server = Server(started.listener, master.routes(), "/master", authenticators)

    stopping = threading.Event()

    def shutdown(signum, frame):
        log("I", "Received signal %d; exiting" % signum)
        stopping.set()
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, shutdown)
    signal.signal(signal.SIGINT, shutdown)
    threading.Thread(target=master.health_loop, args=(stopping,), daemon=True).start()
    log("I", "Master %s started on %s" % (master.id, master.pid))
    server.serve_forever(poll_interval=0.2)
    return 0
