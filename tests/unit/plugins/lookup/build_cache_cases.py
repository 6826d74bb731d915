# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cases for the build_cache lookup, run in a child process by test_build_cache_lookup.py:
loading a plugin's option definitions into Ansible's configuration changes how modules report
warnings in the same process, which other module tests rely on."""

from __future__ import annotations

import hashlib
import json

import pytest

from ansible.errors import AnsibleLookupError

from ansible_collections.mesos_fleet.hooks.plugins.lookup import build_cache as lookup

from controller_plugins import load_lookup

NAME = 'mesos_fleet.hooks.build_cache'


def make_lookup():
    return load_lookup(lookup, NAME)


def test_lookup_takes_the_job_list_and_fails_with_the_cache_problem(tmp_path):
    cache_dir = tmp_path / 'probe' / 'k1'
    jobs = [dict(hook='probe', library='libprobe.so', fingerprint='fp1', key='k1', cache_dir=str(cache_dir))]
    plugin = make_lookup()
    assert plugin.run([jobs], want='missing') == jobs
    cache_dir.mkdir(parents=True)
    (cache_dir / 'libprobe.so').write_bytes(b'built')
    (cache_dir / 'meta.json').write_text(json.dumps(dict(key='k1', sha256=hashlib.sha256(b'built').hexdigest())))
    assert plugin.run([jobs], want='missing') == []
    assert plugin.run(jobs, want='missing') == []
    assert list(plugin.run([jobs], want='artifacts')[0]['fp1']) == ['probe']
    (cache_dir / 'libprobe.so').write_bytes(b'changed')
    with pytest.raises(AnsibleLookupError, match='does not match its recorded sha256'):
        plugin.run([jobs], want='artifacts')
    with pytest.raises(AnsibleLookupError, match='planned build jobs'):
        plugin.run(['probe'], want='missing')
