"""An installed (non-editable) copy finds its bundled rules from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _run(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)


def test_wheel_install_scores_jac_from_elsewhere(tmp_path: Path) -> None:
    wheels, site, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    build = _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                  "-q", "-w", str(wheels), str(ROOT)], tmp_path, env)
    assert build.returncode == 0, build.stderr
    wheel = next(wheels.glob("riskengine-*.whl"))
    install = _run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target",
                    str(site), str(wheel)], tmp_path, env)
    assert install.returncode == 0, install.stderr
    for name in ("regimes.yaml", "retention.yaml"):
        assert (site / "riskengine" / "_bundled_rules" / name).is_file(), name
    env = {**env, "PYTHONPATH": str(site), "RISKENGINE_DB": f"sqlite:///{work / 'r.db'}"}
    env.pop("RISKENGINE_RULES", None)
    code = ("import sys, riskengine; print(riskengine.__file__, file=sys.stderr); "
            "sys.argv=['riskengine','score','JAC Motors','--format','json']; "
            "from riskengine.cli.app import main; main()")
    run = _run([sys.executable, "-c", code], work, env)
    assert run.returncode == 0, run.stderr
    assert str(site) in run.stderr  # the installed copy ran, not the source tree
    result = json.loads(run.stdout)
    assert result["entity"]["id"] == "jac"
    assert result["score"] > 0
