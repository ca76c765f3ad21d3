"""The spreadsheet functions in LibreOffice Calc: =SCREEN(…), =SCREEN_REASON(…), =SCREEN_TECH(…),
=SCREEN_TECH_REASON(…), =SCREEN_PART(…), =PART_CLASS(…), =LICENCE_FOR(…), =COUNTRY_GROUP(…), =ITEM_CLASS(…),
=RULES_VERSION(), =EUL_MATCH(…).

Calc calls Basic functions by name from cell formulas, and Basic reaches Python through the script provider.
:func:`install` puts both halves into a LibreOffice user profile:

- ``<profile>/Scripts/python/exportscreen_calc.py`` (from :mod:`exportscreen.calc_bridge`), with the absolute paths of
  this package and of the running environment's site-packages written in: LibreOffice runs it in *its* Python
  (the system python3 with uno), not in our virtual environment;
- ``<profile>/basic/Standard/ExportScreen.xba``, a module of the Standard library of "My Macros" (functions in
  Standard are found by Calc without loading a library, and user-profile macros need no macro permission),
  registered in ``Standard/script.xlb``; the library containers are created from LibreOffice's presets when
  the profile has none yet.

The functions use the same engine, rules and EXPORTSCREEN_HOME (from soffice's environment) as the CLI, and
the Excel functions, :mod:`exportscreen.functions` (the bridge calls them).

LibreOffice started from a shell with a virtual environment activated (Linux, the system python3): the embedded
Python finds its home through ``python3`` on PATH, takes the venv (or another Python installation) for its own
and cannot import LibreOffice's ``uno`` — every Python macro fails with an internal UNO error, and LibreOffice may
abort. Nothing in the profile can change how that interpreter starts, so the Basic module checks the environment
before it calls Python (:func:`basic_module`, the same rules as Python's start-up: PYTHONHOME, then the first
python3 on PATH with a ``pyvenv.cfg`` beside it or a standard library of its own) and each cell says in one
Japanese line what to do. The bridge puts the paths written at install first and moves PYTHONPATH's entries
behind LibreOffice's own, so a foreign site-packages is never where our modules come from.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import exportscreen
from exportscreen.errors import UserError
from exportscreen.messages import tr
from exportscreen.state import data_dir

MODULE = "ExportScreen"
SCRIPT = "exportscreen_calc.py"
BRIDGE = data_dir("addin") / "calc_bridge" / SCRIPT
PRESETS = [
    Path("/usr/lib/libreoffice/presets/basic"),
    Path("/opt/libreoffice/presets/basic"),
    Path("/usr/lib64/libreoffice/presets/basic"),
]

# the parameters of SCREEN and SCREEN_REASON: exportscreen.engine.ORDER_FIELDS (checked by the tests)
LINE = (
    "country",
    "item",
    "hs",
    "end_user",
    "end_use",
    "inform",
    "value_jpy",
    "ship_date",
    "final_destination",
    "final_end_user",
)
# the parameters of SCREEN_TECH and SCREEN_TECH_REASON: exportscreen.functions.TECH_ARGS (checked by the tests)
TECH = (
    "country",
    "item",
    "recipient",
    "residency",
    "specific_type",
    "influence_country",
    "hs",
    "method",
    "exemption",
    "inform",
    "end_use",
    "critical_tech",
    "overseas_production",
    "report_date",
    "provision_date",
    "part_no",
)
# the parameters of SCREEN_PART: exportscreen.functions.PART_ARGS (checked by the tests)
PART = ("country", "part_no", "end_user", "end_use", "inform", "value_jpy", "ship_date")
# the parameters of LICENCE_FOR: exportscreen.functions.LICENCE_ARGS (checked by the tests)
LICENCE = ("country", "item_or_part", "end_user", "value_jpy", "ship_date")
# (Calc name, bridge function, parameters; those after the first `required` are Optional)
FUNCTIONS = [
    ("SCREEN", "screen", [*LINE], 2),
    ("SCREEN_REASON", "screen_reason", [*LINE], 2),
    ("SCREEN_TECH", "screen_tech", [*TECH], 2),
    ("SCREEN_TECH_REASON", "screen_tech_reason", [*TECH], 2),
    ("SCREEN_PART", "screen_part", [*PART], 2),
    ("PART_CLASS", "part_class", ["part_no"], 1),
    ("LICENCE_FOR", "licence_for", [*LICENCE], 2),
    ("COUNTRY_GROUP", "country_group", ["country", "as_of_date"], 1),
    ("ITEM_CLASS", "item_class", ["item", "hs", "as_of_date"], 1),
    ("RULES_VERSION", "rules_version", [], 0),
    ("EUL_MATCH", "eul_match", ["name", "country"], 1),
]

XLC = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:libraries PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "libraries.dtd">
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
 <library:library library:name="Standard" library:link="false"/>
</library:libraries>
"""
# The XML below is LibreOffice's own file format, kept on one line per element as LibreOffice writes it.
XLB = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE library:library PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "library.dtd">
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard" library:readonly="false" library:passwordprotected="false">
{elements}</library:library>
"""
XBA = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="{name}" script:language="StarBasic" script:moduleType="normal">{code}</script:module>
"""


def default_profile() -> Path:
    """The LibreOffice user profile of the current user (Linux; ~/.config/libreoffice/4/user)."""
    if sys.platform == "win32":
        return Path(os.environ.get("APPDATA", Path.home())) / "LibreOffice" / "4" / "user"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / "LibreOffice" / "4" / "user"
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "libreoffice" / "4" / "user"


# The one-line messages a cell shows when Python cannot be reached (the bridge's own are in the bridge script).
MSG_VENV = (
    "システムエラー: 仮想環境 {} が有効なまま LibreOffice が起動されました（deactivate してから起動し直してください）"
)
MSG_OTHER_PYTHON = "システムエラー: 別の Python（{}）が PATH の先頭にあります（PATH を戻して起動し直してください）"
MSG_PYTHONHOME = (
    "システムエラー: PYTHONHOME（{}）が設定されたまま LibreOffice が起動されました（外して起動し直してください）"
)
MSG_NO_PROVIDER = (
    "システムエラー: LibreOffice の Python マクロが使えません（libreoffice-script-provider-python を入れてください）"
)
MSG_NO_SCRIPT = f"システムエラー: {SCRIPT} がありません（exportscreen calc install をやり直してください）"
MSG_CALL_FAILED = "システムエラー: Python の関数を呼び出せません（{}）"


@dataclass(frozen=True)
class OfficePython:
    """What the Basic module checks the environment against: LibreOffice's Python (Linux: the system python3)."""

    prefix: str = "/usr"  # its sys.base_prefix
    bindir: str = "/usr/bin"  # the folder of its python3 (a venv made from it has home = this)
    version: str = "{}.{}".format(*sys.version_info[:2])
    check: bool = sys.platform.startswith("linux")  # elsewhere LibreOffice bundles its own Python with its home set


def _basic_text(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _basic_message(template: str, *parts: str) -> str:
    """A message as a Basic expression, the ``{}`` filled in with Basic expressions."""
    pieces = template.split("{}")
    out = _basic_text(pieces[0])
    for part, piece in zip(parts, pieces[1:]):
        out += f" & {part} & {_basic_text(piece)}"
    return out


def _environment_check(office: OfficePython) -> list[str]:
    """Basic: why LibreOffice's Python cannot start in this process's environment, or "" (checked once)."""
    return [
        "",
        f"Private Const ExportScreenCheckEnv = {'True' if office.check else 'False'}",
        f"Private Const ExportScreenPrefix = {_basic_text(office.prefix.rstrip('/') or '/')}",
        f"Private Const ExportScreenBinDir = {_basic_text(office.bindir.rstrip('/') or '/')}",
        f"Private Const ExportScreenPyVersion = {_basic_text(office.version)}",
        "",
        "Private Function ExportScreenParent(sDir As String) As String",
        "    Dim i As Long, n As Long",
        "    n = 0",
        "    For i = 1 To Len(sDir)",
        '        If Mid(sDir, i, 1) = "/" Then n = i',
        "    Next i",
        "    If n <= 1 Then",
        '        ExportScreenParent = ""',
        "    Else",
        "        ExportScreenParent = Left(sDir, n - 1)",
        "    End If",
        "End Function",
        "",
        "REM A virtual environment works only when it is one of LibreOffice's own Python with its system packages.",
        "Private Function ExportScreenVenv(sCfg As String, sVenv As String) As String",
        "    Dim iFile As Integer, sLine As String, sKey As String, sValue As String, i As Long",
        "    Dim sHome As String, sSystem As String",
        "    iFile = FreeFile",
        "    Open sCfg For Input As #iFile",
        "    Do While Not EOF(iFile)",
        "        Line Input #iFile, sLine",
        '        i = InStr(sLine, "=")',
        "        If i > 0 Then",
        "            sKey = LCase(Trim(Left(sLine, i - 1)))",
        "            sValue = Trim(Mid(sLine, i + 1))",
        '            If sKey = "home" Then sHome = sValue',
        '            If sKey = "include-system-site-packages" Then sSystem = LCase(sValue)',
        "        End If",
        "    Loop",
        "    Close #iFile",
        '    If Len(sHome) > 1 And Right(sHome, 1) = "/" Then sHome = Left(sHome, Len(sHome) - 1)',
        '    If sSystem = "true" And sHome = ExportScreenBinDir Then',
        '        ExportScreenVenv = ""',
        "    Else",
        f"        ExportScreenVenv = {_basic_message(MSG_VENV, 'sVenv')}",
        "    End If",
        "End Function",
        "",
        "REM What Python's start-up does in LibreOffice (embedded, program name python3): another PYTHONHOME is",
        "REM another Python; the first python3 on PATH is taken for sys.executable, a pyvenv.cfg one folder up (or",
        "REM beside it) making that venv its prefix (site.py, even with PYTHONHOME), a lib/pythonX.Y/os.py one folder",
        "REM up making that installation its prefix. uno is found only with LibreOffice's own Python.",
        "Private Function ExportScreenEnvProblem() As String",
        "    On Error GoTo Unknown",
        '    ExportScreenEnvProblem = ""',
        "    If Not ExportScreenCheckEnv Then Exit Function",
        "    Dim sHome As String, aDirs As Variant, sDir As String, sParent As String, k As Long",
        '    sHome = Environ("PYTHONHOME")',
        '    If Len(sHome) > 1 And Right(sHome, 1) = "/" Then sHome = Left(sHome, Len(sHome) - 1)',
        '    If sHome <> "" And sHome <> ExportScreenPrefix Then',
        f"        ExportScreenEnvProblem = {_basic_message(MSG_PYTHONHOME, 'sHome')}",
        "        Exit Function",
        "    End If",
        '    aDirs = Split(Environ("PATH"), ":")',
        "    For k = LBound(aDirs) To UBound(aDirs)",
        "        sDir = aDirs(k)",
        '        If Len(sDir) > 1 And Right(sDir, 1) = "/" Then sDir = Left(sDir, Len(sDir) - 1)',
        '        If Left(sDir, 1) = "/" Then',
        '            If FileExists(sDir & "/python3") Then',
        "                sParent = ExportScreenParent(sDir)",
        '                If sParent <> "" And FileExists(sParent & "/pyvenv.cfg") Then',
        '                    ExportScreenEnvProblem = ExportScreenVenv(sParent & "/pyvenv.cfg", sParent)',
        '                ElseIf FileExists(sDir & "/pyvenv.cfg") Then',
        '                    ExportScreenEnvProblem = ExportScreenVenv(sDir & "/pyvenv.cfg", sDir)',
        '                ElseIf sParent <> "" And sParent <> ExportScreenPrefix Then',
        '                    If FileExists(sParent & "/lib/python" & ExportScreenPyVersion & "/os.py") Then',
        f"                        ExportScreenEnvProblem = {_basic_message(MSG_OTHER_PYTHON, 'sDir')}",
        "                    End If",
        "                End If",
        "                Exit Function",
        "            End If",
        "        End If",
        "    Next k",
        "    Exit Function",
        "Unknown:",
        '    ExportScreenEnvProblem = ""',
        "End Function",
        "",
        "REM One short line for a failed call: no Python macros, no script, else the kind of error.",
        "Private Function ExportScreenFailure(sError As String) As String",
        "    On Error GoTo Unknown",
        "    Dim oSubst As Object, sType As String, i As Long",
        '    oSubst = createUnoService("com.sun.star.util.PathSubstitution")',
        "    If ExportScreenCheckEnv Then",
        '        If Not FileExists(oSubst.substituteVariables("$(prog)/pythonscript.py", True)) Then',
        f"            ExportScreenFailure = {_basic_text(MSG_NO_PROVIDER)}",
        "            Exit Function",
        "        End If",
        "    End If",
        f'    If Not FileExists(oSubst.substituteVariables("$(user)/Scripts/python/{SCRIPT}", True)) Then',
        f"        ExportScreenFailure = {_basic_text(MSG_NO_SCRIPT)}",
        "        Exit Function",
        "    End If",
        "Unknown:",
        "    sType = sError",
        '    i = InStr(sType, "Type: ")',
        "    If i > 0 Then",
        "        sType = Mid(sType, i + 6)",
        "        i = InStr(sType, Chr(10))",
        "        If i > 0 Then sType = Left(sType, i - 1)",
        '        Do While InStr(sType, ".") > 0',
        '            sType = Mid(sType, InStr(sType, ".") + 1)',
        "        Loop",
        "    Else",
        '        sType = Left(Replace(Replace(sType, Chr(13), " "), Chr(10), " "), 60)',
        "    End If",
        f"    ExportScreenFailure = {_basic_message(MSG_CALL_FAILED, 'Trim(sType)')}",
        "End Function",
    ]


def basic_module(office: OfficePython | None = None) -> str:
    """The Basic source of module Standard.ExportScreen (``office``: LibreOffice's Python, for the environment
    check; by default the system python3 under /usr of this Python's version)."""
    office = office or OfficePython()
    lines = [
        "REM exportscreen: spreadsheet functions for LibreOffice Calc (安全保障貿易管理).",
        "REM Generated by `exportscreen calc install`; reinstall instead of editing. Each function calls",
        f"REM the Python script {SCRIPT} (user profile, Scripts/python) through the script provider.",
        "Option Explicit",
        "",
        "Private oExportScreenProvider As Object",
        "Private bExportScreenChecked As Boolean",
        "Private sExportScreenProblem As String",
        *_environment_check(office),
        "",
        "Private Function ExportScreenCall(sFunc As String, aArgs As Variant) As Variant",
        "    If Not bExportScreenChecked Then",
        "        sExportScreenProblem = ExportScreenEnvProblem()",
        "        bExportScreenChecked = True",
        "    End If",
        '    If sExportScreenProblem <> "" Then',
        "        ExportScreenCall = sExportScreenProblem",
        "        Exit Function",
        "    End If",
        "    On Error GoTo Failed",
        "    If IsNull(oExportScreenProvider) Then",
        '        oExportScreenProvider = createUnoService("com.sun.star.script.provider.MasterScriptProviderFactory").createScriptProvider("")',
        "    End If",
        "    Dim oScript As Object",
        f'    oScript = oExportScreenProvider.getScript("vnd.sun.star.script:{SCRIPT}$" & sFunc & "?language=Python&location=user")',
        "    ExportScreenCall = oScript.invoke(aArgs, Array(), Array())",
        "    Exit Function",
        "Failed:",
        "    ExportScreenCall = ExportScreenFailure(Error$)",
        "End Function",
        "",
        "Private Function ExportScreenArg(Optional v As Variant) As Variant",
        "    If IsMissing(v) Then",
        "        ExportScreenArg = Empty",
        "    Else",
        "        ExportScreenArg = v",
        "    End If",
        "End Function",
    ]
    for name, func, params, required in FUNCTIONS:
        decl = ", ".join(
            p + " As Variant" if i < required else "Optional " + p + " As Variant" for i, p in enumerate(params)
        )
        call = ", ".join(f"ExportScreenArg({p})" for p in params)
        lines += [
            "",
            f"Function {name}({decl}) As Variant",
            f'    {name} = ExportScreenCall("{func}", Array({call}))',
            "End Function",
        ]
    return "\n".join(lines) + "\n"


def bridge_script(paths: list[str], python: str) -> str:
    text = BRIDGE.read_text(encoding="utf-8")
    for marker, value in (("EXPORTSCREEN_PATHS: list[str] = []", paths), ('EXPORTSCREEN_PYTHON = ""', python)):
        if marker not in text:
            raise RuntimeError(f"{BRIDGE.name}: the line {marker!r} to fill in is missing")
        text = text.replace(marker, f"{marker.split(' = ')[0]} = {value!r}", 1)
    return text


def package_paths() -> list[str]:
    """Where LibreOffice's Python must look: the folder holding the ``exportscreen`` package, then this environment's
    site-packages (pyyaml, rapidfuzz, pycountry …)."""
    paths = [
        str(Path(exportscreen.__file__).resolve().parent.parent),
        sysconfig.get_paths()["purelib"],
        sysconfig.get_paths()["platlib"],
    ]
    return list(dict.fromkeys(paths))


@dataclass
class PythonCheck:
    office_python: str | None
    office_version: tuple[int, int] | None
    our_version: tuple[int, int] = field(default_factory=lambda: sys.version_info[:2])
    has_uno: bool = False
    office_prefix: str | None = None  # its sys.base_prefix (/usr)

    def office(self) -> OfficePython:
        """What the Basic module checks the environment against."""
        if self.office_python is None or self.office_version is None:
            return OfficePython()
        return OfficePython(
            prefix=self.office_prefix or "/usr",
            bindir=str(Path(self.office_python).parent),
            version="{}.{}".format(*self.office_version),
        )

    @property
    def compatible(self) -> bool:
        return self.office_version == self.our_version

    def describe(self, lang: str = "en") -> str:
        ours = "{}.{}".format(*self.our_version)
        if self.office_python is None:
            return tr(
                f"LibreOffice の Python（uno のある python3）が見つかりません。この環境は Python {ours} です",
                f"LibreOffice's Python (python3 with uno) was not found; this environment is Python {ours}",
                lang,
            )
        theirs = "{}.{}".format(*self.office_version) if self.office_version else "?"
        if self.has_uno:
            uno = tr("（uno あり）", "with uno", lang)
        else:
            uno = tr(
                "（uno なし: python3-uno / libreoffice-script-provider-python を入れてください）",
                "WITHOUT uno (install python3-uno / libreoffice-script-provider-python)",
                lang,
            )
        return tr(
            f"LibreOffice の Python {self.office_python} は {theirs}{uno}、この環境は Python {ours} です",
            f"LibreOffice's Python {self.office_python} is {theirs} {uno}; this environment is Python {ours}",
            lang,
        )


def check_office_python(python: str | None = None) -> PythonCheck:
    """The system python3 LibreOffice embeds (Debian/Ubuntu packages) must be the same minor version as this
    environment: compiled dependencies (rapidfuzz, pyyaml's C loader) only load into the same version."""
    candidates = [python] if python else ["/usr/bin/python3", shutil.which("python3")]
    for exe in [c for c in candidates if c]:
        if not Path(exe).is_file():
            continue
        try:
            out = subprocess.run(
                [
                    exe,
                    "-I",  # as LibreOffice starts it: without this environment's PYTHONPATH or PYTHONHOME
                    "-c",
                    "import sys\ntry:\n import uno; u=1\nexcept Exception:\n u=0\n"
                    "print(sys.version_info[0], sys.version_info[1], u)\nprint(sys.base_prefix)",
                ],
                capture_output=True,
                text=True,
                timeout=30,
            ).stdout.splitlines()
            major, minor, uno = out[0].split()
            return PythonCheck(exe, (int(major), int(minor)), has_uno=uno == "1", office_prefix=out[1].strip())
        except (OSError, subprocess.SubprocessError, ValueError, IndexError):
            continue
    return PythonCheck(None, None)


@dataclass
class InstallResult:
    profile: Path
    script: Path
    module: Path
    paths: list[str]
    created_basic: bool
    python: PythonCheck | None = None
    initialised: bool = False  # LibreOffice was started once to create the profile
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (ja, en)


def find_soffice() -> str | None:
    for name in ("soffice", "libreoffice"):
        exe = shutil.which(name)
        if exe:
            return exe
    for p in (
        Path("/usr/bin/soffice"),
        Path("/opt/libreoffice/program/soffice"),
        Path("C:/Program Files/LibreOffice/program/soffice.exe"),
    ):
        if p.is_file():
            return str(p)
    return None


def initialise_profile(profile: Path, soffice: str | None = None, timeout: float = 120) -> bool:
    """Start LibreOffice once, headless, on ``profile`` so that it creates the profile. On its first start
    LibreOffice copies its presets over the profile's basic/ folder, which would drop our module from the
    Standard library; after that it leaves the folder alone. Returns False when soffice is not available."""
    soffice = soffice or find_soffice()
    if soffice is None:
        return False
    profile.parent.mkdir(parents=True, exist_ok=True)
    try:
        subprocess.run(
            [
                soffice,
                "--headless",
                "--norestore",
                "--terminate_after_init",
                f"-env:UserInstallation={profile.parent.resolve().as_uri()}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return (profile / "registrymodifications.xcu").is_file()


def _is_user_folder(path: Path) -> bool:
    return (path / "registrymodifications.xcu").is_file()


def resolve_profile(path: Path | str) -> Path:
    """The ``user`` folder of a LibreOffice profile given as that folder or as the folder holding it (the one
    ``-env:UserInstallation`` names): ``~/.config/libreoffice/4`` and ``~/.config/libreoffice/4/user`` are the same
    profile. A folder that holds neither is taken as a profile root to be created, unless it is named ``user``."""
    given = Path(path).expanduser()
    if given.exists() and not given.is_dir():
        raise UserError(f"--profile {given}: not a folder")
    if _is_user_folder(given):
        return given
    inner = given / "user"
    if _is_user_folder(inner):
        return inner
    if given.name == "user" and not inner.is_dir():
        return given
    if inner.exists() and not inner.is_dir():
        raise UserError(f"--profile {inner}: not a folder")
    return inner


def environment_problem(environ: dict[str, str] | None = None, office: OfficePython | None = None) -> str | None:
    """Why LibreOffice started with ``environ`` (default: this process's) could not run Python macros — the
    message a cell would show — or None. The same rules as the Basic module's check (:func:`basic_module`)."""
    environ = dict(os.environ if environ is None else environ)
    office = office or OfficePython()
    if not office.check:
        return None
    home = environ.get("PYTHONHOME", "")
    home = home[:-1] if len(home) > 1 and home.endswith("/") else home
    if home and home != office.prefix.rstrip("/"):
        return MSG_PYTHONHOME.format(home)
    for entry in environ.get("PATH", "").split(":"):
        folder = entry[:-1] if len(entry) > 1 and entry.endswith("/") else entry
        if not folder.startswith("/") or not os.path.exists(folder + "/python3"):
            continue
        parent = folder[: folder.rfind("/")]
        for venv in ([parent] if parent else []) + [folder]:
            cfg = Path(venv) / "pyvenv.cfg"
            if cfg.is_file():
                return _venv_problem(cfg, venv, office)
        if parent and parent != office.prefix.rstrip("/"):
            if os.path.exists(f"{parent}/lib/python{office.version}/os.py"):
                return MSG_OTHER_PYTHON.format(folder)
        return None
    return None


def _venv_problem(cfg: Path, venv: str, office: OfficePython) -> str | None:
    values = {}
    for line in cfg.read_text(encoding="utf-8", errors="replace").splitlines():
        key, eq, value = line.partition("=")
        if eq:
            values[key.strip().lower()] = value.strip()
    home = values.get("home", "")
    home = home[:-1] if len(home) > 1 and home.endswith("/") else home
    if values.get("include-system-site-packages", "").lower() == "true" and home == office.bindir.rstrip("/"):
        return None
    return MSG_VENV.format(venv)


def install(
    profile: Path | str | None = None, *, python_check: bool = True, office_python: str | None = None
) -> InstallResult:
    """Install the Basic module and the Python bridge into ``profile``: a LibreOffice ``user`` folder or the
    profile folder holding it (:func:`resolve_profile`)."""
    profile = resolve_profile(profile) if profile else default_profile()
    check = None
    if python_check:
        check = check_office_python(office_python)
        if check.office_python is not None and not check.compatible:
            raise UserError(
                check.describe("ja") + "。関数を読み込めません。同じ版の Python に exportscreen を入れるか、"
                "--no-python-check を付けて入れてください",
                check.describe("en") + ": the functions would not load. Install exportscreen into a "
                "Python of the same version, or pass --no-python-check to install anyway",
            )
    paths = package_paths()
    warnings: list[tuple[str, str]] = []  # (ja, en)
    initialised = False
    office = check.office() if check is not None else OfficePython()
    problem = environment_problem(office=office)
    if problem is not None:
        detail = problem.split(": ", 1)[1]
        warnings.append(
            (
                f"このシェルから起動した LibreOffice では関数が動きません: {detail}"
                " — デスクトップのメニューか、仮想環境を無効にしたシェルから起動してください",
                f"LibreOffice started from this shell could not run the functions: {detail}"
                " — start LibreOffice from the desktop menu or from a shell without the virtual environment",
            )
        )
    if not (profile / "registrymodifications.xcu").is_file():
        initialised = initialise_profile(profile)
        if not initialised:
            warnings.append(
                (
                    "このプロファイルは一度も使われておらず、LibreOffice を起動して作ることもできませんでした。"
                    "LibreOffice を一度起動して閉じ、もう一度 `exportscreen calc install` を実行してください",
                    "the profile has never been used and LibreOffice could not be started to create it: start "
                    "LibreOffice once, close it, and run `exportscreen calc install` again",
                )
            )

    scripts = profile / "Scripts" / "python"
    scripts.mkdir(parents=True, exist_ok=True)
    script = scripts / SCRIPT
    _write(script, bridge_script(paths, sys.executable))

    basic = profile / "basic"
    created = False
    if not (basic / "script.xlc").is_file():
        created = True
        preset = next((p for p in PRESETS if (p / "script.xlc").is_file()), None)
        basic.mkdir(parents=True, exist_ok=True)
        if preset is not None:
            shutil.copytree(preset, basic, dirs_exist_ok=True)
        else:
            _write(basic / "script.xlc", XLC)
            _write(basic / "dialog.xlc", XLC.replace("libraries.dtd", "libraries.dtd"))
    standard = basic / "Standard"
    standard.mkdir(parents=True, exist_ok=True)
    if not (standard / "dialog.xlb").is_file():
        _write(standard / "dialog.xlb", XLB.format(elements=""))
    _register_module(standard / "script.xlb", MODULE)
    module = standard / f"{MODULE}.xba"
    _write(module, XBA.format(name=MODULE, code=escape(basic_module(office), {'"': "&quot;"})))
    return InstallResult(profile, script, module, paths, created, check, initialised, warnings)


def _register_module(xlb: Path, name: str) -> None:
    import re

    if not xlb.is_file():
        _write(xlb, XLB.format(elements=f' <library:element library:name="{name}"/>\n'))
        return
    text = xlb.read_text(encoding="utf-8")
    if re.search(rf'library:element\s+library:name="{re.escape(name)}"', text):
        return
    if "</library:library>" in text:
        text = text.replace("</library:library>", f' <library:element library:name="{name}"/>\n</library:library>', 1)
    elif re.search(r"<library:library\b[^>]*/>", text):  # an empty library written as a self-closing element
        text = re.sub(
            r"(<library:library\b[^>]*?)\s*/>",
            rf'\1>\n <library:element library:name="{name}"/>\n</library:library>',
            text,
            count=1,
        )
    else:
        raise UserError(f"{xlb}: not a LibreOffice Basic library file")
    _write(xlb, text)


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.replace(path)
