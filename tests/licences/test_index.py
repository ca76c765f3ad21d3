"""The register's screening index (licensing.Index, issue 15 §4): a line is checked only against the licences of its
項 for its destination (its country, 別表第三, 全地域) naming its end user or none — never missing one that covers
it. Checked against checking every licence, on a seeded random register and random lines: the same decision and the
same covering licence for every line."""

from __future__ import annotations

import random
from datetime import date, timedelta

from exportscreen.engine import screen
from exportscreen.licences import ItemRange, Licence, Register
from exportscreen.licensing import Index

COUNTRIES = ["US", "CN", "DE", "TH", "KR", "SG", "IN", "RU", "FR", "VN"]
NAMES = {"US": "米国", "CN": "中国", "DE": "ドイツ", "TH": "タイ", "KR": "韓国", "SG": "シンガポール"}
NAMES.update({"IN": "インド", "RU": "ロシア", "FR": "フランス", "VN": "ベトナム"})
ITEMS = [ItemRange("3"), ItemRange("3", "1"), ItemRange("3", "1", "2"), ItemRange("7"), ItemRange("7", "1")]
ITEMS += [ItemRange("6", "2"), ItemRange("15"), ItemRange("2", "12")]
LINE_ITEMS = ["3の項(1)", "3の項(2)", "7の項(1)", "7の項(2)", "6の項(2)", "15の項(1)", "2の項(12)", "8の項(1)"]
USERS = [f"Buyer {i}" for i in range(12)]
START = date(2025, 6, 1)


def register(rnd: random.Random, n: int) -> tuple[Licence, ...]:
    out = []
    for i in range(n):
        kind = rnd.choice(["individual"] * 6 + ["specific", "general", "special_general"])
        granted = START + timedelta(days=rnd.randrange(-60, 300))
        out.append(
            Licence(
                no=f"L-{i}",
                kind=kind,
                target=rnd.choice(["goods"] * 9 + ["technology"]),
                granted=granted,
                expires=granted + timedelta(days=rnd.choice([90, 180, 700])),
                extended=False,
                countries=frozenset(rnd.sample(COUNTRIES, rnd.choice([1, 2, 3])))
                if kind not in ("general", "special_general")
                else frozenset(),
                group={"general": "group_a", "special_general": "all"}.get(kind),
                parties=tuple(rnd.sample(USERS, rnd.choice([1, 2]))) if kind in ("individual", "specific") else (),
                items=tuple(rnd.sample(ITEMS, rnd.choice([1, 2]))),
                product="",
                parts=(),
                quantity=None,
                quantity_unit="",
                value=rnd.choice([None, 1_000_000.0, 5_000_000.0]),
                currency="JPY",
                conditions="",
                notes="",
            )
        )
    return tuple(out)


def random_line(rnd: random.Random, users: list | None = None, informs: list | None = None) -> dict:
    """An order line to one of COUNTRIES, of one of LINE_ITEMS, on one of 400 days from START."""
    line = dict(
        country=NAMES[rnd.choice(COUNTRIES)],
        item=rnd.choice(LINE_ITEMS),
        end_user=rnd.choice(users or [*USERS, None]),
        end_use=rnd.choice(["民生", "民生", "民生", "軍事"]),
        value_jpy=rnd.choice([None, 300_000, 2_000_000, 6_000_000]),
        ship_date=START + timedelta(days=rnd.randrange(400)),
    )
    if informs:
        line["inform"] = rnd.choice(informs)
    return line


class EveryLicence(Index):
    """The index that checks every goods licence for every line (what screening did before the index)."""

    def near(self, kou, iso2, parties):
        return self.goods, None  # (and never memoised)


def test_the_index_finds_every_licence_that_covers_a_line(rules):
    rnd = random.Random(5)
    lics = register(rnd, 300)
    indexed = Register(date(2025, 1, 1), lics)
    brute = Register(date(2025, 1, 1), lics)
    brute.__dict__["index"] = EveryLicence(lics)  # the cached property, set
    with_index, every = rules.with_licences([indexed]), rules.with_licences([brute])
    covered = 0
    for _ in range(1500):
        line = random_line(rnd)
        a = screen(**line, rules=with_index, today=START)
        b = screen(**line, rules=every, today=START)
        assert (a.code, a.licence) == (b.code, b.licence), line
        covered += a.licence is not None
    assert covered > 100  # the lines do meet licences that cover them


def test_the_technology_index_finds_every_technology_licence_that_covers_a_line(rules):
    """The same for technology lines and the register's technology licences (Register.tech_index)."""
    from dataclasses import replace

    from exportscreen.engine import screen_technology

    rnd = random.Random(7)
    lics = tuple(replace(lic, target="technology") if i % 2 else lic for i, lic in enumerate(register(rnd, 300)))
    indexed = Register(date(2025, 1, 1), lics)
    brute = Register(date(2025, 1, 1), lics)
    brute.__dict__["tech_index"] = EveryLicence(lics, "technology")  # the cached property, set
    with_index, every = rules.with_licences([indexed]), rules.with_licences([brute])
    covered = 0
    for _ in range(1000):
        country = rnd.choice(COUNTRIES)
        line = dict(
            country=NAMES[country],
            item=rnd.choice(["3の項(1)", "3の項(2)", "7の項(1)", "7の項(2)", "6の項(2)", "15の項(1)", "8の項(1)"]),
            recipient=rnd.choice([*USERS, None]),
            residency="非居住者",
            end_use=rnd.choice(["民生", "民生", "民生", "軍事"]),
            critical_tech="なし",
            provision_date=START + timedelta(days=rnd.randrange(400)),
        )
        a = screen_technology(**line, rules=with_index, today=START)
        b = screen_technology(**line, rules=every, today=START)
        assert (a.code, a.licence) == (b.code, b.licence), line
        covered += a.licence is not None
    assert covered > 50  # the lines do meet licences that cover them


class NoMemo(Index):
    """The index that never memoises a search (Index.settled: never)."""

    def settled(self, kou, iso2):
        return None


def test_a_memoised_search_decides_as_a_search_of_its_own(rules):
    """licensing.apply remembers what a search found by the facts it depends on (Index.settled: no licence names the
    line's parties, those naming none have no limits, the day among their dates): every line decided with the memo —
    code, every reason, the licence — is decided the same without it."""
    from dataclasses import replace

    rnd = random.Random(11)
    lics = tuple(replace(lic, value=None) if not lic.parties else lic for lic in register(rnd, 200))
    memo = Register(date(2025, 1, 1), lics)
    plain = Register(date(2025, 1, 1), lics)
    plain.__dict__["index"] = NoMemo(tuple(lic for lic in lics))
    with_memo, without = rules.with_licences([memo]), rules.with_licences([plain])
    for _ in range(3000):
        line = random_line(rnd, users=[*USERS, "Nobody Ltd", None], informs=[None, None, None, "通常兵器"])
        a = screen(**line, rules=with_memo, today=START)
        b = screen(**line, rules=without, today=START)
        assert (a.code, a.reasons, a.licence) == (b.code, b.reasons, b.licence), line
    hits = len(memo.index.found)
    assert 50 < hits < 3000  # the memo was used, and shared
