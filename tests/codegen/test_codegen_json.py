"""The JSON form of a LayerSpec: exact round trips, schema, and clean errors on malformed input."""

from __future__ import annotations

import copy
import json

import pytest
from codegen_helpers import eps_specs, group_bases, j_spec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import reptheory as rt
from reptheory.codegen import JSON_SCHEMA, export_json, load_json
from reptheory.errors import InvalidParameterError, ReptheoryTypeError
from reptheory.layers import LayerSpec

SPECS = [j_spec(), *eps_specs()] + [B.spec for _, B in group_bases(pairs=((1, 1), (2, 2)))]
SPECS.append(rt.layer_basis(rt.S(3), 2, 2, kind="orbit").spec)


@pytest.mark.parametrize("spec", SPECS, ids=range(len(SPECS)))
def test_round_trip_is_exact(spec):
    text = export_json(spec)
    back = load_json(text)
    assert back == spec  # every field, exact rationals included
    assert export_json(back) == text
    assert load_json(text.encode()) == spec


def test_fractions_are_strings_in_lowest_terms():
    d = json.loads(export_json(j_spec()))
    values = [t[1] for e in d["basis"] for t in e["terms"]]
    assert "-1/3" in values and "5/7" in values and 1 in values


@pytest.mark.parametrize("spec", SPECS[:4], ids=range(4))
def test_documents_satisfy_the_published_schema(spec):
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.Draft202012Validator.check_schema(JSON_SCHEMA)
    jsonschema.validate(json.loads(export_json(spec)), JSON_SCHEMA)


def _doc():
    return json.loads(export_json(j_spec()))


def _set(d, path, value):
    node = d
    for p in path[:-1]:
        node = node[p]
    node[path[-1]] = value
    return d


MALFORMED = [
    (lambda d: _set(d, ["n"], 0), r"\$\.n: expected an integer in \[1"),
    (lambda d: _set(d, ["n"], 4.0), r"\$\.n: expected an integer"),
    (lambda d: _set(d, ["k"], True), r"\$\.k: expected an integer .* boolean"),
    (lambda d: _set(d, ["format_version"], 2), r"format_version: this reader supports version 1"),
    (lambda d: _set(d, ["format"], "other"), r"\$\.format"),
    (lambda d: d.pop("operations") and d, r"missing key\(s\) 'operations'"),
    (lambda d: _set(d, ["extra"], 1), r"unknown key\(s\) 'extra'"),
    (lambda d: _set(d, ["operations", 0, "inputs"], [0]), r"operations\[0\]\.inputs: expected an array of length 2"),
    (lambda d: _set(d, ["operations", 1, "inputs", 0], -1), r"operations\[1\]\.inputs\[0\]"),
    (lambda d: _set(d, ["operations", 1, "factors", 0, "name"], "K"), r"unknown constant 'K'"),
    (lambda d: _set(d, ["operations", 1, "factors", 0, "labels"], [0]), r"labels: expected an array of length 2"),
    (lambda d: _set(d, ["constants", 0, "shape"], [4, 5]), r"size n=4"),
    (lambda d: _set(d, ["constants", 0, "entries", 0, 0], [0, 4]), r"entries\[0\]\[0\]\[1\]: expected an integer in \[0, 3\]"),
    (lambda d: _set(d, ["constants", 0, "entries", 1, 0], [0, 1]), r"appears twice"),
    (lambda d: _set(d, ["constants", 0, "name"], "J; import os"), r"constants\[0\]\.name: expected an identifier"),
    (lambda d: _set(d, ["basis", 0, "terms", 0, 0], 99), r"terms\[0\]\[0\]: expected an integer in \[0, 10\]"),
    (lambda d: _set(d, ["basis", 0, "terms", 1, 1], "2/6"), r"lowest terms"),
    (lambda d: _set(d, ["basis", 0, "terms", 1, 1], "1/1"), r"lowest terms"),
    (lambda d: _set(d, ["basis", 0, "terms", 1, 1], 0.5), r"integer or a 'p/q' string"),
    (lambda d: _set(d, ["basis", 0, "terms", 1, 1], "1/0"), r"'p/q'"),
    (lambda d: _set(d, ["basis", 0, "terms", 1], [0, 1]), r"operation 0 appears twice"),
    (lambda d: d["basis"][1].pop("name") and d, r"either every basis element has a 'name'"),
    (lambda d: _set(d, ["metadata"], {"a": 1}), r"metadata\['a'\]: expected a string"),
    (lambda d: _set(d, ["constants"], {}), r"\$\.constants: expected an array"),
]


@pytest.mark.parametrize("mutate,message", MALFORMED, ids=range(len(MALFORMED)))
def test_malformed_documents_are_rejected_with_a_path(mutate, message):
    text = json.dumps(mutate(_doc()))
    with pytest.raises(InvalidParameterError, match=message):
        load_json(text)


@pytest.mark.parametrize("text", ["", "{", "[]", "null", "NaN", '{"n": Infinity}', "1e999",
                                  "[" * 20000 + "]" * 20000, "9" * 5000])
def test_not_json_or_not_an_object(text):
    with pytest.raises(InvalidParameterError):
        load_json(text)


def test_wrong_types():
    with pytest.raises(ReptheoryTypeError):
        load_json(3)
    with pytest.raises(InvalidParameterError, match="UTF-8"):
        load_json(b"\xff\xfe")
    with pytest.raises(ReptheoryTypeError):
        export_json("spec")


# -- fuzzing ---------------------------------------------------------------------------------
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False)
    | st.text(max_size=8) | st.sampled_from(["1/2", "-3/4", "2/4", "J", "epsilon", "/", "0/1"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)
BASE_DOCS = [json.loads(export_json(s)) for s in (j_spec(), eps_specs()[1], SPECS[-1])]


def _mutate(data, doc):
    """Replace, delete or add one node somewhere in the document."""
    node = doc
    while True:
        keys = list(node.keys()) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            break
        key = data.draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, (dict, list)) and child and data.draw(st.booleans()):
            node = child
            continue
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            node[key] = data.draw(json_values)
        elif action == "delete":
            del node[key]
        elif isinstance(node, dict):
            node[data.draw(st.text(max_size=6))] = data.draw(json_values)
        else:
            node.append(data.draw(json_values))
        break
    return doc


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_documents_give_only_clean_errors(data):
    doc = copy.deepcopy(data.draw(st.sampled_from(BASE_DOCS)))
    for _ in range(data.draw(st.integers(1, 3))):
        doc = _mutate(data, doc)
    text = json.dumps(doc)
    try:
        spec = load_json(text)
    except InvalidParameterError:
        return
    # accepted: it must be a valid spec that round-trips exactly
    assert isinstance(spec, LayerSpec)
    assert load_json(export_json(spec)) == spec


@settings(max_examples=50, deadline=None)
@given(st.text(max_size=60) | st.binary(max_size=60))
def test_fuzz_random_text_gives_only_clean_errors(text):
    try:
        load_json(text)
    except InvalidParameterError:
        pass
