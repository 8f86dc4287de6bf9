"""Ingest: formats recognised from content, arXiv fields, duplicates, and one-line errors for bad input."""

from __future__ import annotations

import json

import pytest

from kg.errors import InputError
from kg.ingest import SAMPLE_CORPUS, Paper, iter_papers, normalise_title, read_papers

ABSTRACT = "We study a thing. It works well on several benchmarks and we report results here in detail."


def write(path, text, mode="w"):
    if mode == "wb":
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_sample_corpus_is_read_by_default():
    rep = read_papers()
    assert len(rep.papers) == 95
    assert rep.files == [SAMPLE_CORPUS]
    first = rep.papers[0]
    assert first.title.startswith("Unleashing High-Quality Image Generation")
    assert first.abstract.startswith("The diffusion models (DMs)")
    assert all(p.title and p.abstract for p in rep.papers)
    # header lines of the page ("Daily Papers", "Sep 12", ...) are not papers
    assert not any(p.title in ("Daily Papers", "Subscribe", "Sep 12") for p in rep.papers)


def test_daily_papers_detected_from_content_not_extension(tmp_path):
    page = f"Daily Papers\n\nSep 12\n\nFooNet: Fast Things\n\n{ABSTRACT}\n\nBarNet Rocks\n\n{ABSTRACT}\n"
    f = write(tmp_path / "page.data", page)
    assert [p.title for p in read_papers([f]).papers] == ["FooNet: Fast Things", "BarNet Rocks"]


def test_json_list_and_arxiv_fields_fold_whitespace(tmp_path):
    rec = {"id": "2401.01234v2", "title": "A  Title\n  on two lines", "abstract": "Line one.\n\tLine two. " * 3,
           "authors": "Ada Lovelace, Alan Turing and Grace Hopper", "categories": "cs.LG cs.CL",
           "update_date": "2024-01-05", "doi": "10.1/xyz"}
    f = write(tmp_path / "papers.bin", json.dumps([rec]))
    (p,) = read_papers([f]).papers
    assert p.title == "A Title on two lines"
    assert "\n" not in p.abstract and "  " not in p.abstract
    assert p.id == "2401.01234v2" and p.arxiv_id == "2401.01234"
    assert p.authors == ("Ada Lovelace", "Alan Turing", "Grace Hopper")
    assert p.categories == ("cs.LG", "cs.CL")
    assert p.date == "2024-01-05" and p.doi == "10.1/xyz"
    assert p.url == "https://arxiv.org/abs/2401.01234"
    assert p.source == "papers.bin"


def test_json_lines(tmp_path):
    lines = [json.dumps({"title": f"Paper {i}", "abstract": ABSTRACT}) for i in range(3)]
    f = write(tmp_path / "p.jsonl", "\n".join(lines) + "\n\n")
    assert [p.title for p in read_papers([f]).papers] == ["Paper 0", "Paper 1", "Paper 2"]


def test_directory_and_duplicates_by_arxiv_id_and_title(tmp_path):
    d = tmp_path / "in"
    d.mkdir()
    write(d / "a.jsonl", json.dumps({"id": "2401.00001", "title": "First", "abstract": ABSTRACT}) + "\n")
    write(d / "b.json", json.dumps([
        {"id": "2401.00001v3", "title": "First (v3 title)", "abstract": ABSTRACT},  # same arXiv id
        {"title": "first!", "abstract": ABSTRACT},  # same normalised title
        {"title": "Second", "abstract": ABSTRACT},
    ]))
    write(d / "notes.md", "ignored: not a paper file extension")
    rep = read_papers([d])
    assert [p.title for p in rep.papers] == ["First", "Second"]
    assert rep.duplicates == 2


def test_several_files_in_one_read(tmp_path):
    a = write(tmp_path / "a.jsonl", json.dumps({"title": "A", "abstract": ABSTRACT}))
    b = write(tmp_path / "b.jsonl", json.dumps({"title": "B", "abstract": ABSTRACT}))
    assert [p.title for p in read_papers([a, b]).papers] == ["A", "B"]


def test_record_without_abstract_is_skipped_with_warning(tmp_path):
    f = write(tmp_path / "p.jsonl", "\n".join([
        json.dumps({"title": "Good", "abstract": ABSTRACT}),
        json.dumps({"title": "No abstract"}),
        json.dumps({"abstract": ABSTRACT}),
    ]))
    rep = read_papers([f])
    assert [p.title for p in rep.papers] == ["Good"]
    assert rep.skipped == 2
    assert "p.jsonl:2" in rep.warnings[0] and "no abstract" in rep.warnings[0]
    assert "p.jsonl:3" in rep.warnings[1] and "no title" in rep.warnings[1]


@pytest.mark.parametrize("content,mode,message,line", [
    ("", "w", "file is empty", None),
    ("   \n\n", "w", "file is empty", None),
    (b'{"title": "x", "abstract": "y"}\n\xff\xfe bad\n', "wb", "not UTF-8", 2),
    ('{"title": "A", "abstract": "B"}\n{"title": "broken"\n', "w", "malformed JSON line", 2),
    ('[{"title": "A", "abstract": "B"},\n {"title": }]', "w", "malformed JSON", 2),
    ("just one short line", "w", "no papers found", None),
    (b"abc\x00def", "wb", "NUL byte", 1),
])
def test_bad_input_errors_name_file_and_line(tmp_path, content, mode, message, line):
    f = write(tmp_path / "bad.jsonl", content, mode)
    with pytest.raises(InputError) as e:
        read_papers([f])
    msg = str(e.value)
    assert message in msg
    assert str(f) in msg
    if line is not None:
        assert f"{f}:{line}:" in msg
    assert "\n" not in msg


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        read_papers([tmp_path / "nope.json"])


def test_strict_turns_skips_into_errors(tmp_path):
    f = write(tmp_path / "p.jsonl", json.dumps({"title": "Good", "abstract": ABSTRACT}) + "\n"
              + json.dumps({"title": "Bad"}) + "\n")
    with pytest.raises(InputError, match=r"p\.jsonl:2: record has no abstract"):
        read_papers([f], strict=True)


def test_all_records_skipped_is_an_error(tmp_path):
    f = write(tmp_path / "p.jsonl", json.dumps({"title": "only a title"}))
    with pytest.raises(InputError, match="no usable papers"):
        read_papers([f])


def test_iter_papers_streams():
    it = iter_papers()
    first = next(it)
    assert isinstance(first, Paper)


def test_normalise_title():
    assert normalise_title("  Lyra: Dual-Correction!! ") == normalise_title("lyra dual correction")
