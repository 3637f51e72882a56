"""The compiled kernels against plain NumPy on random sparse matrices."""

from __future__ import annotations

import numpy as np
from scipy import sparse

from rarecare.diagnosis.kernels import best_match, log_lr, minus_columns


def _random(rng: np.random.Generator, shape: tuple[int, int]) -> sparse.csc_matrix:
    m = sparse.random(*shape, density=0.2, format="csc", random_state=rng, dtype=np.float32)
    m.data = m.data.astype(np.float32)
    return m


def test_best_match_is_the_weighted_column_maximum_and_names_the_rows_it_touched() -> None:
    rng = np.random.default_rng(7)
    m, d = _random(rng, (50, 12)), _random(rng, (50, 12))
    cols = np.array([3, 0, 7, 11], dtype=np.int64)
    w_m = np.array([1.0, 0.5, 0.0, 0.25], dtype=np.float32)
    w_d = np.array([0.0, 0.3, 0.8, 0.0], dtype=np.float32)
    best, hits = best_match(50, m, d, cols, w_m, w_d)
    dense_m, dense_d = m.toarray(), d.toarray()
    expected = np.max(
        np.stack(
            [dense_m[:, c] * wm for c, wm in zip(cols, w_m, strict=True)]
            + [dense_d[:, c] * wd for c, wd in zip(cols, w_d, strict=True)]
        ),
        axis=0,
    )
    np.testing.assert_allclose(best, expected, rtol=1e-6)
    assert sorted(hits.tolist()) == np.flatnonzero(expected).tolist()


def test_log_lr_is_the_floor_where_nothing_matched() -> None:
    best = np.array([0.0, 0.5, 0.0, 2.0], dtype=np.float32)
    hits = np.array([3, 1], dtype=np.int64)
    out = log_lr(best, hits, 3.0, 0.05)
    np.testing.assert_allclose(
        out, np.log10([0.05, 3 * 0.5 + 0.05, 0.05, 3 * 2.0 + 0.05]), rtol=1e-5
    )


def test_minus_columns_leaves_the_row_sums_over_the_other_columns() -> None:
    rng = np.random.default_rng(3)
    m = _random(rng, (30, 9))
    totals = np.asarray(m.sum(axis=1)).ravel()
    cols = np.array([2, 5], dtype=np.int64)
    keep = [c for c in range(9) if c not in (2, 5)]
    expected = m.toarray()[:, keep].sum(axis=1)
    np.testing.assert_allclose(minus_columns(totals, m, cols), expected, rtol=1e-5, atol=1e-6)
