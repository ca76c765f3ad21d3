"""rules/reasons.yaml: every reason the engine can emit has Japanese, English, a legal reference and a topic, and
every template renders with exactly the parameters it declares."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from exportscreen import engine, reasons, screening, technology
from exportscreen.model import Code
from exportscreen.reasons import TOPICS, Catalogue, CatalogueError, Phrase

SOURCES = [Path(engine.__file__), Path(technology.__file__), Path(reasons.__file__)]  # + the catalogue's hit phrase
SOURCES.append(Path(screening.__file__))  # a 取引区分 that is neither goods nor technology
SOURCES.append(Path(screening.__file__).with_name("licensing.py"))  # screening with the licence register


ID = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9()]+)+$")  # CATCHALL-WMD-USE, LOST-INFORM, CLASS-16(1) …


def _engine_ids() -> tuple[set[str], set[str]]:
    """(ids, id prefixes): every string literal of the engine shaped like a reason or phrase id, and the literal
    heads of ids built at run time (f"INPUT-{field}")."""
    ids, prefixes = set(), set()
    nodes = [n for src in SOURCES for n in ast.walk(ast.parse(src.read_text(encoding="utf-8")))]
    for node in nodes:
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and ID.match(node.value):
            ids.add(node.value)
        elif isinstance(node, ast.JoinedStr) and isinstance(node.values[0], ast.Constant):
            head = node.values[0].value
            if isinstance(head, str) and re.fullmatch(r"[A-Z]+(-[A-Z]+)*-", head):
                prefixes.add(head)
    return ids, prefixes


def test_every_id_the_engine_names_is_in_the_catalogue(rules):
    ids, prefixes = _engine_ids()
    known = set(rules.reasons.reasons) | set(rules.reasons.phrases)
    # technology ids built at run time (exportscreen/technology.py): per requirement, 25条3項 act, End User List
    # state, and sanctions overlay (TECH-<overlay id> where the facts note covers technology; the others fall back
    # to TECH-SANCTION-UNVERIFIED)
    from exportscreen.rules import METHOD_ACTS, TECH_REQUIREMENTS

    dynamic = {f"TECH-CATCHALL-{r}" for r in TECH_REQUIREMENTS} | {f"TECH-ACT-{a}" for a in METHOD_ACTS[1:]}
    dynamic |= {"TECH-CATCHALL-USER-UNCHECKED", "TECH-CATCHALL-USER-NO-LIST"}
    assert dynamic <= known, dynamic - known
    ids |= dynamic | {f"TECH-{o.id}" for o in rules.overlays} & known
    prefixes = {p for p in prefixes if not p.startswith("TECH-")}  # the technology ids are listed above
    assert len(ids) >= 50  # the walk found them
    assert ids <= known, ids - known
    # ids built at run time: INPUT-<FIELD>, CLASS-<class>, INFORM-<kind>, CODE-<decision>, COUNTRY-FIELD-<field>
    from exportscreen.orders import FIELDS

    assert {f"INPUT-{f.upper()}" for f in FIELDS} <= set(rules.reasons.reasons)
    assert {f"CLASS-{c}" for c in ("16(1)", "16(2)", "16", "O")} <= set(rules.reasons.phrases)
    assert {f"INFORM-{k}" for k in ("wmd", "conventional")} <= set(rules.reasons.phrases)
    assert {f"CODE-{c.value}" for c in Code} <= set(rules.reasons.phrases)
    fields = ("country", "final_destination", "provision_country", "influence_country")
    assert {f"COUNTRY-FIELD-{f}" for f in fields} <= set(rules.reasons.phrases)  # what a country cell is called
    assert prefixes <= {"INPUT-", "CLASS-", "INFORM-", "CODE-", "COUNTRY-FIELD-"}
    unused = {k for k in known - ids if not any(k.startswith(p) for p in prefixes)}
    assert unused == set(), f"texts nothing says: {unused}"


def test_every_reason_has_texts_reference_and_topic(rules):
    for t in rules.reasons.reasons.values():
        assert t.ja and t.en and t.ref and t.topic in TOPICS, t.id
        assert any("\u3040" <= ch <= "\u9fff" for ch in t.ja), t.id  # Japanese first
    for o in (*rules.overlays, *rules.notices):  # the sanctions reasons live beside their measures
        assert o.ja and o.en and o.ref, o.id


@pytest.mark.parametrize("section", ["reasons", "phrases"])
def test_every_template_renders_with_its_parameters(rules, section):
    table = getattr(rules.reasons, section)
    for t in table.values():
        sample = {p: 1234.5 for p in t.params}  # numbers fit every format spec ({limit:,.0f}, {score:.2f})
        if section == "reasons":
            r = rules.reasons.reason(t.id, Code.REVIEW, **sample)
            assert r.ja and r.en and r.ref and r.topic == t.topic
            texts = (r.ja, r.en)
        else:
            p = rules.reasons.phrase(t.id, **sample)
            texts = (p.ja, p.en)
        for text in texts:
            assert "{" not in text and "}" not in text, (t.id, text)
        if t.params:  # a parameter the template declares must be given …
            with pytest.raises(CatalogueError):
                (rules.reasons.reason if section == "reasons" else rules.reasons.phrase)(
                    t.id, *(() if section == "phrases" else (Code.REVIEW,)), **dict(list(sample.items())[1:])
                )


def test_parameters_render_per_language(rules):
    T = rules.reasons
    why = (T.phrase("LOST-INFORM"), T.phrase("LOST-WMD-USE"))
    r = T.reason("SMALL-VALUE-LOST", Code.NO_LICENSE, why=why, article="輸出令4条1項5号")
    assert r.ja == "少額特例は使えません（インフォームを受けている、用途が大量破壊兵器等）"
    assert r.en == "the small-value exemption is lost (an inform was received, WMD end use)"
    assert T.reason("CATCHALL-GROUP-A", Code.NO_LICENSE, cls=Phrase("16の項(1)", "item 16(1)")).en.endswith(
        "item 16(1) goods"
    )
    with pytest.raises(CatalogueError):
        T.reason("NO-SUCH-REASON", Code.REVIEW)


@pytest.mark.parametrize(
    "edit, message",
    [
        ({"topic": "weather"}, "topic 'weather'"),
        ({"ref": ""}, "missing ref"),
        ({"ja": "{undeclared}です"}, "uses undeclared"),
        ({"colour": "red"}, "unknown key colour"),
    ],
)
def test_the_loader_refuses_a_bad_reason(edit, message):
    good = {"topic": "use", "params": [], "ja": "用途です", "en": "use", "ref": "輸出令4条"}
    with pytest.raises(ValueError, match=message):
        Catalogue.from_data({"reasons": {"X-1": {**good, **edit}}})
