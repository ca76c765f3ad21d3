"""The one user-facing error type: a problem the user can fix (bad file, bad option, locked workbook).

Adapters raise it with a one-line message; the CLI prints ``exportscreen: <message>`` on stderr and exits 2.
"""


class UserError(Exception):
    pass
