# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""The masters' ZooKeeper group, read as Mesos's own detector reads it.

Each running master is a contender: an ephemeral sequential znode ``json.info_<sequence>``
under the path of its ``--zk`` URL, holding its MasterInfo as JSON; the member with the lowest
sequence leads (src/master/contender/zookeeper.cpp, src/master/detector/zookeeper.cpp,
src/zookeeper/group.cpp). A restarted master joins with a new znode; the old one stays until
its ZooKeeper session expires (``--zk_session_timeout``, 10 s by default), so a master may show
twice for that long: ``live()`` keeps the newest member of each address.

Reading needs kazoo (Debian: python3-kazoo) on the host that reads.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import re

try:
    from urllib.parse import unquote
except ImportError:  # pragma: no cover
    from urllib import unquote

# src/master/constants.cpp MASTER_INFO_JSON_LABEL; the protobuf "info_" label of older masters
# carries no JSON and is not read.
MEMBER = re.compile(r"^json\.info_(\d+)$")
KAZOO_HINT = "kazoo is not installed on this host (Debian: python3-kazoo)"


class ZkError(Exception):
    """The group cannot be read; the message says why."""


def parse_url(url):
    """``(hosts, path, auth)`` of a ``zk://[user:password@]host:port[,host:port...]/path`` URL,
    as src/zookeeper/url.cpp parses it; ``auth`` is ``(scheme, credentials)`` or None."""
    if not isinstance(url, str) or not url.startswith("zk://"):
        raise ZkError("%r is not a zk:// URL" % (url,))
    rest = url[len("zk://"):]
    auth = None
    if "@" in rest.split("/", 1)[0]:
        credentials, rest = rest.split("@", 1)
        auth = ("digest", unquote(credentials))
    hosts, slash, path = rest.partition("/")
    if not hosts or not slash:
        raise ZkError("%r names no ZooKeeper servers and path" % url)
    path = "/" + path.rstrip("/")
    if path == "/":
        raise ZkError("%r: the path may not be '/'" % url)
    return hosts, path, auth


def resolve(value, read=None):
    """The zk:// URL of a master's ``--zk`` flag: as given, or read from the file a
    ``file://`` value names (stout's flag loader reads such files)."""
    if isinstance(value, str) and value.startswith("file://"):
        path = value[len("file://"):]
        try:
            with (read or open)(path) as handle:
                value = handle.read().strip()
        except (IOError, OSError) as e:
            raise ZkError("cannot read --zk from %s: %s" % (path, e))
    return value


def _kazoo_client(hosts, timeout, auth):
    try:
        from kazoo.client import KazooClient
    except ImportError:
        raise ZkError(KAZOO_HINT)
    return KazooClient(hosts=hosts, timeout=timeout, read_only=True,
                       auth_data=[auth] if auth else None)


def members(url, timeout=5.0, client_factory=None):
    """Every member of the group at ``url``, by sequence: dicts ``seq``, ``znode``, ``info``
    (the MasterInfo as JSON, {} when unreadable). Raises ZkError."""
    hosts, path, auth = parse_url(url)
    client = (client_factory or _kazoo_client)(hosts, timeout, auth)
    try:
        try:
            client.start(timeout=timeout)
        except Exception as e:  # kazoo's timeouts and handler errors share no base class
            raise ZkError("cannot reach ZooKeeper at %s: %s" % (hosts, e or type(e).__name__))
        try:
            names = client.get_children(path)
        except Exception as e:
            if type(e).__name__ == "NoNodeError":
                return []
            raise ZkError("cannot list %s on %s: %s" % (path, hosts, e or type(e).__name__))
        out = []
        for name in names:
            match = MEMBER.match(name)
            if not match:
                continue
            try:
                data = client.get("%s/%s" % (path, name))[0]
            except Exception:
                continue  # gone between the listing and the read: its session ended
            try:
                info = json.loads(data.decode("utf-8"))
            except (ValueError, UnicodeDecodeError, AttributeError):
                info = {}
            out.append(dict(seq=int(match.group(1)), znode=name, info=info if isinstance(info, dict) else {}))
        return sorted(out, key=lambda m: m["seq"])
    finally:
        try:
            client.stop()
            client.close()
        except Exception:
            pass


def address(info):
    """``(ip, port)`` of a MasterInfo: its ``address`` when present, else its ``pid``
    (``master@ip:port``); (None, None) when it has neither."""
    found = info.get("address") or {}
    if found.get("ip") and found.get("port"):
        return str(found["ip"]), int(found["port"])
    pid = str(info.get("pid") or "")
    if "@" in pid and ":" in pid:
        ip, port = pid.split("@", 1)[1].rsplit(":", 1)
        try:
            return ip, int(port)
        except ValueError:
            pass
    return None, None


def live(found):
    """The members of ``found`` that stand for running masters: the newest member of each
    address (an older one of the same address is a restarted master's, waiting for its session
    to expire)."""
    newest = {}
    for member in found:
        key = address(member["info"])
        if key == (None, None):
            key = member["znode"]
        if key not in newest or member["seq"] > newest[key]["seq"]:
            newest[key] = member
    return sorted(newest.values(), key=lambda m: m["seq"])


def leader(found):
    """The leading member (the lowest sequence), or None in an empty group."""
    return found[0] if found else None


def own(found, ips, port):
    """The newest member whose address is ``port`` on one of ``ips``, or None."""
    mine = [m for m in found if address(m["info"])[1] == int(port) and address(m["info"])[0] in ips]
    return mine[-1] if mine else None


def describe(member):
    """How the report names a member: its host name and address."""
    if member is None:
        return "none"
    info = member["info"]
    ip, port = address(info)
    return "%s (%s:%s, %s)" % (info.get("hostname") or ip, ip, port, member["znode"])
