import os
import stat

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import host_lock as hl


def test_lock_is_exclusive_idempotent_and_released_by_its_run(tmp_path):
    lock = str(tmp_path / "state" / "rollout.lock")
    assert hl.acquire(lock, "run-a", now=100) is True
    assert oct(os.stat(os.path.dirname(lock)).st_mode & 0o777) == oct(0o700)
    assert hl.acquire(lock, "run-a", now=101) is False
    with pytest.raises(hl.LockError, match=r"another rollout \(run-a\) holds this host .* remove .*rollout.lock"):
        hl.acquire(lock, "run-b", now=160)
    with pytest.raises(hl.LockError, match="belongs to run run-a"):
        hl.release(lock, "run-b")
    assert hl.acquire(lock, "run-b", now=1000, stale_after=600) is True
    assert hl.read_lock(lock)["run_id"] == "run-b"
    assert hl.release(lock, "run-b") is True and not os.path.exists(lock)
    assert hl.release(lock, "run-b") is False


def test_lock_module_reports_who_took_it(run_module, tmp_path):
    from ansible_collections.mesos_fleet.hooks.plugins.modules import rollout_lock
    lock = str(tmp_path / "rollout.lock")
    first = run_module(rollout_lock, dict(path=lock, run_id="r1"))
    assert first["acquired"] is True
    assert run_module(rollout_lock, dict(path=lock, run_id="r1"))["acquired"] is False
    busy = run_module(rollout_lock, dict(path=lock, run_id="r2"))
    assert busy.failed and "another rollout (r1) holds this host" in busy["msg"]
    assert run_module(rollout_lock, dict(path=lock, run_id="r2"), check_mode=True).failed
    assert run_module(rollout_lock, dict(path=lock, run_id="r1", state="released"))["changed"] is True
    assert not os.path.exists(lock)


def test_lock_lives_in_a_root_only_directory(tmp_path):
    state = tmp_path / "state"
    state.mkdir()
    os.chmod(str(state), 0o755)  # as a staging step may have left it
    assert hl.acquire(str(state / "rollout.lock"), "run-1")
    assert stat.S_IMODE(os.stat(str(state)).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(str(state / "rollout.lock")).st_mode) == 0o600


def test_lock_refuses_a_shared_directory():
    with pytest.raises(hl.LockError) as e:
        hl.acquire("/tmp/rollout.lock", "run-1")
    assert "shared system directory" in str(e.value)


def test_lock_held_message_names_the_run_and_what_to_do(tmp_path):
    lock = str(tmp_path / "rollout.lock")
    assert hl.acquire(lock, "20261122T110000Z-42", now=1000)
    with pytest.raises(hl.LockError) as e:
        hl.acquire(lock, "run-b", now=1300)
    msg = str(e.value)
    assert "another rollout (20261122T110000Z-42) holds this host since 1970-01-01 00:16:40 UTC (300 s ago)" in msg
    assert "wait for it to finish" in msg
    assert "-e mesos_rollout_lock_stale_after=299" in msg
    assert "remove %s" % lock in msg
    # The advice works: a stale_after below the lock's age breaks it.
    assert hl.acquire(lock, "run-b", now=1300, stale_after=299) is True


def test_take_lock_check_only_says_what_taking_it_would_do_and_takes_nothing(tmp_path):
    lock = str(tmp_path / "state" / "rollout.lock")
    assert hl.take_lock(lock, "run-a", check_only=True) == (True, {})
    assert not os.path.exists(lock)
    assert hl.take_lock(lock, "run-a", now=100)[0] is True
    assert hl.take_lock(lock, "run-a", check_only=True, now=101)[0] is False
    with pytest.raises(hl.LockError, match=r"another rollout \(run-a\) holds this host"):
        hl.take_lock(lock, "run-b", check_only=True, now=160)
    # A stale lock would be broken, so the check passes and leaves it.
    taken, holder = hl.take_lock(lock, "run-b", check_only=True, now=1000, stale_after=600)
    assert taken is True and holder["run_id"] == "run-a" and hl.read_lock(lock)["run_id"] == "run-a"
