"""`reintegra restore FILE`: a backup of `reintegra backup` into an EMPTY database.

- SQLite: the backup file is copied into the configured database (the SQLite backup API).
- PostgreSQL: `pg_restore` of the custom-format dump into the configured database.

A database that holds any table is refused: restoring never mixes with or overwrites live data
(create a new, empty database and point `DATABASE_URL` at it). The case documents archived beside
the backup (`FILE.files.tar.gz`) are unpacked into `REINTEGRA_FILES_DIR` when that directory is
empty. Afterwards run `reintegra migrate` (when the code is newer) and `reintegra audit verify`.
"""

import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections

from reintegra.core.management.commands.backup import files_archive_for, pg_environment

SQLITE_HEADER = b"SQLite format 3\x00"
PG_CUSTOM_HEADER = b"PGDMP"


class Command(BaseCommand):
    help = "Restore a backup of `reintegra backup` into an empty database (and its documents)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="The database backup (.sqlite3 or .dump).")
        parser.add_argument(
            "--files",
            help="The documents archive (default: FILE.files.tar.gz when it exists).",
        )
        parser.add_argument(
            "--no-files", action="store_true", help="Do not unpack the case documents."
        )
        parser.add_argument("--database", default="default", help="The database alias.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        connection = connections[options["database"]]
        tables = [t for t in connection.introspection.table_names() if not t.startswith("sqlite_")]
        if tables:
            raise CommandError(
                f"The database is not empty ({len(tables)} tables): restore only into a new, "
                "empty database. Nothing was changed."
            )
        with path.open("rb") as handle:
            header = handle.read(16)
        if connection.vendor == "sqlite":
            if header != SQLITE_HEADER:
                raise CommandError(f"{path} is not a SQLite backup.")
            self._sqlite(connection, path)
        elif connection.vendor == "postgresql":
            if not header.startswith(PG_CUSTOM_HEADER):
                raise CommandError(f"{path} is not a pg_dump custom-format backup.")
            self._postgresql(connection, path)
        else:
            raise CommandError(f"Restoring into a {connection.vendor} database is not supported.")
        self.stdout.write(f"Database restored from {path}.")
        if not options["no_files"]:
            self._files(Path(options["files"]) if options["files"] else files_archive_for(path))
        self.stdout.write("Next: `reintegra migrate`, then `reintegra audit verify`.")

    def _sqlite(self, connection: Any, path: Path) -> None:
        source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            check = source.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                raise CommandError(f"{path} is damaged: {check[0] if check else 'unreadable'}.")
            connection.ensure_connection()
            source.backup(connection.connection)
        except sqlite3.DatabaseError as exc:
            raise CommandError(f"{path} could not be read: {exc}") from exc
        finally:
            source.close()
        connection.close()  # the next query reopens it and sees the restored schema

    def _postgresql(self, connection: Any, path: Path) -> None:
        if shutil.which("pg_restore") is None:
            raise CommandError("pg_restore is not installed (apt install postgresql-client).")
        connection.close()
        result = subprocess.run(  # noqa: S603 (fixed program, arguments from our settings)
            [  # noqa: S607
                "pg_restore",
                "--no-owner",
                "--exit-on-error",
                "--single-transaction",
                "--dbname",
                str(connection.settings_dict["NAME"]),
                str(path),
            ],
            env=pg_environment(connection.settings_dict),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise CommandError(f"pg_restore failed: {result.stderr.strip()}")

    def _files(self, archive: Path) -> None:
        if not archive.is_file():
            self.stdout.write(f"No documents archive at {archive}: documents not restored.")
            return
        directory = Path(settings.PRIVATE_FILES_DIR)
        if directory.is_dir() and any(directory.iterdir()):
            raise CommandError(
                f"The database was restored, but {directory} is not empty: unpack {archive} "
                "there yourself after checking it."
            )
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        with tarfile.open(archive, "r:gz") as tar:
            # The "data" filter refuses absolute paths, links outside and device files.
            tar.extractall(directory, filter="data")
        self.stdout.write(f"Case documents restored into {directory}.")
