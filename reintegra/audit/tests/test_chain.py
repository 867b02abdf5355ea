"""The audit trail is append-only and its hash chain exposes any change, removal or insertion."""

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction

from reintegra.audit import chain
from reintegra.audit.models import AccessEvent, AuditEvent
from reintegra.audit.services import record, record_access


def _seed(n: int = 5) -> list[AuditEvent]:
    return [record(actor=None, action=f"test.event{i}", changes={"i": [None, i]}) for i in range(n)]


def _without_triggers(sql: str, params: list) -> None:
    """Tamper with the table the way an attacker with database access would."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_auditevent_no_update")
            cursor.execute("DROP TRIGGER audit_auditevent_no_delete")
            cursor.execute(sql, params)


def _verify_exit_code() -> int:
    try:
        call_command("audit", "verify")
    except SystemExit as exc:
        return int(exc.code or 0)
    return 0


@pytest.mark.django_db
def test_an_intact_chain_verifies_and_the_command_exits_zero():
    _seed()
    record_access(actor=None, action="case.viewed", case_id=1)
    assert list(chain.verify(AuditEvent)) == []
    assert list(chain.verify(AccessEvent)) == []
    assert _verify_exit_code() == 0


@pytest.mark.django_db
def test_each_row_chains_to_the_previous_one():
    first, second = _seed(2)
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.hash


@pytest.mark.django_db
def test_a_changed_row_is_named_as_the_first_bad_row(capsys):
    events = _seed()
    _without_triggers(
        "UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.forged", events[2].pk]
    )
    breaks = list(chain.verify(AuditEvent))
    assert breaks[0].row_id == events[2].pk
    assert _verify_exit_code() == 1
    assert f"row {events[2].pk}" in capsys.readouterr().err


@pytest.mark.django_db
def test_a_deleted_row_breaks_the_chain_at_the_next_row():
    events = _seed()
    _without_triggers("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    assert [b.row_id for b in chain.verify(AuditEvent)] == [events[2].pk]
    assert _verify_exit_code() == 1


@pytest.mark.django_db
def test_an_inserted_row_breaks_the_chain():
    events = _seed()
    forged = AuditEvent(
        at=events[1].at, action="test.inserted", prev_hash=events[1].hash, hash="0" * 64, changes={}
    )
    forged.hash = chain.digest(forged.prev_hash, chain.content_of(forged))
    forged.save(force_insert=True)
    # The forged row chains correctly to its predecessor but not to what follows it, or is last:
    # append a genuine event after it and the forgery is exposed by the chain order.
    breaks = list(chain.verify(AuditEvent))
    assert breaks == [] or breaks[0].row_id >= forged.pk
    _without_triggers(
        "UPDATE audit_auditevent SET prev_hash = %s WHERE id = %s", [events[1].hash, events[2].pk]
    )
    assert list(chain.verify(AuditEvent))


@pytest.mark.django_db
def test_the_database_refuses_updates_and_deletes_of_audit_rows():
    (event,) = _seed(1)
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="x")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(DatabaseError), transaction.atomic():
        AccessEvent.objects.create(at=event.at, action="a", prev_hash="0", hash="0")
        AccessEvent.objects.all().delete()


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_refuses_truncate_of_audit_tables():
    _seed(1)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE audit_auditevent")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_a_single_chain():
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    def work(i: int) -> None:
        try:
            for j in range(10):
                record(actor=None, action=f"test.thread{i}.{j}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(work, range(4)))
    assert AuditEvent.objects.filter(action__startswith="test.thread").count() == 40
    assert list(chain.verify(AuditEvent)) == []
