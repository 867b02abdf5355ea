"""`reintegra demo load`: the demo programme of DESIGN.md §9 (idempotent)."""

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from reintegra.demo.programme import programme_load


class Command(BaseCommand):
    help = "Demo programme. `load` creates the personas and, on an empty database, ~300 returnees."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["load"])

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        loaded, summary = programme_load()
        if loaded:
            self.stdout.write(f"Demo programme loaded in {time.monotonic() - started:.1f} s.")
        else:
            self.stdout.write("Returnees exist already: kept the data, ensured the personas.")
        for key, value in summary.items():
            if isinstance(value, dict):
                value = ", ".join(f"{k} {v}" for k, v in value.items())
            self.stdout.write(f"  {key.replace('_', ' ')}: {value}")
