import json

from ansible_collections.mesos_fleet.hooks.plugins.module_utils import redaction as rd

SECRET = 'tok"en\\with-escapes'
OLD = "older-secret-value"


def manifest(value):
    return json.dumps({"libraries": [{"file": "/x/lib.so", "modules": [
        {"name": "m1", "parameters": [{"key": "api_token", "value": value}, {"key": "name", "value": "labels"}]}]}]},
        indent=2) + "\n"


def test_text_masks_the_value_as_is_and_json_escaped():
    text = "plain %s and json %s" % (SECRET, json.dumps(SECRET))
    out = rd.redact_text(text, [SECRET])
    assert SECRET not in out and json.dumps(SECRET)[1:-1] not in out
    assert out.count(rd.MASK) == 2
    assert rd.redact_text("nothing", []) == "nothing" and rd.redact_text(None, ["x"]) is None


def test_manifest_values_are_found_by_module_and_key():
    assert rd.manifest_values(manifest(OLD), {"m1": ["api_token"]}) == {OLD}
    assert rd.manifest_values(manifest(OLD), {"m2": ["api_token"]}) == set()
    assert rd.manifest_values("not json", {"m1": ["api_token"]}) == set()
    assert rd.manifest_values('{"libraries": "broken"}', {"m1": ["api_token"]}) == set()


def test_diffs_mask_the_new_value_and_the_one_already_on_the_agent():
    diff = dict(before=manifest(OLD), after=manifest(SECRET), before_header="/etc/m.json", after_header="/etc/m.json")
    [out] = rd.redact_diffs([diff], [SECRET], {"m1": ["api_token"]})
    text = json.dumps(out)
    assert SECRET not in text and json.dumps(SECRET)[1:-1] not in text and OLD not in text
    assert "labels" in out["after"] and out["after"].count(rd.MASK) == 1 and out["before"].count(rd.MASK) == 1
    # By key alone (a restore knows no values): both sides masked.
    [by_key] = rd.redact_diffs([diff], secret_keys={"m1": ["api_token"]})
    assert OLD not in json.dumps(by_key) and json.dumps(SECRET)[1:-1] not in json.dumps(by_key)


def test_data_and_flatten():
    secrets = {"m1": {"api_token": SECRET, "password": "pw-123"}}
    values = rd.flatten(secrets)
    assert sorted(values) == sorted([SECRET, "pw-123"])
    data = [{"host": "a", "message": "failed with pw-123", "n": 3, "hooks": ["x", SECRET]}]
    out = rd.redact_data(data, values)
    assert out == [{"host": "a", "message": "failed with ********", "n": 3, "hooks": ["x", "********"]}]
    assert rd.flatten(["a", "", None, ["b"]]) == ["a", "b"]


def test_secret_keys_of_module_entries():
    modules = [{"name": "m1", "secret_parameters": ["b", "a"]}, {"name": "m2"}, {"name": "m1", "secret_parameters": ["c"]}]
    assert rd.secret_keys_of(modules) == {"m1": ["a", "b", "c"]}
