"""exportscreen: Japanese security export control screening, inside the spreadsheet."""

__version__ = "0.1.0"
