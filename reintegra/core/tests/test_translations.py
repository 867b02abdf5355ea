"""The French catalogue is complete: every translatable string of the code has a translation."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CATALOGUE = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> dict[str, tuple[str, bool]]:
    """msgid -> (msgstr, is_fuzzy) for a .po file (plural forms use the first msgstr)."""
    entries: dict[str, tuple[str, bool]] = {}
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        fuzzy = "#, fuzzy" in block or ", fuzzy" in block
        msgid = _field(block, "msgid")
        msgstr = _field(block, "msgstr") or _field(block, r"msgstr\[0\]")
        if msgid:
            entries[msgid] = (msgstr, fuzzy)
    return entries


def _field(block: str, name: str) -> str:
    match = re.search(rf"^{name} ((?:\".*\"\n?)+)", block + "\n", re.MULTILINE)
    if not match:
        return ""
    return "".join(re.findall(r"\"(.*)\"", match.group(1)))


def test_every_french_entry_is_translated_and_not_fuzzy():
    entries = parse_po(CATALOGUE)
    assert len(entries) > 100
    missing = [msgid for msgid, (msgstr, fuzzy) in entries.items() if not msgstr or fuzzy]
    assert missing == []


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs gettext (make setup installs it)"
)
def test_the_catalogue_holds_every_string_of_the_code(tmp_path):
    work = tmp_path / "src"
    for name in ("reintegra", "templates", "config", "locale"):
        shutil.copytree(ROOT / name, work / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "manage.py", work / "manage.py")
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "fr",
            "--no-obsolete",
            "--ignore",
            "*/tests/*",
        ],
        cwd=work,
        check=True,
        capture_output=True,
        env={
            "PATH": "/usr/bin:/bin",
            "REINTEGRA_ALLOW_INSECURE_KEY": "1",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "PYTHONPATH": str(work),
        },
    )
    fresh = parse_po(work / "locale" / "fr" / "LC_MESSAGES" / "django.po")
    untranslated = sorted(msgid for msgid, (msgstr, fuzzy) in fresh.items() if not msgstr or fuzzy)
    assert untranslated == [], "run `make messages` and translate these"


def test_english_dates_are_written_day_first():
    import datetime

    from django.utils import formats, translation

    with translation.override("en"):
        assert formats.date_format(datetime.date(2026, 10, 30), "SHORT_DATE_FORMAT") == "30/10/2026"
