#!/usr/bin/env python3
"""Task label decorator: adds KEY=VALUE labels given as arguments to every
task (slaveRunTaskLabelDecorator or masterLaunchTaskLabelDecorator), plus
`agent_hostname` with the agent's hostname from the event.
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), ".."))

from mesos_hook_command import merge_labels, serve  # noqa: E402

METHODS = ("slaveRunTaskLabelDecorator", "masterLaunchTaskLabelDecorator")


def decorate(event, labels):
    if event.get("method") not in METHODS:
        return None
    added = dict(labels)
    hostname = (event.get("slaveInfo") or {}).get("hostname")
    if hostname:
        added["agent_hostname"] = hostname
    return merge_labels(event["taskInfo"], added)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pairs", nargs="*", metavar="KEY=VALUE")
    parser.add_argument("--persistent", action="store_true")
    args = parser.parse_args(argv)
    labels = {}
    for pair in args.pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            parser.error("expected KEY=VALUE, got %r" % pair)
        labels[key] = value
    serve(lambda event: decorate(event, labels),
          argv=["--persistent"] if args.persistent else [])


if __name__ == "__main__":
    main()
