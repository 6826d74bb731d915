# -*- coding: utf-8 -*-
# Copyright (c) mesos_fleet.hooks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

"""Inspect a Mesos hook module library (.so) before any agent loads it.

A Mesos agent exits at start when a module is wrong, and Mesos itself only compares version
strings. This reads the library with pyelftools and answers the questions an agent would
otherwise answer by crashing: is each module symbol exported, what does its ModuleBase say
(API version, Mesos version, kind, author, create()), can every undefined symbol be bound
against the agent's libmesos and the libraries it needs, and does the hook override
slaveResourcesDecorator / slaveAttributesDecorator (which run before recovery's agent-info
check and can keep an agent from recovering).

The module object: mesos::modules::Module<Hook> is seven pointer-sized ModuleBase fields
(moduleApiVersion, mesosVersion, kind, authorName, authorEmail, description, compatible; no
vtable) followed by create(). In a PIC library the pointers are zero in the file and filled
by dynamic relocations, so they are resolved through the relocation tables. Mesos's
constructors are not constexpr, and g++ then emits the object in .bss and fills it from a
static constructor at load time: such an object cannot be read from the file, and only the
dlopen probe (which loads the library in a child process) can verify it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import functools
import hashlib
import json
import os
import shutil
import signal
import struct
import subprocess
import sys
import traceback

from ansible_collections.mesos_fleet.hooks.plugins.module_utils.mesos_install import parse_version

try:
    from elftools.common.exceptions import ELFError
    from elftools.construct.core import ConstructError
    from elftools.elf.elffile import ELFFile
    from elftools.elf.gnuversions import GNUVerDefSection, GNUVerNeedSection, GNUVerSymSection
    from elftools.elf.hash import ELFHashTable, GNUHashTable
    from elftools.elf.relocation import RelocationSection
    from elftools.elf.sections import SymbolTableSection
    HAS_ELFTOOLS = True
    ELFTOOLS_IMPORT_ERROR = None
except ImportError:
    HAS_ELFTOOLS = False
    ELFTOOLS_IMPORT_ERROR = traceback.format_exc()
    ELFError = ConstructError = Exception

try:
    from elftools.elf.relocation import RelrRelocationSection
except ImportError:  # pyelftools before 0.30 has no packed relative relocations
    RelrRelocationSection = None


MODULE_API_VERSION = '2'
HOOK_KIND = 'Hook'

# ModuleBase fields in memory order, then Module<Hook>::create.
TEXT_FIELDS = ('module_api_version', 'mesos_version', 'kind',
               'author_name', 'author_email', 'description')
MODULE_WORDS = len(TEXT_FIELDS) + 2

# Hook methods that run before the agent's recovery compares the agent info with the
# checkpointed one. Values are the Itanium-mangled <source-name> of each method.
RESOURCE_DECORATORS = {
    'slaveResourcesDecorator': '23slaveResourcesDecorator',
    'slaveAttributesDecorator': '24slaveAttributesDecorator',
}

# Dynamic relocation types that store an address in a data word, per machine:
# (relative: base + addend, absolute: symbol + addend).
_RELATIVE = {'EM_X86_64': 8, 'EM_AARCH64': 1027, 'EM_386': 8, 'EM_ARM': 23,
             'EM_PPC64': 22, 'EM_S390': 12, 'EM_RISCV': 3}
_ABSOLUTE = {'EM_X86_64': (1, 6), 'EM_AARCH64': (257, 1025), 'EM_386': (1, 6),
             'EM_ARM': (2, 21), 'EM_PPC64': (38, 20), 'EM_S390': (22, 10),
             'EM_RISCV': (2,)}
_MULTIARCH = {'EM_X86_64': 'x86_64-linux-gnu', 'EM_AARCH64': 'aarch64-linux-gnu',
              'EM_386': 'i386-linux-gnu', 'EM_ARM': 'arm-linux-gnueabihf',
              'EM_PPC64': 'powerpc64le-linux-gnu', 'EM_S390': 's390x-linux-gnu',
              'EM_RISCV': 'riscv64-linux-gnu'}

_MAX_STRING = 4096
_PROBE_MARK = 'HOOK_ELF_PROBE_RESULT:'


class HookElfError(Exception):
    """The library cannot be inspected at all (missing, not ELF, bad arguments)."""


# --------------------------------------------------------------------------- ELF reading

class _Elf(object):
    """One open ELF shared object with the lookups the checks need."""

    def __init__(self, path):
        if not HAS_ELFTOOLS:
            raise HookElfError('pyelftools is required to inspect %s' % path)
        self.path = path
        try:
            self._stream = open(path, 'rb')
        except (IOError, OSError) as exc:
            raise HookElfError('cannot open %s: %s' % (path, exc))
        try:
            self.elf = ELFFile(self._stream)
            self.machine = self.elf.header['e_machine']
            self.elf_type = self.elf.header['e_type']
        except ELFError as exc:
            self._stream.close()
            raise HookElfError('%s is not an ELF file: %s' % (path, exc))
        self.ptr_size = self.elf.elfclass // 8
        self._word = ('<' if self.elf.little_endian else '>') + ('Q' if self.ptr_size == 8 else 'I')
        try:
            self._loads = [s for s in self.elf.iter_segments() if s['p_type'] == 'PT_LOAD']
            self._load_dynamic()
        except (ELFError, ConstructError, struct.error, EOFError) as exc:
            self._stream.close()
            raise HookElfError('cannot read %s (damaged ELF file?): %s' % (path, exc))
        self._dynsym = {}
        self._dynsym_by_index = {}
        self._dynsym_list = None
        self._tables = None
        self._hash = None
        self._hash_symbols = None
        self._relocs = None

    def close(self):
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # dynamic section -------------------------------------------------------------------
    def _load_dynamic(self):
        self.needed, self.runpath, self.rpath, self.soname = [], [], [], None
        dyn = None
        for sec in self.elf.iter_sections():
            if sec['sh_type'] == 'SHT_DYNAMIC':
                dyn = sec
                break
        if dyn is None:
            for seg in self.elf.iter_segments():
                if seg['p_type'] == 'PT_DYNAMIC':
                    dyn = seg
                    break
        if dyn is None:
            return
        for tag in dyn.iter_tags():
            kind = tag.entry.d_tag
            if kind == 'DT_NEEDED':
                self.needed.append(tag.needed)
            elif kind == 'DT_RUNPATH':
                self.runpath.extend(p for p in tag.runpath.split(':') if p)
            elif kind == 'DT_RPATH':
                self.rpath.extend(p for p in tag.rpath.split(':') if p)
            elif kind == 'DT_SONAME':
                self.soname = tag.soname

    # symbols ---------------------------------------------------------------------------
    def _versions(self):
        """Version index -> name, from the version definitions and requirements."""
        names = {}
        for sec in self.elf.iter_sections():
            if isinstance(sec, GNUVerDefSection):
                for verdef, auxes in sec.iter_versions():
                    for aux in auxes:
                        names[verdef['vd_ndx']] = aux.name
                        break
            elif isinstance(sec, GNUVerNeedSection):
                for _verneed, auxes in sec.iter_versions():
                    for aux in auxes:
                        names[aux['vna_other']] = aux.name
        return names

    def _symbol_tables(self):
        if self._tables is None:
            dynsym = versym = hashsec = None
            for sec in self.elf.iter_sections():
                if sec['sh_type'] == 'SHT_DYNSYM' and isinstance(sec, SymbolTableSection):
                    dynsym = sec
                elif isinstance(sec, GNUVerSymSection):
                    versym = sec
                elif sec['sh_type'] == 'SHT_GNU_HASH' or (sec['sh_type'] == 'SHT_HASH' and hashsec is None):
                    hashsec = sec
            self._tables = (dynsym, versym, hashsec, self._versions() if versym is not None else {})
        return self._tables

    def _entry(self, index, sym):
        _dynsym, versym, _hash, vnames = self._symbol_tables()
        version, default = None, True
        if versym is not None:
            ndx = versym.get_symbol(index)['ndx']
            if isinstance(ndx, int):
                default = not ndx & 0x8000
                version = vnames.get(ndx & 0x7fff)
        return {
            'name': sym.name,
            'version': version,
            'default': default,
            'defined': sym['st_shndx'] != 'SHN_UNDEF',
            'bind': sym['st_info']['bind'],
            'type': sym['st_info']['type'],
            'visibility': sym['st_other']['visibility'],
            'shndx': sym['st_shndx'],
            'value': sym['st_value'],
            'size': sym['st_size'],
            'index': index,
        }

    def is_versioned(self):
        return self._symbol_tables()[1] is not None

    def dynamic_symbols(self):
        """Every named .dynsym entry as a dict (name, version, default, defined, ...)."""
        if self._dynsym_list is not None:
            return self._dynsym_list
        self._dynsym_list = []
        dynsym = self._symbol_tables()[0]
        if dynsym is None:
            return self._dynsym_list
        for index, sym in enumerate(dynsym.iter_symbols()):
            if not sym.name:
                continue
            entry = self._entry(index, sym)
            self._dynsym_list.append(entry)
            self._dynsym_by_index[index] = entry
            if entry['defined']:
                self._dynsym.setdefault(sym.name, []).append(entry)
        return self._dynsym_list

    def definitions(self, name):
        """Defined dynamic symbols called name. Goes through the symbol hash table when
        there is one (a libmesos has too many symbols to read them all quickly): that finds
        the first definition; all_definitions() finds every version of the name."""
        if self._dynsym_list is not None:
            return self._dynsym.get(name, [])
        dynsym, _versym, hashsec, _vnames = self._symbol_tables()
        if hashsec is None or dynsym is None:
            return self.all_definitions(name)
        if self._hash is None:
            self._hash_symbols = _IndexRecorder(dynsym)
            if hashsec['sh_type'] == 'SHT_GNU_HASH':
                self._hash = GNUHashTable(self.elf, hashsec['sh_offset'], self._hash_symbols)
            else:
                self._hash = ELFHashTable(self.elf, hashsec['sh_offset'], hashsec['sh_size'],
                                          self._hash_symbols)
        sym = self._hash.get_symbol(name)
        if sym is None or sym['st_shndx'] == 'SHN_UNDEF':
            return []
        return [self._entry(self._hash_symbols.last, sym)]

    def all_definitions(self, name):
        self.dynamic_symbols()
        return self._dynsym.get(name, [])

    def dynamic_symbol(self, name):
        found = self.all_definitions(name)
        return found[0] if found else None

    def has_symtab(self):
        return any(sec['sh_type'] == 'SHT_SYMTAB' for sec in self.elf.iter_sections())

    def all_defined_functions(self):
        """Names of defined functions in .dynsym and .symtab (local ones included)."""
        names = set()
        for sec in self.elf.iter_sections():
            if sec['sh_type'] in ('SHT_SYMTAB', 'SHT_DYNSYM') and isinstance(sec, SymbolTableSection):
                for sym in sec.iter_symbols():
                    if (sym.name and sym['st_shndx'] != 'SHN_UNDEF'
                            and sym['st_info']['type'] in ('STT_FUNC', 'STT_GNU_IFUNC')):
                        names.add(sym.name)
        return names

    def symtab_defines(self, name):
        for sec in self.elf.iter_sections():
            if sec['sh_type'] == 'SHT_SYMTAB' and isinstance(sec, SymbolTableSection):
                for sym in sec.get_symbol_by_name(name) or ():
                    if sym['st_shndx'] != 'SHN_UNDEF':
                        return True
        return False

    def function_at(self, addr):
        """Name of a defined function starting at addr, from .dynsym or .symtab."""
        for sec in self.elf.iter_sections():
            if sec['sh_type'] in ('SHT_DYNSYM', 'SHT_SYMTAB') and isinstance(sec, SymbolTableSection):
                for sym in sec.iter_symbols():
                    if (sym.name and sym['st_value'] == addr and sym['st_shndx'] != 'SHN_UNDEF'
                            and sym['st_info']['type'] == 'STT_FUNC'):
                        return sym.name
        return None

    # memory image ----------------------------------------------------------------------
    def section_name_at(self, addr):
        for sec in self.elf.iter_sections():
            if sec['sh_flags'] & 0x2 and sec['sh_addr'] <= addr < sec['sh_addr'] + sec['sh_size']:
                return sec.name, sec['sh_type']
        return None, None

    def read(self, addr, size):
        """Bytes at a virtual address as the file holds them; None when the range is not
        backed by file contents (zero-filled at load time, i.e. .bss) or unmapped."""
        for seg in self._loads:
            start = seg['p_vaddr']
            if start <= addr and addr + size <= start + seg['p_filesz']:
                self._stream.seek(seg['p_offset'] + addr - start)
                data = self._stream.read(size)
                return data if len(data) == size else None
        return None

    def in_nobits(self, addr):
        for seg in self._loads:
            start = seg['p_vaddr']
            if start + seg['p_filesz'] <= addr < start + seg['p_memsz']:
                return True
        return False

    def read_cstring(self, addr):
        for seg in self._loads:
            start = seg['p_vaddr']
            if start <= addr < start + seg['p_filesz']:
                limit = min(_MAX_STRING, start + seg['p_filesz'] - addr)
                self._stream.seek(seg['p_offset'] + addr - start)
                data = self._stream.read(limit)
                end = data.find(b'\0')
                if end < 0:
                    return None
                return data[:end].decode('utf-8', 'replace')
        return None

    def _relocations(self):
        """r_offset -> (type, symbol index, addend or None) for every dynamic relocation."""
        if self._relocs is not None:
            return self._relocs
        self._relocs = {}
        relative = _RELATIVE.get(self.machine)
        for sec in self.elf.iter_sections():
            if RelrRelocationSection is not None and isinstance(sec, RelrRelocationSection):
                for rel in sec.iter_relocations():
                    self._relocs[rel['r_offset']] = (relative, 0, None)
            elif isinstance(sec, RelocationSection) and sec['sh_type'] in ('SHT_RELA', 'SHT_REL'):
                linked = self.elf.get_section(sec['sh_link']) if sec['sh_link'] else None
                if linked is None or linked['sh_type'] != 'SHT_DYNSYM':
                    continue
                for rel in sec.iter_relocations():
                    addend = rel['r_addend'] if rel.is_RELA() else None
                    self._relocs[rel['r_offset']] = (rel['r_info_type'], rel['r_info_sym'], addend)
        return self._relocs

    def pointer(self, addr):
        """What the pointer stored at addr will hold once the library is loaded:
        (None, None) for null, ('addr', vaddr) inside this library, ('extern', symbol)
        for an address bound from another library, or ('unknown', reason)."""
        data = self.read(addr, self.ptr_size)
        if data is None:
            return ('unknown', 'not in the file')
        raw = struct.unpack(self._word, data)[0]
        reloc = self._relocations().get(addr)
        if reloc is None:
            return (None, None) if raw == 0 else ('addr', raw)
        rtype, symindex, addend = reloc
        implicit = raw if addend is None else addend
        if rtype == _RELATIVE.get(self.machine):
            return ('addr', implicit)
        if rtype in _ABSOLUTE.get(self.machine, ()):
            self.dynamic_symbols()
            sym = self._dynsym_by_index.get(symindex)
            if sym is None:
                return ('addr', implicit) if symindex == 0 else ('unknown', 'bad symbol index')
            if sym['defined']:
                return ('addr', sym['value'] + implicit)
            return ('extern', sym['name'])
        return ('unknown', 'relocation type %s' % rtype)


class _IndexRecorder(object):
    """A symbol table for pyelftools' hash lookups that remembers the last index read, so
    the symbol found can be matched with its version entry."""

    def __init__(self, table):
        self._table = table
        self.last = None

    def get_symbol(self, index):
        self.last = index
        return self._table.get_symbol(index)


def _open(path):
    return _Elf(path)


def _reading(func):
    """Turn pyelftools' errors on a damaged file into HookElfError naming the file."""
    @functools.wraps(func)
    def wrapper(path, *args, **kwargs):
        try:
            return func(path, *args, **kwargs)
        except (ELFError, ConstructError, struct.error, EOFError) as exc:
            raise HookElfError('cannot read %s (damaged ELF file?): %s' % (path, exc))
    return wrapper


# --------------------------------------------------------------------------- small helpers

@_reading
def gnu_build_id(path):
    """The GNU build-id of an ELF file as lowercase hex, or None when it has none."""
    with _open(path) as elf:
        for seg in elf.elf.iter_segments():
            if seg['p_type'] != 'PT_NOTE':
                continue
            for note in seg.iter_notes():
                if note['n_type'] == 'NT_GNU_BUILD_ID' and note['n_name'] == 'GNU':
                    return note['n_desc']
    return None


def file_sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as stream:
        for block in iter(lambda: stream.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


def versioned_name(symbol):
    """name, name@@VERSION (default version) or name@VERSION, as binutils prints them."""
    if not symbol.get('version'):
        return symbol['name']
    sep = '@@' if symbol['defined'] and symbol['default'] else '@'
    return symbol['name'] + sep + symbol['version']


def demangle(names):
    """Map each name to its demangled form using c++filt when present (else unchanged)."""
    names = list(names)
    result = dict((n, n) for n in names)
    cxxfilt = shutil.which('c++filt')
    if not names or cxxfilt is None:
        return result
    try:
        proc = subprocess.run([cxxfilt], input='\n'.join(names) + '\n', stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, universal_newlines=True, timeout=60,
                              check=False)
    except (OSError, subprocess.SubprocessError):
        return result
    lines = proc.stdout.splitlines()
    if proc.returncode == 0 and len(lines) == len(names):
        result.update(zip(names, lines))
    return result


# --------------------------------------------------------------------------- Mesos versions

# --------------------------------------------------------------------------- module objects

def _empty_module(symbol):
    info = dict((field, None) for field in TEXT_FIELDS)
    info.update({
        'symbol': symbol, 'found': False, 'exported': False, 'source': None,
        'initialisation': None, 'section': None, 'size': None,
        'compatible_set': None, 'create_set': None, 'create_function': None,
        'unreadable': [], 'note': None,
    })
    return info


def _read_module(elf, symbol):
    info = _empty_module(symbol)
    sym = elf.dynamic_symbol(symbol)
    if sym is None:
        if elf.symtab_defines(symbol):
            info['found'] = True
            info['note'] = 'defined but not in the dynamic symbol table (hidden or static)'
        return info
    info.update({'found': True, 'exported': True, 'size': sym['size']})
    info['section'] = elf.section_name_at(sym['value'])[0]
    needed = MODULE_WORDS * elf.ptr_size
    if sym['size'] and sym['size'] < needed:
        info['note'] = ('object is %d bytes, smaller than a Module<Hook> (%d bytes)'
                        % (sym['size'], needed))
        return info
    if elf.read(sym['value'], needed) is None:
        if elf.in_nobits(sym['value']):
            info['initialisation'] = 'dynamic'
            info['note'] = ('zero-filled in the file (%s, NOBITS): a static constructor fills '
                            'it when the library is loaded, so only the dlopen probe can read it'
                            % (info['section'] or '.bss'))
        else:
            info['note'] = 'symbol address is outside the loadable segments'
        return info
    info['initialisation'] = 'static'
    info['source'] = 'file'
    unreadable = []
    for i, field in enumerate(TEXT_FIELDS):
        kind, target = elf.pointer(sym['value'] + i * elf.ptr_size)
        if kind == 'addr':
            info[field] = elf.read_cstring(target)
            if info[field] is None:
                unreadable.append(field)
        elif kind is not None:
            unreadable.append(field)
    for i, field in ((len(TEXT_FIELDS), 'compatible'), (len(TEXT_FIELDS) + 1, 'create')):
        kind, target = elf.pointer(sym['value'] + i * elf.ptr_size)
        info[field + '_set'] = kind is not None
        if field == 'create':
            if kind == 'addr':
                info['create_function'] = elf.function_at(target)
            elif kind == 'extern':
                info['create_function'] = target
    if unreadable:
        info['unreadable'] = unreadable
        info['note'] = 'could not follow the pointer of: %s' % ', '.join(unreadable)
    return info


@_reading
def read_modules(path, symbols):
    """Decode the module object behind each symbol from the file (see module docstring)."""
    with _open(path) as elf:
        return dict((symbol, _read_module(elf, symbol)) for symbol in symbols)


def module_problems(module, mesos_version, probe_ran=False, expected_kind=HOOK_KIND):
    """Problems that would make Mesos refuse this module, worded like Mesos where it has words.

    module is one value of read_modules() or dlopen_probe()['modules'];
    mesos_version is the version of the agent that will load it.
    """
    name = module['symbol']
    prefix = "module '%s': " % name
    if not module['found']:
        return [prefix + 'symbol not found in the library (Mesos would fail with: undefined '
                'symbol: %s)' % name]
    if not module['exported']:
        return [prefix + 'symbol is not in the dynamic symbol table (hidden visibility or '
                'static?), so Mesos cannot look it up']
    if module['source'] is None:
        if module['initialisation'] == 'dynamic':
            if probe_ran:
                return [prefix + 'the module object is filled at load time and the dlopen probe '
                        'could not read it']
            return [prefix + 'cannot verify the module from the file: ' + module['note'] +
                    '; run the dlopen probe (dlopen_probe=true) to check it']
        return [prefix + 'cannot decode the module object: %s' % (module['note'] or 'unknown')]

    problems = []
    unreadable = module.get('unreadable') or []
    if unreadable:
        problems.append(prefix + 'cannot read %s from the file; run the dlopen probe '
                        '(dlopen_probe=true) to check it' % ', '.join(unreadable))
    missing = [f for f in TEXT_FIELDS if module[f] is None and f not in unreadable]
    if missing:
        problems.append(prefix + "Error loading module '%s'; missing fields (%s)"
                        % (name, ', '.join(missing)))
    api = module['module_api_version']
    if api is not None and api != MODULE_API_VERSION:
        problems.append(prefix + 'Module API version mismatch. Mesos has: %s, library requires: %s'
                        % (MODULE_API_VERSION, api))
    kind = module['kind']
    if kind is not None and kind != expected_kind:
        problems.append(prefix + "kind is '%s', not '%s': Mesos cannot install it as %s"
                        % (kind, expected_kind, "a hook" if expected_kind == HOOK_KIND else "an isolator"))
    if module['mesos_version'] is not None:
        problems.extend(prefix + p for p in _version_problems(module['mesos_version'],
                                                              mesos_version, kind or expected_kind))
    if not module['create_set']:
        problems.append(prefix + 'create() is not set (null): Mesos cannot create the %s'
                        % ("hook" if expected_kind == HOOK_KIND else "isolator"))
    return problems


def _version_problems(module_version, mesos_version, kind=HOOK_KIND):
    target_key, target = parse_version(mesos_version)
    try:
        module_key, module_text = parse_version(module_version)
    except ValueError as exc:
        return ['%s' % exc]
    # For every kind, Mesos 1.11's minimum module version is its own version, so only an
    # exact match loads (a set compatible() cannot help a lower version).
    if module_key < target_key:
        return ["Minimum supported mesos version for '%s' is %s, but module is compiled with "
                "version %s" % (kind, target, module_text)]
    if module_key != target_key:
        return ['Mesos has version %s, but module is compiled with version %s'
                % (target, module_text)]
    return []


# --------------------------------------------------------------------------- resource decorators

@_reading
def resource_decorator_overrides(path):
    """Functions in the library that override slaveResourcesDecorator or
    slaveAttributesDecorator (mesos::Hook's own inline versions excluded).

    Returns (sorted mangled names, searched_symtab): without a .symtab (stripped) overrides
    in classes with hidden visibility cannot be seen.
    """
    with _open(path) as elf:
        found = set()
        for name in elf.all_defined_functions():
            for marker in RESOURCE_DECORATORS.values():
                if marker in name and not _is_base_hook_method(name, marker):
                    found.add(name)
        return sorted(found), elf.has_symtab()


def _is_base_hook_method(name, marker):
    """Whether the mangled name is mesos::Hook's own method (inline in Mesos's header, so
    weakly copied into every hook), also inside one inline namespace (mesos::<ns>::Hook)."""
    scope = name[:name.find(marker)]
    if scope.endswith('N5mesos4Hook'):
        return True
    start = scope.rfind('N5mesos')
    if start < 0 or not scope.endswith('4Hook'):
        return False
    middle = scope[start + len('N5mesos'):-len('4Hook')]
    digits = len(middle) - len(middle.lstrip('0123456789'))
    return digits > 0 and int(middle[:digits]) == len(middle) - digits


# --------------------------------------------------------------------------- symbol resolution

def _ldconfig_cache():
    """soname -> [paths] from `ldconfig -p` (empty when ldconfig is unavailable)."""
    ldconfig = shutil.which('ldconfig')
    for candidate in ('/sbin/ldconfig', '/usr/sbin/ldconfig'):
        if ldconfig is None and os.path.exists(candidate):
            ldconfig = candidate
    cache = {}
    if ldconfig is None:
        return cache
    try:
        proc = subprocess.run([ldconfig, '-p'], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError):
        return cache
    for line in proc.stdout.splitlines()[1:]:
        if '=>' not in line:
            continue
        left, target = line.rsplit('=>', 1)
        cache.setdefault(left.strip().split(' ', 1)[0], []).append(target.strip())
    return cache


def _default_dirs(machine):
    dirs = []
    triplet = _MULTIARCH.get(machine)
    if triplet:
        dirs += ['/lib/' + triplet, '/usr/lib/' + triplet]
    return dirs + ['/lib64', '/usr/lib64', '/lib', '/usr/lib', '/usr/local/lib']


def _expand_origin(dirs, origin):
    return [d.replace('${ORIGIN}', origin).replace('$ORIGIN', origin) for d in dirs]


class _Resolver(object):
    """Finds DT_NEEDED libraries roughly as ld.so does: RPATH (when there is no RUNPATH),
    RUNPATH, the directories of libmesos, the ld.so cache, then the standard directories.
    LD_LIBRARY_PATH is ignored: the agent's environment is not ours."""

    def __init__(self, machine, elfclass, extra_dirs):
        self.machine = machine
        self.elfclass = elfclass
        self.extra_dirs = list(extra_dirs)
        self._cache = None

    def _matches(self, path):
        try:
            with _open(path) as elf:
                return elf.machine == self.machine and elf.elf.elfclass == self.elfclass
        except HookElfError:
            return False

    def find(self, name, requester):
        if '/' in name:
            return name if os.path.isfile(name) else None
        origin = os.path.dirname(os.path.abspath(requester.path))
        dirs = []
        if requester.rpath and not requester.runpath:
            dirs += _expand_origin(requester.rpath, origin)
        dirs += _expand_origin(requester.runpath, origin) + self.extra_dirs
        candidates = [os.path.join(d, name) for d in dirs]
        if self._cache is None:
            self._cache = _ldconfig_cache()
        candidates += self._cache.get(name, [])
        candidates += [os.path.join(d, name) for d in _default_dirs(self.machine)]
        for path in candidates:
            if os.path.isfile(path) and self._matches(path):
                return path
        return None


def _binds(definitions, version, versioned_lib):
    """Whether one of these definitions satisfies a reference to version (None: any)."""
    for entry in definitions:
        if entry['bind'] == 'STB_LOCAL' or entry['visibility'] in ('STV_HIDDEN', 'STV_INTERNAL'):
            continue
        if version is None and entry['default']:
            return True
        if version is not None and (entry['version'] == version or not versioned_lib):
            return True
    return False


@_reading
def unresolved_symbols(path, libmesos, extra_dirs=()):
    """Undefined, non-weak dynamic symbols of the library at path that neither libmesos nor
    any library in the DT_NEEDED closure of both defines.

    Returns a dict: unresolved (list of {name, version, demangled}), missing_libraries
    (list of {name, needed_by}) and libraries (paths that were searched).
    """
    with _open(path) as hook:
        machine, elfclass = hook.machine, hook.elf.elfclass
        wanted = [s for s in hook.dynamic_symbols()
                  if not s['defined'] and s['bind'] != 'STB_WEAK']
    resolver = _Resolver(machine, elfclass,
                         [os.path.dirname(os.path.abspath(libmesos))] + list(extra_dirs))
    loaded = []
    seen = set()
    missing = []
    queue = [os.path.abspath(path), os.path.abspath(libmesos)]
    unresolved = []
    try:
        while queue:
            current = queue.pop(0)
            real = os.path.realpath(current)
            if real in seen:
                continue
            seen.add(real)
            elf = _open(current)
            loaded.append(elf)
            for name in elf.needed:
                found = resolver.find(name, elf)
                if found is None:
                    missing.append({'name': name, 'needed_by': current})
                else:
                    queue.append(found)

        for sym in wanted:
            ok = any(_binds(elf.definitions(sym['name']), sym['version'], elf.is_versioned())
                     for elf in loaded)
            # The hash table yields one definition per name; other versions need a full read.
            if not ok:
                ok = any(_binds(elf.all_definitions(sym['name']), sym['version'], elf.is_versioned())
                         for elf in loaded if elf.definitions(sym['name']))
            if not ok:
                unresolved.append({'name': sym['name'], 'version': sym['version']})
    finally:
        for elf in loaded:
            elf.close()
    names = demangle(u['name'] for u in unresolved)
    for entry in unresolved:
        entry['demangled'] = names[entry['name']]
    return {'unresolved': unresolved, 'missing_libraries': missing,
            'libraries': [elf.path for elf in loaded]}


@_reading
def linked_libraries(path):
    """DT_NEEDED name -> path of each library ``path`` links directly, found as ld.so would
    (a name it cannot find is left out)."""
    with _open(path) as elf:
        resolver = _Resolver(elf.machine, elf.elf.elfclass, [os.path.dirname(os.path.abspath(path))])
        found = dict((name, resolver.find(name, elf)) for name in elf.needed)
    return dict((name, where) for name, where in found.items() if where)


# --------------------------------------------------------------------------- general report

@_reading
def inspect_library(path):
    """Identity and linkage of an ELF shared object: build-id, machine, DT_NEEDED,
    RUNPATH/RPATH, SONAME and its defined and undefined dynamic symbols."""
    build_id = gnu_build_id(path)
    with _open(path) as elf:
        symbols = elf.dynamic_symbols()
        return {
            'path': path,
            'build_id': build_id,
            'machine': elf.machine,
            'arch': elf.elf.get_machine_arch(),
            'elf_class': elf.elf.elfclass,
            'type': elf.elf_type,
            'soname': elf.soname,
            'needed': list(elf.needed),
            'runpath': list(elf.runpath),
            'rpath': list(elf.rpath),
            'defined_symbols': [_public(s) for s in symbols if s['defined']],
            'undefined_symbols': [_public(s) for s in symbols if not s['defined']],
        }


def _public(sym):
    return {'name': sym['name'], 'version': sym['version'], 'versioned_name': versioned_name(sym),
            'bind': sym['bind'], 'type': sym['type']}


# --------------------------------------------------------------------------- dlopen probe

_PROBE_SCRIPT = r'''
import ctypes, json, os, sys
args = json.loads(sys.argv[1])
out = {"error": None, "modules": {}}
def emit():
    sys.stdout.write("\n" + args["mark"] + json.dumps(out) + "\n")
    sys.stdout.flush()
class Module(ctypes.Structure):
    _fields_ = [(f, ctypes.c_void_p) for f in args["fields"]]
def text(p):
    return None if not p else ctypes.string_at(p).decode("utf-8", "replace")
if args["libmesos"]:
    try:
        ctypes.CDLL(args["libmesos"], mode=os.RTLD_NOW | os.RTLD_GLOBAL)
    except OSError as exc:
        out["error"] = "cannot load libmesos: %s" % exc
        emit()
        sys.exit(0)
try:
    hook = ctypes.CDLL(args["path"], mode=os.RTLD_NOW | os.RTLD_LOCAL)
except OSError as exc:
    out["error"] = str(exc)
    emit()
    sys.exit(0)
for name in args["modules"]:
    try:
        m = Module.in_dll(hook, name)
    except ValueError as exc:
        out["modules"][name] = {"error": str(exc)}
        continue
    fields = dict((f, text(getattr(m, f))) for f in args["fields"][:-2])
    fields["compatible_set"] = bool(m.compatible)
    fields["create_set"] = bool(m.create)
    out["modules"][name] = fields
emit()
'''


def dlopen_probe(path, modules, libmesos=None, timeout=60, python=None):
    """Load libmesos (RTLD_GLOBAL) then the hook (RTLD_NOW) in a child Python process and
    read each module object from memory, as the agent would see it.

    A crashing static constructor kills only the child. Returns a dict: ok, error (dlopen's
    own text, a signal or a timeout), modules (symbol -> decoded fields, source 'dlopen').
    """
    python = python or sys.executable or 'python3'
    args = {'path': os.path.abspath(path), 'libmesos': os.path.abspath(libmesos) if libmesos else None,
            'modules': list(modules), 'mark': _PROBE_MARK,
            'fields': list(TEXT_FIELDS) + ['compatible', 'create']}
    result = {'ok': False, 'error': None, 'modules': {}}
    try:
        proc = subprocess.run([python, '-c', _PROBE_SCRIPT, json.dumps(args)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              universal_newlines=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        result['error'] = 'loading the library did not finish within %s seconds' % timeout
        return result
    except OSError as exc:
        result['error'] = 'cannot start %s: %s' % (python, exc)
        return result
    payload = None
    for line in proc.stdout.splitlines():
        if line.startswith(_PROBE_MARK):
            payload = line[len(_PROBE_MARK):]
    if proc.returncode < 0:
        result['error'] = ('loading the library killed the process with signal %s '
                           '(a static constructor crashed?)%s'
                           % (_signal_name(-proc.returncode), _tail(proc.stderr)))
        return result
    if payload is None:
        result['error'] = 'probe exited with status %d%s' % (proc.returncode, _tail(proc.stderr))
        return result
    data = json.loads(payload)
    if data['error']:
        result['error'] = data['error']
        return result
    for symbol in modules:
        info = _empty_module(symbol)
        fields = data['modules'].get(symbol, {})
        if 'error' in fields:
            info['note'] = fields['error']
        else:
            info.update(fields)
            info.update({'found': True, 'exported': True, 'source': 'dlopen'})
        result['modules'][symbol] = info
    result['ok'] = True
    return result


def _signal_name(number):
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)


def _tail(text, limit=2000):
    text = (text or '').strip()
    return (': ' + text[-limit:]) if text else ''


# --------------------------------------------------------------------------- the verdict

_MAX_LISTED = 20


def _unresolved_problem(unresolved, libmesos):
    shown = [u['demangled'] + ('@' + u['version'] if u['version'] else '')
             for u in unresolved[:_MAX_LISTED]]
    if len(unresolved) > _MAX_LISTED:
        shown.append('and %d more (see unresolved_symbols)' % (len(unresolved) - _MAX_LISTED))
    return ('%d undefined symbol(s) defined neither by libmesos %s nor by a library it or the '
            'hook needs: %s' % (len(unresolved), libmesos, '; '.join(shown)))


@_reading
def validate_hook(path, modules, mesos_version, libmesos=None, probe=False,
                  allow_resource_decorators=False, probe_timeout=60, idle_methods=(), kinds=None):
    """Every check at once. A resource decorator named in ``idle_methods`` (it does nothing as
    the hook is configured, see hook_build.idle_methods) is reported but not refused. ``kinds``:
    module -> the kind it must be (hook.json's; Hook when not given). Returns a dict with ok, problems (strings naming the module or
    symbol), warnings, build_id, sha256, machine, needed, runpath, modules (symbol ->
    decoded fields), unresolved_symbols, missing_libraries, resource_decorators and probe.
    Raises HookElfError for bad input (unreadable file, bad version, no modules).
    """
    modules = list(modules or [])
    if not modules:
        raise HookElfError('no module symbols given to check in %s' % path)
    try:
        parse_version(mesos_version)
    except ValueError as exc:
        raise HookElfError('invalid Mesos version %r: %s' % (mesos_version, exc))
    if not os.path.isfile(path):
        raise HookElfError('%s does not exist or is not a file' % path)
    if libmesos is not None and not os.path.isfile(libmesos):
        raise HookElfError('libmesos %s does not exist or is not a file' % libmesos)
    if probe and libmesos is None:
        raise HookElfError('the dlopen probe needs libmesos')

    report = inspect_library(path)
    problems, warnings = [], []
    if report['type'] != 'ET_DYN':
        problems.append('%s is not a shared library (ELF type %s)' % (path, report['type']))
    result = {
        'path': path,
        'build_id': report['build_id'],
        'sha256': file_sha256(path),
        'machine': report['machine'],
        'arch': report['arch'],
        'needed': report['needed'],
        'runpath': report['runpath'] or report['rpath'],
        'modules': read_modules(path, modules),
        'unresolved_symbols': [],
        'missing_libraries': [],
        'resource_decorators': [],
        'probe': None,
    }

    if libmesos is not None:
        with _open(libmesos) as mesos:
            mesos_machine = mesos.machine
        if mesos_machine != report['machine']:
            problems.append('%s is built for %s but libmesos %s is %s'
                            % (path, report['machine'], libmesos, mesos_machine))
        else:
            resolution = unresolved_symbols(path, libmesos)
            result['unresolved_symbols'] = resolution['unresolved']
            result['missing_libraries'] = resolution['missing_libraries']
            for lib in resolution['missing_libraries']:
                text = 'library %s needed by %s not found' % (lib['name'], lib['needed_by'])
                if lib['needed_by'] == os.path.abspath(path):
                    problems.append(text)
                else:
                    warnings.append(text)
            if resolution['unresolved']:
                problems.append(_unresolved_problem(resolution['unresolved'], libmesos))

    overrides, searched_symtab = resource_decorator_overrides(path)
    names = demangle(overrides)
    result['resource_decorators'] = [names[n] for n in overrides]
    active = [names[n] for n in overrides
              if not any(marker in n for method, marker in RESOURCE_DECORATORS.items() if method in idle_methods)]
    if active and not allow_resource_decorators:
        problems.append(
            'implements %s: these run before agent recovery checks the agent info, and a '
            'change in resources or attributes stops the agent from recovering ("Incompatible '
            'agent info detected"); set allow_resource_decorators to accept it'
            % ', '.join(active))
    if not searched_symtab:
        warnings.append('%s has no .symtab (stripped): overrides of slaveResourcesDecorator / '
                        'slaveAttributesDecorator in non-exported classes cannot be detected'
                        % path)

    if probe:
        result['probe'] = dlopen_probe(path, modules, libmesos, timeout=probe_timeout)
        if not result['probe']['ok']:
            problems.append('dlopen probe: %s' % result['probe']['error'])

    for symbol in modules:
        module = result['modules'][symbol]
        probed = result['probe']['modules'].get(symbol) if result['probe'] else None
        if (module['source'] is None or module['unreadable']) and probed and probed['source']:
            result['modules'][symbol] = module = dict(
                probed, initialisation=module['initialisation'], section=module['section'],
                size=module['size'])
        if module.get('create_function'):
            module['create_function'] = demangle([module['create_function']])[module['create_function']]
        for problem in module_problems(module, mesos_version, probe_ran=bool(result['probe']),
                                       expected_kind=(kinds or {}).get(symbol, HOOK_KIND)):
            if problem not in problems:
                problems.append(problem)

    result['problems'] = problems
    result['warnings'] = warnings
    result['ok'] = not problems
    return result
