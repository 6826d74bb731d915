"""Shared pieces of the stand-in daemons: flags, glog-style logging, files, HTTP."""

import base64
import json
import os
import re
import sys
import tempfile
import threading
import time
import traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# --- logging ---------------------------------------------------------------

_log_lock = threading.Lock()


def log(level, message):
    """Writes one glog-formatted line to stderr (journald keeps it)."""
    now = time.time()
    tm = time.localtime(now)
    frame = sys._getframe(1)
    where = "%s:%d" % (os.path.basename(frame.f_code.co_filename), frame.f_lineno)
    line = "%s%02d%02d %02d:%02d:%02d.%06d %5d %s] %s\n" % (
        level, tm.tm_mon, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
        int((now % 1) * 1e6), threading.get_native_id(), where, message)
    with _log_lock:
        sys.stderr.write(line)
        sys.stderr.flush()


class Exit(Exception):
    """Raised to end the daemon the way Mesos's EXIT(status) does."""

    def __init__(self, message, status=1):
        super().__init__(message)
        self.status = status


def exit_with(error):
    log("E", "EXIT with status %d: %s" % (error.status, error))
    return error.status


# --- flags -----------------------------------------------------------------

class Flags:
    """Mesos-style flags: MESOS_<NAME> environment first, then --name=value
    (the command line wins). Booleans: --name, --no-name, --name=true|false.
    Unknown command-line flags are an error; unknown variables are ignored."""

    def __init__(self, specs, booleans):
        self.specs = dict(specs)          # name -> default (None: unset)
        self.booleans = set(booleans)
        self.values = {}

    def load(self, argv, environ):
        values = {k: v for k, v in self.specs.items() if v is not None}
        for key, value in environ.items():
            if key.startswith("MESOS_"):
                name = key[len("MESOS_"):].lower()
                if name in self.specs:
                    values[name] = self._value(name, value, "environment variable " + key)
        seen = set()
        for arg in argv:
            if not arg.startswith("--"):
                continue  # Mesos leaves non-flag arguments alone.
            name, eq, value = arg[2:].partition("=")
            name = name.lower()
            negated = name.startswith("no-")
            flag = name[3:] if negated else name
            if flag not in self.specs:
                raise ValueError("Failed to load unknown flag '%s'%s" % (
                    flag, " via '%s'" % name if negated else ""))
            if flag in seen:
                raise ValueError("Flag '%s' is already loaded via name '%s'" % (flag, flag))
            if flag not in self.booleans:
                if negated:
                    raise ValueError("Failed to load non-boolean flag '%s' via '%s'"
                                     % (flag, name))
                if not eq:
                    raise ValueError("Failed to load non-boolean flag '%s': Missing value"
                                     % flag)
            elif not eq or value == "":
                value = "false" if negated else "true"
            elif negated:
                raise ValueError("Failed to load boolean flag '%s' via '%s' with value '%s'"
                                 % (flag, name, value))
            seen.add(flag)
            values[flag] = self._value(flag, value, arg)
        self.values = values
        return self

    def _value(self, name, value, source):
        if name in self.booleans:
            lowered = value.lower()
            if lowered in ("true", "1"):
                return "true"
            if lowered in ("false", "0"):
                return "false"
            raise ValueError("Failed to load flag '%s': Failed to parse boolean from '%s'"
                             % (name, value))
        return value

    def get(self, name):
        return self.values.get(name)

    def is_true(self, name):
        return self.values.get(name) == "true"


def usage(program, error):
    return "%s\n\nUsage: %s [options]\n(see the Mesos %s flags; this is the stand-in)" % (
        error, program, program)


def parse_duration(text):
    """'2secs' -> 2.0; accepts ns, us, ms, secs, mins, hrs, days, weeks."""
    units = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "secs": 1, "mins": 60,
             "hrs": 3600, "days": 86400, "weeks": 604800}
    m = re.fullmatch(r"\s*([0-9]*\.?[0-9]+)\s*([a-z]+)\s*", text or "")
    if not m or m.group(2) not in units:
        raise ValueError("Failed to parse duration '%s'" % text)
    return float(m.group(1)) * units[m.group(2)]


# --- files -------------------------------------------------------------------

def atomic_write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".tmp.")
    try:
        with os.fdopen(fd, "w") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def read_modules_value(value):
    """The value of --modules: 'file://PATH', an absolute path, or inline JSON."""
    if value.startswith("file://"):
        path = value[len("file://"):]
    elif value.startswith("/"):
        log("W", "Specifying an absolute filename to read a command line option out of "
                 "without using 'file:// is deprecated and will be removed in a future "
                 "release. Simply adding 'file://' to the beginning of the path should "
                 "eliminate this warning.")
        path = value
    else:
        return value
    try:
        with open(path) as f:
            return f.read()
    except OSError as e:
        raise ValueError("Error reading file '%s': %s" % (path, e.strerror))


# --- HTTP ----------------------------------------------------------------------

class Response:
    def __init__(self, status, body=b"", content_type="application/json", headers=None,
                 stream=None):
        self.status = status
        self.stream = stream  # stream(write, closed): a chunked answer kept open (see _Handler)
        self.headers = headers or {}
        if isinstance(body, (dict, list)):
            body = json.dumps(body).encode()
        elif isinstance(body, str):
            body = body.encode()
            content_type = "text/plain; charset=utf-8"
        self.body = body
        self.content_type = content_type


def method_not_allowed(allowed, method):
    """3rdparty/libprocess/include/process/http.hpp MethodNotAllowed: its body and Allow header."""
    return Response(405, "405 Method Not Allowed. Expecting one of { '%s' }, but received '%s'."
                    % ("', '".join(allowed), method), headers={"Allow": ", ".join(allowed)})


def temporary_redirect(url):
    """3rdparty/libprocess/include/process/http.hpp TemporaryRedirect: Location, no body, no
    Content-Type."""
    return Response(307, b"", content_type=None, headers={"Location": url})


# --- HTTP authentication --------------------------------------------------------
# Realms, as src/slave/constants.hpp and src/master/constants.hpp name them.
AGENT_READONLY = "mesos-agent-readonly"
AGENT_READWRITE = "mesos-agent-readwrite"
MASTER_READONLY = "mesos-master-readonly"
MASTER_READWRITE = "mesos-master-readwrite"


def load_credentials(path):
    """principal -> secret from a Mesos credentials file, JSON {"credentials": [{"principal":
    ..., "secret": ...}]} (include/mesos/mesos.proto Credentials, read by
    src/credentials/credentials.hpp); a file:// prefix is dropped as stout's Path does."""
    if path.startswith("file://"):
        path = path[len("file://"):]
    try:
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        raise Exit("Failed to load credentials for HTTP authentication: %s" % e)
    return dict((c.get("principal"), c.get("secret") or "") for c in doc.get("credentials") or [])


def http_authenticators(flags, credentials_flag, realms):
    """{realm: credentials} for each realm whose --authenticate_http_* flag is true: a route
    of another realm is served without authentication (authenticator_manager.cpp, "no
    authenticator found"). Like src/common/http.cpp, a realm to authenticate without
    credentials stops the daemon."""
    authenticators = flags.get("http_authenticators") or "basic"
    enabled = [realm for flag, realm in realms if flags.is_true(flag)]
    if not enabled:
        return {}
    if authenticators != "basic":
        raise Exit("The stand-in has only Mesos's default 'basic' HTTP authenticator, not %r" % authenticators)
    path = flags.get(credentials_flag)
    credentials = load_credentials(path) if path else {}
    if not credentials:
        raise Exit("No credentials provided for the default 'basic' HTTP authenticator for realm '%s'"
                   % enabled[0])
    return dict((realm, credentials) for realm in enabled)


def authenticate(request, realm, credentials):
    """None when the request's Basic credentials are among ``credentials``, else the 401 that
    libprocess's BasicAuthenticatorProcess gives in every failing case
    (3rdparty/libprocess/src/authenticator.cpp; body and header from include/process/http.hpp
    Unauthorized). The decoded text must split on ':' into exactly two parts."""
    header = request.headers.get("Authorization") or ""
    parts = header.split(" ")
    if len(parts) == 2 and parts[0] == "Basic":
        try:
            decoded = base64.b64decode(parts[1], validate=True).decode("utf-8").split(":")
        except (ValueError, UnicodeDecodeError):
            decoded = []
        if len(decoded) == 2 and decoded[0] in credentials and credentials[decoded[0]] == decoded[1]:
            return None
    return Response(401, "401 Unauthorized.", headers={"WWW-Authenticate": 'Basic realm="%s"' % realm})


class Server(ThreadingHTTPServer):
    """HTTP server dispatching to routes {(method, path): fn(request) -> Response}, or
    {(method, path): (realm, fn)} for a route Mesos installs with an authentication realm
    (checked when ``authenticators`` has that realm). Each path is also served under the
    process prefix (/master, /slave(1)). It serves on libprocess's listening socket
    (libprocess.initialize()), which decides what each connection speaks (plain HTTP, TLS)."""

    daemon_threads = True

    def __init__(self, listener, routes, process_prefix, authenticators=None):
        self.routes = {}
        self.authenticators = authenticators or {}
        for (method, path), route in routes.items():
            route = route if isinstance(route, tuple) else (None, route)
            self.routes[(method, path)] = route
            if not path.startswith("/standin/") and path != "/metrics/snapshot":
                self.routes[(method, process_prefix + path)] = route
        self.listener = listener
        super().__init__(listener.socket.getsockname(), _Handler, bind_and_activate=False)
        self.socket.close()
        self.socket = listener.socket

    def finish_request(self, request, client_address):
        conn = self.listener.accept(request)
        if conn is None:
            return
        try:
            super().finish_request(conn, client_address)
        finally:
            if conn is not request:
                conn.close()


class Request:
    def __init__(self, handler, body):
        self.method = handler.command
        self.target = handler.path  # path and query, as requested
        self.path = handler.path.split("?", 1)[0]
        self.headers = handler.headers
        self.body = body

    def json(self):
        return json.loads(self.body.decode() or "null")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def _dispatch(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(self, body)
        method = "GET" if request.method == "HEAD" else request.method
        route = self.server.routes.get((method, request.path))
        if route is None:
            allowed = sorted(set(m for (m, p) in self.server.routes if p == request.path))
            # 3rdparty/libprocess/include/process/http.hpp NotFound(), MethodNotAllowed().
            response = (method_not_allowed(allowed, request.method) if allowed
                        else Response(404, "404 Not Found."))
        else:
            realm, fn = route
            response = None
            if realm in self.server.authenticators:
                response = authenticate(request, realm, self.server.authenticators[realm])
            try:
                response = response or fn(request)
            except Exception:
                log("E", "HTTP handler failed: %s" % traceback.format_exc())
                response = Response(500, "Internal error")
        if response.stream is not None:
            self._stream(response)
            return
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if request.method != "HEAD":
            self.wfile.write(response.body)

    def _stream(self, response):
        """A streaming answer (libprocess's Response::PIPE): chunked, kept open while
        response.stream(write, closed) runs; write(bytes) sends a chunk and raises OSError once
        the client has gone; closed() tells whether the client has closed its side."""
        import select
        self.close_connection = True
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()

        def write(data):
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
            self.wfile.flush()

        def closed(timeout=0.0):
            # The client sends nothing after its request: readable means it has closed.
            try:
                return bool(select.select([self.connection], [], [], timeout)[0])
            except (OSError, ValueError):
                return True

        try:
            response.stream(write, closed)
            write(b"")
        except OSError:
            pass

    do_GET = do_POST = do_HEAD = _dispatch


def http_json(url, payload=None, timeout=5.0):
    """POSTs payload (or GETs) and returns (status, decoded JSON or None); the connection is
    made as libprocess makes it (libprocess.request: over TLS when SSL is enabled)."""
    from . import libprocess
    data = None if payload is None else json.dumps(payload).encode()
    headers = {} if data is None else {"Content-Type": "application/json"}
    status, body = libprocess.request(url, "GET" if data is None else "POST", data, headers,
                                      timeout)
    try:
        return status, json.loads(body) if body else None
    except ValueError:
        if status < 400:
            raise
        return status, body.decode(errors="replace")


# The command of a fake task when the launch names none.
TASK_COMMAND = "exec sleep 2147483647"
# The one fake framework the fake tasks belong to.
FRAMEWORK_NAME = "mesos-standin"


def parse_labels(value):
    """A task's labels from a /standin/launch request, given as the Labels message in JSON
    ({"labels": [{"key": k, "value": v}]}, value optional, as in mesos.proto). Returns None
    when the task has no Labels, else a list of {"key"[, "value"]}; raises ValueError."""
    if value is None:
        return None
    items = value.get("labels", []) if isinstance(value, dict) else None
    if not isinstance(items, list):
        raise ValueError("Expecting 'labels' to be {\"labels\": [{\"key\": ..., \"value\": ...}]}")
    labels = []
    for item in items:
        if not (isinstance(item, dict) and isinstance(item.get("key"), str)
                and isinstance(item.get("value", ""), str)):
            raise ValueError("Expecting each label to have a string 'key' and an optional "
                             "string 'value'")
        labels.append({k: item[k] for k in ("key", "value") if k in item})
    return labels


def advertised_ip(flags):
    """The IP this daemon advertises (its pid's): libprocess's address, which daemon.start()
    has initialized from the flags through LIBPROCESS_IP / LIBPROCESS_ADVERTISE_IP."""
    from . import libprocess
    return libprocess.address()[0]


def hostname_of(flags):
    import socket
    return flags.get("hostname") or socket.gethostname()
