"""Time reading the full OFAC SDN set (2024-05-03 sdn.csv + ~Dec 2025 companions).

Run: .venv/bin/python bench/bench_ofac.py [shared-data-dir]. Prints figures; asserts nothing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from riskengine.lists.base import ListEdition
from riskengine.lists.ofac import read_cons, read_sdn

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "data"


def _stage(data: Path, folder: Path) -> None:
    """Copy the 2024-05-03 sdn.csv and the companion files into one folder."""
    base = data / "ofac_sdn_csv"
    for src in [base / "2024-05-03" / "sdn.csv", *sorted((base / "2025-12_companions").iterdir())]:
        shutil.copy(src, folder / src.name)


def _timed(label: str, read: Callable[..., ListEdition], *args: object) -> None:
    start = time.perf_counter()
    edition = read(*args)
    seconds = time.perf_counter() - start
    data = edition.dataset
    print(
        f"{label:<34} {seconds:6.2f} s  entities={len(data.entities)} "
        f"designations={len(data.designations)} ownerships={len(data.ownerships)} "
        f"relationships={len(data.relationships)} warnings={len(edition.warnings)}"
    )


def main() -> None:
    data = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_DATA
    if not data.is_dir():
        print(f"shared data not found at {data}")
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _stage(data, folder)
        _timed("SDN CSV 2024-05-03 + companions", read_sdn, folder, date(2024, 5, 3))
    cons = data / "ofac_consolidated_non_sdn"
    _timed("Consolidated CSV", read_cons, cons / "csv")
    _timed("Consolidated XML", read_cons, cons / "xml" / "ofac.xml")


if __name__ == "__main__":
    main()
