import json

import pytest

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import modules_manifest as mm

OURS = {"file": "/var/lib/mesos/modules/probe/abc/libprobe.so",
        "modules": [{"name": "org_fleet_Probe", "parameters": [{"key": "env", "value": "A=1"}]}]}
OTHER = {"file": "/usr/lib/mesos/libother.so", "modules": [{"name": "com_example_Other"}]}


def doc(*libraries):
    return {"libraries": list(libraries)}


class FakeFs(object):
    def __init__(self, files=None):
        self.files = dict(files or {})

    def read(self, path):
        return self.files.get(path)

    def list_dir(self, path):
        prefix = path.rstrip("/") + "/"
        return [p[len(prefix):] for p in self.files if p.startswith(prefix) and "/" not in p[len(prefix):]]


# --- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize("text, where", [
    ('{"libraries": [', "not valid JSON"),
    ('{"libraries": {}}', "manifest.libraries: must be a list"),
    ('{"libraries": [{"modules": []}]}', "libraries[0]: needs 'file' or 'name'"),
    ('{"libraries": [{"file": 3}]}', "libraries[0].file: must be a string"),
    ('{"libraries": [{"file": "/a.so", "modules": [{"parameters": []}]}]}', "modules[0]: missing 'name'"),
    ('{"libraries": [{"file": "/a.so", "modules": [{"name": "m", "parameters": [{"key": "k", "value": 1}]}]}]}',
     "libraries[0].modules[0].parameters[0].value: must be a string, got int"),
    ('{"libraries": [{"file": "/a.so", "modules": [{"name": "m", "parameters": [{"value": "v"}]}]}]}',
     "parameters[0]: missing 'key'"),
])
def test_parse_rejects_what_mesos_rejects_naming_the_field(text, where):
    with pytest.raises(mm.ManifestError) as e:
        mm.parse(text)
    assert where in str(e.value)


def test_an_operator_manifest_mesos_accepts_is_accepted_and_kept():
    # Mesos skips keys it does not know (stout protobuf.hpp) and loads 'file' over 'name'
    # (module/manager.cpp): such a file is the operator's to keep, not ours to refuse.
    text = ('{"comment": "site hooks", "libraries": [{"file": "/opt/x.so", "name": "x", "owner": "ops", '
            '"modules": [{"name": "org_x_Hook", "note": "keep", "parameters": [{"key": "a", "value": "1"}]}]}]}')
    doc = mm.parse(text)
    assert mm.module_index([("operator", doc)]) == {"org_x_Hook": ("/opt/x.so", [("a", "1")])}
    merged = mm.merge(doc, [{"file": "/var/lib/h/probe.so", "modules": [{"name": "org_fleet_Probe"}]}])
    assert merged["comment"] == "site hooks"
    assert merged["libraries"][0] == doc["libraries"][0]
    assert mm.remove_modules(merged, ["org_fleet_Probe"]) == doc


@pytest.mark.parametrize("library, where", [
    ({"file": "lib/probe.so", "modules": [{"name": "m"}]}, "is not an absolute path"),
    ({"file": "/var/lib/../probe.so", "modules": [{"name": "m"}]}, "not a normalised path"),
    ({"file": "/var/lib//probe.so", "modules": [{"name": "m"}]}, "not a normalised path"),
    ({"name": "probe", "modules": [{"name": "m"}]}, "absolute 'file' path"),
    ({"file": "/probe.so", "modules": [{"name": "1bad"}]}, "'1bad' is not a valid C identifier"),
    ({"file": "/probe.so", "modules": [{"name": "org-fleet"}]}, "not a valid C identifier"),
    ({"file": "/probe.so", "modules": [{"name": ""}]}, "must not be empty"),
    ({"file": "/probe.so", "modules": [{"name": "m"}, {"name": "m"}]}, "module 'm' listed twice"),
    ({"file": "/probe.so", "modules": []}, "at least one module"),
])
def test_our_libraries_are_held_to_stricter_rules(library, where):
    with pytest.raises(mm.ManifestError) as e:
        mm.validate_own_library(library)
    assert where in str(e.value)


def test_modules_flag_forms():
    assert mm.modules_flag_source("file:///etc/mesos/modules.json") == ("file", "/etc/mesos/modules.json")
    assert mm.modules_flag_source("/etc/mesos/modules.json") == ("file", "/etc/mesos/modules.json")
    assert mm.modules_flag_source(' {"libraries": []}') == ("inline", '{"libraries": []}')
    with pytest.raises(mm.ManifestError, match="not an absolute path"):
        mm.modules_flag_source("modules.json")


def test_parameters_as_mapping_are_sorted_and_must_be_strings():
    assert mm.normalise_parameters({"b": "2", "a": "1"}) == [{"key": "a", "value": "1"}, {"key": "b", "value": "2"}]
    assert mm.normalise_parameters([{"key": "b", "value": "2"}, {"key": "a"}]) == [
        {"key": "b", "value": "2"}, {"key": "a", "value": ""}]
    with pytest.raises(mm.ManifestError, match="value of 'timeout' must be a string, got int"):
        mm.normalise_parameters({"timeout": 5})
    with pytest.raises(mm.ManifestError, match="non-empty string"):
        mm.normalise_parameters({"": "x"})


# --- merge / remove / conflicts ---------------------------------------------------------------

def test_merge_appends_ours_and_keeps_others_untouched():
    merged = mm.merge(doc(OTHER), [OURS])
    assert merged["libraries"] == [OTHER, OURS]


def test_merge_replaces_an_earlier_artifact_of_ours_in_place():
    old = {"file": "/var/lib/mesos/modules/probe/old/libprobe.so", "modules": [{"name": "org_fleet_Probe"}]}
    third = {"name": "third", "modules": [{"name": "t"}]}
    merged = mm.merge(doc(OTHER, old, third), [OURS])
    assert merged["libraries"] == [OTHER, OURS, third]


def test_merge_refuses_a_library_mixing_our_module_with_someone_elses():
    mixed = {"file": "/x.so", "modules": [{"name": "org_fleet_Probe"}, {"name": "keep_me"}]}
    with pytest.raises(mm.ManifestError, match=r"libraries\[0\] \(/x.so\) declares module\(s\) org_fleet_Probe"):
        mm.merge(doc(mixed), [OURS])


def test_remove_drops_only_our_modules():
    assert mm.remove_modules(doc(OTHER, OURS), ["org_fleet_Probe"]) == doc(OTHER)
    assert mm.remove_modules(doc(OTHER), ["org_fleet_Probe"]) == doc(OTHER)


def test_same_module_name_with_different_parameters_is_a_conflict():
    a = doc({"file": "/a.so", "modules": [{"name": "m", "parameters": [{"key": "k", "value": "1"}]}]})
    b = doc({"file": "/a.so", "modules": [{"name": "m", "parameters": [{"key": "k", "value": "2"}]}]})
    c = doc({"file": "/b.so", "modules": [{"name": "m", "parameters": [{"key": "k", "value": "1"}]}]})
    mm.module_index([("a", a), ("a-again", a)])  # identical twice is allowed
    with pytest.raises(mm.ManifestError, match="module 'm' is declared twice"):
        mm.module_index([("a", a), ("b", b)])
    with pytest.raises(mm.ManifestError, match="module 'm' is declared twice"):
        mm.module_index([("a", a), ("c", c)])


def test_render_is_byte_stable():
    text = mm.render(doc(OTHER, OURS))
    assert mm.render(mm.parse(text)) == text
    assert text.endswith("\n")


# --- plan: every state x configuration --------------------------------------------------------

MANAGED = "/etc/mesos-fleet-hooks/modules.json"


def plan(fs, state="present", **kw):
    kw.setdefault("managed_path", MANAGED)
    kw.setdefault("dir_file_name", "50-mesos-fleet-hooks.json")
    if state == "present":
        return mm.plan([OURS], read=fs.read, list_dir=fs.list_dir, **kw)
    return mm.plan([], remove=["org_fleet_Probe"], read=fs.read, list_dir=fs.list_dir, **kw)


def test_no_modules_flag_creates_our_file_and_asks_for_the_flag():
    change = plan(FakeFs())
    assert change.changed and change.before is None
    assert json.loads(change.after) == doc(OURS)
    assert change.modules_flag == "file://" + MANAGED


def test_our_own_file_is_idempotent_and_removal_deletes_it_and_the_flag():
    fs = FakeFs({MANAGED: mm.render(doc(OURS))})
    again = plan(fs, modules_flag="file://" + MANAGED)
    assert not again.changed and again.modules_flag is None
    gone = plan(fs, state="absent", modules_flag="file://" + MANAGED)
    assert gone.changed and gone.after is None and gone.modules_flag == ""


def test_operator_file_is_merged_then_unchanged_on_second_run():
    path = "/etc/mesos/modules.json"
    original = '{"libraries":[{"file":"/usr/lib/mesos/libother.so","modules":[{"name":"com_example_Other"}]}]}'
    fs = FakeFs({path: original})
    first = plan(fs, modules_flag=path)
    assert first.changed and first.modules_flag is None and first.stores_pristine
    assert json.loads(first.after) == doc(OTHER, OURS)
    fs.files[path] = first.after
    second = plan(fs, modules_flag="file://" + path)
    assert not second.changed


def test_an_operator_file_already_holding_ours_is_not_reformatted():
    path = "/etc/mesos/modules.json"
    compact = json.dumps(doc(OTHER, OURS))
    change = plan(FakeFs({path: compact}), modules_flag=path)
    assert not change.changed and change.after == compact


def test_removal_restores_the_operators_file_byte_for_byte_when_pristine_copy_matches():
    path = "/etc/mesos/modules.json"
    original = '{ "libraries": [ {"file": "/usr/lib/mesos/libother.so", "modules": [{"name": "com_example_Other"}]} ] }\n'
    fs = FakeFs({path: original})
    fs.files[path] = plan(fs, modules_flag=path).after
    removed = plan(fs, state="absent", modules_flag=path, pristine=original)
    assert removed.after == original
    # Someone edited the file meanwhile: the pristine copy no longer matches, we re-render.
    edited = json.loads(fs.files[path])
    edited["libraries"].insert(0, {"name": "added", "modules": [{"name": "added_Mod"}]})
    fs.files[path] = json.dumps(edited)
    removed = plan(fs, state="absent", modules_flag=path, pristine=original)
    assert json.loads(removed.after)["libraries"][0]["name"] == "added" and removed.after != original


def test_absent_when_nothing_of_ours_is_there_changes_nothing():
    path = "/etc/mesos/modules.json"
    fs = FakeFs({path: mm.render(doc(OTHER))})
    assert not plan(fs, state="absent", modules_flag=path).changed
    assert not plan(FakeFs(), state="absent").changed


def test_modules_dir_gets_a_file_of_our_own_and_loses_it_on_removal():
    fs = FakeFs({"/etc/mesos/modules.d/10-other.json": mm.render(doc(OTHER))})
    change = plan(fs, modules_dir="/etc/mesos/modules.d")
    assert change.path == "/etc/mesos/modules.d/50-mesos-fleet-hooks.json"
    assert json.loads(change.after) == doc(OURS) and change.modules_flag is None
    fs.files[change.path] = change.after
    assert not plan(fs, modules_dir="/etc/mesos/modules.d").changed
    gone = plan(fs, state="absent", modules_dir="/etc/mesos/modules.d")
    assert gone.changed and gone.after is None


def test_modules_dir_conflict_with_another_file_is_refused():
    clash = doc({"file": "/elsewhere.so", "modules": [{"name": "org_fleet_Probe"}]})
    fs = FakeFs({"/etc/mesos/modules.d/10-other.json": mm.render(clash)})
    with pytest.raises(mm.ManifestError, match="module 'org_fleet_Probe' is declared twice"):
        plan(fs, modules_dir="/etc/mesos/modules.d")


def test_modules_and_modules_dir_together_are_refused():
    with pytest.raises(mm.ManifestError, match="both --modules and --modules_dir"):
        plan(FakeFs(), modules_flag="/etc/mesos/modules.json", modules_dir="/etc/mesos/modules.d")


def test_inline_modules_flag_is_read_but_not_changed():
    inline = json.dumps(doc(OTHER))
    assert not plan(FakeFs(), state="absent", modules_flag=inline).changed
    with pytest.raises(mm.ManifestError, match="inline JSON; move it to a file"):
        plan(FakeFs(), modules_flag=inline)


def test_corrupt_operator_manifest_stops_the_plan():
    path = "/etc/mesos/modules.json"
    with pytest.raises(mm.ManifestError, match="/etc/mesos/modules.json: not valid JSON"):
        plan(FakeFs({path: "{broken"}), modules_flag=path)
    with pytest.raises(mm.ManifestError, match="does not exist"):
        plan(FakeFs(), modules_flag=path)


def test_duplicate_module_across_our_libraries_is_refused():
    twin = {"file": "/var/lib/mesos/modules/x/libx.so", "modules": [{"name": "org_fleet_Probe"}]}
    with pytest.raises(mm.ManifestError, match="declared in more than one of our libraries"):
        mm.plan([OURS, twin], managed_path=MANAGED, read=FakeFs().read, list_dir=FakeFs().list_dir)


def test_modules_dir_file_of_ours_holding_foreign_modules_is_not_deleted():
    path = "/etc/mesos/modules.d/50-mesos-fleet-hooks.json"
    fs = FakeFs({path: mm.render(doc(OURS, OTHER))})
    with pytest.raises(mm.ManifestError, match="holds modules this run does not manage \\(com_example_Other\\)"):
        plan(fs, state="absent", modules_dir="/etc/mesos/modules.d")


def test_one_plan_adds_some_of_ours_and_removes_others():
    path = "/etc/mesos/modules.json"
    old = {"file": "/var/lib/mesos/modules/old/abc/libold.so", "modules": [{"name": "org_fleet_Old"}]}
    fs = FakeFs({path: mm.render(doc(OTHER, old))})
    change = mm.plan([OURS], remove=["org_fleet_Old"], modules_flag=path, managed_path=MANAGED,
                     read=fs.read, list_dir=fs.list_dir)
    assert json.loads(change.after) == doc(OTHER, OURS)
    with pytest.raises(mm.ManifestError, match="both wanted and to be removed"):
        mm.plan([OURS], remove=["org_fleet_Probe"], managed_path=MANAGED, read=fs.read, list_dir=fs.list_dir)
