"""Benchmark of the service map and referrals at scale (issue #4), on the programme of
`bench generate`.

    reintegra bench referrals --referrals 100000   # after `bench generate`
    reintegra bench referral-pages --repeat 20      # lists, home pages, form, statistics

Providers and services are created through the ORM (a few hundred); referrals are written in
bulk like the rest of the benchmark data (`TableWriter`), with the states, dates and answers
the services would have left: sent over the past year, most acknowledged within days, most
accepted, most of those delivered, a share closed; some still waiting, some overdue.
"""

import json
import random
import statistics
import string
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

from bench.generate import TableWriter
from bench.instruments import timed
from bench.run import percentile
from reintegra.accounts.models import Office, User
from reintegra.cases.choices import Stage
from reintegra.cases.models import Case
from reintegra.providers.choices import HEALTH_CATEGORIES, Category
from reintegra.providers.models import Provider, Service
from reintegra.referrals.choices import Kind, State
from reintegra.referrals.models import Referral

SEED = 404
PROVIDERS_PER_OFFICE = 12
SERVICES_PER_PROVIDER = 3


class BenchRefused(Exception):
    pass


def _providers(rng: random.Random, log: Callable[[str], None]) -> list[Service]:
    """A service map: providers at every regional or local office, a few services each."""
    offices = list(Office.objects.exclude(kind="HOST").exclude(kind="NATIONAL"))
    categories = list(Category.values)
    providers = [
        Provider(
            name=f"Prestataire {office.code}-{i:02d}",
            kind=rng.choice(["PUBLIC", "PRIVATE", "NON_PROFIT", "INTERNATIONAL"]),
            office=office,
            region=office.name,
            catchment_regions=[office.name] if rng.random() < 0.7 else [],
            response_days=rng.choice([2, 3, 5, 7, 10]),
            last_verified_on=timezone.localdate() - timedelta(days=rng.randint(0, 400)),
            name_key=f"prestataire {office.code.lower()}-{i:02d}",
            catchment_key=f"|{office.name.lower()}|",
        )
        for office in offices
        for i in range(PROVIDERS_PER_OFFICE)
    ]
    Provider.objects.bulk_create(providers, batch_size=1000)
    services = [
        Service(provider=p, category=c, name=f"Service {c.lower()}")
        for p in Provider.objects.filter(name__startswith="Prestataire ")
        for c in rng.sample(categories, SERVICES_PER_PROVIDER)
    ]
    Service.objects.bulk_create(services, batch_size=1000)
    log(f"  providers {len(providers):,}, services {len(services):,}")
    return list(
        Service.objects.filter(provider__name__startswith="Prestataire ").select_related("provider")
    )


def generate_referrals(total: int, log: Callable[[str], None]) -> dict[str, int]:
    if not Case.objects.exists():
        raise BenchRefused("Run `reintegra bench generate` first.")
    if Referral.objects.count() > 1000:
        raise BenchRefused("The database already holds referrals.")
    rng = random.Random(SEED)
    services = _providers(rng, log)
    by_office: dict[int, list[Service]] = {}
    for s in services:
        by_office.setdefault(s.provider.office_id, []).append(s)
    cases = list(
        Case.objects.filter(
            stage__in=[Stage.ASSESSMENT, Stage.PLANNING, Stage.ASSISTANCE, Stage.MONITORING]
        ).values_list("id", "office_id", "lead_id", "person_id")
    )
    writer = TableWriter(Referral)
    now = timezone.now()
    counts: dict[str, int] = {}
    references: set[str] = set()
    alphabet = string.ascii_uppercase + string.digits
    for _ in range(total):
        case_id, office_id, lead_id, _person = rng.choice(cases)
        offered = by_office.get(office_id) or services
        service = rng.choice(offered)
        sent = now - timedelta(days=rng.uniform(0, 365))
        ack = sent + timedelta(days=rng.uniform(0.2, service.provider.response_days * 1.6))
        answered = ack + timedelta(days=rng.uniform(0, 3))
        delivered = answered + timedelta(days=rng.uniform(2, 40))
        roll = rng.random()
        values: dict[str, Any] = {}
        if ack > now or roll < 0.08:  # still waiting (some overdue)
            state = State.SENT
        elif roll < 0.18:
            state = State.DECLINED
            values = {"acknowledged_at": ack, "answered_at": answered, "answer": State.DECLINED}
            values["answer_note"] = "Pas de place"
        else:
            accepted = {"acknowledged_at": ack, "answered_at": answered, "answer": State.ACCEPTED}
            if delivered > now or roll < 0.3:
                state, values = State.ACCEPTED, accepted
            else:
                result = State.NOT_DELIVERED if roll < 0.36 else State.DELIVERED
                values = {**accepted, "delivered_at": delivered, "result": result}
                state = State.CLOSED if roll > 0.7 else result
                if state == State.CLOSED:
                    values |= {"closed_at": delivered + timedelta(days=3), "closing_note": "Suivi"}
        reference = ""
        while not reference or reference in references:
            reference = "RF-" + "".join(rng.choice(alphabet) for _i in range(8))
        references.add(reference)
        writer.add(
            created_at=sent,
            updated_at=values.get("closed_at") or values.get("delivered_at") or sent,
            version=2 + len(values) // 3,
            reference=reference,
            case_id=case_id,
            kind=Kind.EXTERNAL,
            service_id=service.pk,
            provider_id=service.provider_id,
            category=service.category,
            tier="MEDICAL" if service.category in HEALTH_CATEGORIES else "CASE",
            reason="Orientation pour un accompagnement",
            shared_fields=["NAME", "PHONE"],
            shared={"NAME": "—", "PHONE": "—"},
            state=state,
            created_by_id=lead_id,
            sent_at=sent,
            acknowledge_by=(sent + timedelta(days=service.provider.response_days)).date(),
            **values,
        )
        counts[state] = counts.get(state, 0) + 1
        if len(writer.rows) >= 5000:
            writer.flush()
    writer.finish()
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE referrals_referral")
    return counts


# --- measures -------------------------------------------------------------------------------


def _open_case_of(username: str) -> Case:
    user = User.objects.get(username=username)
    case = Case.objects.filter(lead=user, stage=Stage.ASSISTANCE).order_by("id").first()
    assert case is not None
    return case


def run(repeat: int, log: Callable[[str], None]) -> dict[str, Any]:
    storages = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    case = _open_case_of("cm.tamba")
    measures = [
        ("Referral list — cm.tamba", "cm.tamba", reverse("referrals:list")),
        ("Referral list — coord.national", "coord.national", reverse("referrals:list")),
        (
            "Overdue referrals — coord.national",
            "coord.national",
            reverse("referrals:list") + "?when=overdue",
        ),
        ("Home — cm.tamba", "cm.tamba", reverse("home")),
        ("Home — coord.tamba", "coord.tamba", reverse("home")),
        ("Home — fp.protection", "fp.protection", reverse("home")),
        (
            "Referrals card of a case — cm.tamba",
            "cm.tamba",
            reverse("referrals:case_panel", args=[case.pk]),
        ),
        ("Referral form — cm.tamba", "cm.tamba", reverse("referrals:new", args=[case.pk])),
        ("Statistics — coord.tamba", "coord.tamba", reverse("referrals:statistics")),
        ("Statistics — coord.national", "coord.national", reverse("referrals:statistics")),
    ]
    rows = []
    with override_settings(DEMO_MODE=True, STORAGES=storages):
        for label, username, url in measures:
            client = Client()
            client.force_login(User.objects.get(username=username))

            def get(client: Client = client, url: str = url) -> None:
                response = client.get(url, secure=True)
                assert response.status_code == 200, (url, response.status_code)

            times, queries = timed(get, repeat)
            row = {
                "measure": label,
                "median_ms": round(statistics.median(times), 1),
                "p95_ms": round(percentile(times, 95), 1),
                "queries": queries,
            }
            rows.append(row)
            log(
                f"  {label}: median {row['median_ms']} ms, p95 {row['p95_ms']} ms, "
                f"{queries} queries"
            )
    return {
        "engine": connection.vendor,
        "referrals": Referral.objects.count(),
        "providers": Provider.objects.count(),
        "services": Service.objects.count(),
        "cases": Case.objects.count(),
        "rows": rows,
    }


def markdown(report: dict[str, Any]) -> str:
    lines = [
        f"Data: {report['referrals']:,} referrals, {report['providers']:,} providers, "
        f"{report['services']:,} services, {report['cases']:,} cases ({report['engine']}).",
        "",
        "| Measure | Median ms | p95 ms | Queries |",
        "|---|--:|--:|--:|",
    ]
    for row in report["rows"]:
        lines.append(
            f"| {row['measure']} | {row['median_ms']} | {row['p95_ms']} | {row['queries']} |"
        )
    return "\n".join(lines)


def write_json(report: dict[str, Any], path: str) -> None:
    with open(path, "w") as handle:
        json.dump(report, handle, indent=2, default=str)
