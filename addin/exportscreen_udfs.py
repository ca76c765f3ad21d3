"""The Excel functions (xlwings classic UDFs): =SCREEN(…), =SCREEN_REASON(…), =SCREEN_TABLE(…), =COUNTRY_GROUP(…),
=ITEM_CLASS(…), =RULES_VERSION(), =EUL_MATCH(…).

This is the module xlwings' *Import Functions* reads (``UDF Modules = exportscreen_udfs``; ``exportscreen excel
install`` puts this folder on xlwings' PYTHONPATH). It only marks the functions of :mod:`exportscreen.functions`
for Excel — category, descriptions, argument descriptions — and decides nothing itself.
"""

import xlwings as xw

from exportscreen import functions

NAMES = ("SCREEN", "SCREEN_REASON", "SCREEN_TABLE", "COUNTRY_GROUP", "ITEM_CLASS", "RULES_VERSION", "EUL_MATCH")
ARG_OPTIONS = {("SCREEN_TABLE", "table"): {"ndim": 2}}  # a range arrives as a list of rows, even one cell


def _excel_function(name: str):
    f = getattr(functions, name)
    for arg, doc in reversed(functions.ARG_DOCS[name]):
        f = xw.arg(arg, doc=doc, **ARG_OPTIONS.get((name, arg), {}))(f)
    return xw.func(category=functions.CATEGORY, call_in_wizard=False)(f)


SCREEN = _excel_function("SCREEN")
SCREEN_REASON = _excel_function("SCREEN_REASON")
SCREEN_TABLE = _excel_function("SCREEN_TABLE")
COUNTRY_GROUP = _excel_function("COUNTRY_GROUP")
ITEM_CLASS = _excel_function("ITEM_CLASS")
RULES_VERSION = _excel_function("RULES_VERSION")
EUL_MATCH = _excel_function("EUL_MATCH")
