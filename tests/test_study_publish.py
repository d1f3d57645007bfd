"""A study's report published into docs: the preamble first, the plots beside the page."""

from __future__ import annotations

import pytest

from codecorr_jax.study.publish import main, publish


def _study(tmp_path, report: str, plots=("finding_1.png",)):
    study = tmp_path / "run" / "study"
    study.mkdir(parents=True)
    (study / "report.md").write_text(report)
    for name in plots:
        (study / name).write_bytes(b"png of " + name.encode())
    return tmp_path / "run"


def test_the_page_holds_the_preamble_then_the_report_with_its_plots_moved(tmp_path):
    workdir = _study(tmp_path, "# The study\n\n![finding 1](finding_1.png)\n"
                               "[a link](https://example.invalid/x.png) stays\n")
    page = tmp_path / "docs" / "study_cpu.md"
    (tmp_path / "docs").mkdir()
    preamble = tmp_path / "pre.md"
    preamble.write_text("# The CPU study: 3 seeds\n\nHow it ran.\n")
    main([str(workdir), str(page), "--preamble", str(preamble)])
    assert page.read_text() == ("# The CPU study: 3 seeds\n\nHow it ran.\n\n# The study\n\n"
                                "![finding 1](study_cpu/finding_1.png)\n"
                                "[a link](https://example.invalid/x.png) stays\n")
    assert (tmp_path / "docs" / "study_cpu" / "finding_1.png").read_bytes() == \
        b"png of finding_1.png"


def test_a_missing_report_or_plot_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="report.md does not exist: run the study"):
        publish(str(tmp_path / "nowhere"), str(tmp_path / "page.md"))
    workdir = _study(tmp_path, "![f](finding_2.png)\n", plots=())
    with pytest.raises(FileNotFoundError, match="shows finding_2.png"):
        publish(str(workdir), str(tmp_path / "page.md"))
    assert not (tmp_path / "page.md").exists()
