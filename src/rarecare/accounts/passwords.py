"""The password policy: long enough, and not guessable by a strength estimator (zxcvbn, which
knows common passwords, keyboard patterns, dates, names and the user's own details)."""

from __future__ import annotations

from collections.abc import Iterable

from zxcvbn import zxcvbn  # type: ignore[import-untyped]

from rarecare.i18n import _

MIN_LENGTH = 10
MAX_LENGTH = 128
MIN_SCORE = 3  # zxcvbn: 0 too guessable … 4 very unguessable; 3 resists offline slow-hash attacks


def weakness(password: str, *, user_inputs: Iterable[str] = ()) -> str | None:
    """Why ``password`` is refused, or None when it is strong enough."""
    if len(password) < MIN_LENGTH:
        return _("at least %(n)d characters") % {"n": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return _("at most %(n)d characters") % {"n": MAX_LENGTH}
    inputs = [i for i in user_inputs if i]  # guessing from the user's own name scores low
    if zxcvbn(password, user_inputs=inputs)["score"] < MIN_SCORE:
        return _("too easy to guess: use a longer phrase of unrelated words")
    return None
