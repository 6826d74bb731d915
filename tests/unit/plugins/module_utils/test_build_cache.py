# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The controller's build cache: what to compile, and refusing an artifact changed after its
build. The lookup that reads it is tested in ../lookup."""

from __future__ import annotations

import hashlib
import json
import os

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import build_cache as bc
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb


def job(tmp_path, hook, fingerprint, key):
    return dict(hook=hook, library="lib%s.so" % hook, fingerprint=fingerprint, key=key,
                cache_dir=str(tmp_path / hook / key))


def build(job_, content=b"built"):
    """What compile.yml leaves: the library, then meta.json."""
    d = job_["cache_dir"]
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, job_["library"]), "wb") as f:
        f.write(content)
    meta = dict(hook=job_["hook"], key=job_["key"], library=job_["library"], sha256=hashlib.sha256(content).hexdigest())
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f)
    return meta


def test_missing_lists_the_jobs_without_a_finished_build_in_plan_order(tmp_path):
    jobs = [job(tmp_path, "probe", "fp1", "k1"), job(tmp_path, "probe", "fp2", "k2"), job(tmp_path, "cmd", "fp1", "k3")]
    build(jobs[1])
    # A library without its meta.json is an interrupted build: compiled again.
    (tmp_path / "cmd" / "k3").mkdir(parents=True)
    (tmp_path / "cmd" / "k3" / "libcmd.so").write_bytes(b"half")
    assert [j["key"] for j in bc.missing(jobs)] == ["k1", "k3"]


def test_artifacts_maps_fingerprint_and_hook_to_the_cached_artifact(tmp_path):
    jobs = [job(tmp_path, "probe", "fp1", "k1"), job(tmp_path, "probe", "fp2", "k2")]
    metas = [build(j, b"built " + j["key"].encode()) for j in jobs]
    found = bc.artifacts(jobs)
    assert found["fp2"]["probe"]["sha256"] == metas[1]["sha256"]
    assert found["fp1"]["probe"]["path"] == str(tmp_path / "probe" / "k1" / "libprobe.so")


def test_artifacts_refuses_every_changed_or_lost_library_naming_what_to_delete(tmp_path):
    jobs = [job(tmp_path, "probe", "fp1", "k1"), job(tmp_path, "probe", "fp2", "k2"), job(tmp_path, "cmd", "fp1", "k3")]
    for j in jobs:
        build(j)
    (tmp_path / "probe" / "k1" / "libprobe.so").write_bytes(b"changed after the build")
    (tmp_path / "cmd" / "k3" / "libcmd.so").unlink()
    with pytest.raises(hb.BuildError) as err:
        bc.artifacts(jobs)
    text = str(err.value)
    assert "libprobe.so does not match its recorded sha256" in text and "delete %s to rebuild" % jobs[0]["cache_dir"] in text
    assert "libcmd.so does not match" in text and "unreadable" in text
    assert jobs[1]["cache_dir"] not in text


def test_artifacts_refuses_an_unreadable_record(tmp_path):
    jobs = [job(tmp_path, "probe", "fp1", "k1")]
    build(jobs[0])
    (tmp_path / "probe" / "k1" / "meta.json").write_text("{not json")
    with pytest.raises(hb.BuildError, match="cannot read the artifact record .*meta.json"):
        bc.artifacts(jobs)
