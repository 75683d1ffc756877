"""``new`` → fill in → ``check`` in a copy of the repository; and ``check`` of the whole repository passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]  # not from conftest: another folder's conftest may hold that name

SET_YAML = """title: Scratch exercises
short_title: Scratch
order: 99
description: Exercises written to test the contributor workflow.
attribution:
  document: Scratch exercises of this site
  authors: [A. Tester]
"""

DATA = """label: "Exercise 1"
title: A receptive field
attribution:
  authors: [A. Tester]
parts:
  q1a:
    label: "Q.1.a"
    title: Two layers
    givens: {layers: [[3, 1, 0], [3, 2, 0]]}
    question: |
      A 3-wide convolution at stride 1 is followed by a 3-wide convolution at stride 2. How many
      input positions does one output unit see, and how far apart are adjacent units' windows?
    source: {size: 5, jump: 2}
"""

MODULE = """from solutions import reference as ref
from solutions.exercises.work import Work
from solutions.formulas import receptive_field
from solutions.reference import layers


def q1a(w: Work) -> None:
    field = receptive_field([tuple(layer) for layer in w.given.layers])
    w.result("size", field.size, "Receptive field size")
    w.result("jump", field.jump, "Jump")
    stack = [layers.Conv(1, 1, k, stride=s, padding=p, ndim=1, fill=1.0) for k, s, p in w.given.layers]

    def window(unit: int) -> tuple[int, int]:
        (size,), (start,) = ref.receptive_field_extent(ref.receptive_field_mask(stack, (1, 32), (unit,)))
        return size, start

    (size, start), (_, following) = window(3), window(4)
    w.check("size", size, f"a one-hot gradient sent back through NumPy layers reaches {size} inputs")
    w.check("jump", following - start, f"the next unit's window starts at {following}, this one's at {start}")
"""


def test_new_then_fill_then_check(repo, cli):
    assert cli("new-set", "scratch", "--own", "--title", "Scratch exercises").returncode == 0
    result = cli("new", "scratch/ex1")
    assert result.returncode == 0, result.stderr
    written = [line.strip() for line in result.stdout.splitlines()[1:4]]
    assert written == [
        "solutions/exercises/scratch/ex1.yaml",
        "solutions/exercises/scratch/ex1.py",
        "docs/exercises/scratch/ex1.md",
    ]
    assert cli("check", "solutions/exercises/scratch").returncode == 1  # the template is not filled in

    (repo / "solutions/exercises/scratch/set.yaml").write_text(SET_YAML)
    (repo / "solutions/exercises/scratch/ex1.yaml").write_text(DATA)
    (repo / "solutions/exercises/scratch/ex1.py").write_text(MODULE)
    result = cli("check", "solutions/exercises/scratch")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1].startswith("check: no problems; 1 exercise(s), 1 part(s)")

    # Wired without any list: the catalog and the navigation find it, and the page includes every part.
    probe = (
        "from solutions.render.site import nav, site_problems; "
        "print([e for i in nav() for e in i.get('Exercise sets', [])]); print(site_problems())"
    )
    shown = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=repo,
        env={"PYTHONPATH": str(repo)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert (
        "{'Scratch': ['exercises/scratch/index.md', {'Exercise 1 · A receptive field': 'exercises/scratch/ex1.md'}]}"
        in shown
    )
    assert shown.splitlines()[-1] == "[]"


def test_new_refuses_to_overwrite_and_scaffolds_a_manifest_sets_parts(repo, cli):
    result = cli("new", "seminar5/ex1")
    assert result.returncode == 2 and "exist already" in result.stderr
    (repo / "solutions/exercises/seminar5/ex2.yaml").unlink()
    (repo / "solutions/exercises/seminar5/ex2.py").unlink(missing_ok=True)
    (repo / "docs/exercises/seminar5/ex2.md").unlink()
    assert cli("new", "seminar5/ex2").returncode == 0
    data = (repo / "solutions/exercises/seminar5/ex2.yaml").read_text()
    assert "  q2a:\n" in data and "  q2b:\n" in data and "label:" not in data  # labels stay in the manifest
    page = (repo / "docs/exercises/seminar5/ex2.md").read_text()
    assert page.index("ex2/q2a.md") < page.index("ex2/q2b.md")
    result = cli("new", "seminar5/ex9")
    assert result.returncode == 2 and "listed in the manifest" in result.stderr


def test_check_of_the_whole_repository_passes():
    result = subprocess.run([sys.executable, "-m", "solutions", "check"], cwd=REPO, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("check: no problems")
