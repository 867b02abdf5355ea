"""`reintegra audit verify`: recompute both hash chains; exit non-zero naming the first bad row."""

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reintegra.audit import chain
from reintegra.audit.models import AccessEvent, AuditEvent


class Command(BaseCommand):
    help = "Audit trail tools. `verify` checks the hash chains of audit and access events."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["verify"])

    def handle(self, *args: Any, **options: Any) -> None:
        broken = False
        for model in (AuditEvent, AccessEvent):
            name = model._meta.db_table
            count = model.objects.count()
            for brk in chain.verify(model):
                broken = True
                self.stderr.write(f"{name}: chain broken at row {brk.row_id}: {brk.reason}")
                break
            else:
                self.stdout.write(f"{name}: {count} rows, chain intact")
        if broken:
            sys.exit(1)
