"""Write command-hook commands in Python (standard library only).

A command is a function taking the event (a dict: "method" plus the hook
method's arguments in Mesos's JSON form) and returning the method's result
(a dict or list), or None for "no change". Raise Reject("reason") to fail
the call; the hook's failure policy then decides what Mesos sees.

    from mesos_hook_command import Reject, serve

    def handle(event):
        if event["method"] != "slaveRunTaskLabelDecorator":
            return None
        return merge_labels(event["taskInfo"], {"team": "search"})

    if __name__ == "__main__":
        serve(handle)

serve() speaks both modes of the protocol (PROTOCOL.md): one-shot (one
event on stdin, result on stdout, exit status) and persistent (one event
per line, one "OK [json]" / "ERROR reason" line back), chosen by the
MESOS_HOOK_MODE variable the hook sets, or forced with --persistent.
"""

import json
import os
import sys
import traceback

__all__ = [
    "Reject",
    "handle_line",
    "merge_env",
    "merge_labels",
    "serve",
    "task_container",
]

EXIT_REJECTED = 1
EXIT_CRASHED = 2


class Reject(Exception):
    """Fails the hook call with a reason (shown in the agent's log and, for
    a fail-closed docker pre-launch hook, in the task's failure)."""


def _one_line(text):
    return " ".join(str(text).split())


def handle_line(handler, line):
    """Answers one persistent-mode event line; returns the reply line
    (without its newline). Never raises."""
    try:
        event = json.loads(line)
        result = handler(event)
    except Reject as reject:
        return "ERROR " + (_one_line(reject) or "rejected")
    except Exception as error:  # a bug in the handler must not kill the loop
        traceback.print_exc(file=sys.stderr)
        return "ERROR " + _one_line("%s: %s" % (type(error).__name__, error))
    if result is None:
        return "OK"
    return "OK " + json.dumps(result, separators=(",", ":"))


def _serve_once(handler, stdin, stdout, stderr):
    try:
        event = json.loads(stdin.read())
        result = handler(event)
    except Reject as reject:
        stderr.write("%s\n" % (reject or "rejected"))
        return EXIT_REJECTED
    except Exception:
        traceback.print_exc(file=stderr)
        return EXIT_CRASHED
    if result is not None:
        stdout.write(json.dumps(result, separators=(",", ":")))
        stdout.write("\n")
    stdout.flush()
    return 0


def _serve_persistent(handler, stdin, stdout):
    for line in stdin:
        if not line.strip():
            continue
        stdout.write(handle_line(handler, line) + "\n")
        stdout.flush()
    return 0


def serve(handler, argv=None, stdin=None, stdout=None, stderr=None):
    """Runs `handler` under the command-hook protocol and exits."""
    argv = sys.argv[1:] if argv is None else argv
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    persistent = ("--persistent" in argv or
                  os.environ.get("MESOS_HOOK_MODE") == "persistent")
    if persistent:
        code = _serve_persistent(handler, stdin, stdout)
    else:
        code = _serve_once(handler, stdin, stdout, stderr)
    sys.exit(code)


def merge_env(executor_info, variables):
    """The executor's environment with `variables` (name -> value) set.

    slaveExecutorEnvironmentDecorator's result replaces the executor's
    environment, so a decorator returns the existing variables too."""
    existing = (executor_info.get("command", {})
                .get("environment", {}).get("variables", []))
    merged = [v for v in existing if v.get("name") not in variables]
    merged.extend({"name": name, "value": str(value)}
                  for name, value in sorted(variables.items()))
    return {"variables": merged}


def merge_labels(task_info, labels):
    """The task's labels with `labels` (key -> value) set; label decorator
    results replace the task's labels."""
    existing = task_info.get("labels", {}).get("labels", [])
    merged = [l for l in existing if l.get("key") not in labels]
    merged.extend({"key": key, "value": str(value)}
                  for key, value in sorted(labels.items()))
    return {"labels": merged}


def task_container(event):
    """The ContainerInfo of a docker pre-launch event: the task's, or the
    executor's for a custom executor (taskInfo is null then)."""
    task = event.get("taskInfo") or {}
    if "container" in task:
        return task["container"]
    return (event.get("executorInfo") or {}).get("container", {})
