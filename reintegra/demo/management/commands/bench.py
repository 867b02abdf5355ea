"""`reintegra bench generate|run`: scale benchmark (the code lives in bench/ at the repo root).

reintegra bench generate --returnees 100000   # on an empty database (DATABASE_URL)
reintegra bench run --repeat 30 --json out.json
reintegra bench responses --responses 300000     # instruments: responses and visits
reintegra bench instruments --repeat 10          # dashboard, KoBo import, export
reintegra bench referrals --referrals 100000     # service map and referrals
reintegra bench referral-pages --repeat 20       # referral lists, home pages, statistics
reintegra bench outreach --feedback 50000        # feedback, activities, community, consents
reintegra bench outreach-pages --repeat 20       # feedback, report, home, preview, bulk send
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Scale benchmark: `generate` a large programme fast, `run` the page measurements."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "action",
            choices=[
                "generate",
                "run",
                "responses",
                "instruments",
                "referrals",
                "referral-pages",
                "outreach",
                "outreach-pages",
            ],
        )
        parser.add_argument("--feedback", type=int, default=50_000)
        parser.add_argument("--responses", type=int, default=300_000)
        parser.add_argument("--referrals", type=int, default=100_000)
        parser.add_argument("--returnees", type=int, default=100_000)
        parser.add_argument("--batch", type=int, default=5000)
        parser.add_argument(
            "--force", action="store_true", help="generate even when returnees exist"
        )
        parser.add_argument("--repeat", type=int, default=30)
        parser.add_argument("--json", dest="json_path", default="")
        parser.add_argument(
            "--path",
            choices=["auto", "view", "selectors", "both"],
            default="auto",
            help="measure the views, the selectors, or both (auto: views when they exist)",
        )

    def _instruments(self, options: dict[str, Any], log: Any) -> None:
        from bench import instruments

        if options["action"] == "responses":
            try:
                counts = instruments.generate_responses(options["responses"], log)
            except instruments.BenchRefused as exc:
                raise CommandError(str(exc)) from exc
            log(", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items()))
            return
        report = instruments.run(max(1, options["repeat"]), log)
        log("")
        log(instruments.markdown(report))
        if options["json_path"]:
            instruments.write_json(report, options["json_path"])

    def _referrals(self, options: dict[str, Any], log: Any) -> None:
        from bench import referrals

        if options["action"] == "referrals":
            try:
                counts = referrals.generate_referrals(options["referrals"], log)
            except referrals.BenchRefused as exc:
                raise CommandError(str(exc)) from exc
            log(", ".join(f"{k.lower()} {v:,}" for k, v in sorted(counts.items())))
            return
        report = referrals.run(max(1, options["repeat"]), log)
        log("")
        log(referrals.markdown(report))
        if options["json_path"]:
            referrals.write_json(report, options["json_path"])

    def _outreach(self, options: dict[str, Any], log: Any) -> None:
        from bench import outreach

        if options["action"] == "outreach":
            try:
                counts = outreach.generate_outreach(options["feedback"], log)
            except outreach.BenchRefused as exc:
                raise CommandError(str(exc)) from exc
            log(", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items()))
            return
        report = outreach.run(max(1, options["repeat"]), log)
        log("")
        log(outreach.markdown(report))
        if options["json_path"]:
            outreach.write_json(report, options["json_path"])

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from bench import generate, run
        except ImportError as exc:
            raise CommandError("The bench/ folder is not importable: run from the repo.") from exc
        log = self.stdout.write
        if options["action"] in ("responses", "instruments"):
            self._instruments(options, log)
            return
        if options["action"] in ("referrals", "referral-pages"):
            self._referrals(options, log)
            return
        if options["action"] in ("outreach", "outreach-pages"):
            self._outreach(options, log)
            return
        if options["action"] == "generate":
            if options["returnees"] < 1:
                raise CommandError("--returnees must be positive.")
            try:
                counts = generate.generate(
                    returnees=options["returnees"],
                    batch=options["batch"],
                    force=options["force"],
                    log=log,
                )
            except generate.BenchRefused as exc:
                raise CommandError(str(exc)) from exc
            log(", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in counts.items()))
            return
        paths = {
            "auto": None,
            "view": ("view",),
            "selectors": ("selectors",),
            "both": ("view", "selectors"),
        }[options["path"]]
        if paths and "view" in paths and not run.views_available():
            raise CommandError("The views (cases:list, cases:detail, people:list) do not exist.")
        report = run.run(repeat=max(1, options["repeat"]), paths=paths, log=log)
        log("")
        log(run.markdown(report))
        if options["json_path"]:
            run.write_json(report, options["json_path"])
            log(f"\nWrote {options['json_path']}")
