"""A second instrument and programme build their documents with no change to code.

The fixture (tests/fixtures/programmes/partners/) differs from the relational
audit in every way the redesign made configuration: a 1-4 scale, "No contact"
and the code 0 as answers that are not ratings, ratings per target (three
council departments), single-choice respondent questions, its own statement
set, lexicon, enquiry rules and document sections.

Expected values are worked out by hand from the rule in make_partners.py: for
Northmoor's twelve on-time respondents r = 0..11 and departments t = 0..2,
"They answer our questions quickly." gets answer index (r + t) % 5, so the
36 answers hold 6 "no contact" (r = 2, 3, 4, 7, 8, 9, one each) and 30
ratings summing to 75 (per respondent: 6, 9, 7, 5, 3, 6, 9, 7, 5, 3, 6, 9):
mean 2.5, and 15 of the 30 are Good or Very good.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from pipeline import run_snakemake

pytestmark = pytest.mark.e2e

FIXTURE = Path("tests/fixtures/programmes/partners")
UNITS = ("northmoor", "southwick")


@pytest.fixture(scope="module")
def partner_results(tmp_path_factory) -> Path:
    results = tmp_path_factory.mktemp("partners") / "results"
    run_snakemake(
        "--config",
        f"programme={FIXTURE / 'programme.yaml'}",
        f"results_dir={results}",
        "min_group_size=3",
    )
    return results


@pytest.mark.parametrize("unit", UNITS)
def test_every_unit_gets_its_pack(partner_results, unit):
    for fmt in ("html", "pdf"):
        path = partner_results / "systems" / unit / f"briefing.{fmt}"
        assert path.stat().st_size > 1000, path
    assert (partner_results / "national" / "annex.pdf").stat().st_size > 1000


def test_statement_scores_pool_departments_and_leave_no_contact_apart(partner_results):
    table = pd.read_csv(partner_results / "systems/northmoor/tables/statement_scores.csv")
    row = table.set_index("item_id").loc["replies_quickly"]
    assert row["n"] == 30
    assert row["not_rated"] == 6
    assert row["mean"] == pytest.approx(2.5)
    assert row["pct_positive"] == pytest.approx(50.0)
    # "Their answers are clear.": the same rule one respondent on, (r + 1 + t) % 5,
    # drops respondent 0's 6 and adds (12 + t) % 5 = Good, Very good, no contact.
    row = table.set_index("item_id").loc["clear_answers"]
    assert (row["n"], row["not_rated"]) == (29, 7)
    assert row["mean"] == pytest.approx(76 / 29, abs=1e-5)


def test_single_choice_questions_make_the_profile(partner_results):
    profile = pd.read_csv(partner_results / "systems/northmoor/tables/profile.csv")
    counts = {
        (q, g): n
        for q, g, n in zip(profile["question"], profile["group"], profile["n"], strict=True)
    }
    # Services cycle by r % 3 and sizes by r % 2 over the twelve on-time respondents.
    for service in ("Residential care", "Home care", "Supported living"):
        assert counts[("service", service)] == 4
    assert counts[("size", "Small")] == 6
    assert counts[("size", "Large")] == 6


def test_the_documents_speak_the_instrument(partner_results):
    html = (partner_results / "systems/northmoor/briefing.html").read_text(encoding="utf-8")
    assert "They answer our questions quickly." in html
    assert "Good" in html  # the scale's first positive label
    assert "Often true" not in html
    assert "Main service" in html
    annex = (partner_results / "national/annex.html").read_text(encoding="utf-8")
    assert "Findings by main service" in annex
    # The annex's analysis sections and appendices serve a second instrument too.
    for heading in ["Definitions", "Enablers and barriers", "Supported living providers",
                    "Appendix: the statements", "Appendix: the questionnaire"]:  # fmt: skip
        assert heading in annex, heading
    assert "How quickly and clearly a department answers providers." in annex
