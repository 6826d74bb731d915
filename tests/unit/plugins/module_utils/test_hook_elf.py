# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tests for hook_elf against small libraries compiled from tests/unit/fixtures/hook_elf."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import tempfile

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_elf
from ansible_collections.mesos_fleet.hooks.tests.unit.fixtures.hook_elf import build

SYMBOL = build.SYMBOL
TARGET = build.TARGET_VERSION
PREFIX = "module '%s': " % SYMBOL
HAS_CXXFILT = shutil.which('c++filt') is not None
# An installed Mesos (its prefix) to check hooks built against the real headers.
REAL_MESOS_PREFIX = os.environ.get('REAL_MESOS_PREFIX')


@pytest.fixture(scope='session')
def libs():
    if not build.compiler_available():
        pytest.skip('%s not found: the test libraries are compiled at test time' % build.CXX)
    return build.session_libraries()


def validate(libs, name, **kwargs):
    kwargs.setdefault('libmesos', libs['libmesos'])
    return hook_elf.validate_hook(libs[name], [SYMBOL], TARGET, **kwargs)


# ------------------------------------------------------------------ identity and linkage

def test_build_id_is_read_from_the_note(libs):
    assert hook_elf.gnu_build_id(libs['fixed_build_id']) == build.FIXED_BUILD_ID
    assert hook_elf.gnu_build_id(libs['no_build_id']) is None


def test_inspect_reports_machine_needed_runpath_and_symbols(libs):
    report = hook_elf.inspect_library(libs['linked_good'])
    expected_machine = {'x86_64': 'EM_X86_64', 'aarch64': 'EM_AARCH64'}.get(platform.machine())
    if expected_machine:
        assert report['machine'] == expected_machine
    assert report['type'] == 'ET_DYN'
    assert report['needed'][0] == 'libmesos.so'
    assert 'libstdc++.so.6' in report['needed']
    assert report['runpath'] == [os.path.dirname(libs['libmesos'])]
    defined = [s['name'] for s in report['defined_symbols']]
    undefined = [s['name'] for s in report['undefined_symbols']]
    assert SYMBOL in defined
    assert '_ZN5mesos7fixture18exportedByLibmesosEi' in undefined
    # Imports from libstdc++ carry their version, printed the binutils way.
    new = [s for s in report['undefined_symbols'] if s['name'] == '_Znwm']
    assert [s['versioned_name'] for s in new] == ['_Znwm@GLIBCXX_3.4']


def test_versioned_definitions_use_double_at(libs):
    report = hook_elf.inspect_library(libs['libmesos_v1'])
    names = [s['versioned_name'] for s in report['defined_symbols']]
    assert '_ZN5mesos7fixture18exportedByLibmesosEi@@MESOS_FIXTURE_1' in names


def test_not_an_elf_file_is_refused(tmp_path):
    text = tmp_path / 'libhook.so'
    text.write_text('not a library\n')
    with pytest.raises(hook_elf.HookElfError, match='is not an ELF file'):
        hook_elf.inspect_library(str(text))
    with pytest.raises(hook_elf.HookElfError, match='cannot open'):
        hook_elf.gnu_build_id(str(tmp_path / 'absent.so'))


def test_truncated_library_is_refused(libs, tmp_path):
    truncated = tmp_path / 'libtruncated.so'
    with open(libs['static_good'], 'rb') as stream:
        truncated.write_bytes(stream.read(3000))
    with pytest.raises(hook_elf.HookElfError, match=r'cannot read .*libtruncated.so \(damaged ELF file\?\)'):
        hook_elf.validate_hook(str(truncated), [SYMBOL], TARGET)


# ------------------------------------------------------------------ decoding module objects

@pytest.mark.parametrize('name', ['static_good', 'static_good_O2'])
def test_statically_initialised_module_is_decoded_from_the_file(libs, name):
    module = hook_elf.read_modules(libs[name], [SYMBOL])[SYMBOL]
    assert module['initialisation'] == 'static'
    assert module['source'] == 'file'
    assert module['section'] == '.data'
    assert module['size'] == 8 * 8 or module['size'] == 8 * 4
    assert (module['module_api_version'], module['mesos_version'], module['kind']) == ('2', TARGET, 'Hook')
    assert module['author_name'] == 'Fixture Author'
    assert module['author_email'] == 'author@example.invalid'
    assert module['description'] == 'Test hook library'
    assert module['compatible_set'] is False
    assert module['create_set'] is True
    assert 'createHook' in module['create_function']


def test_field_bound_to_another_library_is_not_guessed(libs):
    """authorName points at a string in libmesos: only the probe can read it."""
    module = hook_elf.read_modules(libs['static_external_author'], [SYMBOL])[SYMBOL]
    assert module['initialisation'] == 'static'
    assert module['author_name'] is None
    assert module['unreadable'] == ['author_name']
    assert module['mesos_version'] == TARGET
    assert validate(libs, 'static_external_author')['problems'] == [
        PREFIX + 'cannot read author_name from the file; run the dlopen probe (dlopen_probe=true) '
                 'to check it']
    probed = validate(libs, 'static_external_author', probe=True)
    assert probed['ok'] is True, probed['problems']
    assert probed['modules'][SYMBOL]['author_name'] == 'Author from libmesos'


def test_compatible_callback_is_seen(libs):
    module = hook_elf.read_modules(libs['static_compatible'], [SYMBOL])[SYMBOL]
    assert module['compatible_set'] is True
    assert hook_elf.module_problems(module, TARGET) == []


@pytest.mark.parametrize('name', ['dynamic_good', 'dynamic_good_O2'])
def test_constructor_filled_module_is_not_pretended_to_be_read(libs, name):
    """Mesos's non-constexpr constructors make g++ put the object in .bss at -O0 and -O2."""
    module = hook_elf.read_modules(libs[name], [SYMBOL])[SYMBOL]
    assert module['initialisation'] == 'dynamic'
    assert module['section'] == '.bss'
    assert module['source'] is None
    assert all(module[field] is None for field in hook_elf.TEXT_FIELDS)
    assert module['create_set'] is None
    problems = hook_elf.module_problems(module, TARGET)
    assert len(problems) == 1
    assert problems[0].startswith(PREFIX + 'cannot verify the module from the file')
    assert 'dlopen_probe=true' in problems[0]


# ------------------------------------------------------------------ verdicts

def test_good_library_passes_every_check(libs):
    result = validate(libs, 'static_good')
    assert result['ok'] is True
    assert result['problems'] == []
    assert result['unresolved_symbols'] == []
    assert result['resource_decorators'] == []
    assert len(result['sha256']) == 64
    assert result['build_id'] == hook_elf.gnu_build_id(libs['static_good'])


@pytest.mark.parametrize('name, problem', [
    ('static_new_version', 'Mesos has version 1.11.0, but module is compiled with version 1.12.0'),
    ('static_old_version', "Minimum supported mesos version for 'Hook' is 1.11.0, but module is "
                           "compiled with version 1.10.0"),
    ('static_api1', 'Module API version mismatch. Mesos has: 2, library requires: 1'),
    ('static_wrong_kind', "kind is 'Isolator', not 'Hook': Mesos cannot install it as a hook"),
    ('static_no_create', 'create() is not set (null): Mesos cannot create the hook'),
])
def test_wrong_module_fields_are_refused(libs, name, problem):
    result = validate(libs, name)
    assert result['ok'] is False
    assert result['problems'] == [PREFIX + problem]


def test_version_against_another_target(libs):
    result = hook_elf.validate_hook(libs['static_good'], [SYMBOL], '1.11.1')
    assert result['problems'] == [
        PREFIX + "Minimum supported mesos version for 'Hook' is 1.11.1, but module is compiled "
                 "with version 1.11.0"]


def test_missing_module_symbol(libs):
    result = validate(libs, 'static_other_symbol')
    assert result['problems'] == [
        PREFIX + 'symbol not found in the library (Mesos would fail with: undefined symbol: '
                 '%s)' % SYMBOL]
    assert result['modules'][SYMBOL]['found'] is False
    other = hook_elf.validate_hook(libs['static_other_symbol'], ['org_example_OtherHook'], TARGET)
    assert other['ok'] is True


def test_hidden_module_symbol_cannot_be_looked_up(libs):
    result = validate(libs, 'static_hidden')
    assert result['modules'][SYMBOL]['found'] is True
    assert result['modules'][SYMBOL]['exported'] is False
    assert result['problems'] == [
        PREFIX + 'symbol is not in the dynamic symbol table (hidden visibility or static?), so '
                 'Mesos cannot look it up']


def test_undefined_symbol_missing_from_libmesos(libs):
    result = validate(libs, 'static_unresolved')
    assert result['ok'] is False
    assert [u['name'] for u in result['unresolved_symbols']] == ['_ZN5mesos7fixture13notInLibmesosEi']
    shown = 'mesos::fixture::notInLibmesos(int)' if HAS_CXXFILT else '_ZN5mesos7fixture13notInLibmesosEi'
    assert result['problems'] == [
        '1 undefined symbol(s) defined neither by libmesos %s nor by a library it or the hook '
        'needs: %s' % (libs['libmesos'], shown)]


def test_symbols_resolve_through_the_libraries_libmesos_needs(libs):
    resolution = hook_elf.unresolved_symbols(libs['static_good'], libs['libmesos'])
    assert resolution['unresolved'] == []
    assert resolution['missing_libraries'] == []
    # operator new & co come from libstdc++, which only libmesos and the hook need.
    assert any(os.path.basename(p) == 'libstdc++.so.6' for p in resolution['libraries'])


def test_without_libmesos_the_undefined_symbol_check_is_skipped(libs):
    result = validate(libs, 'static_unresolved', libmesos=None)
    assert result['ok'] is True
    assert result['unresolved_symbols'] == []


def test_symbol_versions_must_match(libs):
    assert validate(libs, 'versioned', libmesos=libs['libmesos_v1'])['ok'] is True
    # An unversioned definition satisfies a versioned reference, as with ld.so.
    assert validate(libs, 'versioned', libmesos=libs['libmesos'])['ok'] is True
    result = validate(libs, 'versioned', libmesos=libs['libmesos_v2'])
    assert result['unresolved_symbols'] == [{
        'name': '_ZN5mesos7fixture18exportedByLibmesosEi', 'version': 'MESOS_FIXTURE_1',
        'demangled': 'mesos::fixture::exportedByLibmesos(int)' if HAS_CXXFILT
        else '_ZN5mesos7fixture18exportedByLibmesosEi'}]
    assert result['problems'][0].endswith('@MESOS_FIXTURE_1')


def test_long_unresolved_lists_are_cut_in_the_message():
    unresolved = [{'name': 'f%d' % i, 'demangled': 'f%d()' % i, 'version': None} for i in range(25)]
    problem = hook_elf._unresolved_problem(unresolved, '/lib/libmesos.so')
    assert problem.startswith('25 undefined symbol(s) defined neither by libmesos /lib/libmesos.so')
    assert 'f19()' in problem and 'f20()' not in problem
    assert problem.endswith('; and 5 more (see unresolved_symbols)')


def test_needed_library_that_is_not_found(libs):
    result = validate(libs, 'needs_missing')
    assert result['missing_libraries'] == [{'name': 'libgone.so', 'needed_by': libs['needs_missing']}]
    assert 'library libgone.so needed by %s not found' % libs['needs_missing'] in result['problems']


@pytest.mark.parametrize('name, method', [
    ('static_resources', 'slaveResourcesDecorator'),
    ('static_attributes', 'slaveAttributesDecorator'),
])
def test_resource_decorators_are_refused_unless_allowed(libs, name, method):
    overrides, searched = hook_elf.resource_decorator_overrides(libs[name])
    assert searched is True
    assert len(overrides) == 1 and method in overrides[0]
    assert not overrides[0].startswith('_ZN5mesos4Hook')

    result = validate(libs, name)
    assert result['ok'] is False
    assert len(result['problems']) == 1
    problem = result['problems'][0]
    assert problem.startswith('implements ')
    if HAS_CXXFILT:
        assert 'example::FixtureHook::%s(mesos::SlaveInfo const&)' % method in problem
    assert 'Incompatible agent info detected' in problem
    assert 'allow_resource_decorators' in problem

    allowed = validate(libs, name, allow_resource_decorators=True)
    assert allowed['ok'] is True
    assert allowed['resource_decorators'] == result['resource_decorators']


def test_decorators_that_the_configuration_leaves_off_are_not_refused(libs):
    # The command hook implements both, but each does nothing unless its parameter is set.
    both = ['slaveAttributesDecorator', 'slaveResourcesDecorator']
    idle = validate(libs, 'static_both_decorators', idle_methods=both)
    assert idle['ok'] is True
    assert len(idle['resource_decorators']) == 2

    # One turned on by the inventory: refused, naming only that one.
    half = validate(libs, 'static_both_decorators', idle_methods=['slaveResourcesDecorator'])
    assert half['ok'] is False
    assert len(half['problems']) == 1
    assert 'slaveAttributesDecorator' in half['problems'][0]
    assert 'slaveResourcesDecorator' not in half['problems'][0]

    # Idle methods the library does not decorate with excuse nothing else.
    other = validate(libs, 'static_attributes', idle_methods=['slaveResourcesDecorator'])
    assert other['ok'] is False


def test_stripped_library_still_shows_exported_overrides_and_warns(libs):
    path = libs['static_stripped_resources']
    overrides, searched = hook_elf.resource_decorator_overrides(path)
    assert searched is False
    assert len(overrides) == 1 and 'slaveResourcesDecorator' in overrides[0]
    result = validate(libs, 'static_stripped_resources')
    assert result['ok'] is False
    assert result['warnings'] == [
        '%s has no .symtab (stripped): overrides of slaveResourcesDecorator / '
        'slaveAttributesDecorator in non-exported classes cannot be detected' % path]


@pytest.mark.parametrize('name, base', [
    ('_ZN5mesos4Hook23slaveResourcesDecoratorERKNS_9SlaveInfoE', True),
    ('_ZN5mesos6abi_v14Hook23slaveResourcesDecoratorERKNS0_9SlaveInfoE', True),
    ('_ZN5mesos4Hook24slaveAttributesDecoratorERKNS_9SlaveInfoE', True),
    ('_ZN7example11FixtureHook23slaveResourcesDecoratorERKN5mesos9SlaveInfoE', False),
    ('_ZN5mesos7example4Hook23slaveResourcesDecoratorERKNS_9SlaveInfoE', True),
    ('_ZN5mesos6MyHook23slaveResourcesDecoratorERKNS_9SlaveInfoE', False),
    ('_ZThn8_N7example4Hook23slaveResourcesDecoratorERKN5mesos9SlaveInfoE', False),
])
def test_which_names_are_mesos_hooks_own(name, base):
    marker = '23slaveResourcesDecorator' if 'Resources' in name else '24slaveAttributesDecorator'
    assert hook_elf._is_base_hook_method(name, marker) is base


def test_base_hook_decorators_do_not_count(libs):
    """Every hook carries weak copies of mesos::Hook's own inline decorators."""
    defined = [s['name'] for s in hook_elf.inspect_library(libs['static_good'])['defined_symbols']]
    assert '_ZN5mesos4Hook23slaveResourcesDecoratorERKNS_9SlaveInfoE' in defined
    assert hook_elf.resource_decorator_overrides(libs['static_good']) == ([], True)


# ------------------------------------------------------------------ another architecture

@pytest.fixture(scope='session')
def cross():
    if shutil.which(build.CROSS_CXX) is None:
        pytest.skip('%s not installed (Debian: g++-aarch64-linux-gnu)' % build.CROSS_CXX)
    return build.session_cross_libraries()


def test_aarch64_module_is_decoded_through_its_relocations(cross):
    report = hook_elf.inspect_library(cross['aarch64_good'])
    assert report['machine'] == 'EM_AARCH64'
    module = hook_elf.read_modules(cross['aarch64_good'], [SYMBOL])[SYMBOL]
    assert module['initialisation'] == 'static'
    assert (module['module_api_version'], module['mesos_version'], module['kind']) == ('2', TARGET, 'Hook')
    assert module['author_name'] == 'Fixture Author'
    assert module['create_set'] is True
    assert hook_elf.validate_hook(cross['aarch64_good'], [SYMBOL], TARGET)['ok'] is True
    assert hook_elf.validate_hook(cross['aarch64_api1'], [SYMBOL], TARGET)['problems'] == [
        PREFIX + 'Module API version mismatch. Mesos has: 2, library requires: 1']


def test_library_for_another_machine_than_libmesos(cross, libs):
    result = hook_elf.validate_hook(cross['aarch64_good'], [SYMBOL], TARGET, libmesos=libs['libmesos'])
    machine = hook_elf.inspect_library(libs['libmesos'])['machine']
    assert result['problems'] == ['%s is built for EM_AARCH64 but libmesos %s is %s'
                                  % (cross['aarch64_good'], libs['libmesos'], machine)]


# ------------------------------------------------------------------ dlopen probe

@pytest.mark.parametrize('name', ['dynamic_good', 'dynamic_good_O2'])
def test_probe_reads_constructor_filled_module(libs, name):
    result = validate(libs, name, probe=True)
    assert result['ok'] is True, result['problems']
    module = result['modules'][SYMBOL]
    assert module['source'] == 'dlopen'
    assert module['initialisation'] == 'dynamic'
    assert (module['module_api_version'], module['mesos_version'], module['kind']) == ('2', TARGET, 'Hook')
    assert module['author_email'] == 'author@example.invalid'
    assert module['create_set'] is True and module['compatible_set'] is False


def test_probe_finds_wrong_version_in_memory(libs):
    result = validate(libs, 'dynamic_old_version', probe=True)
    assert result['problems'] == [
        PREFIX + "Minimum supported mesos version for 'Hook' is 1.11.0, but module is compiled "
                 "with version 1.10.0"]


def test_probe_reports_dlopen_error_text(libs):
    result = validate(libs, 'dynamic_unresolved', probe=True)
    assert result['probe']['ok'] is False
    assert result['probe']['error'] == ('%s: undefined symbol: _ZN5mesos7fixture13notInLibmesosEi'
                                        % libs['dynamic_unresolved'])
    assert 'dlopen probe: ' + result['probe']['error'] in result['problems']
    assert PREFIX + ('the module object is filled at load time and the dlopen probe could not '
                     'read it') in result['problems']


def test_probe_survives_a_crashing_constructor(libs):
    probe = hook_elf.dlopen_probe(libs['dynamic_abort'], [SYMBOL], libs['libmesos'])
    assert probe['ok'] is False
    assert probe['error'].startswith('loading the library killed the process with signal SIGABRT')


def test_probe_missing_symbol_and_missing_libmesos(libs, tmp_path):
    probe = hook_elf.dlopen_probe(libs['static_other_symbol'], [SYMBOL], libs['libmesos'])
    assert probe['ok'] is True
    assert probe['modules'][SYMBOL]['found'] is False
    assert 'undefined symbol: %s' % SYMBOL in probe['modules'][SYMBOL]['note']

    absent = str(tmp_path / 'libmesos.so')
    probe = hook_elf.dlopen_probe(libs['static_good'], [SYMBOL], absent)
    assert probe['ok'] is False
    assert probe['error'].startswith('cannot load libmesos: %s: cannot open shared object file' % absent)


# ------------------------------------------------------------------ input errors and helpers

def test_bad_input_is_refused(libs, tmp_path):
    with pytest.raises(hook_elf.HookElfError, match='no module symbols'):
        hook_elf.validate_hook(libs['static_good'], [], TARGET)
    with pytest.raises(hook_elf.HookElfError, match="invalid Mesos version '1.x'"):
        hook_elf.validate_hook(libs['static_good'], [SYMBOL], '1.x')
    with pytest.raises(hook_elf.HookElfError, match='does not exist'):
        hook_elf.validate_hook(str(tmp_path / 'absent.so'), [SYMBOL], TARGET)
    with pytest.raises(hook_elf.HookElfError, match='libmesos .* does not exist'):
        hook_elf.validate_hook(libs['static_good'], [SYMBOL], TARGET, libmesos=str(tmp_path / 'x.so'))
    with pytest.raises(hook_elf.HookElfError, match='the dlopen probe needs libmesos'):
        hook_elf.validate_hook(libs['static_good'], [SYMBOL], TARGET, probe=True)


@pytest.mark.parametrize('older, newer', [
    ('1.10.0', '1.11.0'), ('1.11.0-rc1', '1.11.0'), ('1.11.0-rc1', '1.11.0-rc2'),
    ('1.11.0-2', '1.11.0-rc1'), ('1.9.9', '1.11'),
])
def test_version_order_follows_stout(older, newer):
    assert hook_elf.parse_version(older)[0] < hook_elf.parse_version(newer)[0]


def test_version_canonical_form_and_errors():
    assert hook_elf.parse_version('1.11')[1] == '1.11.0'
    assert hook_elf.parse_version('1.11.0+build.5')[0] == hook_elf.parse_version('1.11.0')[0]
    for bad, message in [('1.2.3.4', 'maximum 3 components'), ('1.x', "Invalid version component 'x'"),
                         ('1.01', "Invalid version component '01'"), ('1.0-', 'Invalid prerelease')]:
        with pytest.raises(ValueError, match=message):
            hook_elf.parse_version(bad)


def test_demangle_without_cxxfilt(monkeypatch):
    monkeypatch.setattr(hook_elf.shutil, 'which', lambda name: None)
    assert hook_elf.demangle(['_ZN5mesos4HookD0Ev']) == {'_ZN5mesos4HookD0Ev': '_ZN5mesos4HookD0Ev'}


@pytest.mark.skipif(not HAS_CXXFILT, reason='c++filt not installed')
def test_demangle_with_cxxfilt():
    assert hook_elf.demangle(['_ZN5mesos4HookD0Ev', 'plain']) == {
        '_ZN5mesos4HookD0Ev': 'mesos::Hook::~Hook()', 'plain': 'plain'}


# ------------------------------------------------------------------ a real Mesos install

@pytest.fixture(scope='session')
def real():
    if not REAL_MESOS_PREFIX:
        pytest.skip('REAL_MESOS_PREFIX (the prefix of an installed Mesos) is not set')
    if not build.compiler_available():
        pytest.skip('%s not found' % build.CXX)
    outdir = tempfile.mkdtemp(prefix='hook_elf_real-')
    try:
        paths = build.build_real(REAL_MESOS_PREFIX, outdir, ['real_O0', 'real_O2'])
        paths['outdir'] = outdir
        yield paths
    finally:
        shutil.rmtree(outdir, ignore_errors=True)


@pytest.mark.parametrize('name', ['real_O0', 'real_O2'])
def test_real_hook_passes_with_the_probe(real, name):
    module = hook_elf.read_modules(real[name], [build.REAL_SYMBOL])[build.REAL_SYMBOL]
    if build.CXX == 'g++':
        # Mesos's constructors are not constexpr: g++ fills the object at load time.
        assert (module['initialisation'], module['section']) == ('dynamic', '.bss')
    result = hook_elf.validate_hook(real[name], [build.REAL_SYMBOL], real['version'],
                                    libmesos=real['libmesos'], probe=True)
    assert result['ok'] is True, result['problems']
    decoded = result['modules'][build.REAL_SYMBOL]
    assert (decoded['module_api_version'], decoded['mesos_version'], decoded['kind']) == (
        '2', real['version'], 'Hook')
    assert decoded['create_set'] is True


def test_real_hook_against_another_mesos_version(real):
    result = hook_elf.validate_hook(real['real_O0'], [build.REAL_SYMBOL], '1.10.0',
                                    libmesos=real['libmesos'], probe=True)
    assert result['problems'] == [
        "module '%s': Mesos has version 1.10.0, but module is compiled with version %s"
        % (build.REAL_SYMBOL, real['version'])]


def test_real_hook_resources_decorator(real):
    path = build.build_real(REAL_MESOS_PREFIX, real['outdir'], ['real_resources'])['real_resources']
    result = hook_elf.validate_hook(path, [build.REAL_SYMBOL], real['version'],
                                    libmesos=real['libmesos'], probe=True)
    assert result['ok'] is False
    assert len(result['problems']) == 1
    assert 'slaveResourcesDecorator' in result['problems'][0]
    assert hook_elf.validate_hook(path, [build.REAL_SYMBOL], real['version'],
                                  libmesos=real['libmesos'], probe=True,
                                  allow_resource_decorators=True)['ok'] is True


@pytest.mark.skipif(shutil.which('readelf') is None, reason='readelf not installed')
def test_real_libmesos_build_id_matches_readelf(real):
    notes = subprocess.run(['readelf', '-n', real['libmesos']], stdout=subprocess.PIPE,
                           universal_newlines=True, check=True).stdout
    expected = [line.split(':', 1)[1].strip() for line in notes.splitlines()
                if line.strip().startswith('Build ID:')]
    assert hook_elf.gnu_build_id(real['libmesos']) == (expected[0] if expected else None)


def test_linked_libraries_are_found_as_the_loader_finds_them(libs):
    import os
    linked = hook_elf.linked_libraries(libs['needs_missing'])
    assert list(linked) == ['libstdc++.so.6']  # libgone.so is nowhere: left out
    assert os.path.isfile(linked['libstdc++.so.6'])
