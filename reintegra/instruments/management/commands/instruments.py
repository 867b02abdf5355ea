"""`reintegra instruments import|rescore|import-data|list|load-shipped`.

reintegra instruments import FILE.xlsx [--name NAME] [--kind SURVEY] [--as USERNAME]
reintegra instruments rescore CODE_OR_NAME [--version N]
reintegra instruments import-data CODE_OR_NAME FILE --as USERNAME [--valid-only]
reintegra instruments list
reintegra instruments load-shipped          # the six instruments Reintegra ships
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q

from reintegra.accounts.models import User
from reintegra.core.errors import ServiceError
from reintegra.instruments import imports, services
from reintegra.instruments.choices import ImportStatus
from reintegra.instruments.models import Instrument, InstrumentVersion


class Command(BaseCommand):
    help = "Instruments: import an XLSForm as a new version, rescore responses, list, load shipped."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser("import", help="upload an XLSForm as a new instrument version")
        imp.add_argument("file")
        imp.add_argument("--name", default="")
        imp.add_argument("--kind", default="")
        imp.add_argument("--as", dest="username", default="")
        rescore = sub.add_parser("rescore", help="recompute scores with the current weights")
        rescore.add_argument("instrument", help="code (form_id) or name")
        rescore.add_argument("--version", type=int, default=0)
        rescore.add_argument("--as", dest="username", default="")
        data = sub.add_parser("import-data", help="import a KoBo / ODK export (CSV, XLSX)")
        data.add_argument("instrument", help="code (form_id) or name")
        data.add_argument("file")
        data.add_argument("--valid-only", action="store_true", help="import the valid rows")
        data.add_argument("--as", dest="username", required=True, help="whose scope and name")
        sub.add_parser("list", help="instruments and their current versions")
        shipped = sub.add_parser("load-shipped", help="load the instruments Reintegra ships")
        shipped.add_argument("--as", dest="username", default="")

    def _actor(self, username: str) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {username!r}.")
        return user

    def _import_data(self, instrument: Instrument, actor: Any, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        try:
            job = imports.import_create(
                actor=actor,
                instrument=instrument,
                data=path.read_bytes(),
                filename=path.name,
                valid_only=options["valid_only"],
            )
        except ServiceError as err:
            raise CommandError(err.message) from err
        job = imports.import_run(job.pk)
        for line in job.report:
            self.stderr.write(str(line))
        summary = (
            f"{job.get_status_display()}: {job.imported} imported, {job.already} already "
            f"there, {job.invalid} bad rows of {job.total}"
        )
        if job.status != ImportStatus.DONE:
            raise CommandError(summary)
        self.stdout.write(summary)

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for i in Instrument.objects.select_related("current").order_by("name"):
                current = f"v{i.current.number}" if i.current else "-"
                self.stdout.write(f"{i.code}\t{current}\t{i.tier}\t{i.name}")
            return
        actor = self._actor(options.get("username", ""))
        if action == "load-shipped":
            for version in services.shipped_load(actor=actor):
                self.stdout.write(f"{version.instrument.code}: version {version.number}")
            return
        if action == "import":
            path = Path(options["file"])
            if not path.is_file():
                raise CommandError(f"No file {path}.")
            try:
                version = services.instrument_upload(
                    actor=actor,
                    data=path.read_bytes(),
                    filename=path.name,
                    name=options["name"],
                    kind=options["kind"],
                )
            except ServiceError as err:
                for issue in err.errors or []:
                    self.stderr.write(issue.get("text") or str(issue.get("msg")))
                raise CommandError(err.message) from err
            self.stdout.write(
                f"{version.instrument.code}: version {version.number} "
                f"({version.question_count} questions)"
            )
            return
        name = options["instrument"]
        instrument = Instrument.objects.filter(Q(code=name) | Q(name__iexact=name)).first()
        if instrument is None:
            raise CommandError(f"No instrument {name!r}.")
        if action == "import-data":
            self._import_data(instrument, actor, options)
            return
        weights: InstrumentVersion | None = None
        if options["version"]:
            weights = instrument.versions.filter(number=options["version"]).first()
            if weights is None:
                raise CommandError(f"{instrument.code} has no version {options['version']}.")
        count = services.responses_rescore(actor=actor, instrument=instrument, version=weights)
        self.stdout.write(f"{instrument.code}: {count} responses rescored")
