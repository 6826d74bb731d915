"""What the stand-in daemons take from libprocess: the address they listen on and advertise.

As in Mesos, main() hands its flags to libprocess through the environment (export_address:
src/slave/main.cpp, src/master/main.cpp) and libprocess reads LIBPROCESS_* once, binds and
listens before any module is loaded (initialize: 3rdparty/libprocess/src/process.cpp).
"""

import http.client
import os
import signal
import socket
import subprocess
import urllib.parse

from .common import Exit, log

# --- main.cpp: flags to the LIBPROCESS_* environment ------------------------------------------

# The flags both daemons hand to libprocess besides --ip, --port and --advertise_*.
FLAG_DEFAULTS = {"ip_discovery_command": None}


def shell(command):
    """stout's os::shell (3rdparty/stout/include/stout/os/posix/shell.hpp): the command's output
    through popen(3), i.e. /bin/sh -c; its stderr is the daemon's."""
    try:
        result = subprocess.run(["/bin/sh", "-c", command], stdout=subprocess.PIPE)
    except OSError:
        raise Exit("Failed to run '%s'" % command)
    output = result.stdout.decode(errors="surrogateescape")
    if result.returncode < 0:
        raise Exit("Running '%s' was interrupted by signal '%s'"
                   % (command, signal.strsignal(-result.returncode)))
    if result.returncode != 0:
        log("E", "Command '%s' failed; this is the output:\n%s" % (command, output))
        raise Exit("Failed to execute '%s'; the command was either not found or exited with a "
                   "non-zero exit status: %d" % (command, result.returncode))
    return output


def export_address(flags):
    """What src/slave/main.cpp (and src/master/main.cpp alike) does before process::initialize():
    LIBPROCESS_IP from --ip_discovery_command's output, trimmed, or from --ip (else whatever the
    environment already has); LIBPROCESS_PORT from --port; the advertised address likewise."""
    command, ip = flags.get("ip_discovery_command"), flags.get("ip")
    if command is not None and ip is not None:
        raise Exit("Only one of `--ip` or `--ip_discovery_command` should be specified")
    if command is not None:
        os.environ["LIBPROCESS_IP"] = shell(command).strip(" \t\n\r")  # stout's WHITESPACE
    elif ip is not None:
        os.environ["LIBPROCESS_IP"] = ip
    os.environ["LIBPROCESS_PORT"] = flags.get("port")
    for name in ("advertise_ip", "advertise_port"):
        if flags.get(name) is not None:
            os.environ["LIBPROCESS_" + name.upper()] = flags.get(name)


# --- stout flags loaded from the environment ----------------------------------------------------

def _parse(kind, text):
    """stout's flags::parse for the kinds used here (3rdparty/stout/include/stout/flags/parse.hpp)."""
    if kind is bool:
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValueError("Expecting a boolean (e.g., true or false)")
    if kind is int:
        try:
            return int(text.lstrip(" \t\n\r\f\v"), 10)  # istream >> int, then eof
        except ValueError:
            raise ValueError("Failed to convert into required type")
    if kind == "ip":  # net::IP::parse, AF_UNSPEC
        for family in (socket.AF_INET, socket.AF_INET6):
            try:
                socket.inet_pton(family, text)
                return text
            except OSError:
                pass
        raise ValueError("Failed to parse IP as either IPv4 or IPv6:" + text)
    return text


def load_environment(prefixes, specs):
    """Flags {name: (kind, default)} from variables PREFIX<NAME> (any case), as stout's
    FlagsBase::extract and load do: unknown names are ignored, names are loaded in sorted order,
    an empty boolean is true. With several prefixes, the first one's value wins. Raises
    ValueError with stout's message."""
    values = {}
    for prefix in reversed(prefixes):
        for key, value in os.environ.items():
            if key.startswith(prefix):
                name = key[len(prefix):].lower()
                if (name[3:] if name.startswith("no-") else name) in specs:
                    values[name] = value
    result = dict((name, default) for name, (kind, default) in specs.items())
    loaded = {}
    for name in sorted(values):
        value = values[name]
        negated = name.startswith("no-")
        flag = name[3:] if negated else name
        if flag in loaded:
            raise ValueError("Flag '%s' is already loaded via name '%s'" % (flag, loaded[flag]))
        kind = specs[flag][0]
        if kind is not bool:
            if negated:
                raise ValueError("Failed to load non-boolean flag '%s' via '%s'" % (flag, name))
        elif value == "":
            value = "false" if negated else "true"
        elif negated:
            raise ValueError("Failed to load boolean flag '%s' via '%s' with value '%s'"
                             % (flag, name, value))
        try:
            result[flag] = _parse(kind, value)
        except ValueError as e:
            raise ValueError("Failed to load flag '%s': Failed to load value '%s': %s"
                             % (flag, value, e))
        loaded[flag] = flag
    return result


# --- process.cpp initialize(): bind, listen, advertise ---------------------------------------------

# process::internal::Flags, loaded from LIBPROCESS_*.
ADDRESS_FLAGS = {"ip": ("ip", None), "advertise_ip": ("ip", None), "port": (int, None),
                 "advertise_port": (int, None)}

_state = {"address": None}


def address():
    """(ip, port) of this process as others reach it: libprocess's __address__."""
    if _state["address"] is None:
        raise RuntimeError("libprocess is not initialized")
    return _state["address"]


def _address_flags():
    try:
        values = load_environment(["LIBPROCESS_"], ADDRESS_FLAGS)
    except ValueError as e:
        raise Exit(str(e))
    # The validators, in the order of the flags' names.
    port, advertise_port, ip = values["port"], values["advertise_port"], values["ip"]
    if advertise_port is not None and not 0 < advertise_port <= 65535:
        raise Exit("LIBPROCESS_ADVERTISE_PORT=%d is not a valid port" % advertise_port)
    if ip is not None and ":" in ip:
        raise Exit("Currently we allow only IPv4 address to be specified with the `--ip` flag")
    if port is not None and not 0 <= port <= 65535:
        raise Exit("LIBPROCESS_PORT=%d is not a valid port" % port)
    return values


def initialize():
    """Reads LIBPROCESS_*, binds LIBPROCESS_IP (0.0.0.0 when unset) and LIBPROCESS_PORT,
    listens, and returns the Listener. Raises Exit with libprocess's message."""
    values = _address_flags()
    bind = (values["ip"] or "0.0.0.0", values["port"] or 0)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(bind)
    except OSError as e:
        sock.close()
        raise Exit("Failed to initialize: Failed to bind on %s:%d: %s" % (bind + (e.strerror,)))
    ip, port = sock.getsockname()
    ip = values["advertise_ip"] or ip
    port = values["advertise_port"] or port
    if ip == "0.0.0.0":
        # The first IPv4 address of the host's name.
        hostname = socket.gethostname()
        try:
            ip = socket.getaddrinfo(hostname, None, socket.AF_INET)[0][4][0]
        except OSError as e:
            sock.close()
            raise Exit("Failed to obtain the IP address for '%s'; the DNS service may not be able "
                       "to resolve it: %s" % (hostname, e.strerror))
    sock.listen(socket.SOMAXCONN)
    _state["address"] = (ip, port)
    return Listener(sock)


class Listener:
    """The listening socket; accept() turns an accepted connection into what libprocess serves
    HTTP on."""

    def __init__(self, sock):
        self.socket = sock

    def accept(self, conn):
        return conn


# --- the daemons' own calls -------------------------------------------------------------------------

def request(url, method="GET", body=None, headers=None, timeout=5.0):
    """(status, body bytes) of one HTTP request."""
    parts = urllib.parse.urlsplit(url)
    path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    except http.client.HTTPException as e:
        raise ConnectionError("%s: %s" % (type(e).__name__, e))
    finally:
        conn.close()
