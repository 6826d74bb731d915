"""mesos-standin-task: start and stop fake checkpointed tasks on a stand-in agent.

    mesos-standin-task launch --agent HOST:PORT [--task-id ID] [--command CMD]
                              [--env NAME=VALUE ...]
    mesos-standin-task kill --agent HOST:PORT --task-id ID

--agent https://HOST:PORT talks TLS (without verifying the agent's certificate), for an agent
that serves TLS only; HOST:PORT talks plain HTTP.

Prints the agent's JSON answer (task_id, pid, state, ...). A launched task is
a real process (default: a long sleep) that survives agent restarts.
"""

import argparse
import json
import sys

from .common import http_json


def main(argv, prefix=None):
    parser = argparse.ArgumentParser(prog="mesos-standin-task", description=__doc__)
    sub = parser.add_subparsers(dest="action", required=True)
    launch = sub.add_parser("launch", help="start a fake task")
    launch.add_argument("--agent", required=True, help="agent HOST:PORT or https://HOST:PORT")
    launch.add_argument("--task-id")
    launch.add_argument("--command", help="shell command (default: sleep for a long time)")
    launch.add_argument("--env", action="append", default=None, metavar="NAME=VALUE",
                        help="environment of the task's command (before hooks)")
    kill = sub.add_parser("kill", help="kill a task")
    kill.add_argument("--agent", required=True, help="agent HOST:PORT or https://HOST:PORT")
    kill.add_argument("--task-id", required=True)
    args = parser.parse_args(argv)

    url = "%s/standin/%s" % (args.agent if "://" in args.agent else "http://" + args.agent,
                             args.action)
    payload = {"task_id": args.task_id}
    if args.action == "launch":
        payload["command"] = args.command
        if args.env is not None:
            environment = {}
            for item in args.env:
                name, eq, value = item.partition("=")
                if not eq or not name:
                    parser.error("--env expects NAME=VALUE, got %r" % item)
                environment[name] = value
            payload["environment"] = environment
    try:
        status, body = http_json(url, payload)
    except OSError as e:
        sys.stderr.write("mesos-standin-task: cannot reach %s: %s\n" % (url, e))
        return 1
    if status != 200:
        sys.stderr.write("mesos-standin-task: %s answered %s: %s\n" % (url, status, body))
        return 1
    print(json.dumps(body))
    return 0
