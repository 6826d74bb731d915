# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cases for the hook_sources lookup, run in a child process by test_hook_sources_lookup.py
(see build_cache_cases.py for why)."""

from __future__ import annotations

import json

import pytest

from ansible.errors import AnsibleLookupError

from ansible_collections.mesos_fleet.hooks.plugins.lookup import hook_sources as lookup

from controller_plugins import load_lookup

NAME = 'mesos_fleet.hooks.hook_sources'


def make_lookup():
    return load_lookup(lookup, NAME)


def make_source(root, modules=('org_fleet_Probe',)):
    root.mkdir()
    (root / 'hook.cpp').write_text('// hook\n')
    (root / 'CMakeLists.txt').write_text('project(probe)\n')
    (root / 'hook.json').write_text(json.dumps({'library': 'libprobe.so', 'modules': list(modules)}))
    return str(root)


def decl(name, source, *modules):
    return {'name': name, 'state': 'present', 'source': source,
            'modules': [{'name': m, 'parameters': {}} for m in modules]}


def test_lookup_describes_each_hook_by_name(tmp_path):
    source = make_source(tmp_path / 'probe')
    [described] = make_lookup().run([[decl('probe', source, 'org_fleet_Probe')]])
    assert described['probe']['build_system'] == 'cmake'
    assert described['probe']['modules'] == ['org_fleet_Probe'] and described['probe']['path'] == source
    digest = described['probe']['digest']
    (tmp_path / 'probe' / 'hook.cpp').write_text('// changed\n')
    assert make_lookup().run([[decl('probe', source, 'org_fleet_Probe')]])[0]['probe']['digest'] != digest


def test_lookup_fails_naming_the_module_a_source_does_not_build(tmp_path):
    source = make_source(tmp_path / 'probe')
    with pytest.raises(AnsibleLookupError, match='module.s. org_fleet_Missing are not built by'):
        make_lookup().run([[decl('probe', source, 'org_fleet_Missing')]])


def test_lookup_refuses_what_is_not_a_hook_declaration():
    with pytest.raises(AnsibleLookupError, match='hook declarations with a name and a source'):
        make_lookup().run([['probe']])
