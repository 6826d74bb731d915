# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Staging all of an agent's artifacts in one pass: what lands where, what is refused, what stays."""

import errno
import hashlib
import os
import stat

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_stage as st

CONTENT = b"\x7fELF fake hook library\n" * 100
SHA = hashlib.sha256(CONTENT).hexdigest()
OLD = ["%064x" % i for i in range(1, 5)]


def artifact(name="probe", content=CONTENT, **extra):
    entry = dict(name=name, sha256=hashlib.sha256(content).hexdigest(), library="libprobe.so",
                 modules=["org_mesos_fleet_ProbeHook"], allow_resource_decorators=False, idle_methods=[], kinds={})
    entry.update(extra)
    return entry


class Validator(object):
    """Stands in for hook_elf.validate_hook; records which paths it was asked about."""

    def __init__(self, problems=None):
        self.paths = []
        self.problems = problems or {}

    def __call__(self, path, entry):
        self.paths.append(path)
        problems = self.problems.get(entry["name"], [])
        return dict(ok=not problems, problems=problems, warnings=[], build_id="ab" * 20)


@pytest.fixture
def root(tmp_path):
    return str(tmp_path / "state" / "artifacts")


@pytest.fixture
def source(tmp_path):
    path = tmp_path / "transferred.so"
    path.write_bytes(CONTENT)
    return str(path)


def tree(path):
    """Every path under ``path`` (files and directories), relative."""
    found = []
    for dirpath, dirnames, filenames in os.walk(path):
        for name in dirnames + filenames:
            found.append(os.path.relpath(os.path.join(dirpath, name), path))
    return sorted(found)


def test_first_call_only_names_what_is_missing_and_writes_nothing(root):
    check = Validator()
    result = st.stage([artifact()], root, check)
    assert result["missing"] == ["probe"]
    assert result["changed"] is False and check.paths == []
    assert not os.path.exists(os.path.dirname(root))


def test_a_missing_artifact_is_staged_root_owned_0644_in_0755_directories_then_checked(root, source):
    check = Validator()
    result = st.stage([artifact()], root, check, sources={"probe": source})
    dest = os.path.join(root, "probe", SHA, "libprobe.so")
    assert result["changed"] is True and result["missing"] == []
    assert result["staged"] == [dest] and result["artifacts"]["probe"]["state"] == "staged"
    with open(dest, "rb") as handle:
        assert handle.read() == CONTENT
    assert stat.S_IMODE(os.stat(dest).st_mode) == 0o644
    for directory in (root, os.path.join(root, "probe"), os.path.dirname(dest)):
        assert stat.S_IMODE(os.stat(directory).st_mode) == 0o755
    if os.geteuid() == 0:
        assert (os.stat(dest).st_uid, os.stat(dest).st_gid) == (0, 0)
    # No temporary file is left next to it.
    assert os.listdir(os.path.dirname(dest)) == ["libprobe.so"]
    assert check.paths == [dest] and result["artifacts"]["probe"]["checked"] is True


def test_already_staged_is_only_checked_and_not_changed(root, source):
    st.stage([artifact()], root, Validator(), sources={"probe": source})
    check = Validator()
    again = st.stage([artifact()], root, check)
    assert again["missing"] == [] and again["changed"] is False
    assert again["artifacts"]["probe"]["state"] == "present" and again["staged"] == []
    assert check.paths == [os.path.join(root, "probe", SHA, "libprobe.so")]


def test_a_wrong_mode_on_a_staged_artifact_is_fixed_without_touching_its_content(root, source):
    st.stage([artifact()], root, Validator(), sources={"probe": source})
    dest = os.path.join(root, "probe", SHA, "libprobe.so")
    inode = os.stat(dest).st_ino
    os.chmod(dest, 0o666)
    result = st.stage([artifact()], root, Validator())
    assert result["changed"] is True and stat.S_IMODE(os.stat(dest).st_mode) == 0o644
    assert os.stat(dest).st_ino == inode


def test_an_existing_path_with_other_content_is_refused_never_overwritten(root, source):
    dest = os.path.join(root, "probe", SHA, "libprobe.so")
    os.makedirs(os.path.dirname(dest))
    with open(dest, "wb") as handle:
        handle.write(b"loaded by a running agent")
    with pytest.raises(st.StageError) as caught:
        st.stage([artifact()], root, Validator(), sources={"probe": source})
    message = str(caught.value)
    assert "hook 'probe'" in message and dest in message and "refusing to overwrite" in message
    with open(dest, "rb") as handle:
        assert handle.read() == b"loaded by a running agent"


def test_publishing_never_replaces_a_path_that_appeared_meanwhile(root, source):
    entry = artifact()
    dest = st.destination(root, entry)
    os.makedirs(os.path.dirname(dest))
    with open(dest, "wb") as handle:
        handle.write(b"another run got there first")
    with pytest.raises(st.StageError, match="refusing to overwrite"):
        st.install(entry, root, source)
    with open(dest, "rb") as handle:
        assert handle.read() == b"another run got there first"
    assert os.listdir(os.path.dirname(dest)) == ["libprobe.so"]


def test_a_transferred_copy_with_the_wrong_checksum_is_refused_and_leaves_nothing(root, tmp_path):
    bad = tmp_path / "bad.so"
    bad.write_bytes(CONTENT + b"corrupted in transit")
    with pytest.raises(st.StageError) as caught:
        st.stage([artifact()], root, Validator(), sources={"probe": str(bad)})
    assert "has sha256 %s, expected %s" % (hashlib.sha256(bad.read_bytes()).hexdigest(), SHA) in str(caught.value)
    # The directories this run created are gone again, and so is the temporary file.
    assert not os.path.exists(os.path.dirname(root))


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "[Errno 28] No space left on device"),
                                         (errno.EIO, "[Errno 5] Input/output error")])
def test_a_failed_write_names_the_path_and_cause_and_leaves_no_partial_file(root, source, monkeypatch, code, words):
    os.makedirs(root)
    real_write = os.write

    def short_write(fd, data):
        real_write(fd, bytes(data[:10]))
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(st.os, "write", short_write)
    with pytest.raises(st.StageError) as caught:
        st.stage([artifact()], root, Validator(), sources={"probe": source})
    message = str(caught.value)
    assert "hook 'probe'" in message and words in message
    assert os.path.join(root, "probe", SHA, "libprobe.so") in message
    assert tree(root) == []


def test_a_read_only_staging_root_names_the_directory_and_the_cause(root, source, monkeypatch):
    def read_only(path, mode=0o777):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), path)

    monkeypatch.setattr(st.os, "mkdir", read_only)
    with pytest.raises(st.StageError) as caught:
        st.stage([artifact()], root, Validator(), sources={"probe": source})
    assert "cannot create directory" in str(caught.value)
    assert "[Errno 30] Read-only file system" in str(caught.value)


def test_check_mode_reports_what_would_be_copied_and_pruned_and_writes_nothing(root, source):
    entry = artifact()
    hook_dir = os.path.join(root, "probe")
    for i, name in enumerate(OLD):
        os.makedirs(os.path.join(hook_dir, name))
        os.utime(os.path.join(hook_dir, name), (i, i))
    before = tree(root)
    check = Validator()
    result = st.stage([entry], root, check, check_mode=True, keep_count=2)
    assert result["changed"] is True and result["missing"] == []
    assert result["artifacts"]["probe"]["state"] == "would stage"
    assert result["artifacts"]["probe"]["checked"] is False and check.paths == []
    assert result["removed"] == [os.path.join(hook_dir, OLD[0]), os.path.join(hook_dir, OLD[1])]
    assert tree(root) == before
    assert "+probe/%s/" % SHA not in result["diff"]["before"]
    assert "probe/%s/\n" % SHA in result["diff"]["after"]
    assert "probe/%s/\n" % OLD[0] in result["diff"]["before"] and OLD[0] not in result["diff"]["after"]


def test_prune_keeps_the_staged_one_the_newest_and_any_a_manifest_references(root, source, tmp_path):
    hook_dir = os.path.join(root, "probe")
    for i, name in enumerate(OLD):
        os.makedirs(os.path.join(hook_dir, name))
        os.utime(os.path.join(hook_dir, name), (i, i))
    manifest = tmp_path / "modules.json"
    manifest.write_text('{"libraries": [{"file": "%s/%s/libprobe.so"}]}' % (hook_dir, OLD[0]))
    modules_dir = tmp_path / "modules.d"
    modules_dir.mkdir()
    (modules_dir / "50-mesos-fleet-hooks.json").write_text('{"file": "%s/%s/libprobe.so"}' % (hook_dir, OLD[1]))
    result = st.stage([artifact()], root, Validator(), sources={"probe": source},
                      manifests=[str(manifest), str(modules_dir), str(tmp_path / "absent.json")], keep_count=1)
    # OLD[0] and OLD[1] are referenced, OLD[3] is the newest other one, the new one is deployed.
    assert result["removed"] == [os.path.join(hook_dir, OLD[2])]
    assert sorted(os.listdir(hook_dir)) == sorted([OLD[0], OLD[1], OLD[3], SHA])
    again = st.stage([artifact()], root, Validator(), manifests=[str(manifest)], keep_count=1)
    assert again["changed"] is True and again["removed"] == [os.path.join(hook_dir, OLD[1])]
    assert st.stage([artifact()], root, Validator(), manifests=[str(manifest)], keep_count=1)["changed"] is False


def test_a_failed_check_is_reported_per_path_and_nothing_is_pruned(root, source):
    hook_dir = os.path.join(root, "probe")
    os.makedirs(os.path.join(hook_dir, OLD[0]))
    check = Validator(problems={"probe": ["module 'org_mesos_fleet_ProbeHook': symbol not found"]})
    result = st.stage([artifact()], root, check, sources={"probe": source}, keep_count=0)
    dest = os.path.join(hook_dir, SHA, "libprobe.so")
    assert result["problems"] == ["%s failed validation: module 'org_mesos_fleet_ProbeHook': symbol not found" % dest]
    assert result["removed"] == [] and os.path.isdir(os.path.join(hook_dir, OLD[0]))


def test_several_hooks_in_one_pass_only_the_missing_ones_need_a_copy(root, source, tmp_path):
    other_content = b"another hook"
    other = artifact("other", content=other_content, library="libother.so")
    st.stage([artifact()], root, Validator(), sources={"probe": source})
    result = st.stage([artifact(), other], root, Validator())
    assert result["missing"] == ["other"]
    copy = tmp_path / "other.so"
    copy.write_bytes(other_content)
    done = st.stage([artifact(), other], root, Validator(), sources={"other": str(copy)})
    assert done["artifacts"]["probe"]["state"] == "present"
    assert done["artifacts"]["other"]["state"] == "staged"


def test_normalise_takes_the_roles_plan_and_refuses_a_dest_elsewhere(root):
    plan = {"probe": dict(src="/cache/libprobe.so", hook_dir="x", dest_dir="y", mesos_version="1.11.0",
                          dest=os.path.join(root, "probe", SHA, "libprobe.so"), sha256=SHA,
                          library="libprobe.so", modules=["org_mesos_fleet_ProbeHook"],
                          allow_resource_decorators=False)}
    assert st.normalise(plan, root) == [dict(artifact(), src="/cache/libprobe.so")]
    plan["probe"]["dest"] = "/tmp/libprobe.so"
    with pytest.raises(ValueError, match="dest /tmp/libprobe.so is not"):
        st.normalise(plan, root)
    with pytest.raises(ValueError, match="not 64 lowercase hex digits"):
        st.normalise([artifact(sha256="abc")], root)
    with pytest.raises(ValueError, match="library '../x.so' is not a file name"):
        st.normalise([artifact(library="../x.so")], root)
    with pytest.raises(ValueError, match="root must be an absolute path"):
        st.normalise([artifact()], "relative")


def test_a_symlink_or_directory_in_the_artifacts_place_is_refused(root, tmp_path):
    dest = os.path.join(root, "probe", SHA, "libprobe.so")
    os.makedirs(os.path.dirname(dest))
    target = tmp_path / "elsewhere.so"
    target.write_bytes(CONTENT)
    os.symlink(str(target), dest)
    with pytest.raises(st.StageError, match="is not a regular file"):
        st.stage([artifact()], root, Validator())


def test_files_shipped_with_a_hook_are_staged_by_content_and_old_ones_pruned(root, source, tmp_path):
    versions = []
    for text in (b"#!/bin/sh\necho 1\n", b"#!/bin/sh\necho 2\n", b"#!/bin/sh\necho 3\n", b"#!/bin/sh\necho 4\n"):
        copy = tmp_path / ("env-hook-%d" % len(versions))
        copy.write_bytes(text)
        entry = dict(hook="probe", sha256=hashlib.sha256(text).hexdigest(), name="env-hook")
        [staged_file] = st.normalise_files([entry], root)
        key = st.relative_path(staged_file)
        assert key == "probe/files/%s/env-hook" % entry["sha256"]
        first = st.stage([artifact()], root, Validator(), sources=None, files=[staged_file])
        assert first["missing"] == ["probe", key] if not versions else first["missing"] == [key]
        done = st.stage([artifact()], root, Validator(), sources={"probe": source, key: str(copy)},
                        files=[staged_file], keep_count=2)
        assert done["files"][key]["state"] == "staged" and done["changed"]
        path = os.path.join(root, key)
        with open(path, "rb") as handle:
            assert handle.read() == text
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o644  # a staged copy; the rollout installs it
        versions.append(entry["sha256"])
    # The current one and the two newest before it stay.
    assert sorted(os.listdir(os.path.join(root, "probe", "files"))) == sorted(versions[1:])
    again = st.stage([artifact()], root, Validator(), files=[staged_file], keep_count=2)
    assert again["files"][key]["state"] == "present" and not again["changed"] and not again["missing"]
