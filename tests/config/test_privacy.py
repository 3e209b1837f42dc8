"""The ``[privacy]`` table's DP-SGD delta (auditor/config/privacy.py)."""

from __future__ import annotations

import pytest

from auditor.config import load_config
from auditor.config.privacy import DPConfig, default_delta, resolved_dp


@pytest.mark.parametrize(("n", "delta"), [
    (1, 1e-5), (99_999, 1e-5), (100_000, 1e-6), (200_000, 1e-7), (10**6, 1e-7),
])  # fmt: skip
def test_an_unwritten_delta_is_below_one_over_n(n, delta):
    assert default_delta(n) == delta and default_delta(n) * n < 1
    assert resolved_dp(DPConfig(target_epsilon=3.0), n).target_delta == delta
    written = DPConfig(target_epsilon=3.0, target_delta=1e-5)
    assert resolved_dp(written, n) is written  # a written delta is checked, never changed


def test_a_command_lines_overrides_keep_the_delta_unwritten(tmp_path):
    # `auditor run` applies --seed/--device/--threads through with_overrides, which dumped
    # and re-read the whole config: every key then read as written, so the default delta
    # of a config on 100,000+ fine-tuning rows was refused as if the user had written it.
    path = tmp_path / "a.toml"
    path.write_text("[privacy.dp]\ntarget_epsilon = 3.0\n", encoding="utf-8")
    config = load_config(path)
    for changed in (config.with_overrides(), config.with_overrides(seed=1, threads=2)):
        assert resolved_dp(changed.privacy.dp, 200_000).target_delta == 1e-7
    assert config.with_overrides(seed=1, threads=2).seed == 1


@pytest.mark.parametrize("source", ["digits", "mnist", "adult", "table"])
@pytest.mark.parametrize("m", [1, 2, 7, 100])
def test_canaries_count_in_n_where_make_canaries_draws_them(source, m):
    # dp_rows counted privacy.n_canaries canaries where the test rows could not hold them:
    # make_canaries then refuses and the canary model never trains. Both now agree on the
    # test rows that hold them (an image's canaries are half noise: the bundles' modality).
    import numpy as np

    from auditor.config.privacy import (
        NOISE_CANARY_SOURCES,
        PrivacyConfig,
        canaries_drawn,
        dp_rows,
        mislabelled_canaries,
    )
    from auditor.privacy.canaries import make_canaries

    privacy = PrivacyConfig(probes=["canaries"], n_canaries=m)
    need = mislabelled_canaries(m, source)
    for n_test in (need - 1, need):
        try:
            make_canaries(source_x=np.zeros((n_test, 4), np.float32),
                          source_y=np.zeros(n_test, int), n_classes=3, m=m, n_extra=5,
                          noise=source in NOISE_CANARY_SOURCES,
                          rng=np.random.default_rng(0))  # fmt: skip
            drawn = True
        except ValueError:
            drawn = False
        assert canaries_drawn(m, source, n_test) == drawn == (n_test == need)
        assert dp_rows(privacy, source, 40, 40, n_test)[0] == (40 + m if drawn else 40)
