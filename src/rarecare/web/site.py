"""What the features hand up to the composition root: their sections (navigation, the module
overview) and the labels of their enumerated values. The web layer renders them without
importing any feature."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rarecare.access import Principal


@dataclass(frozen=True)
class Section:
    """A top-level module of the site: its menu entry and its overview text (message ids,
    translated when rendered)."""

    key: str
    title: str
    summary: str
    own_page: bool = True  # False: the web layer serves an overview page at ``path``
    # roles (values) that cannot open the section: its menu entry and card are not shown to them
    closed_to: frozenset[str] = frozenset()

    @property
    def path(self) -> str:
        return f"/{self.key}"

    def open_to(self, principal: Principal | None) -> bool:
        return principal is None or principal.role.value not in self.closed_to


# Resolves a login-session token to its principal (None: not logged in or expired).
PrincipalResolver = Callable[..., Principal | None]
