"""The bounded JSONL reader (sync/lines.py): every hostile input gets a clean error naming the
file, the line and what is wrong; a Windows checkout (BOM, CRLF) is accepted."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from bd_trio.errors import BdError
from bd_trio.sync import jsonl, lines

GOOD = '{"id":"bd-1","title":"one","created_at":"2026-01-01T00:00:00Z"}'
GOOD2 = '{"id":"bd-2","title":"two","created_at":"2026-01-01T00:00:00Z"}'


def refused(text: str, source: str = "plan.jsonl") -> BdError:
    with pytest.raises(BdError) as caught:
        jsonl.parse(text, source)
    return caught.value


def test_bom_and_crlf_are_accepted() -> None:
    data = ("\ufeff" + GOOD + "\r\n" + GOOD2 + "\r\n").encode("utf-8")
    records = jsonl.parse(lines.decode(data, "x.jsonl"), "x.jsonl")
    assert [r.to_record()["id"] for r in records] == ["bd-1", "bd-2"]
    assert records[0].to_record()["title"] == "one"


def test_invalid_utf8_names_file_line_and_byte() -> None:
    data = (GOOD + "\n").encode() + b'{"id":"bd-2","title":"t\xff"}\n'
    with pytest.raises(BdError) as caught:
        lines.decode(data, "team/issues.jsonl")
    message = caught.value.message
    assert message.startswith("team/issues.jsonl line 2: not UTF-8 text (byte 0xff at byte 24")
    assert caught.value.details == {"file": "team/issues.jsonl", "line": 2}


def test_invalid_utf8_offset_counts_the_bom_on_line_one() -> None:
    with pytest.raises(BdError, match=r"line 1: .*byte 0xc3 at byte 7 of the line"):
        lines.decode(b'\xef\xbb\xbf{"a\xc3(', "f")


def test_deep_nesting_is_refused_before_the_decoder_recurses() -> None:
    assert sys.getrecursionlimit() < 200_000
    error = refused(GOOD + "\n" + "[" * 200_000 + "]" * 200_000 + "\n")
    assert error.message.startswith("plan.jsonl line 2: JSON nested 200000 levels deep")
    assert f"the limit is {lines.MAX_DEPTH}" in error.message


def test_nesting_is_measured_outside_strings() -> None:
    brackets = "[" * 500
    line = json.dumps({"id": "bd-1", "title": brackets, "created_at": "2026-01-01T00:00:00Z"})
    assert lines.depth(line) == 1
    assert jsonl.parse(line)[0].to_record()["title"] == brackets
    at_limit = "[" * lines.MAX_DEPTH + "]" * lines.MAX_DEPTH
    assert lines.load(at_limit, 1, "f") is not None


def test_a_line_over_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines, "MAX_LINE_BYTES", 1000)
    title = "é" * 600  # 1,200 bytes, 600 characters
    line = json.dumps({"id": "bd-1", "title": title}, ensure_ascii=False)
    error = refused(line)
    assert "plan.jsonl line 1: the line is longer than 1,000 bytes" in error.message


def test_a_file_over_the_limit_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.jsonl"
    path.write_text(GOOD + "\n" + GOOD2 + "\n")
    monkeypatch.setattr(lines, "MAX_FILE_BYTES", 50)
    with pytest.raises(BdError, match=r"big\.jsonl is 1\d\d bytes: the limit .* is 50 bytes"):
        lines.read_file(path)


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("1" + "0" * 400, "is too large (integers must fit in 64 bits)"),
        ("9" * 5000, "is too large"),  # past CPython's int-string limit: no ValueError escapes
        (str(2**63), "is too large"),
        ("1e400", "the number 1e400 is out of range"),
        ("NaN", "NaN is not a JSON value"),
        ("-Infinity", "-Infinity is not a JSON value"),
    ],
)
def test_numbers_out_of_range_are_refused(value: str, words: str) -> None:
    line = f'{{"id":"bd-1","title":"t","created_at":"2026-01-01T00:00:00Z","priority":{value}}}'
    error = refused(line)
    assert error.message.startswith("plan.jsonl line 1: ")
    assert words in error.message


def test_big_but_valid_integers_pass() -> None:
    value = lines.load(f'{{"n":{2**63 - 1},"m":{-(2**63)}}}', 1, "f")
    assert value == {"n": 2**63 - 1, "m": -(2**63)}


def test_an_unpaired_surrogate_is_refused() -> None:
    error = refused('{"id":"bd-1","title":"a\\ud800b","created_at":"2026-01-01T00:00:00Z"}')
    assert "line 1: a string holds \\ud800, an unpaired UTF-16 surrogate" in error.message
    paired = '{"id":"bd-1","title":"\\ud83d\\ude00","created_at":"2026-01-01T00:00:00Z"}'
    assert jsonl.parse(paired)[0].to_record()["title"] == "\U0001f600"


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ('{"id":"bd-1","title":"t","created_at":"99999-01-01T00:00:00Z"}', "created_at"),
        ('{"id":"bd-1","title":"t", "created_at":', "not valid JSON"),
        ("[1, 2]", "each line must be a JSON object"),
        ('{"id":"bd-1","title":"t","created_at":"2026-01-01T00:00:00Z","priority":7}', "priority"),
    ],
)
def test_other_bad_lines_name_file_and_line(line: str, words: str) -> None:
    error = refused(GOOD + "\n" + line + "\n")
    assert error.message.startswith("plan.jsonl line 2: ")
    assert words in error.message
    assert error.details["line"] == 2 and error.details["file"] == "plan.jsonl"


def test_duplicate_id_names_both_lines() -> None:
    error = refused(GOOD + "\n" + GOOD + "\n")
    assert "plan.jsonl line 2: issue bd-1 appears twice (also on line 1)" in error.message


def test_line_id_never_raises() -> None:
    assert jsonl.line_id("[" * 100_000) is None
    assert jsonl.line_id('{"id":1e999}') is None
    assert jsonl.line_id('{"id" : "bd-3"}') == "bd-3"


def test_an_unterminated_string_full_of_escaped_quotes_is_scanned_once() -> None:
    """`"\\"\\"\\"...` with no end: a backtracking string pattern would rescan it from every
    quote (quadratic, hours for a 16 MiB line); the depth is still measured."""
    line = "[" * (lines.MAX_DEPTH + 1) + '"' + '\\"' * 200_000
    error = refused(line)
    assert f"JSON nested {lines.MAX_DEPTH + 1} levels deep" in error.message


def test_a_file_with_too_many_lines_or_values_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lines, "MAX_LINES", 3)
    error = refused("\n".join([GOOD, "", GOOD2, ""]) + "\n")
    assert "plan.jsonl line 4: more than 3 lines" in error.message
    monkeypatch.setattr(lines, "MAX_LINES", 1000)
    monkeypatch.setattr(lines, "MAX_VALUES", 10)
    error = refused(GOOD + "\n" + '{"id":"bd-2","x":[[],[],[],[]]}' + "\n")
    assert "plan.jsonl line 2: the file holds more than 10 JSON values" in error.message
