"""The project's own rules, checked with the suite so CI enforces them."""

import gettext
import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[1]
LOCALE = ROOT / "amparo" / "locale"


def _po_entries(path: Path) -> dict[str, str]:
    """msgid → msgstr (the first form of a plural message) of a .po file."""
    return {
        entry.msgid: entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
        for entry in polib.pofile(str(path))
        if not entry.obsolete
    }


def test_spanish_catalog_translates_every_message():
    catalog = polib.pofile(str(LOCALE / "es" / "LC_MESSAGES" / "django.po"))

    assert [entry.msgid for entry in catalog.untranslated_entries()] == []
    assert [entry.msgid for entry in catalog.fuzzy_entries()] == []
    assert not catalog.metadata_is_fuzzy


def test_compiled_spanish_catalog_matches_po():
    entries = _po_entries(LOCALE / "es" / "LC_MESSAGES" / "django.po")
    with open(LOCALE / "es" / "LC_MESSAGES" / "django.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)

    stale = [m for m, s in entries.items() if compiled.gettext(m) != s]
    assert stale == []


# A template line this long hides several changes in one diff line. Django cannot split a tag over
# two lines, a new line inside {% blocktranslate %} would change the message id, and a new line
# inside a URL would change the URL: a line holding only one of these may be longer.
LONGEST_TEMPLATE_LINE = 120
UNBREAKABLE_TEMPLATE_LINE = re.compile(
    r"\{%(?:(?!%\}).)*%\}"
    r"|\{% blocktranslate\b(?:(?!\{% endblocktranslate).)*\{% endblocktranslate %\}"
    r'|(?:href|src|action)="[^"]*"'
)


def test_template_lines_are_short():
    too_long = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted(ROOT.glob("amparo/*/templates/**/*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if len(line) > LONGEST_TEMPLATE_LINE
        and not UNBREAKABLE_TEMPLATE_LINE.fullmatch(line.strip())
    ]

    assert too_long == []


def test_migrations_are_complete(db):
    out = io.StringIO()

    call_command("makemigrations", "--check", "--dry-run", stdout=out)

    assert "No changes detected" in out.getvalue()


def test_migrations_are_named():
    unnamed = [
        p.name for p in ROOT.glob("amparo/*/migrations/0*.py") if re.match(r"\d{4}_auto_", p.name)
    ]

    assert unnamed == []


@pytest.mark.skipif(
    shutil.which("ruff", path=str(Path(sys.executable).parent)) is None,
    reason="ruff is installed by `make test`",
)
def test_ruff_reports_nothing():
    ruff = shutil.which("ruff", path=str(Path(sys.executable).parent))

    result = subprocess.run(
        [ruff, "check", "--quiet", str(ROOT)], capture_output=True, text=True, check=False
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="needs GNU gettext (developer tool)")
def test_every_translatable_string_is_in_the_catalog(tmp_path):
    """Extract afresh from a copy of the code; nothing may be missing from the committed .po."""
    shutil.copytree(
        ROOT / "amparo", tmp_path / "amparo", ignore=shutil.ignore_patterns("__pycache__")
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        "AMPARO_HOME": str(tmp_path / "home"),
        "DJANGO_SETTINGS_MODULE": "amparo.settings",
    }
    env.pop("DATABASE_URL", None)

    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "es", "--no-obsolete"],
        cwd=tmp_path / "amparo",
        env=env,
        check=True,
        capture_output=True,
    )

    fresh = set(_po_entries(tmp_path / "amparo" / "locale" / "es" / "LC_MESSAGES" / "django.po"))
    committed = set(_po_entries(LOCALE / "es" / "LC_MESSAGES" / "django.po"))
    assert sorted(fresh - committed) == []
