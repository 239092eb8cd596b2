"""Data-sharing terms: confidential mode, research use, audit, the end of the data, and HIPAA.

Each field is shown to reach the draft in the words it chooses, to show in
`mou-build diff` under its own path, and to be marked in the Word redline.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from conftest import DATA, ROOT
from docx_revisions import W, accept_all, body, reject_all
from mou_builder.assembly import assemble
from mou_builder.cli import main
from mou_builder.library.completeness import check
from mou_builder.spec.loader import load_spec, read_spec_data, validate_spec
from mou_builder.render.text import render_plain

VALID = DATA / "valid"
HOSPITAL = ROOT / "docs" / "examples" / "hospital-food-bank.yaml"


def _text(path: Path) -> str:
    return render_plain(assemble(load_spec(path)))


def _hospital() -> dict[str, Any]:
    return copy.deepcopy(read_spec_data(HOSPITAL)[0])


# ---------------------------------------------------------------- what each field makes the draft say


@pytest.mark.parametrize(("fixture", "sentences"), [
    ("data-confidential-research.yaml", [
        # mode confidential: a confidentiality duty, and no privacy-law words
        "The Network shall disclose to the Institute the confidential business or aggregate data described below, "
        "which identifies no individual. The Institute shall keep the data confidential.",
        # onward_transfer: same_terms
        "Even with that consent, the Institute shall not disclose the data to a person that has not first agreed in "
        "writing to the same restrictions on the use and disclosure of the data as this Agreement places on the "
        "Institute.",
        # retention_basis: project_end, disposition: destroy, certificate_days: 10
        "Within sixty (60) days after the end of the project for which the data is shared (Pantry Costs Study), the "
        "Institute shall securely destroy, rather than return, the data and all copies of it and, within ten (10) "
        "days after doing so, give the Network a written certificate of the destruction.",
        # audit.by, audit.notice_days
        "The Institute shall permit the Network to inspect and audit the records, systems and premises in which the "
        "Institute keeps or uses the data, to verify compliance with Section 7 (Data Sharing), on at least fifteen "
        "(15) days' written notice.",
        # research.min_cell_size: a confidential figure rests on records, not individuals
        "The Institute shall publish or present results from the data only in aggregate form and shall not publish "
        "any figure based on fewer than five (5) records.",
        # publication review of confidential data
        "to ask that any confidential data it contains be removed.",
        # research.provider_named: true
        "The Institute may name the Network as the source of the data in any publication that uses it.",
    ]),
    ("data-de-identified-research.yaml", [
        # research: {} gives the named defaults: aggregate only, no contact, provider not named
        "The University shall not use the data to contact, or to try to contact, any individual whom the data "
        "describes.",
        "The University shall publish or present results from the data only in aggregate form.",
        "The University shall not name the District as the source of the data in any publication without the prior "
        "written consent of the District.",
        # retention_basis: no_longer_needed, disposition: return, no certificate
        "Within thirty (30) days after the data is no longer needed for the purposes of this MOU or after this MOU "
        "ends, whichever is earlier, the University shall return the data to the District, destroy every remaining "
        "copy and confirm the return in writing.",
    ]),
    ("data-hipaa-business-associate.yaml", [
        "The data includes protected health information, as 45 CFR 160.103 defines the term, that the Health Center "
        "discloses as a covered entity under the HIPAA Privacy Rule, 45 CFR Parts 160 and 164.",
        "The Health Center shall disclose, and Care Navigators shall request and use, only the minimum protected "
        "health information necessary for the purposes of this MOU.",
        "Care Navigators is a business associate of the Health Center under 45 CFR 160.103.",
        "(d) ensure that each subcontractor that creates, receives, maintains or transmits the information for Care "
        "Navigators agrees in writing to the same restrictions and conditions that apply to Care Navigators under "
        "this MOU, as 45 CFR 164.502(e)(1)(ii) requires;",
        "(f) make its internal practices, books and records relating to the information available to the Secretary "
        "of Health and Human Services",
    ]),
])
def test_each_field_reaches_the_draft_in_its_own_words(fixture: str, sentences: list[str]) -> None:
    text = " ".join(_text(VALID / fixture).split("\n"))
    for sentence in sentences:
        assert sentence in text


def test_confidential_data_has_no_privacy_law_terms() -> None:
    text = _text(VALID / "data-confidential-research.yaml")
    for words in ("personal data", "legal basis", "re-identify", "contact", "breach", "protected health"):
        assert words not in text


def test_without_a_business_associate_the_draft_has_no_business_associate_terms() -> None:
    text = _text(HOSPITAL)
    assert "9.2 Protected Health Information" in text and "Minimum Necessary" in text
    assert "business associate" not in text and "subcontractor" not in text


def test_subcontractor_flow_down_can_be_left_out_and_the_list_relettered() -> None:
    data = read_spec_data(VALID / "data-hipaa-business-associate.yaml")[0]
    data["data_sharing"]["hipaa"]["subcontractors"] = False
    text = render_plain(assemble(validate_spec(data)))
    assert "subcontractor" not in text
    assert "(d) make the information available" in text and "(e) make its internal practices" in text


def test_the_hospital_example_is_complete_under_health_data() -> None:
    findings = check(load_spec(HOSPITAL))
    assert [f for f in findings if f.severity != "info"] == []
    assert load_spec(HOSPITAL).agreement.profile == "health_data"


def test_health_data_asks_for_the_hipaa_block_and_the_breach_notice() -> None:
    data = _hospital()
    del data["data_sharing"]["hipaa"]
    data["data_sharing"]["breach_notice_days"] = None
    missing = {f.path for f in check(validate_spec(data)) if f.severity == "error"}
    assert missing == {"data_sharing.hipaa", "data_sharing.breach_notice_days"}


# ---------------------------------------------------------------- diff and redline, field by field


CHANGES: list[tuple[str, Any, str]] = [
    # (path, new value, words of the new draft; "-words": words only the old draft has)
    ("data_sharing.mode", "confidential", "which identifies no individual"),
    ("data_sharing.retention_basis", "project_end", "after the end of the project for which the data is shared"),
    ("data_sharing.disposition", "return", "return the data to the Medical Center, destroy every remaining copy"),
    ("data_sharing.certificate_days", 5, "within five (5) days after doing so"),
    ("data_sharing.onward_transfer", "same_terms", "Even with that consent"),
    ("data_sharing.audit.notice_days", 20, "on at least twenty (20) days' written notice"),
    ("data_sharing.audit.by", ["foodbank", "hospital"], "permit the Food Bank and the Medical Center"),
    ("data_sharing.research", {}, "only in aggregate form"),
    ("data_sharing.research.aggregate_only", False, "-only in aggregate form"),
    ("data_sharing.research.min_cell_size", 11, "fewer than eleven (11) individuals"),
    ("data_sharing.research.no_contact", False, "-to contact, or to try to contact"),
    ("data_sharing.research.provider_named", True, "may name the Medical Center as the source"),
    ("data_sharing.audit", None, "-inspect and audit"),
    ("data_sharing.hipaa", None, "-as a covered entity under the HIPAA Privacy Rule"),
    ("data_sharing.hipaa.minimum_necessary", False, "-only the minimum protected health information"),
    ("data_sharing.hipaa.business_associate", "foodbank", "The Food Bank is a business associate"),
    ("data_sharing.hipaa.subcontractors", False, "-ensure that each subcontractor"),
]


def _changed(path: str, value: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    data = yaml.safe_load(HOSPITAL.read_text(encoding="utf-8"))  # plain YAML values, to write back
    ds = data["data_sharing"]
    if path == "data_sharing.mode":  # a confidential exchange has no privacy-law terms
        for name in ("legal_basis", "hipaa", "breach_notice_days"):
            ds.pop(name)
    if path == "data_sharing.audit.by":
        ds["recipient"] = None  # the audit is of whoever receives the data
    if path.startswith("data_sharing.research.") and path != "data_sharing.research":
        ds["research"] = {}
    if path == "data_sharing.research.no_contact":
        ds["research"] = {"no_contact": True}
    if path == "data_sharing.hipaa.subcontractors":
        ds["hipaa"]["business_associate"] = "foodbank"
    if path == "data_sharing.hipaa.business_associate":
        ds["hipaa"]["business_associate"] = None
    old = copy.deepcopy(data)
    *parents, name = path.split(".")
    holder = data
    for part in parents:
        holder = holder[part]
    holder[name] = value
    return old, data


@pytest.mark.parametrize(("path", "value", "words"), CHANGES, ids=[c[0] for c in CHANGES])
def test_diff_names_the_field_and_the_redline_marks_it(
    path: str, value: Any, words: str, tmp_path: Path
) -> None:
    old, new = _changed(path, value)
    for name, data in (("old", old), ("new", new)):
        (tmp_path / f"{name}.yaml").write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    files = [str(tmp_path / "old.yaml"), str(tmp_path / "new.yaml")]
    result = CliRunner().invoke(main, ["diff", *files, "--paths"])
    assert result.exit_code == 0, result.output
    changes = result.stdout.split("Clause changes")[0]
    assert f"  {path}" in changes or f"  {path}:" in changes or f"  {path}[" in changes, changes

    redline = tmp_path / "redline.docx"
    result = CliRunner().invoke(main, ["diff", *files, "-o", str(redline)])
    assert result.exit_code == 0, result.output
    root = body(redline.read_bytes())
    assert list(root.iter(f"{W}ins", f"{W}del")), "the redline marks no change"
    accepted = " ".join(accept_all(redline.read_bytes()))
    rejected = " ".join(reject_all(redline.read_bytes()))
    if words.startswith("-"):
        assert words[1:] in rejected and words[1:] not in accepted
    else:
        assert words in accepted and words not in rejected
