"""`reintegra retention run [--dry-run]`: anonymise the records past their retention period.

The dry run lists what would change (record type, count, case numbers / references / ids — no
names) and the held cases it leaves alone; the real run anonymises exactly that, audited."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reintegra.privacy.services.retention import retention_plan, retention_run

# At most this many ids or numbers are listed per record type (the count is always full).
LISTED = 200


class Command(BaseCommand):
    help = (
        "Retention: `run --dry-run` lists what is past its retention period; `run` anonymises it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["run"])
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would change, change nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dry = options["dry_run"]
        plan = retention_plan() if dry else retention_run(actor=None)
        verb = "would be anonymised" if dry else "anonymised"
        for record_type, count, labels in plan.lines():
            shown = ", ".join(labels[:LISTED]) + (" …" if len(labels) > LISTED else "")
            self.stdout.write(f"{record_type}: {count} {verb}" + (f": {shown}" if count else ""))
        if plan.held:
            numbers = ", ".join(number for _pk, number in plan.held[:LISTED])
            self.stdout.write(f"HELD: {len(plan.held)} case(s) under a legal hold kept: {numbers}")
        if plan.is_empty:
            self.stdout.write("Nothing to anonymise.")
