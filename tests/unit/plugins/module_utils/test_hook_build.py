import json

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import hook_build as hb


def make_hook(root, manifest=None, build_file="Makefile"):
    root.mkdir(parents=True, exist_ok=True)
    (root / "hook.cpp").write_text("// hook\n")
    if build_file:
        (root / build_file).write_text("all:\n")
    if manifest is not False:
        manifest = manifest or {"library": "libprobe.so", "kind": "Hook", "modules": ["org_fleet_Probe"]}
        (root / "hook.json").write_text(json.dumps(manifest))
    return str(root)


def test_manifest_and_build_system_are_read(tmp_path):
    info = hb.read_hook_manifest(make_hook(tmp_path / "probe"))
    assert info == {"library": "libprobe.so", "kinds": {"org_fleet_Probe": "Hook"}, "modules": ["org_fleet_Probe"],
                    "build_system": "make", "enabled_by_parameter": {}, "requires": []}
    cmake = make_hook(tmp_path / "c", build_file="CMakeLists.txt")
    assert hb.read_hook_manifest(cmake)["build_system"] == "cmake"


@pytest.mark.parametrize("manifest, build_file, message", [
    (False, "Makefile", "hook.json is missing"),
    ({"library": "probe.so", "modules": ["m"]}, "Makefile", "'library' must be a file name like"),
    ({"library": "libprobe.so", "modules": []}, "Makefile", "'modules' must list"),
    ({"library": "libprobe.so", "modules": ["not-c"]}, "Makefile", "'not-c' is not a valid C identifier"),
    ({"library": "libprobe.so", "kind": "Authenticator", "modules": ["m"]}, "Makefile",
     "module m is of kind 'Authenticator'; the kinds deployed are Hook, Isolator"),
    ({"library": "libprobe.so", "kinds": {"m": "Hook"}, "modules": ["m", "n"]}, "Makefile",
     "'kinds' must give the kind of each module of 'modules'"),
    ({"library": "libprobe.so", "modules": ["m"], "enabled_by_parameter": {"slaveResourcesDecorator": ""}},
     "Makefile", "'enabled_by_parameter' must map hook method names"),
    ({"library": "libprobe.so", "modules": ["m"], "enabled_by_parameter": ["slaveResourcesDecorator"]},
     "Makefile", "'enabled_by_parameter' must map hook method names"),
    (None, None, "has no build file (CMakeLists.txt or Makefile)"),
])
def test_bad_hook_sources_are_named(tmp_path, manifest, build_file, message):
    root = make_hook(tmp_path / "bad", manifest=manifest, build_file=build_file)
    with pytest.raises(hb.BuildError) as e:
        hb.read_hook_manifest(root)
    assert message in str(e.value)


def test_a_library_of_an_isolator_and_a_hook_and_where_each_is_declared(tmp_path):
    root = make_hook(tmp_path / "both", manifest={"library": "libboth.so", "modules": ["org_H", "org_I"],
                                                  "kinds": {"org_H": "Hook", "org_I": "Isolator"}})
    assert hb.read_hook_manifest(root)["kinds"] == {"org_H": "Hook", "org_I": "Isolator"}
    spec = {"name": "both", "source": root, "modules": [{"name": "org_H"}, {"name": "org_I"}]}
    assert hb.describe_sources([dict(spec, hooks=["org_H"], isolation=["org_I"])])["both"]["kinds"]["org_I"] == "Isolator"
    with pytest.raises(hb.BuildError, match="org_I listed under hooks, but hook.json says org_I is of kind Isolator: "
                                            "list Isolator modules under isolation"):
        hb.describe_sources([dict(spec, hooks=["org_H", "org_I"], isolation=[])])


def test_a_source_that_requires_a_sibling_digests_both(tmp_path):
    make_hook(tmp_path / "core")
    manifest = {"library": "libiso.so", "kind": "Isolator", "modules": ["org_I"], "requires": ["../core"]}
    iso = make_hook(tmp_path / "iso", manifest=manifest)
    info = hb.describe_source(iso)
    assert info["requires"] == [str(tmp_path / "core")] and info["kinds"] == {"org_I": "Isolator"}
    (tmp_path / "core" / "hook.cpp").write_text("// changed\n")
    assert hb.describe_source(iso)["digest"] != info["digest"]
    bad = make_hook(tmp_path / "bad", manifest={"library": "libbad.so", "modules": ["m"], "requires": ["/etc"]})
    with pytest.raises(hb.BuildError, match="'requires' must list sibling source directories"):
        hb.read_hook_manifest(bad)


def test_unknown_source_dir(tmp_path):
    with pytest.raises(hb.BuildError, match="does not exist"):
        hb.read_hook_manifest(str(tmp_path / "nope"))


def test_source_digest_follows_content_and_names_but_not_build_outputs(tmp_path):
    root = tmp_path / "probe"
    make_hook(root)
    first = hb.source_digest(str(root))
    (root / "build").mkdir()
    (root / "build" / "libprobe.so").write_bytes(b"\x7fELF")
    (root / "hook.o").write_bytes(b"obj")
    assert hb.source_digest(str(root)) == first
    (root / "hook.cpp").write_text("// changed\n")
    assert hb.source_digest(str(root)) != first
    (root / "hook.cpp").write_text("// hook\n")
    (root / "hook.cpp").rename(root / "other.cpp")
    assert hb.source_digest(str(root)) != first


def test_compile_flags_prefer_mesos_pc_and_fall_back_to_discovered_dirs():
    pc = {"include_dirs": ["/opt/mesos/include", "/opt/mesos/lib/mesos/3rdparty/include"],
          "defines": ["__STDC_FORMAT_MACROS"]}
    assert hb.compile_flags({"pkgconfig": pc}) == [
        "-std=c++14", "-fPIC", "-I/opt/mesos/include", "-I/opt/mesos/lib/mesos/3rdparty/include",
        "-D__STDC_FORMAT_MACROS"]
    found = {"pkgconfig": None, "include_dir": "/usr/include", "thirdparty_include_dir": None}
    assert hb.compile_flags(found) == ["-std=c++14", "-fPIC", "-I/usr/include", "-D__STDC_FORMAT_MACROS"]
    with pytest.raises(hb.BuildError, match="no Mesos headers found under /usr"):
        hb.compile_flags({"prefix": "/usr", "pkgconfig": None, "include_dir": None})


def test_artifact_key_changes_with_each_input():
    base = hb.artifact_key("d", "fp", ["-std=c++14"])
    assert base == hb.artifact_key("d", "fp", ["-std=c++14"])
    assert len({base, hb.artifact_key("e", "fp", ["-std=c++14"]), hb.artifact_key("d", "fq", ["-std=c++14"]),
                hb.artifact_key("d", "fp", ["-std=c++17"])}) == 4


def test_build_commands():
    cmake = hb.build_commands("cmake", "/w/src", "/w/build", "/opt/mesos", ["-std=c++14", "-fPIC"], jobs=2)
    assert cmake[0][:5] == ["cmake", "-S", "/w/src", "-B", "/w/build"]
    assert "-DMESOS_PREFIX=/opt/mesos" in cmake[0] and "-DMESOS_CXXFLAGS=-std=c++14 -fPIC" in cmake[0]
    make = hb.build_commands("make", "/w/src", "/w/build", "/usr", ["-fPIC"], jobs=1)
    assert make == [["make", "-C", "/w/src", "-j1", "OUT=/w/build", "MESOS_PREFIX=/usr", "MESOS_CXXFLAGS=-fPIC"]]


def test_first_errors_picks_the_lines_that_matter():
    out = "\n".join([
        "g++ -std=c++14 -c hook.cpp",
        "hook.cpp: In function 'int f()':",
        "hook.cpp:3:5: error: 'x' was not declared in this scope",
        "    3 |     x = 1;",
        "make: *** [Makefile:3: hook.o] Error 1",
    ])
    assert hb.first_errors(out) == [
        "hook.cpp: In function 'int f()':",
        "hook.cpp:3:5: error: 'x' was not declared in this scope",
        "    3 |     x = 1;",
        "make: *** [Makefile:3: hook.o] Error 1",
    ]
    assert hb.first_errors("just\nsome\nnoise", limit=2) == ["some", "noise"]


def facts(fp, can_build=True, version="1.11.0"):
    return {"build_fingerprint": fp, "version": version, "can_build": can_build}


def test_group_hosts_one_group_per_fingerprint_with_a_builder():
    agents = {"a1": facts("fp11", can_build=False), "a2": facts("fp11"), "b1": facts("fp10", version="1.10.0")}
    groups = hb.group_hosts(agents)
    assert [(g["fingerprint"], g["hosts"], g["builder"]) for g in groups] == [
        ("fp10", ["b1"], "b1"), ("fp11", ["a1", "a2"], "a2")]


def test_group_hosts_prefers_a_dedicated_builder_of_the_same_fingerprint():
    agents = {"a1": facts("fp11"), "a2": facts("fp11")}
    builders = {"build-other": facts("fp10"), "build11": facts("fp11")}
    assert hb.group_hosts(agents, builders)[0]["builder"] == "build11"


def test_group_without_any_builder_is_an_error_naming_it():
    agents = {"a1": facts("fp11", can_build=False), "b1": facts("fp10")}
    with pytest.raises(hb.BuildError, match=r"build group fp11 \(Mesos 1.11.0\) has no host with a compiler .*: a1"):
        hb.group_hosts(agents)
    with pytest.raises(hb.BuildError, match="a9: no build fingerprint"):
        hb.group_hosts({"a9": {}})


def test_plan_jobs_one_per_hook_and_group_with_distinct_cache_dirs():
    groups = [dict(fingerprint="fp10", version="1.10.0", hosts=["b1"], builder="b1"),
              dict(fingerprint="fp11", version="1.11.0", hosts=["a1", "a2"], builder="a2")]
    install = dict(prefix="/usr", libmesos="/usr/lib/libmesos-1.11.0.so",
                   pkgconfig={"include_dirs": ["/usr/include"], "defines": ["__STDC_FORMAT_MACROS"]})
    sources = {"probe": dict(path="/src/probe", library="libprobe.so", modules=["org_fleet_Probe"],
                             build_system="make", digest="d1")}
    jobs = hb.plan_jobs(groups, sources, {"b1": install, "a2": install}, "/cache")
    assert [(j["hook"], j["fingerprint"], j["builder"], j["hosts"]) for j in jobs] == [
        ("probe", "fp10", "b1", ["b1"]), ("probe", "fp11", "a2", ["a1", "a2"])]
    assert jobs[0]["cache_dir"] != jobs[1]["cache_dir"] and jobs[0]["cache_dir"].startswith("/cache/probe/")
    assert jobs[0]["flags"][:2] == ["-std=c++14", "-fPIC"]
    again = hb.plan_jobs(groups, sources, {"b1": install, "a2": install}, "/cache")
    assert [j["key"] for j in again] == [j["key"] for j in jobs]
    # Each job builds in a directory named by its key, the same on every run.
    assert [j["work_dir_name"] for j in again] == [j["work_dir_name"] for j in jobs]
    assert jobs[0]["work_dir_name"] != jobs[1]["work_dir_name"]
    assert jobs[0]["work_dir_name"] == "mesos-fleet-build." + jobs[0]["key"][:16]


def test_plan_jobs_builds_a_hook_only_for_the_groups_that_load_it():
    # Agents on 1.10.0 load the probe; masters on 1.11.0 load the labeller, and one agent too.
    groups = [dict(fingerprint="fp10", version="1.10.0", hosts=["a1"], builder="a1"),
              dict(fingerprint="fp11", version="1.11.0", hosts=["a2", "m1"], builder="a2")]
    install = dict(prefix="/usr", libmesos="/usr/lib/libmesos.so", pkgconfig={"include_dirs": ["/usr/include"]})
    sources = dict((name, dict(path="/src/" + name, library="lib%s.so" % name, modules=["org_" + name],
                               build_system="make", digest=name)) for name in ("labeller", "probe"))
    wanted = {"a1": ["probe"], "a2": [], "m1": ["labeller"]}
    jobs = hb.plan_jobs(groups, sources, {"a1": install, "a2": install}, "/cache", wanted)
    assert [(j["hook"], j["fingerprint"]) for j in jobs] == [("labeller", "fp11"), ("probe", "fp10")]
    # Without it, every hook for every group, as before.
    assert len(hb.plan_jobs(groups, sources, {"a1": install, "a2": install}, "/cache")) == 4


def test_artifact_map_indexes_by_fingerprint_and_refuses_foreign_records():
    jobs = [dict(hook="probe", fingerprint="fp10", cache_dir="/c/probe/k1", library="libprobe.so", key="k1"),
            dict(hook="probe", fingerprint="fp11", cache_dir="/c/probe/k2", library="libprobe.so", key="k2")]
    metas = [dict(key="k1", sha256="aa"), dict(key="k2", sha256="bb")]
    amap = hb.artifact_map(jobs, metas)
    assert amap["fp11"]["probe"] == dict(key="k2", sha256="bb", path="/c/probe/k2/libprobe.so")
    with pytest.raises(hb.BuildError, match="belongs to another build"):
        hb.artifact_map(jobs, list(reversed(metas)))
    with pytest.raises(hb.BuildError, match="2 build jobs but 1 artifact records"):
        hb.artifact_map(jobs, metas[:1])


def hook_decl(name, source, *modules):
    return {"name": name, "source": source, "modules": [{"name": m, "parameters": {}} for m in modules]}


def test_describe_sources_maps_each_hook_to_what_hook_source_returns(tmp_path):
    probe = make_hook(tmp_path / "probe")
    described = hb.describe_sources([hook_decl("probe", probe, "org_fleet_Probe")])
    assert list(described) == ["probe"]
    assert described["probe"] == dict(hb.describe_source(probe), idle_methods=[])
    assert described["probe"]["path"] == probe and described["probe"]["library"] == "libprobe.so"
    assert described["probe"]["files"] == ["Makefile", "hook.cpp", "hook.json"]
    assert described["probe"]["digest"] == hb.source_digest(probe)
    assert hb.describe_sources([]) == {}


def test_describe_sources_names_every_hook_it_cannot_use(tmp_path):
    probe = make_hook(tmp_path / "probe")
    with pytest.raises(hb.BuildError) as e:
        hb.describe_sources([hook_decl("probe", probe, "org_fleet_Probe", "org_fleet_Other"),
                             hook_decl("gone", str(tmp_path / "gone"), "org_fleet_Gone")])
    message = str(e.value)
    assert "hook probe: module(s) org_fleet_Other are not built by %s (its hook.json lists org_fleet_Probe)" % probe in message
    assert "hook gone: hook source %s does not exist" % (tmp_path / "gone") in message


def test_idle_methods_are_those_no_module_turns_on(tmp_path):
    enabled_by = {"slaveResourcesDecorator": "slaveResourcesDecorator_command",
                  "slaveAttributesDecorator": "slaveAttributesDecorator_command",
                  "slaveExecutorEnvironmentDecorator": "slaveExecutorEnvironmentDecorator_command"}
    manifest = {"library": "libcmd.so", "modules": ["cmd1", "cmd2"], "enabled_by_parameter": enabled_by}
    root = make_hook(tmp_path / "cmd", manifest=manifest, build_file="CMakeLists.txt")

    def spec(*params_per_module):
        return {"name": "cmd", "source": root, "modules": [
            {"name": "cmd%d" % (i + 1), "parameters": [{"key": k, "value": v} for k, v in params]}
            for i, params in enumerate(params_per_module)]}

    env_only = spec([("slaveExecutorEnvironmentDecorator_command", "/usr/local/bin/env")], [])
    assert hb.describe_sources([env_only])["cmd"]["idle_methods"] == [
        "slaveAttributesDecorator", "slaveResourcesDecorator"]
    # Any module of the library turning a method on makes it active; an empty value does not.
    second = spec([("slaveResourcesDecorator_command", "")], [("slaveAttributesDecorator_command", "/bin/a")])
    assert hb.idle_methods(second, enabled_by) == ["slaveExecutorEnvironmentDecorator", "slaveResourcesDecorator"]
    # A hook without the declaration has no idle method: everything it implements counts.
    assert hb.idle_methods(env_only, {}) == []
