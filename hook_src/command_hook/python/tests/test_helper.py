"""The helper's protocol handling, run as real processes where it matters."""

import io
import json
import os
import subprocess
import sys
import textwrap

import pytest

from mesos_hook_command import (handle_line, merge_env, merge_labels,
                                serve, task_container)

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def write_command(tmp_path, body):
    script = tmp_path / "command.py"
    script.write_text(textwrap.dedent("""\
        import sys
        sys.path.insert(0, %r)
        from mesos_hook_command import Reject, serve
        """ % PYTHON_DIR) + textwrap.dedent(body))
    return [sys.executable, str(script)]


def run_once(argv, event, mode="oneshot"):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
           "MESOS_HOOK_MODE": mode}
    return subprocess.run(argv, input=json.dumps(event), capture_output=True,
                          text=True, env=env, timeout=30, check=False)


def test_oneshot_result_on_stdout_exit_zero(tmp_path):
    argv = write_command(tmp_path, """
        serve(lambda event: {"labels": [{"key": "m", "value": event["method"]}]})
        """)
    done = run_once(argv, {"method": "slaveRunTaskLabelDecorator"})
    assert done.returncode == 0
    assert json.loads(done.stdout) == {
        "labels": [{"key": "m", "value": "slaveRunTaskLabelDecorator"}]}


def test_oneshot_none_means_empty_stdout(tmp_path):
    argv = write_command(tmp_path, "serve(lambda event: None)\n")
    done = run_once(argv, {"method": "slavePostFetchHook"})
    assert (done.returncode, done.stdout) == (0, "")


def test_oneshot_reject_exits_one_with_reason_on_stderr(tmp_path):
    argv = write_command(tmp_path, """
        def handle(event):
            raise Reject("host path /etc is not allowed")
        serve(handle)
        """)
    done = run_once(argv, {"method": "x"})
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.strip() == "host path /etc is not allowed"


def test_oneshot_crash_exits_two_with_traceback(tmp_path):
    argv = write_command(tmp_path, """
        serve(lambda event: event["missing"])
        """)
    done = run_once(argv, {"method": "x"})
    assert done.returncode == 2
    assert "KeyError" in done.stderr


def test_oneshot_invalid_json_is_an_error(tmp_path):
    argv = write_command(tmp_path, "serve(lambda event: None)\n")
    done = subprocess.run(argv, input="{not json", capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode == 2


def test_persistent_answers_one_line_per_event(tmp_path):
    argv = write_command(tmp_path, """
        def handle(event):
            if event["n"] == 2:
                raise Reject("two is\\nnot allowed")
            if event["n"] == 3:
                return None
            if event["n"] == 4:
                return 1 / 0
            return {"n": event["n"]}
        serve(handle)
        """)
    env = {"PATH": "/usr/bin:/bin", "MESOS_HOOK_MODE": "persistent"}
    proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=env)
    replies = []
    for n in (1, 2, 3, 4, 5):
        proc.stdin.write(json.dumps({"n": n}) + "\n")
        proc.stdin.flush()
        replies.append(proc.stdout.readline().rstrip("\n"))
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0
    assert replies == ['OK {"n":1}', "ERROR two is not allowed", "OK",
                       "ERROR ZeroDivisionError: division by zero", 'OK {"n":5}']
    proc.stdout.close()
    proc.stderr.close()


def test_handle_line_survives_bad_json():
    assert handle_line(lambda e: None, "{oops").startswith("ERROR JSONDecodeError")


def test_serve_in_process_with_streams():
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        serve(lambda e: None, argv=["--persistent"],
              stdin=io.StringIO('{"a":1}\n\n{"a":2}\n'), stdout=out, stderr=err)
    assert exit_.value.code == 0
    assert out.getvalue() == "OK\nOK\n"


def test_merge_env_keeps_existing_and_overrides_named():
    executor = {"command": {"environment": {"variables": [
        {"name": "A", "value": "1"}, {"name": "B", "value": "2"}]}}}
    assert merge_env(executor, {"B": "3", "C": 4}) == {"variables": [
        {"name": "A", "value": "1"}, {"name": "B", "value": "3"},
        {"name": "C", "value": "4"}]}
    assert merge_env({}, {"X": "y"}) == {"variables": [{"name": "X", "value": "y"}]}


def test_merge_labels_keeps_existing():
    task = {"labels": {"labels": [{"key": "a", "value": "1"}]}}
    assert merge_labels(task, {"b": "2"}) == {"labels": [
        {"key": "a", "value": "1"}, {"key": "b", "value": "2"}]}


def test_task_container_falls_back_to_executor():
    assert task_container({"taskInfo": {"container": {"type": "DOCKER"}}}) == \
        {"type": "DOCKER"}
    assert task_container({"taskInfo": None, "executorInfo": {
        "container": {"type": "MESOS"}}}) == {"type": "MESOS"}
