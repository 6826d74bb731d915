"""What the stand-in daemons take from libprocess: the address they listen on and advertise, and
TLS for the HTTP they serve and the calls they make.

As in Mesos, main() hands its flags to libprocess through the environment (export_address:
src/slave/main.cpp, src/master/main.cpp) and libprocess reads LIBPROCESS_* once, binds and
listens before any module is loaded (initialize: 3rdparty/libprocess/src/process.cpp). TLS is
libprocess's LIBPROCESS_SSL_* configuration (3rdparty/libprocess/src/openssl.cpp), served the way
its SSL socket accepts (3rdparty/libprocess/src/ssl/openssl_socket.cpp, the same rules as
src/posix/libevent/libevent_ssl_socket.cpp), with Python's ssl module over the host's OpenSSL.
"""

import ctypes
import ctypes.util
import http.client
import os
import signal
import socket
import ssl
import subprocess
import urllib.parse
import warnings

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

_state = {"address": None, "tls": None}


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
    """Reads LIBPROCESS_* and LIBPROCESS_SSL_*, binds LIBPROCESS_IP (0.0.0.0 when unset) and
    LIBPROCESS_PORT, listens, and returns the Listener. Raises Exit with libprocess's message."""
    values = _address_flags()
    tls = initialize_tls()
    if tls is not None and tls.downgrade:
        # process.cpp says it again after openssl.cpp.
        log("W", "Failed SSL connections will be downgraded to a non-SSL socket")
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
    _state["address"], _state["tls"] = (ip, port), tls
    return Listener(sock, tls)


class Listener:
    """The listening socket; accept() turns an accepted connection into what libprocess serves
    HTTP on: the connection itself, a TLS connection, or nothing (then it is closed)."""

    def __init__(self, sock, tls):
        self.socket = sock
        self.tls = tls

    def accept(self, conn):
        tls = self.tls
        if tls is None:
            return conn
        if tls.downgrade and not _client_hello(_peek(conn)):
            return conn
        # libprocess names the local address here (network::address, not network::peer).
        local = conn.getsockname()
        try:
            secured = tls.server.wrap_socket(conn, server_side=True)
        except (ssl.SSLError, OSError) as e:
            log("W", "Failed to accept socket: Failed to SSL handshake with %s:%d: %s"
                % (local + (_handshake_failure(e),)))
            conn.close()
            return None
        error = tls.verify(secured, server_side=True, ip=local[0])
        if error is not None:
            log("W", "Failed to accept socket: %s" % error)
            secured.close()
            return None
        return secured


def _peek(conn):
    try:
        return conn.recv(6, socket.MSG_PEEK)
    except OSError:
        return b""


def _client_hello(data):
    """openssl_socket.cpp accept(): a TLS ClientHello (SSL3_RT_HANDSHAKE, SSL3_VERSION_MAJOR,
    then SSL3_MT_CLIENT_HELLO in byte 6) or an SSLv2 one (high bit, SSL2_MT_CLIENT_HELLO in byte 3)
    goes to the TLS handshake; anything else, fewer than 2 bytes included, is served as plain."""
    if len(data) < 2:
        return False
    if data[0] & 0x80 and len(data) > 2 and data[2] == 1:
        return True
    return data[0] == 0x16 and data[1] == 3 and len(data) > 5 and data[5] == 1


def _handshake_failure(error):
    """How openssl_socket.cpp set_ssl_and_do_handshake() and handle_ssl_return_result() word a
    failed handshake (OpenSSL's reason is not in it)."""
    if isinstance(error, (ssl.SSLEOFError, ssl.SSLZeroReturnError)):
        return "EOF while doing handshake"
    if isinstance(error, ssl.SSLError):
        return "Protocol error"
    return "TCP connection closed before SSL termination"


# --- openssl.cpp: LIBPROCESS_SSL_* ------------------------------------------------------------------

DEFAULT_CIPHERS = ("AES128-SHA:AES256-SHA:RC4-SHA:DHE-RSA-AES128-SHA:DHE-DSS-AES128-SHA:"
                   "DHE-RSA-AES256-SHA:DHE-DSS-AES256-SHA")
SSL_FLAGS = {
    "enabled": (bool, False), "support_downgrade": (bool, False),
    "cert_file": (str, None), "key_file": (str, None),
    "verify_cert": (bool, False), "verify_server_cert": (bool, False),
    "require_cert": (bool, False), "require_client_cert": (bool, False),
    "verify_ipadd": (bool, False), "verification_depth": (int, 4),
    "ca_dir": (str, None), "ca_file": (str, None), "ciphers": (str, DEFAULT_CIPHERS),
    "ecdh_curves": (str, "auto"), "hostname_validation_scheme": (str, "legacy"),
    "enable_ssl_v3": (bool, False), "enable_tls_v1_0": (bool, False),
    "enable_tls_v1_1": (bool, False), "enable_tls_v1_2": (bool, True),
    "enable_tls_v1_3": (bool, False),
}
PROTOCOLS = (("enable_ssl_v3", "OP_NO_SSLv3"), ("enable_tls_v1_0", "OP_NO_TLSv1"),
             ("enable_tls_v1_1", "OP_NO_TLSv1_1"), ("enable_tls_v1_2", "OP_NO_TLSv1_2"),
             ("enable_tls_v1_3", "OP_NO_TLSv1_3"))


def ssl_flags():
    """openssl.cpp reinitialize(): LIBPROCESS_SSL_* and the deprecated SSL_* (the former wins)."""
    for key, value in sorted(os.environ.items()):
        if key.startswith("SSL_"):
            other = os.environ.get("LIBPROCESS_" + key)
            name = key[4:].lower()
            if other is not None and other != value and name in SSL_FLAGS:
                log("W", "Mismatched values for SSL environment variables SSL_%s and "
                         "LIBPROCESS_SSL_%s" % (name, name))
    try:
        return load_environment(["LIBPROCESS_SSL_", "SSL_"], SSL_FLAGS)
    except ValueError as e:
        raise Exit("Failed to load flags from environment variables prefixed by LIBPROCESS_SSL_ "
                   "or SSL_ (deprecated): %s" % e)


def initialize_tls():
    """openssl.cpp reinitialize(), in its order: None when SSL is not enabled, else the TLS
    configuration; an invalid one raises Exit with Mesos's message."""
    f = ssl_flags()
    if not f["enabled"]:
        return None
    if f["support_downgrade"]:
        log("W", "Failed SSL connections will be downgraded to a non-SSL socket")
    if f["verify_cert"]:
        log("W", "Usage of LIBPROCESS_SSL_VERIFY_CERT is deprecated; it was renamed to "
                 "LIBPROCESS_SSL_VERIFY_SERVER_CERT")
        f["verify_server_cert"] = True
    if f["require_cert"]:
        log("W", "Usage of LIBPROCESS_SSL_REQUIRE_CERT is deprecated; it was renamed to "
                 "LIBPROCESS_SSL_REQUIRE_CLIENT_CERT")
        f["require_client_cert"] = True
    if (f["require_client_cert"] or f["verify_server_cert"]) and f["support_downgrade"]:
        log("W", "TLS certificate verification was enabled by setting one of "
                 "LIBPROCESS_SSL_VERIFY_CERT or LIBPROCESS_SSL_REQUIRE_CERT, but can be bypassed "
                 "because TLS downgrades are enabled.")
    if f["key_file"] is None:
        raise Exit("SSL requires key! NOTE: Set path with LIBPROCESS_SSL_KEY_FILE")
    if f["cert_file"] is None:
        raise Exit("SSL requires certificate! NOTE: Set path with LIBPROCESS_SSL_CERT_FILE")
    if f["ca_file"] is None:
        log("I", "CA file path is unspecified! NOTE: Set CA file path with "
                 "LIBPROCESS_SSL_CA_FILE=<filepath>")
    if f["ca_dir"] is None:
        log("I", "CA directory path unspecified! NOTE: Set CA directory path with "
                 "LIBPROCESS_SSL_CA_DIR=<dirpath>")
    if f["require_client_cert"]:
        log("I", "Will require client certificates for incoming TLS connections.")
    if f["verify_ipadd"]:
        log("I", "Will use IP address verification in subject alternative name certificate "
                 "extension.")
    if f["require_client_cert"] and not f["verify_server_cert"]:
        f["verify_server_cert"] = True
        log("I", "LIBPROCESS_SSL_REQUIRE_CERT implies server certificate verification.\n"
                 "LIBPROCESS_SSL_VERIFY_CERT set to true")
    if f["verify_server_cert"]:
        log("I", "Will verify server certificates for outgoing TLS connections.")
    else:
        log("I", "Will not verify server certificates!\nNOTE: Set "
                 "LIBPROCESS_SSL_VERIFY_SERVER_CERT=1 to enable peer certificate verification")
    scheme = f["hostname_validation_scheme"]
    if scheme not in ("legacy", "openssl"):
        raise Exit("Unknown value for hostname_validation_scheme: %s" % scheme)
    log("I", "Using '%s' scheme for hostname validation" % scheme)
    _OpenSSL.check(f)
    return TLS(f)


class _OpenSSL:
    """The checks openssl.cpp makes on its SSL_CTX, made through ctypes on a throw-away context
    of the OpenSSL that Python's ssl module uses, so that a failure gives OpenSSL's own error
    text, as Mesos prints it."""

    @classmethod
    def check(cls, f):
        try:
            lib = ctypes.CDLL(ctypes.util.find_library("ssl") or "libssl.so.3")
        except OSError:
            return cls._check_with_python(f)
        p, s = ctypes.c_void_p, ctypes.c_char_p
        lib.TLS_method.restype = p
        lib.SSL_CTX_new.restype, lib.SSL_CTX_new.argtypes = p, [p]
        lib.SSL_CTX_free.argtypes = [p]
        lib.ERR_get_error.restype = ctypes.c_ulong
        lib.ERR_error_string_n.argtypes = [ctypes.c_ulong, s, ctypes.c_size_t]
        lib.SSL_CTX_load_verify_locations.argtypes = [p, s, s]
        lib.SSL_CTX_set_default_verify_paths.argtypes = [p]
        lib.SSL_CTX_use_certificate_chain_file.argtypes = [p, s]
        lib.SSL_CTX_use_PrivateKey_file.argtypes = [p, s, ctypes.c_int]
        lib.SSL_CTX_check_private_key.argtypes = [p]
        lib.SSL_CTX_set_cipher_list.argtypes = [p, s]
        lib.SSL_CTX_ctrl.restype, lib.SSL_CTX_ctrl.argtypes = ctypes.c_long, [p, ctypes.c_int, ctypes.c_long, p]

        def error():
            code = lib.ERR_get_error()
            buffer = ctypes.create_string_buffer(128)
            lib.ERR_error_string_n(code, buffer, 128)
            text = buffer.value.decode(errors="replace")
            if code == 5:  # SSL_ERROR_SYSCALL: openssl.cpp error_string() adds the next one
                text += error().split(": ", 1)[1]
            return "(OpenSSL error #%d): %s" % (code, text)

        def arg(text):
            return None if text is None else text.encode()

        ctx = lib.SSL_CTX_new(lib.TLS_method())
        try:
            lib.ERR_clear_error()
            if f["verify_server_cert"]:
                ca_file, ca_dir = f["ca_file"], f["ca_dir"]
                if ca_file is not None or ca_dir is not None:
                    if lib.SSL_CTX_load_verify_locations(ctx, arg(ca_file), arg(ca_dir)) != 1:
                        raise Exit("Could not load CA file and/or directory %s -> %s%s" % (
                            error(), "FILE: " + ca_file if ca_file else "",
                            "DIR: " + ca_dir if ca_dir else ""))
                    if ca_file is not None:
                        log("I", "Using CA file: %s" % ca_file)
                    if ca_dir is not None:
                        log("I", "Using CA dir: %s" % ca_dir)
                else:
                    if lib.SSL_CTX_set_default_verify_paths(ctx) != 1:
                        raise Exit("Could not load default CA file and/or directory")
                    paths = ssl.get_default_verify_paths()
                    log("I", "Using default CA file '%s' and/or directory '%s'" % (
                        os.environ.get(paths.openssl_cafile_env, paths.openssl_cafile),
                        os.environ.get(paths.openssl_capath_env, paths.openssl_capath)))
            if lib.SSL_CTX_use_certificate_chain_file(ctx, arg(f["cert_file"])) != 1:
                raise Exit("Could not load cert file '%s' %s" % (f["cert_file"], error()))
            if lib.SSL_CTX_use_PrivateKey_file(ctx, arg(f["key_file"]), 1) != 1:  # SSL_FILETYPE_PEM
                raise Exit("Could not load key file '%s' %s" % (f["key_file"], error()))
            if lib.SSL_CTX_check_private_key(ctx) != 1:
                raise Exit("Private key does not match the certificate public key %s" % error())
            if lib.SSL_CTX_set_cipher_list(ctx, arg(f["ciphers"])) == 0:
                raise Exit("Could not set ciphers '%s' %s" % (f["ciphers"], error()))
            curves = f["ecdh_curves"]
            # SSL_CTX_set1_curves_list is SSL_CTX_ctrl(SSL_CTRL_SET_GROUPS_LIST = 92).
            if curves != "auto" and lib.SSL_CTX_ctrl(
                    ctx, 92, 0, ctypes.cast(ctypes.c_char_p(curves.encode()), p)) != 1:
                raise Exit("Could not load ECDH curves '%s' %s" % (curves, error()))
        finally:
            lib.SSL_CTX_free(ctx)

    @staticmethod
    def _check_with_python(f):
        # Without a loadable libssl: the same checks, in Python's words.
        try:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(f["cert_file"], f["key_file"])
            context.set_ciphers(f["ciphers"])
        except (OSError, ssl.SSLError) as e:
            raise Exit("Could not load cert file '%s' or key file '%s': %s"
                       % (f["cert_file"], f["key_file"], e))


class TLS:
    """openssl.cpp's SSL_CTX as two Python contexts: one to serve, one to connect (libprocess
    uses its one context both ways, so its certificate is also its client certificate)."""

    def __init__(self, f):
        self.flags = f
        self.downgrade = f["support_downgrade"]
        self.require_client_cert = f["require_client_cert"]
        self.verify_server_cert = f["verify_server_cert"]
        self.verify_ipadd = f["verify_ipadd"]
        self.scheme = f["hostname_validation_scheme"]
        self.server = self._context(ssl.PROTOCOL_TLS_SERVER, self.require_client_cert)
        self.client = self._context(ssl.PROTOCOL_TLS_CLIENT, self.verify_server_cert)

    def _context(self, protocol, verify):
        f = self.flags
        context = ssl.SSLContext(protocol)
        context.check_hostname = False
        context.verify_mode = ssl.CERT_REQUIRED if verify else ssl.CERT_NONE
        # Every protocol version off but the LIBPROCESS_SSL_ENABLE_* ones (TLS 1.2 by default).
        context.minimum_version = ssl.TLSVersion.MINIMUM_SUPPORTED
        context.maximum_version = ssl.TLSVersion.MAXIMUM_SUPPORTED
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            for name, option in PROTOCOLS:
                option = getattr(ssl, option)
                if f[name]:
                    context.options &= ~option
                else:
                    context.options |= option
        context.set_ciphers(f["ciphers"])
        if f["ecdh_curves"] != "auto" and ":" not in f["ecdh_curves"]:
            context.set_ecdh_curve(f["ecdh_curves"])
        context.load_cert_chain(f["cert_file"], f["key_file"])
        if self.verify_server_cert:
            if f["ca_file"] is not None or f["ca_dir"] is not None:
                context.load_verify_locations(f["ca_file"], f["ca_dir"])
            else:
                context.set_default_verify_paths()
        return context

    def verify(self, conn, server_side, ip, hostname=None):
        """openssl.cpp verify() after the handshake: None, or why the peer is refused. The
        'legacy' scheme matches the reverse DNS name of ``ip`` (or, with
        LIBPROCESS_SSL_VERIFY_IPADD, ``ip`` itself) against the certificate's subject
        alternative names, then its common name."""
        if not server_side and not self.verify_server_cert:
            return None
        if server_side and not self.require_client_cert:
            return None
        cert = conn.getpeercert()
        if not cert:
            return "Peer did not provide certificate"
        if self.scheme == "openssl":
            return None  # checked during the handshake
        peer_hostname = hostname
        if ip is not None:
            try:
                peer_hostname = socket.gethostbyaddr(ip)[0]
            except OSError as e:
                log("W", "Reverse DNS lookup for '%s' failed: %s" % (ip, e.strerror or e))
        if not self.verify_ipadd and peer_hostname is None:
            return ("Cannot verify peer certificate: peer hostname unknown"
                    if self.require_client_cert else None)
        for kind, value in cert.get("subjectAltName", ()):
            if kind == "DNS" and peer_hostname is not None and value == peer_hostname:
                return None
            if kind == "IP Address" and self.verify_ipadd and ip is not None and value == ip:
                return None
        if peer_hostname is not None:
            names = [v for rdn in cert.get("subject", ()) for k, v in rdn if k == "commonName"]
            if names:
                if names[0] != peer_hostname:
                    return ("Presented Certificate Name: %s does not match peer hostname name: %s"
                            % (names[0], peer_hostname))
                return None
        details = (["hostname " + peer_hostname] if peer_hostname is not None else []) + (
            ["IP " + ip] if ip is not None else [])
        return "Could not verify presented certificate with " + ", ".join(details)

    def connect(self, host, port, timeout):
        """An HTTPS connection as libprocess connects (openssl_socket.cpp connect(), with
        openssl.cpp configure_socket() and verify(); no server name is given)."""
        ip = socket.gethostbyname(host)
        context = self.client
        if self.scheme == "openssl" and self.verify_server_cert:
            if not self.verify_ipadd:
                raise TLSError("Failed to configure socket: No DNS name given and IP address "
                               "verification is  disabled. I cannot work like this :(")
            context = self._checking_ip()
        conn = http.client.HTTPSConnection(ip, port, timeout=timeout, context=context)
        conn.connect()
        error = self.verify(conn.sock, server_side=False, ip=conn.sock.getpeername()[0])
        if error is not None:
            conn.close()
            raise TLSError(error)
        return conn

    def _checking_ip(self):
        # X509_VERIFY_PARAM_set1_ip_asc: Python checks an IP given as the server's name.
        context = self._context(ssl.PROTOCOL_TLS_CLIENT, True)
        context.check_hostname = True
        return context


class TLSError(OSError):
    pass


# --- the daemons' own calls -------------------------------------------------------------------------

def use_tls(tls):
    """A process that only calls out (the stand-in scheduler) takes its TLS configuration from
    initialize_tls() without binding anything."""
    _state["tls"] = tls


def request(url, method="GET", body=None, headers=None, timeout=5.0):
    """(status, body bytes) of one HTTP request made the way libprocess connects (connect())."""
    conn, path = connect(url, timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    except http.client.HTTPException as e:
        raise ConnectionError("%s: %s" % (type(e).__name__, e))
    finally:
        conn.close()


def connect(url, timeout=5.0):
    """(connection, path) for url, connected the way libprocess connects: with SSL
    enabled an http:// peer is reached over TLS, then, with LIBPROCESS_SSL_SUPPORT_DOWNGRADE, over
    plain TCP if that fails (process.cpp SocketManager::link_connect). An https:// URL is always
    TLS: with this process's TLS configuration, else unverified (mesos-standin-task)."""
    parts = urllib.parse.urlsplit(url)
    path = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    tls = _state["tls"]
    if parts.scheme == "https":
        port = parts.port or 443
        if tls is not None:
            conn = tls.connect(parts.hostname, port, timeout)
        else:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
            context.set_ciphers("DEFAULT")
            conn = http.client.HTTPSConnection(parts.hostname, port, timeout=timeout,
                                               context=context)
    else:
        port = parts.port or 80
        conn = None
        if tls is not None:
            try:
                conn = tls.connect(parts.hostname, port, timeout)
            except OSError:
                if not tls.downgrade:
                    raise
        if conn is None:
            conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    return conn, path
