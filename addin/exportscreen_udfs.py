"""The Excel functions (xlwings classic UDFs): =SCREEN(…), =SCREEN_REASON(…), =SCREEN_TECH(…),
=SCREEN_TECH_REASON(…), =SCREEN_PART(…), =PART_CLASS(…), =LICENCE_FOR(…), =SCREEN_TABLE(…), =COUNTRY_GROUP(…),
=ITEM_CLASS(…), =RULES_VERSION(), =EUL_MATCH(…).

This is the module xlwings' *Import Functions* reads (``UDF Modules = exportscreen_udfs``; ``exportscreen excel
install`` puts this folder on xlwings' PYTHONPATH). It only marks the functions of :mod:`exportscreen.functions`
for Excel — category, descriptions, argument descriptions — and decides nothing itself.

Import Functions turns this module into the VBA module ``xlwings_udfs``: each parameter name becomes a VBA
parameter, so every name must be a VBA identifier that is not a reserved word (``date``, ``currency`` … stop the
whole module from compiling). tests/addin/test_vba_generation.py runs xlwings' own generator on this module.
"""

import types

import xlwings as xw

from exportscreen import functions

NAMES = (
    "SCREEN",
    "SCREEN_REASON",
    "SCREEN_TECH",
    "SCREEN_TECH_REASON",
    "SCREEN_PART",
    "PART_CLASS",
    "LICENCE_FOR",
    "SCREEN_TABLE",
    "COUNTRY_GROUP",
    "ITEM_CLASS",
    "RULES_VERSION",
    "EUL_MATCH",
)
ARG_OPTIONS = {("SCREEN_TABLE", "table"): {"ndim": 2}}  # a range arrives as a list of rows, even one cell


def _excel_function(name: str):
    """A copy of ``functions.<name>`` marked for Excel. The xlwings decorators store their metadata on the function
    object; on the copy it stays out of :mod:`exportscreen.functions`, which Calc and the tests call as well."""
    original = getattr(functions, name)
    f = types.FunctionType(
        original.__code__, original.__globals__, original.__name__, original.__defaults__, original.__closure__
    )
    f.__kwdefaults__, f.__doc__, f.__qualname__ = original.__kwdefaults__, original.__doc__, original.__qualname__
    f.__annotations__ = dict(original.__annotations__)
    for arg, doc in reversed(functions.ARG_DOCS[name]):
        f = xw.arg(arg, doc=doc, **ARG_OPTIONS.get((name, arg), {}))(f)
    return xw.func(category=functions.CATEGORY, call_in_wizard=False)(f)


SCREEN = _excel_function("SCREEN")
SCREEN_REASON = _excel_function("SCREEN_REASON")
SCREEN_TECH = _excel_function("SCREEN_TECH")
SCREEN_TECH_REASON = _excel_function("SCREEN_TECH_REASON")
SCREEN_PART = _excel_function("SCREEN_PART")
PART_CLASS = _excel_function("PART_CLASS")
LICENCE_FOR = _excel_function("LICENCE_FOR")
SCREEN_TABLE = _excel_function("SCREEN_TABLE")
COUNTRY_GROUP = _excel_function("COUNTRY_GROUP")
ITEM_CLASS = _excel_function("ITEM_CLASS")
RULES_VERSION = _excel_function("RULES_VERSION")
EUL_MATCH = _excel_function("EUL_MATCH")
