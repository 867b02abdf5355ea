"""`reintegra backup` and `reintegra restore`: a backup of a database with data restores into an
EMPTY database with the same rows in every table and an intact audit chain; a database that is
not empty is refused. The restore runs in a separate process against its own database (a new
SQLite file, or a new PostgreSQL database): the test database is only read."""

import datetime
import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from reintegra.cases import services as cases
from reintegra.people import services as people

ROOT = Path(django_settings.BASE_DIR)


def _seed(users, offices) -> None:
    """Cases with notes (one restricted), a document: rows in many tables and audit events."""
    cm = users["cm.tamba"]
    for given, family in (("Aliou", "Sané"), ("Awa", "Sy")):
        person = people.returnee_register(
            actor=cm,
            office=offices["TAM"],
            given_names=given,
            family_name=family,
            sex="M",
            date_of_birth=datetime.date(1990, 5, 1),
        )
        case = cases.case_open(actor=cm, person=person, office=offices["TAM"])
        cases.note_add(actor=cm, case=case, body="First meeting")
        cases.note_add(actor=users["cm.psy"], case=case, body="Session", tier="PSYCHOSOCIAL")
    cases.document_attach(
        actor=cm,
        case=case,
        doc_type="OTHER",
        upload=SimpleUploadedFile("id.pdf", b"%PDF-1.4 backup", content_type="application/pdf"),
    )


def _counts(cursor, tables: list[str]) -> dict[str, int]:
    result = {}
    for table in tables:
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 (our own table names)
        result[table] = cursor.fetchone()[0]
    return result


def _source_counts() -> dict[str, int]:
    tables = [t for t in connection.introspection.table_names() if not t.startswith("sqlite_")]
    with connection.cursor() as cursor:
        return _counts(cursor, tables)


def _run(
    args: list[str],
    database_url: str,
    data_dir: Path,
    python: bool = False,
    extra: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REINTEGRA_DATA_DIR": str(data_dir),
        "REINTEGRA_FILES_DIR": str(data_dir / "files"),
        "REINTEGRA_ALLOW_INSECURE_KEY": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **(extra or {}),
    }
    command = [] if python else [str(ROOT / "manage.py")]
    return subprocess.run(  # noqa: S603
        [sys.executable, *command, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture
def seeded(users, offices, settings, tmp_path):
    settings.PRIVATE_FILES_DIR = tmp_path / "files"
    settings.DATA_DIR = tmp_path / "data"
    _seed(users, offices)
    return tmp_path


def prepare_source() -> None:
    """Run in a separate process (see the test below): a new SQLite database with the demo
    personas and some case work, then `reintegra backup` with and without a path."""
    from reintegra.demo.personas import programme_ensure

    call_command("migrate", verbosity=0)
    offices, users = programme_ensure(password="reintegra-demo")
    _seed(users, offices)
    call_command("backup", os.environ["BACKUP_PATH"])
    call_command("backup", "--no-files")


def _sqlite_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as db:
        tables = [
            row[0]
            for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not row[0].startswith("sqlite_")
        ]
        return _counts(db.cursor(), tables)


def test_a_sqlite_backup_restores_into_an_empty_database_with_every_row(tmp_path):
    """Everything in separate processes with their own database files: the source is built
    and backed up through the command line, restored into a new file, and verified there."""
    source_db = tmp_path / "source" / "reintegra.sqlite3"
    backup = tmp_path / "out" / "reintegra.sqlite3"
    prepared = _run(
        [
            "-c",
            "import django; django.setup(); "
            "from reintegra.core.tests.test_backup import prepare_source; prepare_source()",
        ],
        f"sqlite:///{source_db}",
        tmp_path / "source",
        python=True,
        extra={"BACKUP_PATH": str(backup)},
    )
    assert prepared.returncode == 0, prepared.stderr
    assert backup.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert backup.with_name(backup.name + ".files.tar.gz").is_file()
    [default] = (tmp_path / "source" / "backups").iterdir()  # no path: under the data dir
    assert default.name.startswith("reintegra-") and default.suffix == ".sqlite3"
    source = _sqlite_counts(source_db)
    assert source["audit_auditevent"] > 0 and source["cases_note"] == 4

    target_dir = tmp_path / "restored"
    target = target_dir / "reintegra.sqlite3"
    url = f"sqlite:///{target}"
    restored = _run(["restore", str(backup)], url, target_dir)
    assert restored.returncode == 0, restored.stderr
    assert _sqlite_counts(target) == source
    # The case document came back into the (empty) files directory.
    assert [p.name for p in (target_dir / "files").rglob("*") if p.is_file()]

    verify = _run(["audit", "verify"], url, target_dir)
    assert verify.returncode == 0, verify.stderr
    events = source["audit_auditevent"]
    assert f"audit_auditevent: {events} rows, chain intact" in verify.stdout

    # A second restore into the now filled database is refused, and nothing changes.
    again = _run(["restore", str(backup)], url, target_dir)
    assert again.returncode != 0
    assert "not empty" in again.stderr
    assert _sqlite_counts(target) == source


@pytest.mark.django_db(transaction=True)
@pytest.mark.postgres
def test_a_postgresql_backup_restores_into_an_empty_database_with_every_row(seeded):
    import psycopg

    backup = seeded / "out" / "reintegra.dump"
    call_command("backup", str(backup))
    assert backup.read_bytes()[:5] == b"PGDMP"
    source = _source_counts()
    assert source["audit_auditevent"] > 0

    params = connection.settings_dict
    name = f"reintegra_restore_{uuid.uuid4().hex[:10]}"
    conninfo = {
        "host": params.get("HOST") or None,
        "port": params.get("PORT") or None,
        "user": params.get("USER") or None,
        "password": params.get("PASSWORD") or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        auth = params.get("USER") or ""
        if params.get("PASSWORD"):
            auth += ":" + params["PASSWORD"]
        host = f"{params.get('HOST') or 'localhost'}:{params.get('PORT') or 5432}"
        url = f"postgres://{auth}@{host}/{name}"
        restored = _run(["restore", str(backup)], url, seeded / "restored")
        assert restored.returncode == 0, restored.stderr
        with psycopg.connect(dbname=name, **conninfo) as db, db.cursor() as cursor:
            assert _counts(cursor, list(source)) == source
        verify = _run(["audit", "verify"], url, seeded / "restored")
        assert verify.returncode == 0, verify.stderr
        again = _run(["restore", str(backup)], url, seeded / "restored")
        assert again.returncode != 0
        assert "not empty" in again.stderr
    finally:
        with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.mark.django_db
def test_restore_refuses_a_database_that_is_not_empty(seeded):
    backup = seeded / "not-used.sqlite3"
    backup.write_bytes(b"SQLite format 3\x00" + b"\x00" * 100)
    before = _source_counts()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(backup))
    assert _source_counts() == before


def test_restore_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("restore", str(tmp_path / "missing.sqlite3"))


@pytest.mark.django_db
def test_backup_refuses_to_overwrite_a_file(seeded):
    existing = seeded / "keep.sqlite3"
    existing.write_bytes(b"precious")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup", str(existing))
    assert existing.read_bytes() == b"precious"
