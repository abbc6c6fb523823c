"""Knowledge-base parsers: ConvE splits and the paper's facts + queries."""

import io
import tarfile

import pytest

from gnnlift.data import DataFormatError
from gnnlift.data.kb import parse_kb_logic, parse_kb_triples


def make_tar(tmp_path, members):
    path = tmp_path / "toy.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in members.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_triples(tmp_path):
    kb = parse_kb_triples(
        make_tar(tmp_path, {"train.txt": "a\tr1\tb\nb\tr2\tc\n", "valid.txt": "a\tr2\tc\r\n", "test.txt": "c\tr1\ta\n"})
    )
    assert kb.entities == ("a", "b", "c") and kb.relations == ("r1", "r2")
    assert kb.splits["train"].tolist() == [[0, 0, 1], [1, 1, 2]]
    assert kb.stats()["test_triples"] == 1


def test_triples_bad_line_and_missing_split(tmp_path):
    with pytest.raises(DataFormatError, match=r"!valid\.txt:2: expected head<TAB>relation<TAB>tail"):
        parse_kb_triples(
            make_tar(tmp_path, {"train.txt": "a\tr\tb\n", "valid.txt": "a\tr\tb\na r b\n", "test.txt": ""})
        )
    with pytest.raises(DataFormatError, match=r"lacks member\(s\) test\.txt"):
        parse_kb_triples(make_tar(tmp_path, {"train.txt": "a\tr\tb\n", "valid.txt": ""}))


def write_logic(tmp_path, examples, queries):
    (tmp_path / "examples").write_text(examples)
    (tmp_path / "queries").write_text(queries)
    return tmp_path / "examples", tmp_path / "queries"


def test_logic_relation_found_by_type_whatever_the_order(tmp_path):
    examples = "p(x),\np(y),\nrel(t0),\natt(big),\nr(t0,x,y),\nr(y,t0,x),\nr(x,big).\n"
    queries = "1.0 predict(x,t0,y).\n\n0.0 predict(y,big).\n"
    kb = parse_kb_logic(*write_logic(tmp_path, examples, queries))
    assert kb.entities == ("x", "y") and kb.relations == ("big", "t0")
    assert kb.facts.tolist() == [[0, 1, 1], [1, 1, 0], [0, 0, -1]]
    assert kb.queries.tolist() == [[0, 1, 1], [1, 0, -1]]
    assert kb.stats()["positive_queries"] == 1 and kb.stats()["attribute_facts"] == 1


@pytest.mark.parametrize(
    ("examples", "queries", "where", "message"),
    [
        ("p(x),\nrel(t),\nr(t,x,x\n", "1.0 predict(x,t,x).\n", "examples:3", "expected a fact"),
        ("p(x),\nrel(t),\nr(t,x,z),\n", "1.0 predict(x,t,x).\n", "examples:3", "'z' has no type"),
        ("p(x),\nrel(t),\nr(t,x,x),\n", "yes predict(x,t,x).\n", "queries:1", "expected '<label>"),
        ("p(x),\nrel(t),\nr(x,x),\n", "1.0 predict(x,t,x).\n", "examples:3", "exactly one argument"),
        ("p(x),\nrel(t),\n", "1.0 predict(x,t,x).\n", "examples", "empty dataset"),
    ],
)
def test_logic_bad_input(tmp_path, examples, queries, where, message):
    paths = write_logic(tmp_path, examples, queries)
    with pytest.raises(DataFormatError) as err:
        parse_kb_logic(*paths)
    assert str(err.value).startswith(f"{tmp_path}/{where}")
    assert message in str(err.value)
