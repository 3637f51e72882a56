from tests.care.conftest import world

__all__ = ["world"]
