"""METI's End User List (外国ユーザーリスト): import, stored versions, and name matching.

from exportscreen.eul import import_list, load_lists, in_force
eul = import_list("20250929_4.xlsx")            # parse, validate, store a dated version (exportscreen.store)
active = in_force(load_lists(), date.today())  # the version in force
for hit in active.match("Kimia Part Sivan Co., Ltd.", country="IR"):
    print(hit.kind, hit.score, render.hit_explanation(hit, "ja"))  # exportscreen.render
"""

from exportscreen.eul.features import FEATURES, Feature
from exportscreen.eul.model import EndUserList, EulEntry, Hit, Thresholds
from exportscreen.eul.normalise import normalise
from exportscreen.eul.store import date_from_name, import_list, in_force, load_lists, parse_workbook

__all__ = [
    "FEATURES",
    "EndUserList",
    "EulEntry",
    "Feature",
    "Hit",
    "Thresholds",
    "date_from_name",
    "import_list",
    "in_force",
    "load_lists",
    "normalise",
    "parse_workbook",
]
