"""The layers of docs/architecture.md hold, and a change that breaks them fails here and in
`make check` (import-linter's contracts in `.importlinter`)."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "amparo"
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"

# Screens: they parse, call a query or an action, and render. They never open a manager.
SCREEN_FILES = sorted(
    path
    for pattern in ("*/views.py", "*/api.py", "*/*_views.py", "*/*_api.py")
    for path in PACKAGE.glob(pattern)
)


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(cwd / ".importlinter")],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _copy_of_the_package(tmp_path: Path) -> Path:
    shutil.copytree(
        PACKAGE,
        tmp_path / "amparo",
        ignore=shutil.ignore_patterns("__pycache__", "locale", "static", "templates"),
    )
    shutil.copy(ROOT / ".importlinter", tmp_path / ".importlinter")
    return tmp_path


def _add_line(path: Path, line: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + f"\n{line}  # noqa\n", encoding="utf-8")


def test_import_contracts_hold_on_the_code_as_it_is():
    result = _lint_imports(ROOT)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "bad_import", "contract"),
    [
        ("core/access.py", "import amparo.demo", "Apps depend one way"),
        ("registry/queries.py", "import amparo.cases.models", "Apps depend one way"),
        ("cases/models.py", "import amparo.cases.queries", "Models import no reads"),
        ("cases/queries.py", "import amparo.cases.actions", "Queries import no writes"),
        ("activities/actions.py", "import amparo.activities.views", "Actions import no screens"),
        ("referrals/api.py", "import amparo.cases.api", "Screens of one app never borrow"),
        ("urls.py", "import amparo.demo", "Nothing imports demo"),
        ("referrals/imports.py", "import amparo.registry.imports", "Imports of one app never"),
    ],
)
def test_an_import_that_breaks_a_layer_fails_the_check(tmp_path, module, bad_import, contract):
    copy = _copy_of_the_package(tmp_path)
    _add_line(copy / "amparo" / module, bad_import)

    result = _lint_imports(copy)

    assert result.returncode == 1, result.stdout + result.stderr
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in broken
    assert module.replace("/", ".").removesuffix(".py") in broken


def _managers_used(path: Path) -> list[str]:
    """`Model.objects` in a module, except `Model.objects.none()`: a viewset's `queryset`
    that only names the model for the OpenAPI schema and reads nothing."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    placeholders = {
        id(node.func.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "none"
    }
    return [
        f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr in {"objects", "_default_manager", "_base_manager"}
        and id(node) not in placeholders
    ]


def test_screens_read_records_only_through_queries_and_actions():
    found = []
    for path in SCREEN_FILES:
        found += _managers_used(path)

    assert SCREEN_FILES, "no screen modules found: the glob patterns are stale"
    assert found == [], "\n".join(found)


def _defined_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return names


def test_models_are_imported_from_the_app_that_defines_them():
    # A model module imports another app's model only to point at it, never to hand it on:
    # whoever needs `ServiceType` imports it from `cases.models`, where it lives.
    defined = {
        f"amparo.{path.parent.name}.models": _defined_in(path)
        for path in PACKAGE.glob("*/models.py")
    }
    borrowed = []
    for path in sorted({*PACKAGE.rglob("*.py"), *(ROOT / "tests").rglob("*.py")}):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module in defined:
                borrowed += [
                    f"{path.relative_to(ROOT)}:{node.lineno} {alias.name} from {node.module}"
                    for alias in node.names
                    if alias.name not in defined[node.module]
                ]

    assert borrowed == []
