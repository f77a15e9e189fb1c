"""Where the project's own files are: the package's code and the folders beside it in the checkout."""

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = PACKAGE_DIR.parent
FONTS_DIR = PROJECT_DIR / "fonts"  # the bundled fonts, all we print with
HYPHENATION_DIR = PROJECT_DIR / "hyphenation"  # the project's own patterns (hyphenation/README.md)
ICC_DIR = PROJECT_DIR / "icc"  # the print edition's profile (icc/README.md)
PRINT_PROFILE = ICC_DIR / "spark-fogra39.icc"  # the press's colours: FOGRA39 (icc/README.md)
