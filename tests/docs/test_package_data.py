"""The wheel a user installs holds everything the package opens at run time (templates,
Adult's compressed copy, the MNIST sample, their SOURCE.md, ``auditor init``'s example),
and auditor run from the unpacked wheel alone, away from this repository, finds them there.

The wheel is built in-process by hatchling (the build backend pyproject.toml names, about a
second); nothing is downloaded."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from hatchling.builders.wheel import WheelBuilder  # a dev dependency (pyproject.toml)

ROOT = Path(__file__).resolve().parents[2]


CACHES = {"__pycache__", ".pytest_cache", ".ruff_cache", ".hypothesis"}  # .gitignore's


def _repo_files(folder: str) -> set[str]:
    """Every file under ``folder`` of the repository but caches, relative to the root."""
    out = set()
    for path in (ROOT / folder).rglob("*"):
        parts = set(path.parts)
        if parts & CACHES or path.suffix == ".pyc" or any(p.endswith(".egg-info") for p in parts):
            continue
        if path.is_file():
            out.add(path.relative_to(ROOT).as_posix())
    return out


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    builder = WheelBuilder(str(ROOT))
    (built,) = builder.build(directory=str(out), versions=["standard"])
    return Path(built)


def test_the_wheel_holds_every_package_file_and_the_templates(wheel: Path):
    names = set(zipfile.ZipFile(wheel).namelist())
    wanted = _repo_files("auditor") | {"auditor/" + name for name in _repo_files("templates")}
    assert wanted - names == set()
    # the run-time data a new user needs offline, by name (a rule above that matched nothing
    # would pass on an empty folder)
    for name in (
        "auditor/commands/example.toml",
        "auditor/data/adult/adult.data.gz",
        "auditor/data/adult/adult.test.gz",
        "auditor/data/adult/SOURCE.md",
        "auditor/data/mnist_sample/mnist-5k-images-idx3-ubyte.gz",
        "auditor/data/mnist_sample/mnist-5k-labels-idx1-ubyte.gz",
        "auditor/data/mnist_sample/SOURCE.md",
        "auditor/templates/model_card.html.j2",
        "auditor/templates/model_card.md.j2",
        "auditor/templates/card.css",
    ):
        assert name in names, name
    assert not any("__pycache__" in n or n.startswith(("tests/", "bench/")) for n in names)


_IN_THE_WHEEL = """
import sys
from pathlib import Path
import auditor
from auditor.commands import init
from auditor.data import adult, mnist
from auditor.report.templating import templates_dir

site = Path(sys.argv[1]).resolve()
for path in (Path(auditor.__file__), Path(init.__file__), adult.SHIPPED, mnist.SAMPLE_DIR,
             templates_dir()):
    assert site in path.resolve().parents, (path, site)
assert len(adult.read_adult(adult.SHIPPED)) == 48842
images, labels, _ = mnist._read_sample()
assert images.shape == (5000, 28, 28) and len(set(labels.tolist())) == 10
print("ok")
"""


def test_the_unpacked_wheel_runs_away_from_the_repository(wheel: Path, tmp_path: Path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    user = tmp_path / "user"
    user.mkdir()
    env = {**os.environ, "PYTHONPATH": str(site), "PYTHONDONTWRITEBYTECODE": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=user, env=env, text=True,
                              capture_output=True, timeout=300)  # fmt: skip

    checked = run("-c", _IN_THE_WHEEL, str(site))
    assert checked.stdout.strip() == "ok", checked.stderr
    made = run("-m", "auditor", "init")
    assert made.returncode == 0, made.stderr
    assert (user / "auditor.toml").read_text(encoding="utf-8") == (
        ROOT / "auditor" / "commands" / "example.toml"
    ).read_text(encoding="utf-8")
    rows = ["label,pred,score,group"] + [
        f"{i % 2},{(i // 3) % 2},{0.2 + 0.6 * (i % 2) - 0.1 * ((i // 5) % 2)},{'ab'[i % 3 == 0]}"
        for i in range(200)
    ]
    (user / "preds.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    audited = run("-m", "auditor", "audit", "--predictions", "preds.csv", "--y-true", "label",
                  "--y-pred", "pred", "--y-score", "score", "--sensitive", "group",
                  "--exit-zero")  # fmt: skip
    assert audited.returncode == 0, audited.stderr
    card = user / "reports" / "preds" / "model_card.html"
    assert "<html" in card.read_text(encoding="utf-8")
    again = run("-m", "auditor", "card", "reports/preds", "--out", "reports/card")
    assert again.returncode == 0, again.stderr
    assert (user / "reports" / "card" / "model_card.md").is_file()
