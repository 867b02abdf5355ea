"""`reintegra backup [PATH]`: a consistent copy of the database, and the case documents beside it.

- SQLite: the online backup API (`sqlite3.Connection.backup`), safe while the server runs.
- PostgreSQL: `pg_dump --format=custom` of the configured database.

The private files directory (`REINTEGRA_FILES_DIR`, case documents) goes into
`<PATH>.files.tar.gz` next to the database copy. Both files are created readable by their owner
only: they hold personal, medical and protection data. Restore with `reintegra restore PATH`.
"""

import os
import shutil
import sqlite3
import subprocess
import tarfile
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from django.utils import timezone


def files_archive_for(path: Path) -> Path:
    """Where the case documents of the backup `path` are archived."""
    return path.with_name(path.name + ".files.tar.gz")


def pg_environment(settings_dict: dict[str, Any]) -> dict[str, str]:
    """libpq's environment for a Django database (the password never appears in a command line)."""
    env = dict(os.environ)
    for variable, key in (
        ("PGDATABASE", "NAME"),
        ("PGUSER", "USER"),
        ("PGPASSWORD", "PASSWORD"),
        ("PGHOST", "HOST"),
        ("PGPORT", "PORT"),
    ):
        value = settings_dict.get(key)
        if value:
            env[variable] = str(value)
    return env


def _private(path: Path) -> None:
    path.touch(mode=0o600, exist_ok=True)
    path.chmod(0o600)


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite online backup or pg_dump) and the case documents "
        "(a .files.tar.gz beside it)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "path",
            nargs="?",
            help="File to write (default: <data dir>/backups/reintegra-<timestamp>.<ext>).",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="Do not archive the case documents."
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=120,
            help="SQLite: seconds to wait for a locked database before giving up.",
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        connection = connections[options["database"]]
        vendor = connection.vendor
        if vendor not in {"sqlite", "postgresql"}:
            raise CommandError(f"Backups of a {vendor} database are not supported.")
        extension = "sqlite3" if vendor == "sqlite" else "dump"
        if options["path"]:
            path = Path(options["path"])
        else:
            stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
            path = Path(settings.DATA_DIR) / "backups" / f"reintegra-{stamp}.{extension}"
        if path.exists():
            raise CommandError(f"{path} exists already: choose another file.")
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _private(path)
        try:
            if vendor == "sqlite":
                self._sqlite(connection, path, options["timeout"])
            else:
                self._postgresql(connection.settings_dict, path)
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        self.stdout.write(f"Database: {path} ({path.stat().st_size} bytes)")
        if not options["no_files"]:
            archive = self._files(path)
            if archive is not None:
                self.stdout.write(f"Case documents: {archive}")

    def _sqlite(self, connection: Any, path: Path, timeout: float) -> None:
        connection.ensure_connection()
        if connection.in_atomic_block:
            raise CommandError("Run the backup outside a transaction.")
        deadline = time.monotonic() + timeout
        started = time.monotonic()

        def progress(status: int, remaining: int, total: int) -> None:
            # SQLite retries while another connection holds a lock: give up after the timeout
            # rather than wait for ever (raising here aborts the backup).
            if time.monotonic() > deadline:
                raise CommandError(
                    f"The database stayed locked for {time.monotonic() - started:.0f} s: "
                    "no backup written. Try again."
                )

        target = sqlite3.connect(path)
        try:
            # Copies page by page from the live connection: a consistent snapshot even while
            # other processes write (WAL: readers and this copy do not block them).
            connection.connection.backup(target, pages=1024, progress=progress, sleep=0.1)
        finally:
            target.close()

    def _postgresql(self, settings_dict: dict[str, Any], path: Path) -> None:
        if shutil.which("pg_dump") is None:
            raise CommandError("pg_dump is not installed (apt install postgresql-client).")
        result = subprocess.run(  # noqa: S603 (fixed program, arguments from our settings)
            ["pg_dump", "--format=custom", "--no-owner", "--file", str(path)],  # noqa: S607
            env=pg_environment(settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_dump failed: {result.stderr.strip()}")

    def _files(self, path: Path) -> Path | None:
        directory = Path(settings.PRIVATE_FILES_DIR)
        if not directory.is_dir():
            self.stdout.write(f"No files directory at {directory}: no documents to archive.")
            return None
        archive = files_archive_for(path)
        _private(archive)
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(directory, arcname=".")
        return archive
