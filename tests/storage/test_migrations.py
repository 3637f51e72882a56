from sqlalchemy import Engine, inspect

from rarecare.storage.base import Base
from rarecare.storage.migrate import current_revision


def test_it_migrates_to_the_head_revision(engine: Engine) -> None:
    from alembic.script import ScriptDirectory

    from rarecare.storage.migrate import alembic_config

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert current_revision(engine) == head


def test_it_creates_every_table_the_models_declare(engine: Engine) -> None:
    import rarecare.models  # noqa: F401

    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables


def test_the_models_and_the_migrations_agree(engine: Engine) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert diff == []


def test_migrating_to_0018_fills_in_the_diagnosis_of_the_facts_already_counted(
    fresh_url: str,
) -> None:
    from datetime import date

    from sqlalchemy import select

    from rarecare.access import SYSTEM
    from rarecare.centres import service as centres
    from rarecare.centres.models import CentreLevel
    from rarecare.centres.schemas import CentreIn
    from rarecare.monitoring import cells
    from rarecare.monitoring.models import PatientFacts
    from rarecare.registry.models import DiagnosticStatus, Patient, Sex
    from rarecare.storage import make_engine, make_sessionmaker
    from rarecare.storage.migrate import downgrade, upgrade

    engine = make_engine(fresh_url)
    sessions = make_sessionmaker(engine)
    with sessions.begin() as session:
        centre = centres.create_centre(
            session=session,
            principal=SYSTEM,
            data=CentreIn(
                code="CENTRE-M", name="Centre M", level=CentreLevel.NATIONAL, province_code="01"
            ),
        )
        for n, (status, diagnosed) in enumerate(
            [
                (DiagnosticStatus.CONFIRMED, date(2026, 3, 9)),
                (DiagnosticStatus.CONFIRMED, date(2019, 12, 31)),
                (DiagnosticStatus.SUSPECTED, None),
            ]
        ):
            session.add(
                Patient(
                    pseudonym=f"M{n}",
                    centre_id=centre.id,
                    sex=Sex.FEMALE,
                    province_code="01",
                    birth_month=date(2015, 1, 1),
                    first_symptoms_date=date(2016, 2, 1) if n else date(2026, 4, 1),
                    first_contact_date=date(2019, 6, 1),
                    diagnosis_date=diagnosed,
                    diagnostic_status=status,
                )
            )
        session.flush()
        cells.sync(session)
    f = PatientFacts
    columns = (f.diagnosed, f.since_symptoms, f.since_contact)
    with sessions.begin() as session:
        counted = [tuple(row) for row in session.execute(select(*columns))]
    expected = [(2026 * 12 + 2, None, 2473), (2019 * 12 + 11, 1429, 213), (None, None, None)]
    assert sorted(counted, key=str) == sorted(expected, key=str)
    downgrade(engine, "0017")
    upgrade(engine)
    with sessions.begin() as session:
        assert sorted((tuple(r) for r in session.execute(select(*columns))), key=str) == sorted(
            counted, key=str
        )
    engine.dispose()
