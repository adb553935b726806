"""Redaction: every pattern with cases it must redact and cases it must leave alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from relaudit.text import TAGS, load_deny_list, mask_area, redact

DENY = ["Jane Smith", "Okonkwo", "Sam"]

# (text, expected redacted text, tag, count of that tag)
MUST_REDACT = [
    # e-mail
    ("mail jo.bloggs@nhs.net today", "mail [email] today", "[email]", 1),
    ("J_SMITH+work@Example.co.uk.", "[email].", "[email]", 1),
    ("x'o@a-b.org, y@c.com", "[email], [email]", "[email]", 2),
    # phone: mobiles and landlines, with or without the international prefix
    ("ring 07700 900123 now", "ring [phone] now", "[phone]", 1),
    ("07700900123", "[phone]", "[phone]", 1),
    ("07700-900-123", "[phone]", "[phone]", 1),
    ("+44 7700 900123", "[phone]", "[phone]", 1),
    ("+447700900123", "[phone]", "[phone]", 1),
    ("0044 7700 900 123", "[phone]", "[phone]", 1),
    ("+44 (0)20 7946 0958", "[phone]", "[phone]", 1),
    ("+44(0)1632 960123", "[phone]", "[phone]", 1),
    ("020 7946 0958", "[phone]", "[phone]", 1),
    ("(020) 7946 0958", "[phone]", "[phone]", 1),
    ("0161 496 0000", "[phone]", "[phone]", 1),
    ("01632 960123", "[phone]", "[phone]", 1),
    ("0800 123 456", "[phone]", "[phone]", 1),
    ("tel:01632960123.", "tel:[phone].", "[phone]", 1),
    # NHS-number-like 10-digit groups
    ("NHS no 943 476 5919", "NHS no [nhs number]", "[nhs number]", 1),
    ("943-476-5919", "[nhs number]", "[nhs number]", 1),
    ("id 9434765919.", "id [nhs number].", "[nhs number]", 1),
    # postcodes
    ("lives at SW1A 1AA", "lives at [postcode]", "[postcode]", 1),
    ("M1 1AE and B33 8TH", "[postcode] and [postcode]", "[postcode]", 2),
    ("cr2 6xh", "[postcode]", "[postcode]", 1),
    ("EC1A1BB,", "[postcode],", "[postcode]", 1),
    ("W1A 0AX", "[postcode]", "[postcode]", 1),
    # URLs
    ("see https://example.org/a?b=1.", "see [url].", "[url]", 1),
    ("http://x.y/z, www.foo.co.uk/path", "[url], [url]", "[url]", 2),
    ("(www.example.com)", "([url])", "[url]", 1),
    ("HTTPS://EVIL.COM/x", "[url]", "[url]", 1),
    # titled names
    ("ask Dr Patel", "ask [name]", "[name]", 1),
    ("Mrs J Smith said", "[name] said", "[name]", 1),
    ("Prof. Jane Doe agreed", "[name] agreed", "[name]", 1),
    ("Cllr Smith", "[name]", "[name]", 1),
    ("Mr Motivator", "[name]", "[name]", 1),
    ("dr Patel's team", "[name]'s team", "[name]", 1),
    ("Mr. J. R. Hartley", "[name]", "[name]", 1),
    ("Councillor O'Neil", "[name]", "[name]", 1),
    ("Dr Anna Smith-Jones left", "[name] left", "[name]", 1),
    ("DR PATEL", "[name]", "[name]", 1),
    ("spoke to mrs jones today", "spoke to [name] today", "[name]", 1),
    ("mr j smith said", "[name] said", "[name]", 1),
    ("Mr and Mrs Smith", "Mr and [name]", "[name]", 1),
    ("Ms o'neil", "[name]", "[name]", 1),
    ("Lord Darzi's review", "[name]'s review", "[name]", 1),
    # deny-list names: case-insensitive, whole words, any spacing
    ("jane   SMITH was great", "[name] was great", "[name]", 1),
    ("thanks to Okonkwo.", "thanks to [name].", "[name]", 1),
    ("Sam and sam", "[name] and [name]", "[name]", 2),
]

MUST_LEAVE_ALONE = [
    "Dr. appointments are hard to get",
    "Dr appointment",
    "GP practices",
    "10 minutes",
    "in 2017/18 and 2018/19",
    "3 of 10 partners",
    "£1.5m saving",
    "A&E waits",
    "2017 2018 2019",
    "1234567890123",
    "01/04/2018",
    "0.1234567890",
    "the M62 motorway",
    "the 2nd and 3rd meetings",
    "Samuel and Samantha",  # deny-list "Sam" is a whole word only
    "sampling",
    "Mr and Mrs",
    "Dr, nurse and OT",
    "NHS 111 and 999 services",
    "we saved 12,345,678 pounds",
    "ratio 100 200 300",
    "@ the meeting",
    "version 1.2.3",
    "wwwhat",
    "Sir, with respect",
    "MS nurses and 10 ms delays",
    "mr and mrs",
    "Mrs. is a title",
]


@pytest.mark.parametrize(("text", "expected", "tag", "count"), MUST_REDACT)
def test_must_redact(text: str, expected: str, tag: str, count: int) -> None:
    redacted, counts = redact(text, DENY)
    assert redacted == expected
    assert counts[tag] == count
    assert sum(counts.values()) == count


@pytest.mark.parametrize("text", MUST_LEAVE_ALONE)
def test_must_leave_alone(text: str) -> None:
    redacted, counts = redact(text, DENY)
    assert redacted == text
    assert sum(counts.values()) == 0


def test_counts_have_every_tag() -> None:
    _, counts = redact("nothing here", [])
    assert set(counts) == set(TAGS)


def test_hidden_characters_do_not_defeat_redaction() -> None:
    # zero-width space inside a deny-listed name, full-width @ in an address
    redacted, counts = redact("Oko\u200bnkwo at jo\uff20nhs.net", DENY)
    assert redacted == "[name] at [email]"
    assert counts["[name]"] == 1 and counts["[email]"] == 1


def test_tags_are_not_re_redacted() -> None:
    # a deny-listed word that is also a tag word must not eat the tags
    redacted, _ = redact("Dr Patel, jo@x.com", ["name", "email"])
    assert redacted == "[name], [email]"


def test_deny_list_with_regex_characters_is_literal() -> None:
    redacted, counts = redact("a.b and axb and (x)", ["a.b", "(x)"])
    assert redacted == "[name] and axb and [name]"
    assert counts["[name]"] == 2


def test_load_deny_list(tmp_path) -> None:
    path = tmp_path / "redact.txt"
    path.write_text("# staff names\n\nJane Smith  # lead\n  Okonkwo\n#Hidden\n", encoding="utf-8")
    assert load_deny_list(path) == ["Jane Smith", "Okonkwo"]


def test_load_deny_list_missing_file_is_empty(tmp_path) -> None:
    assert load_deny_list(tmp_path / "absent.txt") == []
    assert load_deny_list(None) == []


@pytest.mark.parametrize(
    ("text", "expected", "count"),
    [
        ("Anytown is slow; ANYTOWN CCG too", "[this area] is slow; [this area] CCG too", 2),
        ("North  Anyshire partners", "[this area] partners", 1),
        ("Anytowner", "Anytowner", 0),
    ],
)
def test_mask_area(text: str, expected: str, count: int) -> None:
    assert mask_area(text, ["Anytown", "North Anyshire"]) == (expected, count)


def test_mask_area_without_names() -> None:
    assert mask_area("Anytown", []) == ("Anytown", 0)


@given(st.text(max_size=200))
def test_redaction_is_idempotent(text: str) -> None:
    once, _ = redact(text, DENY)
    twice, counts = redact(once, DENY)
    assert twice == once
    assert sum(counts.values()) == 0


@given(st.emails())
def test_any_email_is_redacted(address: str) -> None:
    redacted, _ = redact(f"write to {address} please", [])
    assert "@" not in redacted


@given(
    st.from_regex(
        r"(07[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{3}|\+44 ?7[0-9]{3} ?[0-9]{6}"
        r"|0044 ?(\(0\))?1[0-9]{3} ?[0-9]{6}|(0[12][0-9]{3}|\(0[12][0-9]{3}\)) ?[0-9]{3} ?[0-9]{3}"
        r"|\(?020\)? ?[0-9]{4} ?[0-9]{4})",
        fullmatch=True,
    )
)
def test_generated_uk_numbers_are_redacted(number: str) -> None:
    redacted, counts = redact(f"call {number} today", [])
    assert not any(ch.isdigit() for ch in redacted), redacted
    assert counts["[phone]"] + counts["[nhs number]"] == 1


@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from(["", "£", "£", "#"]))
def test_ordinary_numbers_are_left_alone(number: int, prefix: str) -> None:
    text = f"about {prefix}{number:,} of {number} people in {number % 3000}/{number % 100:02d}"
    assert redact(text, []) == (text, dict.fromkeys(TAGS, 0))


@given(st.dates())
def test_dates_are_left_alone(day) -> None:
    text = f"on {day:%d/%m/%Y} and {day.isoformat()} and {day:%d %B %Y}"
    assert redact(text, [])[0] == text
