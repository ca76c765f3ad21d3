"""The one renderer: a :class:`~exportscreen.model.Decision` (and the End User List hits in its reasons) as the
理由 cell, spreadsheet function results, CLI output, JSON, audit records and audit-workbook cells.

No adapter builds decision text of its own or guesses a reason's meaning from its id: each reason carries its
``topic`` and its hits, and every sentence comes from ``rules/reasons.yaml`` through :mod:`exportscreen.reasons`.
"""

from __future__ import annotations

from typing import Any

from exportscreen.model import Code, Decision, Reason
from exportscreen.reasons import CONCERN_ORDER, concern_text

CONCERN_JA = {"B": "生物", "C": "化学", "M": "ミサイル", "N": "核", "CW": "通常兵器"}
CONCERN_EN = {"B": "biological", "C": "chemical", "M": "missile", "N": "nuclear", "CW": "conventional weapons"}
HIT_KIND = {"hit": ("該当", "Listed"), "possible": ("類似（要確認）", "Possible match")}


# The colours of each decision (fill, font; RRGGBB) wherever a 判定 cell is shown: the screened workbook, the order
# template, the sample workbook.
DECISION_COLOURS = {
    Code.PROHIBITED: ("FFC7CE", "9C0006"),
    Code.LICENSE_REQUIRED: ("F8CBAD", "833C0B"),
    Code.REPORT_REQUIRED: ("E4DFEC", "5B3A7E"),
    Code.REVIEW: ("FFEB9C", "9C5700"),
    Code.LICENSED: ("B7E4E0", "0B5D57"),
    Code.NO_LICENSE: ("C6EFCE", "006100"),
    Code.INVALID: ("D9D9D9", "404040"),
}


def label(code: Code, lang: str = "ja") -> str:
    return code.label_en if lang == "en" else code.label


def reason_line(reason: Reason, lang: str = "ja") -> str:
    """``text（ref）``: one reason as it appears in the 理由 cell."""
    return f"{reason.en} ({reason.ref})" if lang == "en" else f"{reason.ja}（{reason.ref}）"


def stamp(decision: Decision, lang: str = "ja") -> str:
    if lang == "en":
        return f"[rules {decision.rules_version} / as of {decision.as_of.isoformat()}]"
    return f"[規則 {decision.rules_version} / 基準日 {decision.as_of.isoformat()}]"


def reason_text(decision: Decision, lang: str = "ja") -> str:
    """All reasons in one cell, one per line, then the rules stamp. Rendered once per decision and language (the
    engine shares decisions between equal lines)."""
    text = decision.extra.get(lang)
    if text is None:
        text = decision.extra[lang] = "\n".join(
            [reason_line(r, lang) for r in decision.reasons] + [stamp(decision, lang)]
        )
    return text


CELL_LIMIT = 32_767  # characters (UTF-16 units) an Excel cell holds
CUT_MARK = {"ja": "…（以下省略：全文は監査ログ）", "en": "… (cut: full text in the audit log)"}


def cell_text(text: str, lang: str = "ja") -> str:
    """``text`` as a cell holds it: a text longer than Excel's :data:`CELL_LIMIT` is cut, ending with
    :data:`CUT_MARK` (the audit log keeps the decision whole). Every writer of a 理由 cell — the workbook, the csv
    file, the spreadsheet functions — writes this."""
    if len(text) <= CELL_LIMIT // 2:  # fits even if every character takes two UTF-16 units
        return text
    units = text.encode("utf-16-le")
    if len(units) <= 2 * CELL_LIMIT:
        return text
    mark = CUT_MARK["en" if lang == "en" else "ja"]
    keep = 2 * (CELL_LIMIT - len(mark))  # the marker's characters are one unit each
    return units[:keep].decode("utf-16-le", errors="ignore") + mark


def reason_cell(decision: Decision, lang: str = "ja") -> str:
    """The 理由 cell: :func:`reason_text` as a cell holds it (:func:`cell_text`)."""
    return cell_text(reason_text(decision, lang), lang)


# ------------------------------------------------------------------------------------------ End User List hits
#
# One renderer for a hit: the data (hit_dict — entry No., listed name, country, concern types in CONCERN_ORDER,
# matched name, score, kind, and the features that fired as data) and the texts written from that data, so that a
# hit shown live (eul search, =EUL_MATCH, check) and a hit read back from the audit log read the same. The Japanese
# texts are Japanese only: the feature explanations come from exportscreen/eul/features.py (ja / ja_detail).


def hit_features(hit) -> list[dict]:
    """The features that fired, as data: ``[{"feature": "name_fuzzy", "value": 0.87, "listed": …, "found": 0.9}]``."""
    return [f.to_dict() for f in hit.features]


def hit_dict(hit, lang: str = "ja", *, explain: bool = True) -> dict:
    """A hit as data (JSON output, audit records): entry, country, concerns, score, kind, matched name, features and,
    unless ``explain`` is false (the audit log keeps the facts only), the explanation in ``lang``."""
    e = hit.entry
    out = {
        "no": e.no,
        "name": " ".join(e.name.split()),
        "country": e.country,
        "concerns": [c for c in CONCERN_ORDER if c in e.concerns],
        "score": round(hit.score, 2),
        "kind": hit.kind,
        "matched_name": " ".join(hit.matched_name.split()),
        "features": hit_features(hit),
    }
    if explain:
        out["explanation"] = hit_text(out, lang)
    return out


def _country(iso2: str | None, lang: str) -> str:
    from exportscreen.eul.countries import name_en, name_ja

    if not iso2:
        return ""
    return name_en(iso2) if lang == "en" else name_ja(iso2)


def _words_ja(words: str) -> str:
    from exportscreen.eul.places import places

    shown = places().shown_ja
    return " ".join(shown.get(w, w) for w in words.split())


def _kind(kind: str, lang: str) -> str:
    return HIT_KIND.get(kind, (kind, kind))[lang == "en"]


def feature_text(f: dict, lang: str = "ja") -> str:
    """One feature that fired, in the clerk's language, with its facts filled in (its short description when a fact
    is missing, as in audit records written before features were data)."""
    from exportscreen.eul.features import FEATURES

    fid = f.get("feature", "")
    feat = FEATURES.get(fid)
    if feat is None:
        return fid
    facts = {k: v for k, v in f.items() if k != "feature"}
    for key in ("country", "destination"):
        if key in facts:
            facts[key] = _country(facts[key], lang)
    if lang != "en":  # a place is one word whatever the script (beijing = 北京 = ペキン): shown as Japanese writes it
        for key in ("query_words", "listed_words", "query_places", "listed_places", "words"):
            value = facts.get(key)
            if isinstance(value, str) and (key.endswith("places") or any(ord(ch) >= 0x3040 for ch in value)):
                facts[key] = _words_ja(value)
    template = feat.en_detail if lang == "en" else feat.ja_detail
    if template:
        try:
            return template.format(**facts)
        except (KeyError, ValueError, TypeError, IndexError):
            pass
    text = feat.en if lang == "en" else feat.ja
    if lang == "en" and facts.get("detail"):  # an old record's English detail: English output only
        text = f"{text.rstrip('.')} ({facts['detail']})."
    return text


def hit_headline(d: dict, lang: str = "ja") -> str:
    """Which entry, where, which concerns, what matched, how strong: one line from :func:`hit_dict` data."""
    concerns = [c for c in CONCERN_ORDER if c in d.get("concerns", ())]
    country = _country(d.get("country"), lang)
    if lang == "en":
        return (
            f'{_kind(d["kind"], "en")}: End User List No.{d["no"]} "{d["name"]}" ({country}); concerns: '
            f'{", ".join(CONCERN_EN[c] for c in concerns)}; matched "{d["matched_name"]}"; score {d["score"]:.2f}'
        )
    return (
        f"{_kind(d['kind'], 'ja')}：外国ユーザーリスト No.{d['no']}「{d['name']}」（{country}） 懸念区分 "
        f"{'・'.join(CONCERN_JA[c] for c in concerns)}、照合名「{d['matched_name']}」、スコア{d['score']:.2f}"
    )


def hit_lines(d: dict, lang: str = "ja") -> list[str]:
    """The headline, then one line per feature that fired (eul search, the audit workbook)."""
    return [hit_headline(d, lang)] + [feature_text(f, lang) for f in d.get("features", ())]


def hit_text(d: dict, lang: str = "ja") -> str:
    """The headline and the features in one line (JSON ``explanation``, ``check``)."""
    head, *why = hit_lines(d, lang)
    return f"{head}. " + " ".join(why) if lang == "en" else f"{head}。" + "".join(why)


def hit_explanation(hit, lang: str = "ja") -> str:
    """One line for a compliance officer: which entry, how strong, and why (the features that fired)."""
    return hit_text(hit_dict(hit, explain=False), lang)


def hit_summary(hit, lang: str = "ja") -> str:
    """One short line (=EUL_MATCH): ``No.12 Name（B,C,M,N） スコア0.95 該当``, with the name that matched when it is
    not the listed name (an alias, an acronym, the Chinese-script line), the entry's country when it is not the
    destination, and, unless the names are equal, the features that fired in a word each (類似・字体の違い …)."""
    from exportscreen.eul.features import FEATURES

    e = hit.entry
    name, matched = " ".join(e.name.split()), " ".join(hit.matched_name.split())
    other = next((f.fact("country") for f in hit.features if f.id == "country_mismatch"), None)
    why = [
        short
        for f in hit.features
        if f.id in FEATURES and (short := FEATURES[f.id].en_short if lang == "en" else FEATURES[f.id].ja_short)
    ]
    kind = _kind(hit.kind, lang)
    if lang == "en":
        return (
            f"No.{e.no} {name} ({concern_text(e.concerns)})"
            + (f" matched '{matched}'" if matched not in name else "")
            + (f" listed in {_country(other, 'en')}" if other else "")
            + f" score {hit.score:.2f} {kind}"
            + (f" ({', '.join(dict.fromkeys(why))})" if why else "")
        )
    return (
        f"No.{e.no} {name}（{concern_text(e.concerns)}）"
        + (f" 照合名「{matched}」" if matched not in name else "")
        + (f" 掲載国 {_country(other, 'ja')}" if other else "")
        + f" スコア{hit.score:.2f} {kind}"
        + (f"（{'・'.join(dict.fromkeys(why))}）" if why else "")
    )


def recorded_hits_text(reasons: list[dict], lang: str = "ja") -> str:
    """The End User List hits of recorded reasons (audit log records), one block per hit, as :func:`hit_lines`."""
    lines: list[str] = []
    seen: set = set()
    for r in reasons:
        for d in r.get("hits") or ():
            key = (d.get("no"), d.get("matched_name"), d.get("score"))
            if key in seen:
                continue
            seen.add(key)
            head, *why = hit_lines(d, lang)
            lines.append(head)
            lines += [f"  ・{w}" for w in why]
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ data forms


def reason_dict(reason: Reason, lang: str = "ja") -> dict:
    out: dict[str, Any] = {
        "rule_id": reason.rule_id,
        "severity": reason.severity.value,
        "topic": reason.topic,
        "text": reason.text(lang),
        "ref": reason.ref,
    }
    if reason.hits:
        out["hits"] = [hit_dict(h, lang) for h in reason.hits]
    return out


def licence_answer(decision: Decision, note: Any = None, lang: str = "ja") -> str:
    """LICENCE_FOR's cell: the 許可番号 of the licence that covers the line when it is 許可取得済 — and only then —,
    else the decision and one short reason: the first that says why about a licence (not covered, to be checked),
    else ``note`` (a phrase: no register imported), else the decision's first reason."""
    lic = decision.licence
    if decision.code is Code.LICENSED and lic is not None:
        return str(lic["no"])
    first = next((r for r in decision.reasons if r.topic == "licence" and r.severity is decision.code), None)
    if first is None and note is not None:
        text = note.en if lang == "en" else note.ja
    elif first is None and decision.reasons:
        text = decision.reasons[0].text(lang)
    else:
        text = first.text(lang) if first is not None else ""
    head = label(decision.code, lang)
    text = text.removeprefix(f"{head}: ").removeprefix(f"{head}：")  # said once
    return f"{head}: {text}" if text else head


def decision_dict(decision: Decision, lang: str = "ja") -> dict:
    return {
        "decision": decision.code.value,
        "label": label(decision.code, lang),
        "reasons": [reason_dict(r, lang) for r in decision.reasons],
        "country": dict(decision.country) if decision.country else None,  # copies: the engine shares these dicts
        "final_destination": dict(decision.final_destination) if decision.final_destination else None,
        "item": dict(decision.item) if decision.item else None,
        "as_of": decision.as_of.isoformat(),
        "rules_version": decision.rules_version,
        "eul_version": decision.eul_version,
        "licence": dict(decision.licence) if decision.licence else None,
    }


def audit_reasons(reasons: tuple[Reason, ...]) -> list[dict]:
    """Reasons as the audit log keeps them: Japanese text and English text, reference, topic, hits (structured,
    with the features that fired, so an inspector can see why a name matched)."""
    out = []
    for r in reasons:
        rec: dict[str, Any] = {
            "rule_id": r.rule_id,
            "severity": r.severity.value,
            "topic": r.topic,
            "text": r.ja,
            "en": r.en,
            "ref": r.ref,
        }
        if r.hits:
            rec["hits"] = [hit_dict(h, explain=False) for h in r.hits]
        out.append(rec)
    return out


def recorded_reason_text(record: dict, lang: str = "ja") -> str:
    """The 理由 text of an audit record (as the workbook showed it when it was screened)."""
    reasons = record.get("reasons") or []
    key = "en" if lang == "en" else "text"
    lines = [
        f"{r.get(key) or r.get('text', '')} ({r.get('ref', '')})"
        if lang == "en"
        else f"{r.get('text', '')}（{r.get('ref', '')}）"
        for r in reasons
    ]
    lines.append(
        f"[rules {record.get('rules_version')} / as of {record.get('as_of')}]"
        if lang == "en"
        else f"[規則 {record.get('rules_version')} / 基準日 {record.get('as_of')}]"
    )
    return "\n".join(lines)


# ------------------------------------------------------------------------------------------ the command line


# The provision facts a technology decision carries (item["labels"], exportscreen.technology._labels), as shown.
TECH_FACTS = {
    "residency": ("居住性", "Residency"),
    "specific_type": ("特定類型", "Specific type"),
    "influence_country": ("影響を及ぼす国", "Influencing country"),
    "method": ("提供方法", "Method"),
    "exemption": ("例外", "Exemption"),
    "critical_tech": ("重要管理対象技術", "Critical technology"),
    "purpose": ("海外での製造等", "Manufacture abroad"),
    "report_date": ("報告日", "Report date"),
}


def cli_text(decision: Decision, lang: str = "ja", part: str | None = None) -> str:
    """``exportscreen check``: the decision, destination (a technology line: the recipient's country and the
    provision facts), the 品番 ``part`` the line was screened by, goods, each reason with its reference, the stamp."""
    ja = lang != "en"
    c, i = decision.country or {}, decision.item or {}
    tech = i.get("kind") == "technology"
    lines = [f"{'判定' if ja else 'Decision'}: {label(decision.code, lang)} ({decision.code.value})"]
    country = ("提供先の国", "Recipient's country") if tech else ("仕向地", "Destination")
    destinations = ((c, country), (decision.final_destination, ("最終仕向地", "Final destination")))
    for where, what in destinations:
        if where:
            name = where["name_ja"] if ja else where["name_en"]
            lines.append(f"{what[not ja]}: {name} ({where['iso2']}) — {where['group_label']}")
    if part:
        lines.append(f"{'品番' if ja else 'Part number'}: {part}")
    if i:
        name = i.get("name_ja" if ja else "name_en")
        lines.append(
            f"{(('技術' if tech else '品目') if ja else ('Technology' if tech else 'Item'))}: {i['code']}"
            + (f" {name}" if name else "")
            + (f"  HS {i['hs']}" if i.get("hs") else "")
        )
    for key, value in (i.get("labels") or {}).items():  # a technology line's provision facts, as given
        lines.append(f"{TECH_FACTS[key][not ja]}: {value[not ja]}")
    for r in decision.reasons:
        # Reasons less severe than the decision support it or inform the clerk: shown as notes.
        tag = label(r.severity, lang) if r.severity == decision.code else ("参考" if ja else "Note")
        lines.append(f"  - [{tag}] {r.text(lang)}")
        lines.append(f"      {'根拠' if ja else 'Ref'}: {r.ref}")
        for h in r.hits:
            lines.append(f"      {hit_explanation(h, lang)}")
    lines.append(
        f"規則 {decision.rules_version} / 基準日 {decision.as_of}"
        if ja
        else f"rules {decision.rules_version} / as of {decision.as_of}"
    )
    return "\n".join(lines)
