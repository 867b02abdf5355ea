"""Importing KoBo exports: every row checked, nothing imported while a row is bad (unless the
valid rows are asked for), no duplicates on a second import; page, command line and API."""

from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from reintegra.accounts.services import api_token_issue
from reintegra.audit import chain
from reintegra.audit.models import AuditEvent
from reintegra.cases.models import CaseEvent
from reintegra.instruments.models import ImportJob, Response
from reintegra.instruments.tests.conftest import SAT_ITEMS

pytestmark = pytest.mark.django_db
HEADER = (
    ["start", "end", "case_number", "survey_date"]
    + [f"satisfaction/{item}" for item in SAT_ITEMS]
    + ["comments", "_id", "_uuid", "_submission_time", "_index"]
)


def kobo_csv(rows: list[dict]) -> bytes:
    """A KoBo CSV export ("XML values and headers", `;` separator)."""
    lines = [";".join(f'"{h}"' for h in HEADER)]
    for i, row in enumerate(rows, start=1):
        values = {
            "start": "2026-11-20T09:00:00.000+00:00",
            "end": "2026-11-20T09:20:00.000+00:00",
            "survey_date": "2026-11-20",
            "comments": "",
            "_id": str(1000 + i),
            "_uuid": f"7c2b1e0a-0000-4000-8000-{i:012d}",
            "_submission_time": "2026-11-20T10:00:00",
            "_index": str(i),
            **{f"satisfaction/{item}": "satisfied" for item in SAT_ITEMS},
        }
        values.update(row)
        lines.append(";".join(f'"{values.get(h, "")}"' for h in HEADER))
    return ("\n".join(lines) + "\n").encode("utf-8-sig")


def upload(client: Client, instrument, data: bytes, **extra):
    return client.post(
        reverse("instruments:import", args=[instrument.pk]),
        {"file": SimpleUploadedFile("export.csv", data), **extra},
    )


def test_a_kobo_export_is_imported_once(client_for, shipped, tamba_case):
    instrument = shipped["satisfaction_survey"]
    data = kobo_csv([{"case_number": tamba_case.number} for _ in range(3)])
    client = client_for("me.officer")

    response = upload(client, instrument, data)

    job = ImportJob.objects.get()
    assert response["Location"] == reverse("instruments:import_job", args=[job.pk])
    assert (job.status, job.total, job.imported, job.invalid) == ("DONE", 3, 3, 0)
    stored = Response.objects.filter(source="IMPORT")
    assert stored.count() == 3 and {str(r.collected_on) for r in stored} == {"2026-11-20"}
    assert all(r.composite == pytest.approx(0.75) for r in stored)
    # One timeline entry and one audit row per response, and the audit chain still holds.
    assert CaseEvent.objects.filter(case=tamba_case, kind="RESPONSE_SUBMITTED").count() == 3
    assert AuditEvent.objects.filter(action="response.submitted").count() == 3
    assert list(chain.verify(AuditEvent)) == []
    for action in ("import.created", "import.finished"):
        assert AuditEvent.objects.filter(action=action, target_id=str(job.pk)).exists()
    page = client.get(response["Location"]).content.decode()
    assert "Imported" in page

    upload(client, instrument, data)
    again = ImportJob.objects.order_by("-pk").first()
    assert (again.status, again.imported, again.already) == ("DONE", 0, 3)
    assert Response.objects.count() == 3


def test_a_file_with_bad_rows_imports_nothing_then_the_valid_rows(
    client_for, shipped, tamba_case, kolda_case
):
    instrument = shipped["satisfaction_survey"]
    data = kobo_csv(
        [
            {"case_number": tamba_case.number},
            {"case_number": tamba_case.number, "satisfaction/sat_return": "ecstatic"},
            {"case_number": "TAM-1999-000001"},
        ]
    )
    client = client_for("coord.tamba")

    upload(client, instrument, data)

    job = ImportJob.objects.get()
    assert (job.status, job.invalid, job.imported) == ("REFUSED", 2, 0)
    assert any(line.startswith("row 3, sat_return") for line in job.report)
    assert any("row 4" in line and "TAM-1999-000001" in line for line in job.report)
    assert not Response.objects.exists()
    page = client.get(reverse("instruments:import_job", args=[job.pk])).content.decode()
    assert "Import the valid rows only" in page

    client.post(reverse("instruments:import_valid", args=[job.pk]))

    valid = ImportJob.objects.order_by("-pk").first()
    assert valid.valid_only and (valid.status, valid.imported, valid.invalid) == ("DONE", 1, 2)
    assert Response.objects.count() == 1
    assert (
        client_for("me.officer").get(reverse("instruments:import_job", args=[job.pk])).status_code
        == 404
    )


def test_the_command_refuses_with_one_line_per_bad_row(users, shipped, tamba_case, tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes(
        kobo_csv(
            [
                {"case_number": tamba_case.number},
                {"case_number": tamba_case.number, "survey_date": "yesterday"},
            ]
        )
    )
    err = StringIO()
    with pytest.raises(CommandError, match="1 bad rows of 2"):
        call_command(
            "instruments",
            "import-data",
            "satisfaction_survey",
            str(path),
            "--as",
            "cm.tamba",
            stderr=err,
        )
    assert "row 3, survey_date" in err.getvalue() and not Response.objects.exists()

    out = StringIO()
    call_command(
        "instruments",
        "import-data",
        "satisfaction_survey",
        str(path),
        "--as",
        "cm.tamba",
        "--valid-only",
        stdout=out,
    )
    assert "1 imported" in out.getvalue() and Response.objects.count() == 1


def test_the_api_imports_or_refuses_with_the_report(users, shipped, tamba_case):
    instrument = shipped["satisfaction_survey"]
    client = Client(
        headers={"Authorization": f"Bearer {api_token_issue(actor=users['me.officer'])}"}
    )
    good = client.post(
        f"/api/instruments/{instrument.pk}/imports",
        {"file": SimpleUploadedFile("e.csv", kobo_csv([{"case_number": tamba_case.number}]))},
    )
    assert good.status_code == 201 and good.json()["imported"] == 1
    bad = client.post(
        f"/api/instruments/{instrument.pk}/imports",
        {"file": SimpleUploadedFile("e.csv", b"not;a;kobo\\nexport;at;all\\n")},
    )
    body = bad.json()
    assert bad.status_code == 422 and body["code"] == "import_refused" and body["errors"]
    assert body["job"]["status"] == "REFUSED"
    assert client.get(f"/api/imports/{good.json()['id']}").json()["status"] == "DONE"


def test_case_managers_may_not_import(client_for, shipped, tamba_case):
    data = kobo_csv([{"case_number": tamba_case.number}])
    response = upload(client_for("cm.tamba"), shipped["satisfaction_survey"], data)
    assert response.status_code == 403 and not ImportJob.objects.exists()
