"""`reintegra instruments …` from the command line."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from reintegra.instruments import services
from reintegra.instruments.models import Instrument, Response
from reintegra.instruments.shipped import SHIPPED_DIR
from reintegra.instruments.tests.test_services import small_form

pytestmark = pytest.mark.django_db


def test_import_uploads_a_version_and_names_the_instrument(users, tmp_path):
    path = tmp_path / "mini.xlsx"
    path.write_bytes(small_form())
    out = StringIO()
    call_command("instruments", "import", str(path), "--name", "Mini check", stdout=out)
    call_command("instruments", "import", str(path), stdout=out)

    instrument = Instrument.objects.get(code="mini")
    assert instrument.name == "Mini check" and instrument.current.number == 2
    assert "mini: version 2" in out.getvalue()


def test_import_of_a_bad_form_exits_non_zero_listing_the_problems(users, tmp_path):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(b"nope")
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("instruments", "import", str(path), stderr=err)
    assert not Instrument.objects.exists()


def test_rescore_recomputes_with_the_current_weights(users, tamba_case):
    version = services.instrument_upload(
        actor=users["me.officer"], data=small_form(), filename="mini.xlsx"
    )
    services.response_record(
        actor=users["cm.tamba"],
        case=tamba_case,
        version=version,
        answers={"case_number": tamba_case.number, "a": "high", "b": "low"},
        source="API",
    )
    services.instrument_upload(actor=users["me.officer"], data=small_form(3), filename="m.xlsx")
    out = StringIO()

    call_command("instruments", "rescore", "mini", stdout=out)

    assert "1 responses rescored" in out.getvalue()
    assert Response.objects.get().composite == pytest.approx(0.25)
    with pytest.raises(CommandError):
        call_command("instruments", "rescore", "mini", "--version", "9", stdout=out)


def test_load_shipped_then_list(users):
    out = StringIO()
    call_command("instruments", "load-shipped", stdout=out)
    call_command("instruments", "list", stdout=out)
    text = out.getvalue()
    assert text.count(": version 1") == len(list(SHIPPED_DIR.glob("*.xlsx")))
    assert "vulnerability_screening\tv1\tPROTECTION" in text
