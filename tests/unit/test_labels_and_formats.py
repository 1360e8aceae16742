"""Labels and locale formats of the rendered reports (docs/reports.md): the seed code_labels covers every code
list, every report word exists in the three languages, and Babel gives each language its numbers."""

import csv
import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from followup.labels import Formatter, Labels, humanize, messages

ROOT = Path(__file__).resolve().parents[2]
SEEDS = ROOT / "dbt_project" / "seeds"


def _seed(name: str) -> list[dict]:
    with (SEEDS / f"{name}.csv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_code_labels_cover_every_code_list_metric_key_exit_group_and_age_band():
    labels = {(r["code_list"], r["code"]): r for r in _seed("code_labels")}
    assert all(r["sv"] and r["da"] and r["en"] for r in labels.values())
    wanted = set()
    for code_list, codes in yaml.safe_load((ROOT / "sources" / "codelists.yml").read_text(encoding="utf-8")).items():
        wanted |= {(code_list, str(c)) for c in codes}
    wanted |= {("metric_key", r["metric_key"]) for r in _seed("metric_keys")}
    wanted |= {("age_band", r["band_label"]) for r in _seed("age_bands")}
    wanted |= {("exit_group", r["exit_group"]) for r in _seed("exit_groups") if r["exit_group"]}
    wanted |= {("exit_group", "dropout"), ("exit_group", "other")}
    wanted |= {("sdq_band", r["band_label"]) for r in _seed("sdq_bands")}
    wanted |= {("goal_status", s) for s in ("met", "not_met", "not_yet_measurable", "no_data")}
    wanted |= {
        ("evidence", s) for s in ("clearly_met", "clearly_not_met", "inconclusive", "not_yet_measurable", "no_data")
    }
    wanted |= {("source", p.stem) for p in (ROOT / "sources" / "contracts").glob("*.yml")}
    assert sorted(wanted - set(labels)) == []


def test_every_report_word_is_in_three_languages_and_every_key_used_exists():
    words = messages()
    assert all(set(entry) == {"sv", "da", "en"} for entry in words.values())
    for key, entry in words.items():
        assert len({frozenset(re.findall(r"{(\w+)}", text)) for text in entry.values()}) == 1, key
    used = set()
    for path in (ROOT / "followup").glob("*.py"):
        used |= set(re.findall(r'\bt\(\s*"([a-z_0-9]+)"', path.read_text(encoding="utf-8")))
    for path in (ROOT / "followup" / "templates").glob("*.j2"):
        used |= set(re.findall(r"""\bt\(\s*['"]([a-z_0-9]+)['"]""", path.read_text(encoding="utf-8")))
    assert sorted(used - set(words)) == []


@pytest.mark.parametrize(
    ("lang", "money", "share", "day", "decimal"),
    [
        ("sv", "30 360 000 kr", "78 %", "2017-12-31", "1 234,5"),
        ("da", "30.360.000 kr.", "78 %", "31.12.2017", "1.234,5"),
        ("en", "SEK 30,360,000", "78%", "31 Dec 2017", "1,234.5"),
    ],
)
def test_numbers_money_shares_and_dates_in_the_locale(lang, money, share, day, decimal):
    fmt = Formatter(lang)

    def plain(text: str) -> str:
        return text.replace("\u00a0", " ").replace("\u202f", " ")

    assert plain(fmt.money(30360000)) == money
    assert plain(fmt.share(0.78)) == share
    assert fmt.date(date(2017, 12, 31)) == day
    assert plain(fmt.decimal(1234.5)) == decimal
    assert fmt.suppressed() == "<5"
    # an effect of -0.04 rounds to zero and reads 0.0, never -0.0; -0.06 keeps its sign
    zero, tenth = ("0.0", "0.1") if lang == "en" else ("0,0", "0,1")
    assert fmt.decimal(-0.04) == zero
    assert fmt.decimal(-0.06) in ("-" + tenth, "\u2212" + tenth)


def test_a_code_without_label_is_never_shown_as_snake_case():
    labels = Labels([("cost_category", "own_staff", "Egen personal", "Eget personale", "Own staff")])
    assert labels.label("cost_category", "own_staff", "da") == "Eget personale"
    assert labels.label("cost_category", "premises_it", "sv") == humanize("premises_it") == "Premises it"
