"""Score columns for instruments and responses stored before ScoreRow existed."""

from django.db import migrations

SLOTS = 8


def backfill(apps, schema_editor):
    Instrument = apps.get_model("instruments", "Instrument")
    Response = apps.get_model("instruments", "Response")
    ScoreRow = apps.get_model("instruments", "ScoreRow")
    for instrument in Instrument.objects.all():
        slots = dict(instrument.dimension_slots or {})
        current = instrument.current
        names = [d["name"] for d in (current.spec.get("dimensions", []) if current else [])]
        for name in names:
            free = [i for i in range(1, SLOTS + 1) if i not in slots.values()]
            if name not in slots and free:
                slots[name] = free[0]
        instrument.dimension_slots = slots
        instrument.save(update_fields=["dimension_slots"])
        rows = []
        submitted = Response.objects.filter(instrument=instrument, status="SUBMITTED")
        for response in submitted.exclude(submitted_at=None).iterator(chunk_size=1000):
            row = ScoreRow(
                response_id=response.pk,
                instrument_id=instrument.pk,
                case_id=response.case_id,
                tier=response.tier,
                submitted_at=response.submitted_at,
                months_since_return=response.months_since_return,
                composite=response.composite,
            )
            for name, value in ((response.scores or {}).get("dimensions") or {}).items():
                if name in slots:
                    setattr(row, f"d{slots[name]}", value)
            rows.append(row)
            if len(rows) >= 1000:
                ScoreRow.objects.bulk_create(rows, ignore_conflicts=True)
                rows = []
        ScoreRow.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("instruments", "0004_instrument_dimension_slots_scorerow")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
