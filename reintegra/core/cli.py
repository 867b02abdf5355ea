"""The `reintegra` command: Django management with the project's settings.

`reintegra audit verify` runs the `audit` management command with `verify`, and so on.
"""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["reintegra", *sys.argv[1:]])


if __name__ == "__main__":
    main()
