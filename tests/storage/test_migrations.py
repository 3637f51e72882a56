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
