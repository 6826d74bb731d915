"""ZooKeeper for the stand-in: masters contend for leadership and everyone detects the leader
the way Mesos 1.11 does, through a real ZooKeeper (the kazoo client).

- The URL: `zk://[user:password@]host:port[,host:port]/path`, or `file://` naming a file that
  holds one (include/mesos/zookeeper/url.hpp URL::parse; src/master/contender/contender.cpp and
  src/master/detector/detector.cpp create()).
- The group: each member is an ephemeral sequential znode `<path>/<label>_<sequence>`; a child
  whose name does not end in a number (`log_replicas`) is no member (src/zookeeper/group.cpp
  doJoin(), cache()).
- The leader is the member with the lowest sequence (src/zookeeper/detector.cpp watched()); its
  data is the MasterInfo, read by its label (src/master/detector/zookeeper.cpp fetched()).
- A master contends with its MasterInfo as compact JSON under the label `json.info`
  (src/master/contender/zookeeper.cpp contend(), src/master/constants.hpp
  MASTER_INFO_JSON_LABEL).
"""

import json
import logging
import socket
import struct
import threading
import time
import uuid

from .common import log

MASTER_INFO_LABEL = "info"            # src/master/constants.hpp: binary protobuf (pre 0.24)
MASTER_INFO_JSON_LABEL = "json.info"  # src/master/constants.hpp
# src/master/constants.cpp MASTER_CAPABILITIES().
MASTER_CAPABILITIES = ("AGENT_UPDATE", "AGENT_DRAINING", "QUOTA_V2")


class URL:
    def __init__(self, servers, path, credentials=None):
        self.servers, self.path, self.credentials = servers, path, credentials


def parse_url(value):
    """include/mesos/zookeeper/url.hpp URL::parse: the path starts at the first '/', the
    credentials end at the last '@' before it (digest authentication)."""
    s = value.strip()
    if not s.startswith("zk://"):
        raise ValueError("Expecting 'zk://' at the beginning of the URL")
    s = s[len("zk://"):]
    index = s.find("/")
    path = s[index:] if index >= 0 else "/"
    s = s[:index] if index >= 0 else s
    at = s.rfind("@")
    if at >= 0:
        return URL(s[at + 1:], path, s[:at])
    return URL(s, path)


def resolve(value):
    """The ZooKeeper URL a --zk (master) or --master (agent) value names: a `file://` value is
    read and trimmed, then taken again (contender.cpp / detector.cpp create()). Returns a URL,
    or None for anything that is not ZooKeeper (a `host:port` master)."""
    if value.startswith("file://"):
        path = value[len("file://"):]
        try:
            with open(path) as f:
                value = f.read().strip()
        except OSError:
            raise ValueError("Failed to read from file at '%s'" % path)
        return resolve(value)
    if not value.startswith("zk://"):
        return None
    url = parse_url(value)
    if url.path == "/":
        raise ValueError("Expecting a (chroot) path for ZooKeeper ('/' is not supported)")
    return url


def format_duration(seconds):
    """A duration as stout prints it (stout/duration.hpp): 60 s is '1mins', 0.5 s '500ms'."""
    for name, unit in (("weeks", 604800), ("days", 86400), ("hrs", 3600), ("mins", 60),
                       ("secs", 1), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= unit:
            return "%g%s" % (seconds / unit, name)
    return "%gns" % (seconds * 1e9)


def master_info(master_id, ip, port, hostname, version):
    """MasterInfo as the master fills it (src/master/master.cpp Master::Master()), as
    JSON::protobuf writes it: fields in field-number order, enums by name. `ip` is the IPv4
    address as it lies in memory (network order) read as a host integer (MESOS-1201)."""
    return {
        "id": master_id,
        "ip": struct.unpack("=I", socket.inet_aton(ip))[0],
        "port": port,
        "pid": "master@%s:%d" % (ip, port),
        "hostname": hostname,
        "version": version,
        "address": {"hostname": hostname, "ip": ip, "port": port},
        "capabilities": [{"type": c} for c in MASTER_CAPABILITIES],
    }


def info_from_pid(pid):
    """src/common/protobuf_utils.cpp createMasterInfo(UPID): the MasterInfo of a master that
    wrote only its PID (a member without a label)."""
    ip, _, port = pid.split("@", 1)[-1].rpartition(":")
    try:
        hostname = socket.gethostbyaddr(ip)[0]
    except OSError:
        hostname = None
    info = {"id": "%s-%s" % (pid, uuid.uuid4()),
            "ip": struct.unpack("=I", socket.inet_aton(ip))[0], "port": int(port),
            "pid": pid, "address": {"ip": ip, "port": int(port)}}
    if hostname:
        info["hostname"] = info["address"]["hostname"] = hostname
    return info


def parse_member(label, data):
    """src/master/detector/zookeeper.cpp fetched(): the MasterInfo a leader's data holds, by
    its label. Raises ValueError with Mesos's message when it cannot be read."""
    if label is None:
        pid = data.decode(errors="replace")
        log("W", "Leading master %s has data in old format" % pid)
        return info_from_pid(pid)
    if label == MASTER_INFO_LABEL:
        # Mesos parses the binary protobuf here; the stand-in has no protobuf runtime.
        raise ValueError("Failed to parse data into MasterInfo (binary MasterInfo under label "
                         "'info': not read by the Mesos stand-in)")
    if label != MASTER_INFO_JSON_LABEL:
        raise ValueError("Failed to parse data of unknown label '%s'" % label)
    try:
        info = json.loads(data.decode())
        if not isinstance(info, dict):
            raise ValueError("not a JSON object")
    except ValueError as e:
        raise ValueError("Failed to parse data into valid JSON: %s" % e)
    missing = [k for k in ("id", "ip", "port") if k not in info]
    if missing:
        raise ValueError("Failed to parse JSON into a valid MasterInfo protocol buffer: "
                         "Missing required fields: %s" % ", ".join(missing))
    return info


def memberships(children):
    """sequence -> (label, child name) of the group's children (group.cpp cache()): the
    label is what precedes the first '_', the sequence what follows the last one; a child
    whose last part is not a number is skipped."""
    result = {}
    for child in children:
        tokens = [t for t in child.split("_") if t]
        if not tokens:
            continue
        try:
            sequence = int(tokens[-1])
        except ValueError:
            continue
        result[sequence] = (tokens[0] if len(tokens) > 1 else None, child)
    return result


class _KazooToLog(logging.Handler):
    def emit(self, record):
        log("W" if record.levelno < logging.ERROR else "E",
            "ZooKeeper client: %s" % record.getMessage())


def _client(url, session_timeout):
    try:
        from kazoo.client import KazooClient
        from kazoo.retry import KazooRetry
        from kazoo.security import CREATOR_ALL_ACL, READ_ACL_UNSAFE
    except ImportError:
        raise ValueError("The Mesos stand-in needs the kazoo ZooKeeper client (Debian: "
                         "python3-kazoo) for a ZooKeeper URL")
    logger = logging.getLogger("kazoo")
    if not logger.handlers:
        logger.addHandler(_KazooToLog())
        logger.setLevel(logging.WARNING)
        logger.propagate = False
    auth = None
    acl = None
    if url.credentials is not None:
        # group.cpp: with credentials, digest authentication and EVERYONE_READ_CREATOR_ALL.
        auth = [("digest", url.credentials)]
        acl = READ_ACL_UNSAFE + CREATOR_ALL_ACL
    # Like Mesos's group, keep trying to (re)connect for as long as it takes.
    retry = KazooRetry(max_tries=-1, delay=0.1, max_delay=1.0)
    return KazooClient(hosts=url.servers, timeout=session_timeout, auth_data=auth,
                       default_acl=acl, connection_retry=retry,
                       command_retry=KazooRetry(max_tries=3, delay=0.1, max_delay=1.0))


class Group:
    """A ZooKeeper group (src/zookeeper/group.cpp) on one session: it joins members and
    watches the children of its znode, calling ``on_change`` (from its own thread) with
    {sequence: (label, child)} and the connection state whenever either changes."""

    def __init__(self, url, session_timeout):
        # group.cpp: the znode without a trailing '/'.
        self.znode = url.path[:-1] if url.path.endswith("/") and url.path != "/" else url.path
        self.session_timeout = session_timeout
        self.zk = _client(url, session_timeout)
        self.changed = threading.Event()
        self.connected = False
        self.suspended_since = None
        self.session_id = 0
        self.zk.add_listener(self._state)

    def _state(self, state):
        # Runs in kazoo's connection thread: record, and wake the watcher.
        from kazoo.protocol.states import KazooState
        if state == KazooState.CONNECTED:
            self.connected, self.suspended_since = True, None
            self.session_id = (self.zk.client_id or (0,))[0]
        elif state == KazooState.SUSPENDED:
            self.connected = False
            self.suspended_since = time.time()
        else:  # LOST: the session expired
            self.connected = False
        self.changed.set()

    def start(self):
        log("I", "Connecting to ZooKeeper at %s (session timeout %s)" % (
            self.zk.hosts if isinstance(self.zk.hosts, str) else ",".join(
                "%s:%s" % h for h in self.zk.hosts), format_duration(self.session_timeout)))
        self.zk.start_async()

    def wait_connected(self, stopping):
        while not self.zk.connected:
            if stopping.wait(0.05):
                return False
        return True

    def create_path(self, znode):
        """group.cpp create(): the znode and its parents, if missing."""
        log("I", "Trying to create path '%s' in ZooKeeper" % znode)
        self.zk.ensure_path(znode)

    def join(self, data, label=None, znode=None):
        """group.cpp doJoin(): an ephemeral sequential member; returns its sequence."""
        znode = znode or self.znode
        path = self.zk.create("%s/%s" % (znode, label + "_" if label else ""),
                              data.encode() if isinstance(data, str) else data,
                              ephemeral=True, sequence=True)
        return memberships([path.rsplit("/", 1)[-1]]).popitem()[0]

    def members(self, znode=None, watch=True):
        from kazoo.exceptions import NoNodeError
        znode = znode or self.znode
        try:
            children = self.zk.get_children(
                znode, watch=(lambda event: self.changed.set()) if watch else None)
        except NoNodeError:
            if watch:
                self.zk.exists(znode, watch=lambda event: self.changed.set())
            children = []
        return memberships(children)

    def data(self, child):
        from kazoo.exceptions import NoNodeError
        try:
            return self.zk.get("%s/%s" % (self.znode, child))[0]
        except NoNodeError:
            return None


class LeaderDetector(threading.Thread):
    """Detects the leading master of a group (src/zookeeper/detector.cpp and
    src/master/detector/zookeeper.cpp): ``on_leader(info or None, members)`` is called whenever
    the leading membership changes, and on every change of the group when ``every_change``;
    ``on_error(message)`` when the leader's data cannot be read (Mesos then fails every
    detection: the daemon exits)."""

    def __init__(self, group, on_leader, on_error, stopping, every_change=False):
        super().__init__(daemon=True)
        self.group, self.on_leader, self.on_error = group, on_leader, on_error
        self.stopping, self.every_change = stopping, every_change
        self.leader_sequence = None
        self.leader = None

    def run(self):
        from kazoo.exceptions import KazooException
        while not self.stopping.is_set():
            self.group.changed.clear()
            if not self.group.wait_connected(self.stopping):
                return
            try:
                members = self.group.members()
                self.detect(members)
            except KazooException as e:
                log("W", "ZooKeeper operation failed, retrying: %r" % e)
                self.stopping.wait(0.2)
                continue
            except ValueError as e:
                self.on_error(str(e))
                return
            # The watch (or a change of the connection) wakes us; a slow poll as a fallback.
            self.group.changed.wait(1.0)

    def detect(self, members):
        sequence = min(members) if members else None
        changed = sequence != self.leader_sequence
        if changed:
            log("I", "Detected a new leader: %s" % (
                "(id='%d')" % sequence if sequence is not None else "None"))
            info = None
            if sequence is not None:
                label, child = members[sequence]
                data = self.group.data(child)
                if data is None:
                    # The membership went before its data could be read: no leader for now.
                    sequence = None
                else:
                    info = parse_member(label, data)
                    log("I", "A new leading master (UPID=%s) is detected" % info.get("pid"))
            self.leader_sequence, self.leader = sequence, info
        if changed or self.every_change:
            self.on_leader(self.leader, members)
