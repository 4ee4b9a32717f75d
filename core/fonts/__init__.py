"""Fonts shipped with Haven, so that a PDF embeds the same letters on any server.

DejaVu Sans, regular and bold (licence in LICENSE): it has č, ć, đ, š and ž, which the 14 standard PDF
fonts lack, and a server need not have any font package installed.
"""

from pathlib import Path

FONTS_DIR = Path(__file__).resolve().parent
