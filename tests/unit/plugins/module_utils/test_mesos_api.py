"""The Mesos HTTP client against real local HTTP servers answering like an agent and a master.

FakeAgent and FakeMaster below are also used by the gate and module tests.
"""

import base64
import json
import os
import re
import socket
import threading
import time

from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import mesos_api
from ansible_collections.mesos_fleet.hooks.plugins.module_utils.mesos_api import MesosApiError

FRAMEWORK = "7a1c2e44-5b6d-4e8f-9a0b-1c2d3e4f5a6b-0000"
OTHER_FRAMEWORK = "7a1c2e44-5b6d-4e8f-9a0b-1c2d3e4f5a6b-0001"
AGENT_ID = "1f0e9d8c-7b6a-4f5e-8d7c-6b5a4f3e2d1c-S3"
HOOK = "org_mesos_fleet_CommandHook"
HOOK_LIB = "/var/lib/mesos-fleet-hooks/command_hook/3f2a9c1d/libcommand_hook.so"


# --- test servers ----------------------------------------------------------------

class FakeServer:
    """A real HTTP server on 127.0.0.1 at an ephemeral port, in a thread.

    ``answer(method, path, body)`` returns ``(status, body, headers)``; ``override()`` pins
    answers for one path (a sequence is served in order, its last answer repeated).
    """

    # Realms of the read-only and read-write endpoints (authenticate()); set by subclasses.
    READONLY, READWRITE, REALMS = None, None, {}

    def __init__(self):
        self.requests = []
        self.overrides = {}
        self.delay = {}
        self.credentials = {}  # principal -> secret, per realm enabled: {realm: {...}}
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?")[0]
                server.requests.append((self.command, path, body, dict(self.headers)))
                if (self.command, path) in server.delay:
                    time.sleep(server.delay[(self.command, path)])
                status, payload, headers = server._respond(self.command, path, body, self.headers)
                if status is None:
                    # A daemon that is not running: the connection ends without an answer.
                    self.close_connection = True
                    return
                if isinstance(payload, (dict, list)):
                    payload = json.dumps(payload).encode()
                elif isinstance(payload, str):
                    payload = payload.encode()
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})
        self.thread.daemon = True
        self.thread.start()

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.httpd.server_address[1]

    def override(self, path, *answers, method="GET"):
        self.overrides[(method, path)] = list(answers)

    def authenticate(self, credentials, readonly=True, readwrite=True):
        """Answer as a daemon started with --authenticate_http_readonly / _readwrite and these
        credentials (principal -> secret) does."""
        self.credentials = {}
        for enabled, realm in ((readonly, self.READONLY), (readwrite, self.READWRITE)):
            if enabled:
                self.credentials[realm] = dict(credentials)

    def _refuse(self, path, headers):
        """libprocess's basic authenticator (3rdparty/libprocess/src/authenticator.cpp): the same
        401 for a missing, malformed or wrong Authorization header; the decoded text must split
        on ':' into exactly principal and secret."""
        realm = self.REALMS.get(path)
        if realm not in self.credentials:
            return None
        parts = (headers.get("Authorization") or "").split(" ")
        if len(parts) == 2 and parts[0] == "Basic":
            decoded = base64.b64decode(parts[1]).decode().split(":")
            if len(decoded) == 2 and self.credentials[realm].get(decoded[0]) == decoded[1]:
                return None
        return 401, "401 Unauthorized.", {"WWW-Authenticate": 'Basic realm="%s"' % realm,
                                          "Content-Type": "text/plain; charset=utf-8"}

    def _respond(self, method, path, body, headers):
        refused = self._refuse(path, headers)
        if refused:
            return refused
        answers = self.overrides.get((method, path))
        if answers:
            answer = answers.pop(0) if len(answers) > 1 else answers[0]
            return answer if len(answer) == 3 else (answer[0], answer[1], None)
        return self.answer(method, path, body, headers)

    def answer(self, method, path, body, headers):
        return 404, "", None

    def calls(self, method=None, path=None):
        return [r for r in self.requests if (method is None or r[0] == method)
                and (path is None or r[1] == path)]

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def pb_text(libraries):
    """--modules as Mesos's /flags shows it: the protobuf text of the parsed manifest."""
    out = []
    for lib in libraries:
        out.append("libraries {")
        out.append('  file: "%s"' % lib["file"])
        for module in lib["modules"]:
            out.append("  modules {")
            out.append('    name: "%s"' % module["name"])
            for key, value in module.get("parameters", []):
                out += ["    parameters {", '      key: "%s"' % key, '      value: "%s"' % value, "    }"]
            out.append("  }")
        out.append("}")
    return "".join(line + "\n" for line in out)


# An answer that is none: the daemon is not running (FakeServer drops the connection).
DOWN = (None, "", None)


class FakeAgent(FakeServer):
    """Answers /health, /flags, /state and /metrics/snapshot from its attributes, as a Mesos
    1.11 agent does: ``healthy`` false is a daemon that is not running (no answer at all); while
    ``recovering`` /state is 503 and slave/registered 0; ``master_detected`` is what
    slave/registered says (src/slave/slave.hpp _registered(): a master detected, not yet
    accepted: only the master's /slaves tells that)."""

    # src/slave/slave.cpp routes /flags and /state in the read-only realm, /health in none;
    # libprocess's /metrics/snapshot takes the read-only realm (process.cpp).
    READONLY, READWRITE = "mesos-agent-readonly", "mesos-agent-readwrite"
    REALMS = {"/flags": READONLY, "/state": READONLY, "/metrics/snapshot": READONLY, "/api/v1": READWRITE}

    def __init__(self, agent_id=AGENT_ID, hooks=(HOOK,), libraries=None):
        super().__init__()
        self.agent_id = agent_id
        self.master_detected = True
        self.recovering = False
        self.master = None  # a FakeMaster it re-registers with, where a test restarts it
        self.recovery_errors = 0
        self.healthy = True
        self.flags = {"work_dir": "/var/lib/mesos", "master": "zk://zk1:2181/mesos",
                      "port": "5051", "executor_reregistration_timeout": "2secs"}
        if hooks:
            self.flags["hooks"] = ",".join(hooks)
        if libraries is None:
            libraries = [{"file": HOOK_LIB, "modules": [{"name": HOOK, "parameters": [("timeout", "5secs")]}]},
                         {"file": "/usr/lib/libcom_example_isolator.so",
                          "modules": [{"name": "com_example_Isolator"}]}]
        if libraries:
            self.flags["modules"] = pb_text(libraries)
        # framework id -> {task id: state}
        self.tasks = {FRAMEWORK: {"web-1": "TASK_RUNNING", "web-2": "TASK_RUNNING",
                                  "batch-9": "TASK_FINISHED"},
                      OTHER_FRAMEWORK: {"db-1": "TASK_RUNNING", "db-2": "TASK_STAGING"}}

    @property
    def pid(self):
        return "slave(1)@127.0.0.1:%d" % self.httpd.server_address[1]

    def state(self):
        frameworks = []
        for fid, tasks in sorted(self.tasks.items()):
            executors, completed = [], []
            for tid, st in sorted(tasks.items()):
                task = {"id": tid, "name": tid, "framework_id": fid, "executor_id": "",
                        "slave_id": self.agent_id, "state": st, "resources": {}, "statuses": []}
                done = st in ("TASK_FINISHED", "TASK_FAILED", "TASK_KILLED", "TASK_LOST")
                executor = {"id": tid, "name": "Command Executor (Task: %s)" % tid, "source": tid,
                            "framework_id": fid, "type": "COMMAND", "resources": {},
                            "tasks": [] if done else [task], "queued_tasks": [],
                            "completed_tasks": [task] if done else []}
                (completed if done else executors).append(executor)
            frameworks.append({"id": fid, "name": "marathon", "checkpoint": True, "role": "*",
                               "executors": executors, "completed_executors": completed})
        return {"version": "1.11.0", "id": self.agent_id, "pid": self.pid, "hostname": "agent-1.example",
                "flags": self.flags, "frameworks": frameworks, "completed_frameworks": [],
                "capabilities": [], "resources": {}, "attributes": {}}

    def answer(self, method, path, body, headers):
        if not self.healthy:
            return DOWN
        if method != "GET":
            return 404, "", None
        if path == "/health":
            return 200, "", None  # src/slave/http.cpp Http::health: always OK
        if path == "/flags":
            return 200, {"flags": self.flags}, None
        if path == "/state":
            if self.recovering:  # src/slave/http.cpp Http::state
                return 503, "Agent has not finished recovery", {"Content-Type": "text/plain; charset=utf-8"}
            return 200, self.state(), None
        if path == "/metrics/snapshot":
            return 200, {"slave/registered": 1.0 if self.master_detected and not self.recovering else 0.0,
                         "slave/recovery_errors": float(self.recovery_errors),
                         "slave/uptime_secs": 12.5}, None
        return 404, "", None


class FakeMaster(FakeServer):
    """Answers /slaves, /flags and the DEACTIVATE_AGENT / REACTIVATE_AGENT calls of /api/v1 the
    way a Mesos 1.11 master does; ``leader`` (another FakeMaster) makes it redirect there."""

    # src/master/master.cpp: /slaves, /state, /flags read-only; /api/v1 (every call) read-write.
    READONLY, READWRITE = "mesos-master-readonly", "mesos-master-readwrite"
    REALMS = {"/slaves": READONLY, "/state": READONLY, "/flags": READONLY, "/metrics/snapshot": READONLY,
              "/api/v1": READWRITE}

    def __init__(self, leader=None):
        super().__init__()
        self.leader = leader
        self.agents = {}
        # Agents known from the registry after a failover, not re-registered yet.
        self.recovered = {}
        self.flags = {"agent_ping_timeout": "15secs", "max_agent_ping_timeouts": "5", "port": "5050"}
        self.ignore_calls = False
        self.master_id = "master-%d" % self.httpd.server_address[1]
        self.frameworks = {}  # framework id -> its FullFrameworkWriter fields the gates read

    def add_agent(self, agent_id, pid, hostname="agent-1.example", active=True, deactivated=False):
        self.agents[agent_id] = {"id": agent_id, "pid": pid, "hostname": hostname, "port": 5051,
                                 "connected": active or deactivated, "deactivated": deactivated,
                                 "registered_time": time.time() - 3600.0}

    def reregister(self, agent_id):
        """The agent re-registers (after its restart): connected, its reregistered_time now
        (src/master/master.cpp ___reregisterSlave)."""
        if agent_id in self.recovered:
            self.agents[agent_id] = self.recovered.pop(agent_id)
        agent = self.agents[agent_id]
        agent.update(connected=True, reregistered_time=max(time.time(), agent.get("reregistered_time", 0) + 0.001))

    def metrics(self):
        # src/master/metrics.cpp: master/elected is 1 on the leading master only.
        return {"master/elected": 0.0 if self.leader is not None else 1.0, "master/uptime_secs": 10.0}

    def state(self):
        """src/master/readonly_handler.cpp: the leader's id and frameworks (FullFrameworkWriter)."""
        return {"id": self.master_id, "pid": "master@127.0.0.1:%d" % self.httpd.server_address[1],
                "leader_info": {"id": self.master_id}, "frameworks": list(self.frameworks.values()),
                "slaves": self.slaves()["slaves"]}

    def fail_over(self):
        """This master becomes the new leader: every agent is only in its recovered registry
        (src/master/master.cpp _recover(): slaves.recovered) until it re-registers."""
        self.recovered.update(self.agents)
        self.agents = {}

    def slaves(self):
        out = []
        for a in self.agents.values():
            entry = {"id": a["id"], "pid": a["pid"], "hostname": a["hostname"], "port": a["port"],
                     "attributes": {}, "resources": {}, "registered_time": a["registered_time"],
                     "active": a["connected"] and not a["deactivated"],
                     "deactivated": a["deactivated"], "version": "1.11.0", "capabilities": []}
            if "reregistered_time" in a:  # readonly_handler.cpp SlaveWriter: only once re-registered
                entry["reregistered_time"] = a["reregistered_time"]
            out.append(entry)
        # readonly_handler.cpp: recovered agents as their SlaveInfo.
        recovered = [{"id": a["id"], "hostname": a["hostname"], "port": a["port"], "attributes": {},
                      "resources": {}} for a in self.recovered.values()]
        return {"slaves": out, "recovered_slaves": recovered}

    def answer(self, method, path, body, headers):
        # libprocess serves /slaves as the master process's /master/slaves too, and a non-leader
        # redirects to that path (src/master/http.cpp redirect(), as a real 1.11.0 master does).
        if not path.startswith("/master/"):
            path = "/master" + path
        local = path[len("/master"):]
        # Every master answers /health, /flags and /metrics/snapshot itself; the cluster's
        # endpoints (/slaves, /state, /api/v1) redirect to the leader (src/master/http.cpp).
        if (method, local) == ("GET", "/flags"):
            return 200, {"flags": self.flags}, None
        if (method, local) == ("GET", "/health"):
            return 200, "", None
        if (method, local) == ("GET", "/metrics/snapshot"):
            return 200, self.metrics(), None
        if self.leader is not None:
            return 307, "", {"Location": "//127.0.0.1:%d%s" % (self.leader.httpd.server_address[1], path)}
        path = local
        if (method, path) == ("GET", "/slaves"):
            return 200, self.slaves(), None
        if (method, path) == ("GET", "/state"):
            return 200, self.state(), None
        if (method, path) == ("POST", "/api/v1"):
            if headers.get("Content-Type") != "application/json":
                return 415, "Expecting 'Content-Type' of application/json", None
            call = json.loads(body)
            kind = call["type"]
            agent_id = call[kind.lower()]["agent_id"]["value"]
            agent = self.agents.get(agent_id)
            if self.ignore_calls:
                return 200, "", None
            if kind == "DEACTIVATE_AGENT":
                if agent is None:
                    return 400, "Unknown agent", None
                agent["deactivated"] = True
                return 200, "", None
            if kind == "REACTIVATE_AGENT":
                if agent is None or not agent["deactivated"]:
                    return 400, "Agent is not deactivated", None
                agent["deactivated"] = False
                return 200, "", None
            return 400, "Failed to validate master::Call", None
        return 404, "", None


@pytest.fixture
def agent():
    server = FakeAgent()
    yield server
    server.close()


@pytest.fixture
def master(agent):
    server = FakeMaster()
    server.add_agent(AGENT_ID, agent.pid)
    yield server
    server.close()


def closed_port_url():
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return "http://127.0.0.1:%d" % port


# --- URLs ------------------------------------------------------------------------

@pytest.mark.parametrize("given, expected", [
    ("agent-1:5051", "http://agent-1:5051"),
    ("http://agent-1:5051/", "http://agent-1:5051"),
    ("https://10.0.0.5:5051/slave(1)", "https://10.0.0.5:5051/slave(1)"),
])
def test_base_url_normalises(given, expected):
    assert mesos_api.base_url(given) == expected


@pytest.mark.parametrize("bad, words", [
    ("", "empty"),
    ("ftp://agent:5051", "scheme must be http or https"),
    ("http://:5051", "has no host"),
    ("http://agent:99999", "invalid port"),
    ("http://agent:5051/?x=1", "query"),
])
def test_bad_url_is_refused_by_name(bad, words):
    with pytest.raises(ValueError) as e:
        mesos_api.base_url(bad)
    assert words in str(e.value)


# --- agent -----------------------------------------------------------------------

def test_snapshot_reads_id_registration_flags_hooks_modules_and_running_tasks(agent):
    snap = mesos_api.agent_snapshot(agent.url)
    assert snap["id"] == AGENT_ID
    assert snap["url"] == agent.url
    assert snap["pid"] == agent.pid
    assert snap["registered"] is True
    assert snap["recovery_errors"] == 0
    assert snap["hooks"] == [HOOK]
    assert snap["module_names"] == [HOOK, "com_example_Isolator"]
    assert snap["modules_dir"] is None
    assert snap["flags"]["work_dir"] == "/var/lib/mesos"
    # Finished and staging tasks are not running tasks.
    assert snap["tasks"] == {FRAMEWORK: ["web-1", "web-2"], OTHER_FRAMEWORK: ["db-1"]}
    json.dumps(snap)  # a module returns it as is


def test_snapshot_of_unregistered_agent_without_hooks(agent):
    agent.agent_id = ""
    agent.master_detected = False
    agent.recovery_errors = 2
    del agent.flags["hooks"]
    del agent.flags["modules"]
    agent.flags["modules_dir"] = "/etc/mesos/modules.d"
    agent.tasks = {}
    snap = mesos_api.agent_snapshot(agent.url)
    assert (snap["id"], snap["registered"], snap["recovery_errors"]) == ("", False, 2)
    assert snap["hooks"] == [] and snap["module_names"] == []
    assert snap["modules_dir"] == "/etc/mesos/modules.d"
    assert snap["tasks"] == {}


def test_module_names_from_protobuf_text_with_escapes():
    text = ('libraries {\n  file: "/opt/lib\\"odd\\"\\303\\251.so"\n  modules {\n'
            '    name: "org_A"\n    parameters {\n      key: "cmd"\n      value: "a \\\\ b\\n"\n    }\n  }\n'
            '  modules {\n    name: "org_B"\n  }\n}\nlibraries {\n  name: "libc"\n'
            '  modules {\n    name: "org_C"\n  }\n}\n')
    assert mesos_api.module_names(text) == ["org_A", "org_B", "org_C"]
    parsed = mesos_api._parse_text_format(text)
    assert parsed["libraries"][0]["file"] == ['/opt/lib"odd"\u00e9.so']
    assert parsed["libraries"][0]["modules"][0]["parameters"][0]["value"] == ["a \\ b\n"]


def test_module_names_from_inline_json_and_unset():
    doc = {"libraries": [{"file": "/x.so", "modules": [{"name": "org_X"}, {"name": "org_Y"}]}]}
    assert mesos_api.module_names(json.dumps(doc)) == ["org_X", "org_Y"]
    assert mesos_api.module_names(None) == []
    assert mesos_api.module_names("") == []


@pytest.mark.parametrize("bad, words", [
    ("file:///etc/mesos/modules.json", "file reference"),
    ("libraries {\n  file: \"/x.so\"\n", "unterminated"),
    ("libraries { file: }", "field 'file' has no value"),
    ("libraries { file = 3 }", "unexpected text"),
    ("}", "unbalanced"),
    ("{not json", "neither protobuf text nor JSON"),
])
def test_unreadable_modules_value_is_an_error(bad, words):
    with pytest.raises(ValueError) as e:
        mesos_api.module_names(bad)
    assert words in str(e.value)


def test_parse_hooks():
    assert mesos_api.parse_hooks("a, b,,c") == ["a", "b", "c"]
    assert mesos_api.parse_hooks("") == [] and mesos_api.parse_hooks(None) == []


def test_unreachable_agent_names_the_url():
    url = closed_port_url()
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_health(url, timeout=2)
    assert str(e.value).startswith(url + "/health: cannot connect")


def test_tls_to_a_plain_http_port_is_a_clear_error(agent):
    url = agent.url.replace("http://", "https://")
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_health(url, timeout=2)
    assert str(e.value).startswith(url + "/health: ")


def test_http_error_names_url_status_and_body(agent):
    agent.override("/state", (503, "Agent has not finished recovery"))
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_snapshot(agent.url)
    assert e.value.status == 503
    assert str(e.value) == agent.url + "/state: HTTP 503 Service Unavailable: Agent has not finished recovery"


def test_non_json_answer_is_a_clear_error(agent):
    agent.override("/metrics/snapshot", (200, "<html>proxy login</html>"))
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_snapshot(agent.url)
    assert agent.url + "/metrics/snapshot: answer is not JSON" in str(e.value)
    assert "<html>proxy login</html>" in str(e.value)


def test_json_that_is_not_an_object_or_lacks_fields(agent):
    agent.override("/state", (200, [1, 2]))
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_state(agent.url)
    assert "expected a JSON object, got list" in str(e.value)
    agent.override("/flags", (200, {"other": 1}))
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_flags(agent.url)
    assert "no 'flags' object" in str(e.value)
    agent.overrides.clear()
    agent.override("/metrics/snapshot", (200, {"slave/uptime_secs": 3}))
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_snapshot(agent.url)
    assert "metric 'slave/registered' is missing" in str(e.value)


def test_slow_answer_times_out(agent):
    agent.delay[("GET", "/health")] = 1.5
    started = time.monotonic()
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_health(agent.url, timeout=0.3)
    assert time.monotonic() - started < 1.4
    assert "no answer within 0.3 s" in str(e.value) or "timed out" in str(e.value)


@pytest.mark.parametrize("timeout", [0, -1])
def test_non_positive_timeout_is_refused(agent, timeout):
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_health(agent.url, timeout=timeout)
    assert "timeout must be a positive number" in str(e.value)
    assert agent.requests == []


# --- master ----------------------------------------------------------------------

def test_master_agents_uses_the_first_master_that_answers(master):
    dead = closed_port_url()
    seen = mesos_api.master_agents([dead, master.url])
    assert seen["master_url"] == master.url
    assert [a["id"] for a in seen["agents"]] == [AGENT_ID]


def test_master_agents_follows_a_non_leader_redirect(master):
    follower = FakeMaster(leader=master)
    try:
        seen = mesos_api.master_agents(follower.url)
        assert seen["master_url"] == master.url + "/master"
        assert follower.calls("GET", "/slaves") and master.calls("GET", "/master/slaves")
    finally:
        follower.close()


def test_master_without_a_leader_is_skipped(master):
    lost = FakeMaster()
    lost.override("/slaves", (503, "No leader elected"))
    try:
        seen = mesos_api.master_agents([lost.url, master.url])
        assert seen["master_url"] == master.url
        assert len(lost.calls("GET", "/slaves")) == 1
    finally:
        lost.close()


def test_an_election_in_progress_is_waited_out(master, monkeypatch):
    # During a failover every master answers 503 (no leader elected yet, src/master/http.cpp):
    # the caller's while_unavailable() waits until one leads.
    monkeypatch.setattr(mesos_api.time, "sleep", lambda s: None)
    electing = [FakeMaster(), FakeMaster()]
    try:
        for m in electing:
            leader = "//127.0.0.1:%d/slaves" % master.httpd.server_address[1]
            m.override("/slaves", (503, "No leader elected"), (307, "", {"Location": leader}))
        with pytest.raises(MesosApiError) as e:
            mesos_api.master_agents([m.url for m in electing], timeout=1)
        assert e.value.status == 503
        seen = mesos_api.while_unavailable(mesos_api.master_agents, [m.url for m in electing], timeout=1)
        assert seen["master_url"] == master.url
        # The old leader gone and the other without a leader yet is an election too, and so is
        # the other still redirecting to the old leader; a master that refuses the credentials is not.
        electing.append(FakeMaster())
        electing[-1].override("/slaves", (503, "No leader elected"))
        with pytest.raises(MesosApiError) as e:
            mesos_api.master_agents([closed_port_url(), electing[-1].url], timeout=1)
        assert e.value.status == 503
        gone = closed_port_url()
        electing.append(FakeMaster())
        electing[-1].override("/slaves", (307, "", {"Location": "//%s/slaves" % gone.split("://")[1]}))
        with pytest.raises(MesosApiError) as e:
            mesos_api.master_agents([electing[-1].url, gone], timeout=1)
        assert e.value.status == 503
        electing.append(FakeMaster())
        electing[-1].override("/slaves", (401, "401 Unauthorized."))
        with pytest.raises(MesosApiError) as e:
            mesos_api.master_agents([electing[-1].url, electing[-2].url], timeout=1)
        assert e.value.status is None
    finally:
        for m in electing:
            m.close()


def test_no_master_answering_lists_every_error():
    a, b = closed_port_url(), closed_port_url()
    with pytest.raises(MesosApiError) as e:
        mesos_api.master_agents([a, b], timeout=1)
    assert "no master answered /slaves" in str(e.value)
    assert a + "/slaves" in str(e.value) and b + "/slaves" in str(e.value)


def test_master_urls_accepts_comma_string_and_refuses_empty():
    assert mesos_api.master_urls("m1:5050, m2:5050") == ["http://m1:5050", "http://m2:5050"]
    with pytest.raises(ValueError):
        mesos_api.master_urls([])


def test_deactivate_then_reactivate_is_idempotent(master):
    first = mesos_api.deactivate_agent([master.url], AGENT_ID)
    assert first["changed"] is True
    assert (first["deactivated_before"], first["deactivated_after"], first["active"]) == (False, True, False)
    assert master.agents[AGENT_ID]["deactivated"] is True
    again = mesos_api.deactivate_agent([master.url], AGENT_ID)
    assert again["changed"] is False
    assert len(master.calls("POST", "/api/v1")) == 1
    call = json.loads(master.calls("POST", "/api/v1")[0][2])
    assert call == {"type": "DEACTIVATE_AGENT", "deactivate_agent": {"agent_id": {"value": AGENT_ID}}}

    back = mesos_api.reactivate_agent([master.url], AGENT_ID)
    assert (back["changed"], back["deactivated_after"], back["active"]) == (True, False, True)
    # Mesos answers 400 "Agent is not deactivated" to a second REACTIVATE: none is sent.
    assert mesos_api.reactivate_agent([master.url], AGENT_ID)["changed"] is False
    assert len(master.calls("POST", "/api/v1")) == 2


def test_check_mode_reports_the_change_and_sends_nothing(master):
    result = mesos_api.deactivate_agent([master.url], AGENT_ID, check_mode=True)
    assert (result["changed"], result["deactivated_before"], result["deactivated_after"]) == (True, False, True)
    assert master.calls("POST") == []
    assert master.agents[AGENT_ID]["deactivated"] is False


def test_deactivation_goes_to_the_leader(master):
    follower = FakeMaster(leader=master)
    try:
        result = mesos_api.deactivate_agent([follower.url], AGENT_ID)
        # The leader as Mesos's redirect names it: the master process's path, /master.
        assert result["changed"] and result["master_url"] == master.url + "/master"
        assert len(master.calls("POST", "/master/api/v1")) == 1
    finally:
        follower.close()


def test_post_redirected_with_307_keeps_its_body(master):
    follower = FakeMaster(leader=master)
    try:
        call = {"type": "DEACTIVATE_AGENT", "deactivate_agent": {"agent_id": {"value": AGENT_ID}}}
        status, body, final = mesos_api.request(follower.url + "/api/v1", "POST", call)
        assert status == 200 and final == master.url + "/master/api/v1"
        assert master.agents[AGENT_ID]["deactivated"] is True
    finally:
        follower.close()


def test_unknown_agent_is_an_error_naming_it(master):
    with pytest.raises(MesosApiError) as e:
        mesos_api.deactivate_agent([master.url], "no-such-S9")
    assert "master does not list agent no-such-S9" in str(e.value)
    assert master.calls("POST") == []


def test_a_call_that_changes_nothing_is_an_error(master):
    master.ignore_calls = True
    with pytest.raises(MesosApiError) as e:
        mesos_api.deactivate_agent([master.url], AGENT_ID)
    assert "was accepted but /slaves still shows agent %s active" % AGENT_ID in str(e.value)


def test_rejected_call_carries_masters_words(master):
    master.override("/api/v1", (403, "Forbidden: principal may not deactivate"), method="POST")
    with pytest.raises(MesosApiError) as e:
        mesos_api.deactivate_agent([master.url], AGENT_ID)
    assert "HTTP 403" in str(e.value) and "principal may not deactivate" in str(e.value)


def test_disconnected_agent_is_not_deactivated(master):
    master.agents[AGENT_ID]["connected"] = False
    # Only an operator's deactivation counts; a disconnected agent is left alone.
    assert mesos_api.reactivate_agent([master.url], AGENT_ID)["changed"] is False
    assert mesos_api.is_deactivated({"active": False}) is True  # masters before 1.9


def test_empty_agent_id_is_refused(master):
    with pytest.raises(ValueError):
        mesos_api.deactivate_agent([master.url], "")


@pytest.mark.parametrize("text, seconds", [("15secs", 15), ("1mins", 60), ("500ms", 0.5), ("2.5hrs", 9000)])
def test_parse_duration(text, seconds):
    assert mesos_api.parse_duration(text) == seconds


def test_bad_duration_is_refused():
    with pytest.raises(ValueError):
        mesos_api.parse_duration("15 parsecs")


def test_reregistration_window_from_master_flags(master):
    assert mesos_api.reregistration_window(mesos_api.master_flags([master.url])) == 75
    master.flags.update(agent_ping_timeout="10secs", max_agent_ping_timeouts="3")
    assert mesos_api.reregistration_window(mesos_api.master_flags([master.url])) == 30


# --- a running agent and master, when one is given ----------------------------------

LIVE_AGENT = os.environ.get("MESOS_FLEET_AGENT_URL")
LIVE_MASTER = os.environ.get("MESOS_FLEET_MASTER_URL")


@pytest.mark.skipif(not (LIVE_AGENT and LIVE_MASTER),
                    reason="set MESOS_FLEET_AGENT_URL and MESOS_FLEET_MASTER_URL to a running agent and master")
def test_live_agent_and_master():
    snap = mesos_api.agent_snapshot(LIVE_AGENT)
    assert snap["registered"] and snap["id"]
    seen = mesos_api.master_agents(LIVE_MASTER)
    assert mesos_api.find_agent(seen["agents"], snap["id"]) is not None
    try:
        assert mesos_api.deactivate_agent(LIVE_MASTER, snap["id"])["deactivated_after"] is True
        assert mesos_api.deactivate_agent(LIVE_MASTER, snap["id"])["changed"] is False
    finally:
        assert mesos_api.reactivate_agent(LIVE_MASTER, snap["id"])["deactivated_after"] is False


def self_signed_tls(tmp_path):
    """A server-side TLS context with a fresh self-signed certificate for 127.0.0.1."""
    import datetime
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
            .sign(key, hashes.SHA256()))
    pem = tmp_path / "agent.pem"
    # Self-signed: the certificate is its own CA (http_ca_path).
    (tmp_path / "ca.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(cert.public_bytes(serialization.Encoding.PEM) + key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(pem))
    return context


def serve_tls(server, tmp_path):
    tls = self_signed_tls(tmp_path)
    accept = server.httpd.get_request

    def accept_tls():
        conn, addr = accept()
        return tls.wrap_socket(conn, server_side=True, do_handshake_on_connect=False), addr

    server.httpd.get_request = accept_tls
    server.httpd.handle_error = lambda *args: None  # the client refusing the certificate
    return server.url.replace("http://", "https://")


def test_https_still_checks_certificates_with_one_context_per_process(agent, tmp_path, monkeypatch):
    url = serve_tls(agent, tmp_path)
    built = []
    real = mesos_api.make_context
    monkeypatch.setattr(mesos_api, "_TLS_CONTEXTS", {})
    monkeypatch.setattr(mesos_api, "make_context", lambda *a, **kw: built.append(1) or real(*a, **kw))
    for dummy in range(3):
        with pytest.raises(MesosApiError, match="TLS certificate verification failed: self-signed certificate"):
            mesos_api.agent_health(url, timeout=2)
    assert len(built) == 1
    # Plain http builds no certificate store at all.
    monkeypatch.setattr(mesos_api, "_TLS_CONTEXTS", {})
    other = FakeAgent()
    try:
        assert mesos_api.agent_snapshot(other.url)["id"] == AGENT_ID
    finally:
        other.close()
    assert len(built) == 1


def test_https_is_checked_against_the_ca_the_operator_names(agent, tmp_path, monkeypatch):
    monkeypatch.setattr(mesos_api, "_TLS_CONTEXTS", {})
    monkeypatch.setattr(mesos_api, "_TLS_CA", {})
    url = serve_tls(agent, tmp_path)
    with pytest.raises(MesosApiError) as refused:
        mesos_api.agent_snapshot(url, timeout=2)
    assert ("TLS certificate verification failed: self-signed certificate. The daemon's certificate must be "
            "signed by the system's CA certificates") in str(refused.value)
    assert "name the CA that signed it in mesos_http_ca_path" in str(refused.value)

    mesos_api.configure(ca_path=str(tmp_path / "ca.pem"))
    try:
        assert mesos_api.agent_snapshot(url, timeout=2)["id"] == AGENT_ID
        # The certificate names 127.0.0.1 only: another name for the same host is refused.
        with pytest.raises(MesosApiError, match="verification failed: IP address mismatch|verification failed: "
                                                "Hostname mismatch"):
            mesos_api.agent_health(url.replace("127.0.0.1", "localhost"), timeout=2)
        mesos_api.configure(ca_path=str(tmp_path / "missing.pem"))
        with pytest.raises(MesosApiError, match="cannot load the CA certificates of mesos_http_ca_path %s" %
                           re.escape(str(tmp_path / "missing.pem"))):
            mesos_api.agent_health(url, timeout=2)
    finally:
        mesos_api.configure()


# --- HTTP authentication -----------------------------------------------------------

@pytest.fixture
def no_credentials_after():
    yield
    mesos_api.configure()


def test_an_authenticating_agent_refuses_reads_without_credentials_by_realm(agent, no_credentials_after):
    agent.authenticate({"ops": "s3cret"})
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_snapshot(agent.url)
    assert e.value.status == 401
    assert str(e.value) == (agent.url + "/state: HTTP 401 Unauthorized (realm mesos-agent-readonly): this "
                            "endpoint requires HTTP authentication; give a principal and secret in "
                            "mesos_http_credentials")
    assert mesos_api.agent_health(agent.url)  # /health never asks


def test_credentials_go_with_every_request(agent, no_credentials_after):
    agent.authenticate({"ops": "s3cret"})
    mesos_api.configure(principal="ops", secret="s3cret")
    assert mesos_api.agent_snapshot(agent.url)["id"] == AGENT_ID
    sent = set(r[3].get("Authorization") for r in agent.calls())
    assert sent == {"Basic " + base64.b64encode(b"ops:s3cret").decode()}


def test_a_refused_secret_is_named_by_principal_never_shown(agent, no_credentials_after):
    agent.authenticate({"ops": "s3cret"})
    mesos_api.configure(principal="ops", secret="wrong-one")
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_flags(agent.url)
    assert e.value.status == 401
    assert "principal 'ops' was refused" in str(e.value) and "wrong-one" not in str(e.value)


def test_no_credentials_sent_unless_configured(agent, no_credentials_after):
    mesos_api.configure(principal="ops", secret="s3cret")
    mesos_api.configure()
    mesos_api.agent_flags(agent.url)
    assert [r for r in agent.calls() if "Authorization" in r[3]] == []


def test_a_forbidding_acl_is_a_clear_error(agent, no_credentials_after):
    mesos_api.configure(principal="ops", secret="s3cret")
    agent.override("/flags", (403, "403 Forbidden."))
    with pytest.raises(MesosApiError) as e:
        mesos_api.agent_flags(agent.url)
    assert e.value.status == 403
    assert "principal 'ops' is not authorized for this endpoint by the cluster's ACLs" in str(e.value)


def test_the_redirect_to_the_leader_keeps_the_credentials(agent, master, no_credentials_after):
    master.authenticate({"ops": "s3cret"})
    follower = FakeMaster(leader=master)
    try:
        mesos_api.configure(principal="ops", secret="s3cret")
        result = mesos_api.deactivate_agent([follower.url], AGENT_ID)
        assert result["changed"] and result["deactivated_after"]
        assert master.calls("POST", "/master/api/v1")[0][3]["Authorization"].startswith("Basic ")
    finally:
        follower.close()


def test_refusal_reports_only_401_and_403(agent, no_credentials_after):
    assert mesos_api.refusal(agent.url + "/flags") is None
    agent.authenticate({"ops": "s3cret"})
    assert "realm mesos-agent-readonly" in mesos_api.refusal(agent.url + "/flags")
    assert mesos_api.refusal(closed_port_url() + "/flags") is None


def test_a_read_waits_out_an_agent_still_recovering(agent):
    agent.recovering = True
    threading.Timer(0.7, lambda: setattr(agent, "recovering", False)).start()
    assert mesos_api.while_unavailable(mesos_api.agent_snapshot, agent.url)["id"] == AGENT_ID
    agent.recovering = True
    with pytest.raises(MesosApiError) as e:
        mesos_api.while_unavailable(mesos_api.agent_snapshot, agent.url, wait=0.6)
    assert e.value.status == 503 and "Agent has not finished recovery" in str(e.value)
    with pytest.raises(MesosApiError) as e:  # anything but a 503 at once
        mesos_api.while_unavailable(mesos_api.agent_snapshot, closed_port_url(), wait=30)
    assert e.value.status is None
