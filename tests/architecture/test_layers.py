"""The house plan of ARCHITECTURE.md holds: the import contracts pass, catch a violation, and cover every module."""

import ast
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("alliance", "members", "projects", "events")
ABOVE_THE_GROUND_FLOOR = ("alliance.portal", "alliance.webhooks", "alliance.governance")


def _contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return {contract["id"]: contract for contract in config["contracts"]}


def _modules(package: str) -> list[str]:
    names = []
    for path in sorted((ROOT / package).rglob("*.py")):
        relative = path.relative_to(ROOT).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(parts))
    return names


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_import_contracts_are_kept():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_ground_floor_contract_names_every_module_of_alliance_but_the_apps_above_it():
    """A new module of alliance/ is either listed as ground floor (and so checked) or lives in an upper room."""
    listed = _contracts()["ground-floor"]["source_modules"]
    unclassified = [
        module
        for module in _modules("alliance")
        if module != "alliance"
        and not any(module == upper or module.startswith(upper + ".") for upper in ABOVE_THE_GROUND_FLOOR)
        and not any(module == ground or module.startswith(ground + ".") for ground in listed)
    ]
    assert unclassified == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [("alliance/errors.py", "members.models"), ("alliance/audit.py", "alliance.webhooks.services")],
)
def test_the_contracts_fail_when_the_ground_floor_imports_a_domain_app(tmp_path, importer, imported):
    # given a copy of the code in which a ground-floor module imports something above it
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__", "*.html"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    with (tmp_path / importer).open("a") as module:
        module.write(f"\nimport {imported}  # a violation, on purpose\n")

    # when the contracts are checked
    result = _lint_imports(tmp_path)

    # then they are broken, naming the import
    assert result.returncode != 0
    assert f"{importer.removesuffix('.py').replace('/', '.')} is not allowed to import" in result.stdout


def _imported_private_names(path: Path) -> list[str]:
    """``from X import _name`` and imports of a ``_private`` module of another package, in one file."""
    module_parts = list(path.relative_to(ROOT).with_suffix("").parts)
    package = module_parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                source = [*base, *(node.module.split(".") if node.module else [])]
            else:
                source = (node.module or "").split(".")
            if source[0] not in PACKAGES:
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{'.'.join(source)}.{alias.name}")
            private = [i for i, part in enumerate(source) if part.startswith("_") and not part.startswith("__")]
            # a private module may be used only inside the package that holds it
            if private and source[: private[0]] != package[: private[0]]:
                found.append(".".join(source))
    return found


def test_no_module_imports_a_private_name_of_another_module():
    offenders = {
        str(path.relative_to(ROOT)): names
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts and (names := _imported_private_names(path))
    }
    assert offenders == {}
