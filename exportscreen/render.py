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


# ------------------------------------------------------------------------------------------ End User List hits


def hit_features(hit) -> list[dict]:
    """The features that fired, structured: ``[{"feature": "name_exact", "detail": "..."}]``."""
    out = []
    for f in hit.features:
        fid, _, detail = f.partition(": ")
        out.append({"feature": fid, "detail": detail})
    return out


def hit_dict(hit, lang: str = "ja", *, explain: bool = True) -> dict:
    """A hit as data (JSON output, audit records): entry, score, kind, matched name, features and, unless
    ``explain`` is false (the audit log keeps the facts only), the explanation in ``lang``."""
    e = hit.entry
    out = {
        "no": e.no,
        "name": " ".join(e.name.split()),
        "country": e.country,
        "concerns": [c for c in CONCERN_ORDER if c in e.concerns],
        "score": round(hit.score, 3),
        "kind": hit.kind,
        "matched_name": " ".join(hit.matched_name.split()),
        "features": hit_features(hit),
    }
    if explain:
        out["explanation"] = hit_explanation(hit, lang)
    return out


def hit_summary(hit, lang: str = "ja") -> str:
    """One short line (=EUL_MATCH): ``No.12 Name（B,C,M,N） スコア0.95 該当``."""
    e = hit.entry
    kind = HIT_KIND[hit.kind][lang == "en"]
    name = " ".join(e.name.split())
    if lang == "en":
        return f"No.{e.no} {name} ({concern_text(e.concerns)}) score {hit.score:.2f} {kind}"
    return f"No.{e.no} {name}（{concern_text(e.concerns)}） スコア{hit.score:.2f} {kind}"


def hit_explanation(hit, lang: str = "ja") -> str:
    """One line for a compliance officer: which entry, how strong, and why (the features that fired)."""
    from exportscreen.eul.countries import name_en, name_ja
    from exportscreen.eul.features import FEATURES

    e = hit.entry
    matched = " ".join(hit.matched_name.split())
    name = " ".join(e.name.split())
    why = []
    for f in hit_features(hit):
        feat, detail = FEATURES[f["feature"]], f["detail"]
        if lang == "en":
            why.append(feat.en.rstrip(".") + (f" ({detail})" if detail else ""))
        else:
            why.append(feat.ja.rstrip("。") + (f"（{detail}）" if detail else "") + "。")
    if lang == "en":
        kind = "Listed" if hit.kind == "hit" else "Possible match"
        concerns = ", ".join(CONCERN_EN[c] for c in CONCERN_ORDER if c in e.concerns)
        return (
            f'{kind}: End User List No.{e.no} "{name}" ({name_en(e.country)}), score {hit.score:.2f}, '
            f'matched "{matched}"; concerns: {concerns}. ' + "; ".join(why) + "."
        )
    kind = "該当" if hit.kind == "hit" else "該当の可能性"
    concerns = "・".join(CONCERN_JA[c] for c in CONCERN_ORDER if c in e.concerns)
    return (
        f"{kind}：外国ユーザーリスト No.{e.no}「{name}」（{name_ja(e.country)}） スコア{hit.score:.2f}、"
        f"照合名「{matched}」、懸念区分 {concerns}。" + " ".join(why)
    )


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


def decision_dict(decision: Decision, lang: str = "ja") -> dict:
    return {
        "decision": decision.code.value,
        "label": label(decision.code, lang),
        "reasons": [reason_dict(r, lang) for r in decision.reasons],
        "country": dict(decision.country) if decision.country else None,  # copies: the engine shares these dicts
        "item": dict(decision.item) if decision.item else None,
        "as_of": decision.as_of.isoformat(),
        "rules_version": decision.rules_version,
        "eul_version": decision.eul_version,
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


def cli_text(decision: Decision, lang: str = "ja") -> str:
    """``exportscreen check``: the decision, destination, goods, each reason with its reference, the stamp."""
    ja = lang != "en"
    c, i = decision.country or {}, decision.item or {}
    lines = [f"{'判定' if ja else 'Decision'}: {label(decision.code, lang)} ({decision.code.value})"]
    if c:
        name = c["name_ja"] if ja else c["name_en"]
        lines.append(f"{'仕向地' if ja else 'Destination'}: {name} ({c['iso2']}) — {c['group_label']}")
    if i:
        name = i.get("name_ja" if ja else "name_en")
        lines.append(
            f"{'品目' if ja else 'Item'}: {i['code']}"
            + (f" {name}" if name else "")
            + (f"  HS {i['hs']}" if i.get("hs") else "")
        )
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
