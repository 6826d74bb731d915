import json
import shutil

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb
from ansible_collections.mesos_fleet.hooks.plugins.modules import hook_build, hook_source

pytestmark = pytest.mark.skipif(not shutil.which("g++") or not shutil.which("make"), reason="needs g++ and make")

MAKEFILE = """BUILD_DIR ?= .
$(OUT)/libtiny.so: tiny.cpp
\tg++ $(MESOS_CXXFLAGS) -shared -o $@ $<
"""


@pytest.fixture
def tiny(tmp_path):
    src = tmp_path / "tiny"
    src.mkdir()
    (src / "hook.json").write_text(json.dumps({"library": "libtiny.so", "modules": ["org_fleet_Tiny"]}))
    (src / "Makefile").write_text(MAKEFILE)
    (src / "tiny.cpp").write_text('#include <tiny_header.hpp>\nextern "C" int org_fleet_Tiny = TINY_VALUE;\n')
    inc = tmp_path / "prefix" / "include"
    inc.mkdir(parents=True)
    (inc / "tiny_header.hpp").write_text("#define TINY_VALUE 42\n")
    return tmp_path


def args(root, **kw):
    base = dict(src=str(root / "tiny"), build_dir=str(root / "out"), mesos_prefix=str(root / "prefix"),
                cxxflags=["-std=c++14", "-fPIC", "-I%s" % (root / "prefix" / "include")], jobs=1)
    base.update(kw)
    return base


def test_builds_out_of_tree_with_the_derived_flags(run_module, tiny):
    result = run_module(hook_build, args(tiny))
    assert not result.failed, result.get("msg")
    assert result["artifact"] == str(tiny / "out" / "libtiny.so")
    assert len(result["sha256"]) == 64 and result["modules"] == ["org_fleet_Tiny"]
    assert "MESOS_PREFIX=%s" % (tiny / "prefix") in result["commands"][0]
    assert not (tiny / "tiny" / "libtiny.so").exists()


def test_compile_error_shows_the_lines_that_matter(run_module, tiny):
    (tiny / "tiny" / "tiny.cpp").write_text("int f() { return undeclared_thing; }\n")
    result = run_module(hook_build, args(tiny))
    assert result.failed
    assert "building libtiny.so from" in result["msg"]
    assert any("undeclared_thing" in line and "was not declared" in line for line in result["errors"])
    assert "make exited" in result["msg"]


def test_missing_header_dir_is_a_compile_error_naming_the_header(run_module, tiny):
    result = run_module(hook_build, args(tiny, cxxflags=["-std=c++14", "-fPIC"]))
    assert result.failed and "tiny_header.hpp: No such file" in result["msg"]


def test_source_without_build_file_fails_before_building(run_module, tiny):
    (tiny / "tiny" / "Makefile").unlink()
    result = run_module(hook_build, args(tiny))
    assert result.failed and "has no build file" in result["msg"]
    assert not (tiny / "out").exists()


def test_hook_source_digest_and_manifest(run_module, tiny):
    first = run_module(hook_source, {"path": str(tiny / "tiny")}, check_mode=True)
    assert first["changed"] is False and first["library"] == "libtiny.so" and first["build_system"] == "make"
    assert first["files"] == ["Makefile", "hook.json", "tiny.cpp"]
    (tiny / "tiny" / "tiny.cpp").write_text("// changed\n")
    assert run_module(hook_source, {"path": str(tiny / "tiny")})["digest"] != first["digest"]
    assert run_module(hook_source, {"path": str(tiny / "missing")}).failed


def test_cold_cache_rebuild_at_the_job_work_dir_gives_the_same_bytes(run_module, tiny):
    # A hook that carries its absolute source path, as every LOG line of a CMake build does
    # through __FILE__.
    (tiny / "tiny" / "Makefile").write_text(MAKEFILE.replace("$<", "$(abspath $<)"))
    (tiny / "tiny" / "tiny.cpp").write_text(
        '#include <tiny_header.hpp>\nextern "C" int org_fleet_Tiny = TINY_VALUE;\n'
        'extern "C" const char* org_fleet_Where = __FILE__;\n')
    key = hb.artifact_key("digest", "fingerprint", ["-std=c++14"])

    def build_at(name):
        work = tiny / "builders-tmp" / name
        if work.exists():
            shutil.rmtree(str(work))
        shutil.copytree(str(tiny / "tiny"), str(work / "src"))
        result = run_module(hook_build, args(tiny, src=str(work / "src"), build_dir=str(work / "out")))
        assert not result.failed, result.get("msg")
        return result["sha256"]

    first = build_at(hb.work_dir_name(key))
    assert build_at(hb.work_dir_name(key)) == first
    # The path is what makes the difference: built anywhere else, the bytes change.
    assert build_at("mesos-fleet-build.elsewhere") != first
