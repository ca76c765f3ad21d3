"""Excel's *Import Functions*, checked without Excel.

On Windows the xlwings ribbon's Import Functions turns the UDF module (addin/exportscreen_udfs.py) into a VBA module
``xlwings_udfs``, imports it into the workbook and compiles it; then it registers each function's Function Wizard
texts with ``Application.MacroOptions``. One parameter named like a VBA reserved word (``date``, ``currency`` …)
stops the whole module from compiling, and with it every function in the workbook (xlwings issue #563).

Here xlwings' own machinery does that work on Linux: the real ``xlwings/udfs.py`` is loaded under a private module
name with stub modules for its Windows-only imports (pythoncom, pywintypes, win32api, win32com), the add-in module
is loaded with the real ``xw.func``/``xw.arg`` decorators, and the real ``import_udfs`` (which calls
``generate_vba_wrapper``) runs against a fake workbook that keeps the VBA file it is given and the MacroOptions
calls. The checks walk every function xlwings finds decorated, as Import Functions does, so a function added later
gets them too:

- every function is in the VBA module with exactly its Python parameters, in order;
- every name is a VBA identifier and not a VBA reserved word (MS-VBAL 3.3.5.2), nor a name the generated code
  itself uses; function names are not cell references nor Excel built-in function names;
- the Function Wizard texts fit Excel's limits (255 characters each; arguments plus their names' length ≤ 254);
- the module compiles in LibreOffice Basic with ``Option VBASupport 1``, an independent parser (skipped without
  soffice, except on CI). LibreOffice accepts type names such as ``Date`` as parameter names, so that check catches
  syntax errors and statement keywords; the reserved-word list is what catches ``Date``.

Nothing here shows the Wizard, runs the functions in Excel, or proves that the VBA editor accepts what LibreOffice
does: that stays in the README's Windows smoke test.
"""

from __future__ import annotations

import importlib.util
import inspect
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import types
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import xlwings

from exportscreen import calc, functions

REPO = Path(__file__).resolve().parents[2]
ADDIN = REPO / "addin" / "exportscreen_udfs.py"
UDF_MODULE = "exportscreen_udfs"  # UDF Modules in xlwings.conf
WORKBOOK = "order_template.xlsm"
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
TIMEOUT = 60

# ------------------------------------------------------------------------------------------ VBA and Excel rules

# The reserved identifiers of VBA: [MS-VBAL] VBA Language Specification, section 3.3.5.2 "Reserved Identifiers and
# IDENTIFIER" (https://learn.microsoft.com/openspecs/microsoft_general_purpose_programming_languages/ms-vbal/
# 7df907cb-ab6c-40d3-aa81-272742ce00c3). A reserved identifier is never an <IDENTIFIER>, so never a parameter name.
STATEMENT_KEYWORDS = """Call Case Close Const Declare DefBool DefByte DefCur DefDate DefDbl DefInt DefLng DefLngLng
    DefLngPtr DefObj DefSng DefStr DefVar Dim Do Else ElseIf End EndIf Enum Erase Event Exit For Friend Function Get
    Global GoSub GoTo If Implements Input Let Lock Loop LSet Next On Open Option Print Private Public Put RaiseEvent
    ReDim Resume Return RSet Seek Select Set Static Stop Sub Type Unlock Wend While With Write"""
REM_KEYWORD = "Rem"
MARKER_KEYWORDS = """Any As ByRef ByVal Case Each Else In New Shared Until WithEvents Write Optional ParamArray
    Preserve Spc Tab Then To"""
OPERATOR_IDENTIFIERS = "AddressOf And Eqv Imp Is Like New Mod Not Or TypeOf Xor"
RESERVED_NAMES = """Abs CBool CByte CCur CDate CDbl CDec CInt CLng CLngLng CLngPtr CSng CStr CVar CVErr Date Debug
    DoEvents Fix Int Len LenB Me PSet Scale Sgn String"""
SPECIAL_FORMS = "Array Circle Input InputB LBound Scale UBound"
RESERVED_TYPE_IDENTIFIERS = "Boolean Byte Currency Date Double Integer Long LongLong LongPtr Single String Variant"
LITERAL_IDENTIFIERS = "True False Nothing Empty Null"
RESERVED_FOR_IMPLEMENTATION_USE = """Attribute LINEINPUT VB_Base VB_Control VB_Creatable VB_Customizable
    VB_Description VB_Exposed VB_Ext_KEY VB_GlobalNameSpace VB_HelpID VB_Invoke_Func VB_Invoke_Property
    VB_Invoke_PropertyPut VB_Invoke_PropertyPutRef VB_MemberFlags VB_Name VB_PredeclaredId VB_ProcData
    VB_TemplateDerived VB_UserMemId VB_VarDescription VB_VarHelpID VB_VarMemberFlags VB_VarProcData VB_VarUserMemId"""
FUTURE_RESERVED = "CDecl Decimal DefDec"
# Section 3.3.5.3: "object" is not a reserved identifier "but is generally used as if it was" a type name.
USED_AS_TYPE = "Object"

VBA_RESERVED = frozenset(
    word.lower()
    for words in (
        STATEMENT_KEYWORDS,
        REM_KEYWORD,
        MARKER_KEYWORDS,
        OPERATOR_IDENTIFIERS,
        RESERVED_NAMES,
        SPECIAL_FORMS,
        RESERVED_TYPE_IDENTIFIERS,
        LITERAL_IDENTIFIERS,
        RESERVED_FOR_IMPLEMENTATION_USE,
        FUTURE_RESERVED,
        USED_AS_TYPE,
    )
    for word in words.split()
)
# MS-VBAL 3.3.5.1 <Latin-identifier>: a letter, then letters, digits and underscores (the VBE allows 255 characters).
# Names are compared case-insensitively in VBA.
VBA_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,254}")

# Excel built-in worksheet functions a spreadsheet function of ours could plausibly be named like (screening,
# lookups, text, dates, classification, licences): a built-in wins over a VBA function of the same name.
EXCEL_BUILTINS = frozenset(
    """
    ADDRESS AREAS BYCOL BYROW CELL CHAR CHOOSE CHOOSECOLS CHOOSEROWS CLEAN CODE COLUMN CONCAT CONCATENATE COUNT COUNTA
    COUNTIF COUNTIFS DATE DATEDIF DATEVALUE DAY DAYS DETECTLANGUAGE DROP EDATE ENCODEURL EXACT EXPAND FILTER FILTERXML
    FIND FIXED FORMULATEXT GROUPBY HLOOKUP HSTACK HYPERLINK IF IFERROR IFNA IFS IMAGE INDEX INDIRECT INFO ISBLANK
    ISERROR ISNUMBER ISTEXT LAMBDA LEFT LEN LET LOOKUP LOWER MAP MATCH MAX MID MIN MONTH N NOW NUMBERVALUE OFFSET
    PERCENTOF PIVOTBY PROPER PY REDUCE REGEXEXTRACT REGEXREPLACE REGEXTEST REPLACE REPT RIGHT ROW ROWS SCAN SEARCH
    SEQUENCE SHEET SHEETS SORT SORTBY SUBSTITUTE SUM SWITCH T TAKE TEXT TEXTAFTER TEXTBEFORE TEXTJOIN TEXTSPLIT TOCOL
    TODAY TOROW TRANSLATE TRIM TRIMRANGE TYPE UNICODE UNIQUE UPPER VALUE VLOOKUP VSTACK WEBSERVICE WRAPCOLS WRAPROWS
    XLOOKUP XMATCH YEAR
""".split()
)

XL_MAX_COLUMN = 16384  # XFD
XL_MAX_ROW = 1048576


def is_cell_reference(name: str) -> bool:
    """Excel refuses a function (or defined) name that reads as a cell reference: A1 style up to XFD1048576, or
    R1C1 style (R, C, RC, R5, C3, R5C3 …)."""
    m = re.fullmatch(r"([A-Za-z]{1,3})([0-9]+)", name)
    if m:
        column = 0
        for ch in m.group(1).upper():
            column = column * 26 + ord(ch) - ord("A") + 1
        if column <= XL_MAX_COLUMN and 1 <= int(m.group(2)) <= XL_MAX_ROW:
            return True
    return bool(re.fullmatch(r"(R[0-9]*)?(C[0-9]*)?", name, re.IGNORECASE)) and name != ""


def identifier_problem(name: str) -> str | None:
    """Why ``name`` cannot be a parameter or function name in the generated VBA module, or None."""
    if not VBA_IDENTIFIER.fullmatch(name):
        return f"{name!r} is not a VBA identifier (a letter, then letters, digits or _; at most 255)"
    if name.lower() in VBA_RESERVED:
        return f"{name!r} is a VBA reserved word (MS-VBAL 3.3.5.2)"
    return None


def excel_name_problem(name: str) -> str | None:
    """Why Excel would not call ``name`` as a worksheet function, or None."""
    if is_cell_reference(name):
        return f"{name!r} reads as a cell reference"
    if name.upper() in EXCEL_BUILTINS:
        return f"{name!r} is an Excel built-in function"
    return identifier_problem(name)


@pytest.mark.parametrize(
    "name, ok",
    [
        ("as_of_date", True),
        ("end_user", True),
        ("value_jpy", True),
        ("date", False),
        ("Date", False),
        ("CURRENCY", False),
        ("object", False),
        ("next", False),
        ("ByVal", False),
        ("VB_Name", False),
        ("decimal", False),
        ("_private", False),
        ("2nd", False),
        ("end-user", False),
        ("基準日", False),
        ("x" * 255, True),
        ("x" * 256, False),
    ],
)
def test_identifier_rules(name, ok):
    assert (identifier_problem(name) is None) is ok


@pytest.mark.parametrize(
    "name, ok",
    [
        ("SCREEN", True),
        ("ITEM_CLASS", True),
        ("EUL_MATCH", True),
        ("ABC1", False),
        ("XFD1048576", False),
        ("XFE1", True),
        ("A1048577", True),
        ("LIC2024", False),
        ("ZZZ2024", True),
        ("R1C1", False),
        ("rc", False),
        ("R", False),
        ("C12", False),
        ("MATCH", False),
        ("Text", False),
        ("DATE", False),
    ],
)
def test_excel_function_name_rules(name, ok):
    assert (excel_name_problem(name) is None) is ok


# ------------------------------------------------------------------------------------------ xlwings' Import Functions


class _ComError(Exception):
    """Stands in for pywintypes.com_error."""


class _FakeComponents:
    def __init__(self, book: _FakeWorkbook):
        self.book = book

    def __call__(self, name):  # VBComponents("xlwings_udfs"): a first import, no module yet
        raise _ComError(name)

    def Remove(self, component):  # noqa: N802 - COM name
        raise AssertionError("nothing to remove")

    def Import(self, path):  # noqa: N802 - COM name
        with open(path) as f:  # written by xlwings in the locale's encoding (the ANSI code page on Windows)
            self.book.imported.append(f.read())


class _FakeApplication:
    Version = "16.0"

    def __init__(self, book: _FakeWorkbook):
        self.book = book

    def MacroOptions(self, macro, **options):  # noqa: N802 - COM name
        self.book.macro_options[macro] = options


class _FakeWorkbook:
    """What import_udfs uses of the workbook's COM object."""

    Name = WORKBOOK

    def __init__(self):
        self.imported: list[str] = []
        self.macro_options: dict[str, dict] = {}
        self.VBProject = types.SimpleNamespace(VBComponents=_FakeComponents(self))
        self.Application = _FakeApplication(self)


@dataclass
class Imported:
    vba: str  # the module file handed to VBComponents.Import
    macro_options: dict[str, dict]  # MacroOptions keyword arguments by macro name
    xlfuncs: dict[str, dict] = field(default_factory=dict)  # __xlfunc__ of every decorated function, by name


def _load(name: str, path: Path) -> types.ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def imported() -> Imported:
    """Import Functions run by xlwings' real udfs.py on the add-in module; everything put in place for it (stub
    modules, the private copy of udfs.py, the real decorators on ``xlwings``, the add-in module) is undone after."""
    with pytest.MonkeyPatch.context() as mp:
        for name in ("pythoncom", "pywintypes", "win32api", "win32com", "win32com.client"):
            mp.setitem(sys.modules, name, types.ModuleType(name))
        sys.modules["pythoncom"].CoInitialize = lambda: None
        sys.modules["pywintypes"].com_error = _ComError
        sys.modules["win32com"].client = sys.modules["win32com.client"]
        sys.modules["win32com.client"].Dispatch = lambda *a, **k: pytest.fail("import_udfs dispatched a COM object")

        udfs_name = "xlwings._exportscreen_test_udfs"  # never xlwings.udfs: other tests keep the normal xlwings
        mp.setitem(sys.modules, udfs_name, None)
        udfs = _load(udfs_name, Path(xlwings.__file__).with_name("udfs.py"))
        mp.setattr(udfs, "__pro__", False)
        mp.setattr(xlwings, "func", udfs.xlfunc)
        mp.setattr(xlwings, "arg", udfs.xlarg)

        mp.setitem(sys.modules, UDF_MODULE, None)
        addin = _load(UDF_MODULE, ADDIN)
        udfs.udf_modules[UDF_MODULE] = {"filename": str(ADDIN), "filetime": None, "module": addin}

        book = _FakeWorkbook()
        udfs.import_udfs(UDF_MODULE, book)
        marked = (getattr(addin, name) for name in dir(addin))  # as generate_vba_wrapper walks the module
        xlfuncs = {f.__xlfunc__["name"]: f.__xlfunc__ for f in marked if hasattr(f, "__xlfunc__")}
    assert len(book.imported) == 1
    return Imported(book.imported[0], book.macro_options, xlfuncs)


def _signatures(vba: str) -> dict[str, list[str]]:
    """Function name → parameter names, from the generated module's ``Function NAME(Optional a, b)`` lines."""
    out = {}
    for m in re.finditer(r"^(?:Function|Sub) (\w+)\((.*)\)$", vba, re.MULTILINE):
        params = [
            re.sub(r"^(?:Optional |ParamArray )|\(\)$", "", p.strip()) for p in m.group(2).split(",") if p.strip()
        ]
        assert m.group(1) not in out, f"{m.group(1)} generated twice"
        out[m.group(1)] = params
    return out


def _names_of_generated_code(vba: str, function: str) -> set[str]:
    """The names xlwings' generated body of ``function`` refers to itself (Application, XLPy, Range, Err …): a
    parameter of the same name would shadow them. Members after a dot, strings and the argument list are left out."""
    block = re.search(rf"^Function {function}\(.*?\)$(.*?)^End Function$", vba, re.MULTILINE | re.DOTALL).group(1)
    block = re.sub(r'"[^"]*"', '""', block)
    block = re.sub(r"Array\([^)]*\)", "Array()", block)
    return {m.group(1).lower() for m in re.finditer(r"(?<![.\w])([A-Za-z]\w*)", block)}


def test_nothing_is_left_behind_for_other_tests(imported):
    """The add-in marks copies: exportscreen.functions stays undecorated; xlwings and sys.modules are as before."""
    for name in functions.ARG_DOCS:
        assert not hasattr(getattr(functions, name), "__xlfunc__"), name
    assert xlwings.func.__module__ != "xlwings._exportscreen_test_udfs"
    assert UDF_MODULE not in sys.modules and "xlwings._exportscreen_test_udfs" not in sys.modules
    assert "pythoncom" not in sys.modules or sys.platform == "win32"


def test_every_function_is_generated_with_its_parameters_in_order(imported):
    signatures = _signatures(imported.vba)
    assert set(imported.xlfuncs) == set(functions.ARG_DOCS), "decorated functions vs functions with Wizard texts"
    assert set(signatures) == set(imported.xlfuncs)
    for name in imported.xlfuncs:
        python = list(inspect.signature(getattr(functions, name)).parameters)
        assert signatures[name] == python == [a for a, _doc in functions.ARG_DOCS[name]], name


def test_every_name_is_a_vba_identifier_and_no_reserved_word(imported):
    signatures = _signatures(imported.vba)
    problems = []
    for function, params in signatures.items():
        problems += [f"{function}: {p}" for p in [excel_name_problem(function)] if p]
        problems += [f"{function}({param}): {p}" for param in params for p in [identifier_problem(param)] if p]
        lowered = [p.lower() for p in params]
        if len(set(lowered)) != len(lowered):
            problems.append(f"{function}: parameters differ only in case: {params}")
        if function.lower() in lowered:
            problems.append(f"{function}: a parameter is named like the function")
        taken = _names_of_generated_code(imported.vba, function) - {function.lower()}
        problems += [
            f"{function}({param}): the generated code uses {param!r} itself"
            for param in params
            if param.lower() in taken
        ]
    lowered = [f.lower() for f in signatures]
    if len(set(lowered)) != len(lowered):
        problems.append(f"function names differ only in case: {sorted(signatures)}")
    assert problems == []


def test_the_module_is_ascii(imported):
    """xlwings writes the module in the locale's encoding and the VBA editor reads it in the ANSI code page: only
    ASCII is the same on a Japanese and an English Windows."""
    assert imported.vba.isascii()
    assert imported.vba.startswith('Attribute VB_Name = "xlwings_udfs"\n')


def test_calc_uses_the_same_parameter_names():
    """The LibreOffice Basic module (exportscreen.calc) declares the same names, and Basic has the same keywords."""
    for name, _bridge, params, _required in calc.FUNCTIONS:
        assert params == list(inspect.signature(getattr(functions, name)).parameters), name
        assert [p for p in params if identifier_problem(p)] == [], name


def test_function_wizard_texts_fit_excels_limits(imported):
    """What Import Functions hands Application.MacroOptions: category 輸出管理, a description and one description per
    argument, each at most 255 characters (above that MacroOptions fails with error 1004; xlwings cuts the texts
    at 255, so the untruncated ones are checked), on one line; the number of arguments plus the total length of
    their names at most 254 (xlwings issue #1489)."""
    assert set(imported.macro_options) == {f"'{WORKBOOK}'!{name}" for name in imported.xlfuncs}
    for name, xlf in imported.xlfuncs.items():
        options = imported.macro_options[f"'{WORKBOOK}'!{name}"]
        assert options["Category"] == xlf["category"] == functions.CATEGORY == "輸出管理", name
        description = xlf["ret"]["doc"]  # the raw docstring: one line, or the Wizard shows its line breaks and indent
        assert description.isprintable() and description == description.strip(), (name, description)
        assert 0 < len(description) <= 255, (name, len(description))
        assert options["Description"] == description
        args = [a for a in xlf["args"] if not a["vba"]]
        docs = [a["doc"] for a in args]
        assert docs == [doc for _a, doc in functions.ARG_DOCS[name]], name
        assert all(0 < len(d) <= 255 and d.isprintable() for d in docs), name
        assert options["ArgumentDescriptions"] == (docs or None), name
        assert len(args) + sum(len(a["name"]) for a in args) <= 254, name
        assert xlf["call_in_wizard"] is False and xlf["volatile"] is False, name


# ------------------------------------------------------------------------------------------ LibreOffice Basic

_DRIVER = '''"""Written by tests/addin/test_vba_generation.py: compiles each case as a Basic library."""
import json

CASES = {cases!r}
RESULT = {result!r}
PROBE = "\\nFunction ExportscreenCompileProbe()\\n    ExportscreenCompileProbe = \\"compiled\\"\\nEnd Function\\n"


def check(*args):
    ctx = XSCRIPTCONTEXT.getComponentContext()
    smgr = ctx.ServiceManager
    result = {{}}
    try:
        with open(CASES, encoding="utf-8") as f:
            cases = json.load(f)
        libraries = smgr.createInstanceWithContext("com.sun.star.script.ApplicationScriptLibraryContainer", ctx)
        provider = smgr.createInstanceWithContext(
            "com.sun.star.script.provider.MasterScriptProviderFactory", ctx).createScriptProvider("")
        for name, code in cases.items():
            if libraries.hasByName(name):
                libraries.removeLibrary(name)
            libraries.createLibrary(name).insertByName("xlwings_udfs", code + PROBE)
            url = "vnd.sun.star.script:%s.xlwings_udfs.ExportscreenCompileProbe?language=Basic&location=application"
            try:  # a module that does not compile runs nothing: the probe returns only when it compiled
                result[name] = provider.getScript(url % name).invoke((), (), ())[0] == "compiled"
            except Exception as exc:
                result[name] = "error: %s" % (exc,)
    except Exception as exc:
        result["__driver__"] = repr(exc)
    finally:
        with open(RESULT, "w", encoding="utf-8") as f:
            json.dump(result, f)
        XSCRIPTCONTEXT.getDesktop().terminate()
'''


def _basic(vba: str) -> str:
    """The module as LibreOffice gets it: VBA mode on, after the Attribute line VBComponents.Import consumes."""
    lines = vba.splitlines()
    assert lines[0].startswith("Attribute VB_Name")
    return "\n".join(["Option VBASupport 1", *lines[1:]]) + "\n"


def _function_blocks(vba: str) -> dict[str, str]:
    blocks = re.finditer(r"^Function (\w+)\(.*?^End Function$", vba, re.MULTILINE | re.DOTALL)
    return {m.group(1): m.group(0) for m in blocks}


def _compile_in_libreoffice(cases: dict[str, str], tmp: Path) -> dict[str, object]:
    profile = tmp / "lo" / "user"
    scripts = profile / "Scripts" / "python"
    scripts.mkdir(parents=True)
    (tmp / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    result = tmp / "result.json"
    (scripts / "vba_compile_check.py").write_text(
        _DRIVER.format(cases=str(tmp / "cases.json"), result=str(result)), encoding="utf-8"
    )
    cmd = [
        SOFFICE,
        "--headless",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={profile.parent.as_uri()}",
        "vnd.sun.star.script:vba_compile_check.py$check?language=Python&location=user",
    ]
    proc = subprocess.Popen(
        cmd,
        cwd=tmp,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        _out, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        _out, err = proc.communicate()
        pytest.fail(f"soffice did not finish within {TIMEOUT}s: {err[-500:]}")
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert result.is_file(), (
        f"the compile check did not run (python script provider missing?): rc={proc.returncode} {err[-500:]}"
    )
    return json.loads(result.read_text(encoding="utf-8"))


@pytest.mark.skipif(SOFFICE is None and os.environ.get("CI") != "true", reason="LibreOffice (soffice) not installed")
def test_the_module_compiles_in_libreoffice_basic(imported, tmp_path):
    """The generated module, and each function alone (to name the culprit), compile in LibreOffice Basic with VBA
    support. Two broken copies must not compile, or the check proves nothing: a syntax error, and a parameter
    named like a statement keyword."""
    if SOFFICE is None:
        pytest.fail("LibreOffice (soffice) is required on CI for the VBA compile check")
    module = _basic(imported.vba)
    header = module.split("\nFunction ", 1)[0] + "\n"
    cases = {"XlwingsUdfs": module}
    for name, block in _function_blocks(module).items():
        cases[f"Only_{name}"] = header + block + "\n"
    controls = {
        "BrokenSyntax": module + "\nFunction BROKEN_PROBE(Optional a Optional b)\nEnd Function\n",
        "BrokenKeyword": module + "\nFunction BROKEN_PROBE(Optional next)\nEnd Function\n",
    }
    result = _compile_in_libreoffice({**cases, **controls}, tmp_path)
    assert "__driver__" not in result, result["__driver__"]
    assert {name: result.get(name) for name in controls} == {name: False for name in controls}, (
        "a broken module compiled: the LibreOffice check cannot fail"
    )
    failed = sorted(name for name in cases if result.get(name) is not True)
    assert failed == [], f"does not compile in LibreOffice Basic (VBA mode): {failed}\n{module}"
