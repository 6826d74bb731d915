# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

"""The controller's build cache: ``<cache_dir>/<hook>/<key>/`` holds one artifact and its
``meta.json``, written last, so a directory with a meta.json holds a finished build.

Read in the controller process (the build_cache lookup) rather than by stat and slurp module
runs per artifact: each of those is a Python process of its own, on every run."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_stage
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import artifact_store
from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build


def meta_path(job):
    return os.path.join(job["cache_dir"], "meta.json")


def missing(jobs):
    """The planned jobs the cache has no finished build for: what to compile."""
    return [job for job in jobs if not os.path.isfile(meta_path(job))]


def artifacts(jobs):
    """fingerprint -> hook -> artifact (hook_build.artifact_map) for jobs that are all built,
    after checking that each cached library still has the sha256 its meta.json records.
    BuildError lists every problem: a record that cannot be read, a library changed or lost."""
    metas, problems = [], []
    for job in jobs:
        try:
            with open(meta_path(job)) as handle:
                meta = json.load(handle)
        except (IOError, OSError, ValueError) as exc:
            problems.append("cannot read the artifact record %s: %s; delete %s to rebuild it"
                            % (meta_path(job), artifact_stage.describe(exc), job["cache_dir"]))
            continue
        library = os.path.join(job["cache_dir"], job["library"])
        try:
            found = artifact_store.file_sha256(library)
        except (IOError, OSError) as exc:
            found = "unreadable (%s)" % artifact_stage.describe(exc)
        if found != meta.get("sha256"):
            problems.append("cached artifact %s does not match its recorded sha256 %s (found %s); delete %s "
                            "to rebuild it" % (library, meta.get("sha256"), found, job["cache_dir"]))
        metas.append(meta)
    if problems:
        raise hook_build.BuildError("; ".join(problems))
    return hook_build.artifact_map(jobs, metas)
