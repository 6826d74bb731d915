# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""A small client for the Mesos agent and master HTTP endpoints the rollout relies on.

Agent: /health, /flags, /state, /metrics/snapshot. Master: /slaves, /flags and the operator
calls DEACTIVATE_AGENT / REACTIVATE_AGENT of POST /api/v1 (they stop and resume offers and
never touch running tasks; DRAIN_AGENT, which kills tasks, is deliberately absent).

Every failure raises MesosApiError with a message naming the URL and, when there was an
answer, the HTTP status and the start of its body.

Daemons that serve TLS (libprocess's LIBPROCESS_SSL_ENABLED) are called over https, their
certificates checked against the system's CA certificates or those configure() names.

Clusters started with --authenticate_http_readonly / --authenticate_http_readwrite answer 401
on /flags, /state, /metrics/snapshot, /slaves and /api/v1 without credentials (/health never
asks): configure() gives the principal and secret that every request of the process then sends
as HTTP Basic authentication, Mesos's default authenticator.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re
import socket
import ssl
import time

from urllib.error import HTTPError, URLError
from urllib.parse import urlsplit

from ansible.module_utils.urls import ConnectionError as UrlsConnectionError
from ansible.module_utils.urls import Request, make_context

DEFAULT_TIMEOUT = 5.0
RUNNING = "TASK_RUNNING"
# Master defaults: --agent_ping_timeout=15secs, --max_agent_ping_timeouts=5.
DEFAULT_PING_TIMEOUT = 15.0
DEFAULT_MAX_PING_TIMEOUTS = 5

_BODY_EXCERPT = 200


class MesosApiError(Exception):
    """An endpoint could not be reached or gave an unusable answer; the message says which."""

    def __init__(self, url, message, status=None):
        super(MesosApiError, self).__init__("%s: %s" % (url, message))
        self.url = url
        self.status = status


def base_url(url, default_port=None):
    """Validate an agent or master address and return it as ``scheme://host[:port][/path]``.

    ``host:port`` without a scheme means http. Raises ValueError naming the bad value.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValueError("empty Mesos URL")
    text = url.strip()
    if "://" not in text:
        text = "http://" + text
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https"):
        raise ValueError("Mesos URL %r: scheme must be http or https" % url)
    if not parts.hostname:
        raise ValueError("Mesos URL %r has no host" % url)
    try:
        port = parts.port
    except ValueError:
        raise ValueError("Mesos URL %r has an invalid port" % url)
    if parts.query or parts.fragment:
        raise ValueError("Mesos URL %r must not have a query or fragment" % url)
    netloc = parts.netloc
    if port is None and default_port:
        netloc = "%s:%d" % (netloc, default_port)
    return "%s://%s%s" % (parts.scheme, netloc, parts.path.rstrip("/"))


def _excerpt(body):
    text = body.decode("utf-8", "replace").strip() if isinstance(body, bytes) else str(body)
    if len(text) > _BODY_EXCERPT:
        text = text[:_BODY_EXCERPT] + "..."
    return text


_TLS_CONTEXTS = {}
# The CA certificates https answers are checked against (configure()); None: the system's.
_TLS_CA = {}
# The HTTP credentials every request of this process sends (configure()).
_CREDENTIALS = {}


# The options of the modules that call agents or masters (doc fragment mesos_fleet.hooks.mesos_http).
ARGUMENT_SPEC = dict(
    http_principal=dict(type="str"),
    http_secret=dict(type="str", no_log=True),
    http_ca_path=dict(type="path"),
)


def configure(principal=None, secret=None, ca_path=None):
    """Send ``principal`` and ``secret`` with every request from now on (no principal sends
    none), and check https certificates against the CA certificates in ``ca_path`` (a PEM file)
    instead of the system's. A module calls this once, with its options
    (``configure(**http_options(params))``)."""
    _CREDENTIALS.clear()
    if principal:
        _CREDENTIALS.update(principal=principal, secret=secret or "")
    if ca_path != _TLS_CA.get("path"):
        _TLS_CA["path"] = ca_path
        _TLS_CONTEXTS.clear()


def http_options(params):
    """configure()'s arguments from a module's ARGUMENT_SPEC options."""
    return dict(principal=params.get("http_principal"), secret=params.get("http_secret"),
                ca_path=params.get("http_ca_path"))


def _refusal_message(status, headers):
    """What a 401 or 403 from Mesos means, for the operator; None for another status."""
    principal = _CREDENTIALS.get("principal")
    if status == 401:
        # libprocess's basic authenticator names the endpoint's realm in WWW-Authenticate.
        challenge = (headers.get("WWW-Authenticate") or "") if headers is not None else ""
        realm = re.search(r'realm="([^"]*)"', challenge)
        where = " (realm %s)" % realm.group(1) if realm else ""
        if not principal:
            return ("HTTP 401 Unauthorized%s: this endpoint requires HTTP authentication; give "
                    "a principal and secret in mesos_http_credentials" % where)
        return ("HTTP 401 Unauthorized%s: principal '%s' was refused; check its secret against "
                "the credentials file the daemon was started with (a secret with ':' never "
                "authenticates)" % (where, principal))
    if status == 403:
        return ("HTTP 403 Forbidden: principal '%s' is not authorized for this endpoint by the "
                "cluster's ACLs" % (principal or "(none)"))
    return None


def tls_context(url):
    """The TLS context for a request to ``url``, one per process and scheme.

    Without one, open_url builds Ansible's default context for every request, loading the
    system's CA certificates each time: about 40 ms of CPU, more than the request itself, and the
    gates and snapshots make several requests per call. https gets that default (certificates
    checked) once; http never uses its context (Mesos redirects to the leading master without
    changing the scheme), so it gets a bare one that costs nothing to make.
    """
    scheme = "https" if url.lower().startswith("https:") else "http"
    if scheme not in _TLS_CONTEXTS:
        if scheme == "https":
            ca_path = _TLS_CA.get("path")
            try:
                _TLS_CONTEXTS[scheme] = make_context(cafile=ca_path)
            except (IOError, OSError, ssl.SSLError) as e:
                raise MesosApiError(url, "cannot load the CA certificates of mesos_http_ca_path %s: %s" % (ca_path, e))
        else:
            _TLS_CONTEXTS[scheme] = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return _TLS_CONTEXTS[scheme]


def _tls_failure(reason):
    """The words for a certificate the client does not accept, or None for another failure."""
    if not isinstance(reason, ssl.SSLCertVerificationError):
        return None
    trusted = ("the CA certificates in %s" % _TLS_CA["path"]) if _TLS_CA.get("path") else "the system's CA certificates"
    return ("TLS certificate verification failed: %s. The daemon's certificate must be signed by %s and name "
            "the host as the URL does (an IP address needs an IP subject alternative name); name the CA that "
            "signed it in mesos_http_ca_path" % (getattr(reason, "verify_message", None) or reason, trusted))


def request(url, method="GET", payload=None, timeout=DEFAULT_TIMEOUT):
    """Send one request; return ``(status, body bytes, final url)`` for a 2xx answer.

    Redirects are followed, a POST keeps its body on 307 (a non-leading master redirects
    /api/v1 to the leader that way). Anything else raises MesosApiError.
    """
    if timeout is None or timeout <= 0:
        raise MesosApiError(url, "timeout must be a positive number of seconds, got %r" % (timeout,))
    data = None
    headers = {"Accept": "application/json"}
    if payload is not None:
        data = json.dumps(payload).encode("utf-8")
        headers["Content-Type"] = "application/json"
    try:
        # A redirect to the leading master keeps the Authorization header (and a POST its body).
        response = Request().open(method, url, data=data, headers=headers, timeout=timeout,
                                  follow_redirects="all", use_proxy=False, context=tls_context(url),
                                  url_username=_CREDENTIALS.get("principal"),
                                  url_password=_CREDENTIALS.get("secret"),
                                  force_basic_auth=bool(_CREDENTIALS), use_netrc=False)
        try:
            return response.getcode(), response.read(), response.geturl()
        finally:
            response.close()
    except HTTPError as e:
        try:
            body = e.read()
        except Exception:
            body = b""
        detail = _excerpt(body)
        refused = _refusal_message(e.code, e.headers)
        if refused:
            # libprocess's own bodies ("401 Unauthorized.") say nothing more; a master's may.
            said = "" if detail in ("", "401 Unauthorized.", "403 Forbidden.") else " (it said: %s)" % detail
            raise MesosApiError(url, refused + said, status=e.code)
        raise MesosApiError(url, "HTTP %d %s%s" % (e.code, e.reason or "",
                                                   (": " + detail) if detail else ""),
                            status=e.code)
    except URLError as e:
        raise MesosApiError(url, _tls_failure(e.reason) or "cannot connect: %s" % (e.reason,))
    except ssl.SSLCertVerificationError as e:
        raise MesosApiError(url, _tls_failure(e))
    except (socket.timeout, TimeoutError):
        raise MesosApiError(url, "no answer within %s s" % timeout)
    except UrlsConnectionError as e:
        # TLS validation failures and the like, raised by ansible's own URL handling.
        raise MesosApiError(url, "cannot connect: %s" % (e,))
    except (OSError, ValueError) as e:
        # Connection reset, a malformed status line, an unsupported URL ...
        raise MesosApiError(url, "request failed: %s" % (e,))


def refusal(url, timeout=DEFAULT_TIMEOUT):
    """Why ``url`` refuses this process's credentials (its 401 or 403 as MesosApiError words), or
    None when it answers, or fails for another reason (that is for the caller's own reads)."""
    try:
        request(url, timeout=timeout)
    except MesosApiError as e:
        if e.status in (401, 403):
            return str(e)
    return None


# How long a read waits out a daemon answering 503: an agent until its recovery ends (at most
# --executor_reregistration_timeout, 2 s by default, after its start), a master until its
# registry is recovered after an election (/api/v1, src/master/http.cpp).
UNAVAILABLE_WAIT = 15.0
# How long a read of the masters waits for a leader: a failover takes the old leader's
# ZooKeeper session timeout (10 s by default) and an election; 7 to 11 s on real Mesos 1.11.0.
FAILOVER_WAIT = 30.0


def while_unavailable(call, *args, **kwargs):
    """``call(*args, **kwargs)``, again every 0.5 s while it fails with HTTP 503, for at most
    UNAVAILABLE_WAIT seconds (``wait=`` to change it); any other failure is raised at once."""
    deadline = time.monotonic() + kwargs.pop("wait", UNAVAILABLE_WAIT)
    while True:
        try:
            return call(*args, **kwargs)
        except MesosApiError as e:
            if e.status != 503 or time.monotonic() >= deadline:
                raise
        time.sleep(0.5)


def get_json(url, timeout=DEFAULT_TIMEOUT):
    """GET ``url`` and decode its JSON object; raises MesosApiError on any problem."""
    status, body, final = request(url, timeout=timeout)
    return decode_json(url, status, body)


def decode_json(url, status, body):
    """The JSON object in an answer's body; MesosApiError naming the URL when it is not one."""
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        raise MesosApiError(url, "answer is not JSON (%s): %s" % (e, _excerpt(body) or "empty body"),
                            status=status)
    if not isinstance(value, dict):
        raise MesosApiError(url, "expected a JSON object, got %s" % type(value).__name__,
                            status=status)
    return value


# --- agent ---------------------------------------------------------------------

def agent_health(agent_url, timeout=DEFAULT_TIMEOUT):
    """True when /health answers 2xx; raises MesosApiError otherwise."""
    request(base_url(agent_url) + "/health", timeout=timeout)
    return True


def agent_flags(agent_url, timeout=DEFAULT_TIMEOUT):
    url = base_url(agent_url) + "/flags"
    flags = get_json(url, timeout).get("flags")
    if not isinstance(flags, dict):
        raise MesosApiError(url, "answer has no 'flags' object")
    return flags


def agent_state(agent_url, timeout=DEFAULT_TIMEOUT):
    return get_json(base_url(agent_url) + "/state", timeout)


def agent_metrics(agent_url, timeout=DEFAULT_TIMEOUT):
    return get_json(base_url(agent_url) + "/metrics/snapshot", timeout)


def metric(metrics, name, url="/metrics/snapshot"):
    """The numeric value of one metric; MesosApiError when it is missing or not a number."""
    value = metrics.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise MesosApiError(url, "metric %r is missing or not a number (%r)" % (name, value))
    return value


def running_tasks(state):
    """``{framework_id: sorted task ids}`` of the tasks an agent's /state shows TASK_RUNNING."""
    found = {}
    for framework in state.get("frameworks") or []:
        ids = []
        for executor in framework.get("executors") or []:
            for task in executor.get("tasks") or []:
                if task.get("state") == RUNNING:
                    ids.append(task.get("id"))
        if ids:
            found[framework.get("id")] = sorted(ids)
    return found


def live_containers(state):
    """``{framework_id: sorted labels}`` of the work an agent's /state shows alive: every task of
    an executor still listed under a framework's ``executors`` (its container has not been
    destroyed), whatever the task's state: a TASK_STAGING, TASK_STARTING or TASK_KILLING task runs
    in a live container as a TASK_RUNNING one does. A task that is not TASK_RUNNING is labelled
    with its state; an executor with no task left, by its own id."""
    found = {}
    for framework in state.get("frameworks") or []:
        labels = []
        for executor in framework.get("executors") or []:
            tasks = (executor.get("tasks") or []) + (executor.get("queued_tasks") or [])
            for task in tasks:
                labels.append(task.get("id") if task.get("state") == RUNNING
                              else "%s (%s)" % (task.get("id"), task.get("state")))
            if not tasks:
                labels.append("executor %s" % executor.get("id"))
        if labels:
            found[framework.get("id")] = sorted(labels)
    return found


def task_states(state):
    """``{(framework_id, task_id): state}`` for every task /state lists, live or completed."""
    states = {}
    for key in ("completed_frameworks", "frameworks"):
        for framework in state.get(key) or []:
            fid = framework.get("id")
            for executor in (framework.get("completed_executors") or []) + (framework.get("executors") or []):
                for tkey in ("completed_tasks", "queued_tasks", "tasks"):
                    for task in executor.get(tkey) or []:
                        states[(fid, task.get("id"))] = task.get("state")
    return states


def parse_hooks(value):
    """``--hooks`` as a list of names; an unset or empty flag is an empty list."""
    if not value:
        return []
    return [name.strip() for name in str(value).split(",") if name.strip()]


_TEXT_TOKEN = re.compile(r'\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)\s*(?P<sep>[:{])|(?P<close>\})'
                         r'|(?P<string>"(?:[^"\\]|\\.)*"))', re.S)
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "'": "'", "\\": "\\", "a": "\a",
            "b": "\b", "f": "\f", "v": "\v"}


def _unescape(quoted):
    body = quoted[1:-1]
    out = bytearray()
    i = 0
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1]
        octal = re.match(r"[0-7]{1,3}", body[i + 1:])
        if octal:
            out.append(int(octal.group(0), 8) & 0xFF)
            i += 1 + len(octal.group(0))
        elif nxt == "x" and re.match(r"[0-9A-Fa-f]", body[i + 2:]):
            hexa = re.match(r"[0-9A-Fa-f]{1,2}", body[i + 2:]).group(0)
            out.append(int(hexa, 16))
            i += 2 + len(hexa)
        else:
            out += _ESCAPES.get(nxt, nxt).encode("utf-8")
            i += 2
    return out.decode("utf-8", "replace")


def _parse_text_format(text):
    """Parse protobuf text format (as Mesos's /flags shows --modules) into nested dicts of lists."""
    pos = 0
    root = {}
    stack = [root]
    pending = None
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos >= len(text):
            break
        m = _TEXT_TOKEN.match(text, pos)
        if not m:
            raise ValueError("unexpected text at offset %d: %r" % (pos, text[pos:pos + 20]))
        pos = m.end()
        if m.group("close"):
            if pending is not None:
                raise ValueError("field %r has no value" % pending)
            if len(stack) == 1:
                raise ValueError("unbalanced '}' at offset %d" % pos)
            stack.pop()
        elif m.group("name"):
            if pending is not None:
                raise ValueError("field %r has no value" % pending)
            if m.group("sep") == "{":
                child = {}
                stack[-1].setdefault(m.group("name"), []).append(child)
                stack.append(child)
            else:
                pending = m.group("name")
        else:
            if pending is None:
                raise ValueError("string without a field name at offset %d" % pos)
            stack[-1].setdefault(pending, []).append(_unescape(m.group("string")))
            pending = None
    if len(stack) != 1 or pending is not None:
        raise ValueError("unterminated message")
    return root


def declared_libraries(modules_value):
    """The libraries an agent's /flags ``modules`` value (or a manifest JSON) declares, as
    ``[(library, [(module name, [(key, value), ...]), ...]), ...]`` in order, ``library`` being
    its ``file`` (or ``name``). Raises ValueError when the value cannot be read."""
    if modules_value is None or not str(modules_value).strip():
        return []
    text = str(modules_value).strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except ValueError as e:
            raise ValueError("modules value is neither protobuf text nor JSON: %s" % e)
        libraries = doc.get("libraries") if isinstance(doc, dict) else None
        if not isinstance(libraries, list):
            raise ValueError("modules JSON has no 'libraries' list")
        return [(lib.get("file") or lib.get("name"),
                 [(m.get("name"), [(p.get("key"), p.get("value")) for p in m.get("parameters") or []
                                   if isinstance(p, dict)])
                  for m in lib.get("modules") or [] if isinstance(m, dict)])
                for lib in libraries if isinstance(lib, dict)]
    if text.startswith("file://") or text.startswith("/"):
        raise ValueError("modules value %r is a file reference, not the manifest Mesos loaded" % text)
    doc = _parse_text_format(text)

    def first(message, field):
        values = message.get(field) or [None]
        return values[0]

    return [(first(lib, "file") or first(lib, "name"),
             [(name, [(first(p, "key"), first(p, "value")) for p in module.get("parameters", [])])
              for module in lib.get("modules", []) for name in module.get("name", [])])
            for lib in doc.get("libraries", [])]


def module_names(modules_value):
    """Names of the modules an agent's /flags ``modules`` value declares, in order.

    Mesos shows ``--modules`` as the protobuf text of the parsed manifest
    (``libraries { file: "..." modules { name: "..." } }``); inline JSON is read as well.
    An unset flag declares nothing. Raises ValueError when the value cannot be read.
    """
    return [name for library, modules in declared_libraries(modules_value) for name, parameters in modules]


def module_specs(modules_value):
    """What each declared module is loaded with: ``{name: (library, [(key, value), ...])}``,
    read from /flags ``modules`` or a manifest JSON as module_names() reads them."""
    return {name: (library, parameters) for library, modules in declared_libraries(modules_value)
            for name, parameters in modules}


def agent_snapshot(agent_url, timeout=DEFAULT_TIMEOUT):
    """What the gates compare against after a restart, read from one agent.

    Returns a JSON-serialisable dict: ``url``, ``id`` (empty when not registered yet),
    ``hostname``, ``pid``, ``version``, ``registered`` (bool), ``recovery_errors`` (int),
    ``flags`` (all of /flags), ``hooks`` (list), ``modules`` (the /flags value or None),
    ``module_names``, ``modules_dir`` (or None), ``tasks`` ({framework id: running task ids}) and ``containers``
    ({framework id: labels of every task or executor alive}, see live_containers()).
    """
    url = base_url(agent_url)
    state = agent_state(url, timeout)
    metrics = agent_metrics(url, timeout)
    flags = agent_flags(url, timeout)
    try:
        names = module_names(flags.get("modules"))
    except ValueError as e:
        raise MesosApiError(url + "/flags", str(e))
    return {
        "url": url,
        "id": state.get("id") or "",
        "hostname": state.get("hostname"),
        "pid": state.get("pid"),
        "version": state.get("version"),
        "registered": metric(metrics, "slave/registered", url + "/metrics/snapshot") == 1,
        "recovery_errors": int(metric(metrics, "slave/recovery_errors", url + "/metrics/snapshot")),
        "flags": flags,
        "hooks": parse_hooks(flags.get("hooks")),
        "modules": flags.get("modules"),
        "module_names": names,
        "modules_dir": flags.get("modules_dir"),
        "tasks": running_tasks(state),
        "containers": live_containers(state),
    }


# --- master --------------------------------------------------------------------

def master_urls(urls):
    """Normalise a master URL or list of them (a comma-separated string is accepted too)."""
    if isinstance(urls, str):
        urls = [u for u in urls.split(",") if u.strip()]
    if not urls:
        raise ValueError("no master URL given")
    return [base_url(u) for u in urls]


def _leader_root(final_url, path):
    """The base URL of whoever answered ``path`` after redirects (the leading master)."""
    return final_url[:-len(path)] if final_url.endswith(path) else None


def _no_master_answered(urls, path, errors, statuses):
    """The error after every master failed ``path``: HTTP 503 when none gave another HTTP
    answer, so while_unavailable() waits. That is a failover: until the old leader's ZooKeeper
    session expires (--zk_session_timeout, 10 s) the others redirect to it, and it does not
    answer; then they say 503 "No leader elected" until one is (src/master/http.cpp)."""
    unavailable = all(status in (503, None) for status in statuses)
    return MesosApiError(", ".join(master_urls(urls)), "no master answered %s (%s)" % (path, "; ".join(errors)),
                         status=503 if unavailable else None)


def _leader_json(urls, path, wanted, timeout):
    """Ask each master in turn for ``path``; the first to answer with a JSON object that has
    the key ``wanted`` (the leader, or one that redirected to it) wins. ``(leader base URL, doc)``."""
    errors, statuses = [], []
    for url in master_urls(urls):
        try:
            status, body, final = request(url + path, timeout=timeout)
            doc = decode_json(url + path, status, body)
        except MesosApiError as e:
            errors.append(str(e))
            statuses.append(e.status)
            continue
        if not isinstance(doc.get(wanted), list):
            errors.append("%s%s: answer has no '%s' list" % (url, path, wanted))
            statuses.append(None)
            continue
        return _leader_root(final, path) or url, doc
    raise _no_master_answered(urls, path, errors, statuses)


def master_agents(urls, timeout=DEFAULT_TIMEOUT):
    """Ask each master in turn for /slaves; the first to answer (the leader, or one that
    redirected to it) wins. Returns ``{"master_url": leader base URL, "agents": [...],
    "recovered": [IDs of agents the leader knows from its registry, not re-registered yet]}``.
    """
    leader, doc = _leader_json(urls, "/slaves", "slaves", timeout)
    # After a failover the new leader lists the agents of its registry that have not
    # re-registered yet apart, under recovered_slaves (src/master/readonly_handler.cpp).
    recovered = [a.get("id") for a in doc.get("recovered_slaves") or [] if isinstance(a, dict)]
    return {"master_url": leader, "agents": doc["slaves"], "recovered": recovered}


def master_state(urls, timeout=DEFAULT_TIMEOUT):
    """The leading master's /state (asking each master in turn, as master_agents()):
    ``{"master_url": leader base URL, "state": the document}``. A non-leading master redirects
    /state to the leader (src/master/http.cpp state())."""
    leader, doc = _leader_json(urls, "/state", "frameworks", timeout)
    return {"master_url": leader, "state": doc}


def connected_frameworks(state):
    """IDs of the frameworks a master's /state lists as connected to it (FullFrameworkWriter
    in src/master/readonly_handler.cpp: ``connected`` is false once the scheduler's connection
    is gone, and for a framework known only from its agents after a failover)."""
    return sorted(f.get("id") for f in state.get("frameworks") or []
                  if isinstance(f, dict) and f.get("connected") and f.get("id"))


def active_agents(agents):
    """IDs of the agents a master's /slaves lists as active."""
    return sorted(a.get("id") for a in agents if isinstance(a, dict) and a.get("active") and a.get("id"))


def find_agent(agents, agent_id):
    for agent in agents:
        if agent.get("id") == agent_id:
            return agent
    return None


def registered_at(agent):
    """When the master last accepted this agent's (re-)registration, from its /slaves entry:
    ``reregistered_time`` when present, else ``registered_time`` (src/master/readonly_handler.cpp
    SlaveWriter; after a master failover both are the time of the re-registration,
    master.cpp __reregisterSlave). None when neither is a number."""
    times = [agent.get(key) for key in ("reregistered_time", "registered_time")]
    times = [t for t in times if isinstance(t, (int, float)) and not isinstance(t, bool)]
    return max(times) if times else None


def master_view(urls, agent_id, timeout=DEFAULT_TIMEOUT):
    """How the master sees the agent ``agent_id`` now: ``listed`` (connected: active, or
    deactivated by an operator) and ``registered_at`` (registered_at()). An agent's own
    slave/registered says only that it has detected a master."""
    agent = find_agent(master_agents(urls, timeout)["agents"], agent_id) if agent_id else None
    listed = bool(agent and (agent.get("active") or agent.get("deactivated")))
    return {"listed": listed, "registered_at": registered_at(agent) if agent else None}


def is_deactivated(agent):
    """Deactivated by an operator. Mesos 1.9+ says so in ``deactivated``; older masters only
    have ``active``, which is also false while the agent is disconnected."""
    if "deactivated" in agent:
        return bool(agent["deactivated"])
    return not agent.get("active", False)


def master_flags(urls, timeout=DEFAULT_TIMEOUT):
    errors, statuses = [], []
    for url in master_urls(urls):
        try:
            flags = get_json(url + "/flags", timeout).get("flags")
        except MesosApiError as e:
            errors.append(str(e))
            statuses.append(e.status)
            continue
        if isinstance(flags, dict):
            return flags
        errors.append("%s/flags: answer has no 'flags' object" % url)
        statuses.append(None)
    raise _no_master_answered(urls, "/flags", errors, statuses)


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "secs": 1.0, "mins": 60.0,
                   "hrs": 3600.0, "days": 86400.0, "weeks": 604800.0}


def parse_duration(text):
    """Seconds in a Mesos duration flag (``15secs``, ``1mins``, ``500ms``)."""
    m = re.match(r"^\s*([0-9]+(?:\.[0-9]*)?)\s*([a-z]+)\s*$", str(text))
    if not m or m.group(2) not in _DURATION_UNITS:
        raise ValueError("not a Mesos duration: %r" % (text,))
    return float(m.group(1)) * _DURATION_UNITS[m.group(2)]


def reregistration_window(flags):
    """Seconds the master waits for a silent agent before marking it unreachable:
    ``agent_ping_timeout`` x ``max_agent_ping_timeouts`` from the master's flags."""
    ping = parse_duration(flags.get("agent_ping_timeout") or "15secs")
    count = int(flags.get("max_agent_ping_timeouts") or DEFAULT_MAX_PING_TIMEOUTS)
    return ping * count


def set_agent_active(urls, agent_id, active, check_mode=False, timeout=DEFAULT_TIMEOUT):
    """Make the master offer (``active=True``) or stop offering (False) the agent's resources.

    Idempotent: reads /slaves first and sends DEACTIVATE_AGENT / REACTIVATE_AGENT only when the
    agent's deactivation differs; reads /slaves again to prove the change. In check mode only
    reads. Returns ``changed``, ``master_url`` (the leader that answered), ``agent_id``,
    ``hostname``, ``deactivated_before``, ``deactivated_after`` (as it is, or would be) and
    ``active`` (the master's last ``active`` for the agent: false also while disconnected).
    """
    if not agent_id or not isinstance(agent_id, str):
        raise ValueError("an agent ID is required")
    seen = master_agents(urls, timeout)
    leader = seen["master_url"]
    agent = find_agent(seen["agents"], agent_id)
    if agent is None:
        raise MesosApiError(leader + "/slaves", "master does not list agent %s" % agent_id)
    before = is_deactivated(agent)
    want_deactivated = not active
    result = {"agent_id": agent_id, "master_url": leader, "hostname": agent.get("hostname"),
              "deactivated_before": before, "deactivated_after": want_deactivated,
              "active": bool(agent.get("active")), "changed": before != want_deactivated}
    if not result["changed"] or check_mode:
        return result

    kind = "DEACTIVATE_AGENT" if want_deactivated else "REACTIVATE_AGENT"
    call = {"type": kind, kind.lower(): {"agent_id": {"value": agent_id}}}
    request(leader + "/api/v1", method="POST", payload=call, timeout=timeout)

    after_seen = master_agents([leader], timeout)
    after = find_agent(after_seen["agents"], agent_id)
    if after is None:
        raise MesosApiError(leader + "/slaves", "agent %s disappeared after %s" % (agent_id, kind))
    result["deactivated_after"] = is_deactivated(after)
    result["active"] = bool(after.get("active"))
    if result["deactivated_after"] != want_deactivated:
        raise MesosApiError(leader + "/api/v1", "%s was accepted but /slaves still shows agent %s %s"
                            % (kind, agent_id, "active" if want_deactivated else "deactivated"))
    return result


def deactivate_agent(urls, agent_id, check_mode=False, timeout=DEFAULT_TIMEOUT):
    """Stop offers for the agent's resources; its tasks keep running."""
    return set_agent_active(urls, agent_id, False, check_mode, timeout)


def reactivate_agent(urls, agent_id, check_mode=False, timeout=DEFAULT_TIMEOUT):
    """Resume offers for a deactivated agent."""
    return set_agent_active(urls, agent_id, True, check_mode, timeout)
