#!/usr/bin/env python3
"""Everything verify.yml checks about one agent, read in one go on the agent's host, as JSON.

Usage: agent-status.py URL SERVICE [--since EPOCH] [PID...]
unit: systemd properties of SERVICE; health/state/flags/metrics: the agent's endpoints (null
when unreachable, or answering other than 2xx, as /state does during recovery); master: the
/slaves of the master in the agent's --master; alive: the PIDs that still exist; journal: the
unit's log since EPOCH.
"""
import json
import os
import subprocess
import sys
import urllib.request


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            body = response.read()
            return {"status": response.status, "json": json.loads(body) if body else None}
    except (OSError, ValueError) as e:
        return {"status": None, "error": str(e)}


def alive(pid):
    try:
        os.kill(int(pid), 0)
        return True
    except ProcessLookupError:
        return False


def main(argv):
    url, service, rest = argv[0], argv[1], argv[2:]
    since = None
    if rest[:1] == ["--since"]:
        since, rest = rest[1], rest[2:]
    show = subprocess.run(
        ["systemctl", "show", "-p", "ActiveState", "-p", "SubState", "-p", "Result",
         "-p", "ExecMainStatus", "-p", "NRestarts", service],
        stdout=subprocess.PIPE, universal_newlines=True, check=True).stdout
    result = {
        "unit": dict(line.split("=", 1) for line in show.splitlines() if "=" in line),
        "alive": [pid for pid in rest if alive(pid)],
    }
    for name in ("health", "state", "flags", "metrics/snapshot"):
        result[name.split("/")[0]] = get(url + "/" + name)
    # Only the master tells that the agent has re-registered: its slave/registered is 1 as
    # soon as it has detected the master.
    master = ((result["flags"].get("json") or {}).get("flags") or {}).get("master")
    result["master"] = get("http://%s/slaves" % master) if master else {"status": None}
    if since is not None:
        result["journal"] = subprocess.run(
            ["journalctl", "-u", service, "--since", "@" + since, "--no-pager", "-o", "cat"],
            stdout=subprocess.PIPE, universal_newlines=True).stdout
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
