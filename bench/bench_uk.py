"""Time reading OFSI's full ConList.xlsx (18,798 rows) with riskengine.lists.uk.

Usage: python bench/bench_uk.py [path/to/ConList.xlsx] [repeats]

Prints the figures; asserts nothing (timings are not tests).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from riskengine.lists import uk

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = Path(os.environ.get("RISKENGINE_SHARED_DATA", ROOT.parent / "shared" / "data"))


def main(argv: list[str]) -> int:
    """Read the workbook ``repeats`` times and print the best and median wall time."""
    path = Path(argv[1]) if len(argv) > 1 else DEFAULT / "uk_ofsi_conlist" / "ConList.xlsx"
    repeats = int(argv[2]) if len(argv) > 2 else 3
    if not path.is_file():
        print(f"no workbook at {path}; pass its path as the first argument")
        return 2
    times: list[float] = []
    for _ in range(repeats):
        start = time.perf_counter()
        edition = uk.read(path)
        times.append(time.perf_counter() - start)
    data = edition.dataset
    times.sort()
    print(f"file: {path} ({path.stat().st_size:,} bytes), edition {edition.published}")
    print(f"entities {len(data.entities):,}  designations {len(data.designations):,}  "
          f"ownerships {len(data.ownerships)}  controls {len(data.controls)}")
    print(f"read x{repeats}: best {times[0]:.2f} s, median {times[len(times) // 2]:.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
