"""The build progress bar: drawn on a terminal, silent otherwise."""

from __future__ import annotations

import io

from click.testing import CliRunner

from kg.cli import cli
from kg.progress import Progress, format_duration, format_line


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_silent_when_not_a_terminal():
    stream = io.StringIO()
    with Progress(total=100, stream=stream, min_interval=0) as bar:
        for _ in range(10):
            bar.update(10)
    assert stream.getvalue() == ""


def test_draws_count_rate_and_eta_on_a_terminal():
    stream = FakeTerminal()
    with Progress(total=1000, stream=stream, min_interval=0) as bar:
        bar.update(250)
        bar.update(250)
    out = stream.getvalue()
    assert out.startswith("\r") and out.endswith("\n")
    last = out.rstrip("\n").split("\r")[-1]
    assert "500/1,000 papers" in last and "50%" in last and "papers/s" in last


def test_unknown_or_wrong_total_shows_count_and_rate_only():
    assert format_line(10, None, 2.0) == " 10 papers  5 papers/s"
    stream = FakeTerminal()
    with Progress(total=5, stream=stream, min_interval=0) as bar:  # an estimate that was too low
        bar.update(8)
    assert "8 papers" in stream.getvalue() and "/5" not in stream.getvalue()


def test_format_line_and_duration():
    line = format_line(1000, 1000, 4.0)
    assert "[====================]" in line and "100%" in line and "ETA" not in line
    assert format_duration(3725) == "1h02m"


def test_build_prints_no_progress_when_stderr_is_not_a_terminal(tmp_path, sample_corpus_30):
    result = CliRunner().invoke(cli, ["build", str(sample_corpus_30), "-o", str(tmp_path / "out"), "--no-html"])
    assert result.exit_code == 0, result.output
    assert "\r" not in result.output and "papers/s" not in result.output
