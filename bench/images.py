"""How long the image checks take: each attack of tests/test_images.py, and a 4000×3000 photo.

The tests assert what is refused and how; this measures that the refusals come in well under a
second of the process's own time, and what decoding a large photo costs, first and remembered.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from layout.text.images import check_image
from tests.test_images import BAD, _photo


def _seconds(src: str, folder: Path) -> float:
    start = time.process_time()
    check_image(src, folder)
    return time.process_time() - start


def main() -> None:
    """Print the check's CPU time for every attack and for a large photo, cold and remembered."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        for case, (file, data, _) in sorted(BAD.items()):
            (folder / f"{case}-{file}").write_bytes(data)
            seconds = _seconds(f"{case}-{file}", folder)
            print(f"{case:28} {len(data):>10,} bytes  refused in {seconds * 1000:7.1f} ms")
        (folder / "photo.jpg").write_bytes(_photo(4000, 3000, "JPEG"))
        cold, warm = _seconds("photo.jpg", folder), _seconds("photo.jpg", folder)
        print(f"4000×3000 JPEG: checked in {cold * 1000:.1f} ms, again (remembered) in {warm * 1000:.2f} ms")


if __name__ == "__main__":
    main()
