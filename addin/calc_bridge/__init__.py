"""Files that ``exportscreen calc install`` copies into a LibreOffice profile (not imported by the package)."""
