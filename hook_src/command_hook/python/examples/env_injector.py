#!/usr/bin/env python3
"""Executor environment injector: adds NAME=VALUE pairs given as arguments
to every executor's environment (slaveExecutorEnvironmentDecorator),
keeping the variables the framework set unless --override is given.

    env_injector.py DATACENTER=eu-west-1 LOG_SHIPPER=fluent:24224
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), ".."))

from mesos_hook_command import merge_env, serve  # noqa: E402


def decorate(event, variables, override):
    if event.get("method") != "slaveExecutorEnvironmentDecorator":
        return None
    executor = event["executorInfo"]
    existing = {v.get("name") for v in executor.get("command", {})
                .get("environment", {}).get("variables", [])}
    wanted = {k: v for k, v in variables.items() if override or k not in existing}
    if not wanted:
        return None
    return merge_env(executor, wanted)


def parse_pairs(parser, pairs):
    variables = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name or not (name[0].isalpha() or name[0] == "_") \
                or not all(c.isalnum() or c == "_" for c in name):
            parser.error("expected NAME=VALUE, got %r" % pair)
        variables[name] = value
    return variables


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("pairs", nargs="+", metavar="NAME=VALUE")
    parser.add_argument("--override", action="store_true",
                        help="replace variables the framework already set")
    parser.add_argument("--persistent", action="store_true")
    args = parser.parse_args(argv)
    variables = parse_pairs(parser, args.pairs)
    serve(lambda event: decorate(event, variables, args.override),
          argv=["--persistent"] if args.persistent else [])


if __name__ == "__main__":
    main()
