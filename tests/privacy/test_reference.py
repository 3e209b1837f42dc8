import io
import sys

import numpy as np
import pytest

from auditor.config import PrivacyConfig
from auditor.privacy.reference import complementary_halves, run_jobs
from auditor.seeding import Rngs


def test_complementary_halves_put_every_row_in_exactly_half():
    masks = complementary_halves(101, 8, rng=np.random.default_rng(0))
    counts = masks.sum(axis=0)
    assert masks.shape == (8, 101) and set(counts.tolist()) <= {4}
    assert (masks[0] ^ masks[1]).all()
    with pytest.raises(ValueError):
        complementary_halves(10, 3, rng=np.random.default_rng(0))


def _pool(ctx, k):
    """The member + non-member pool (x, y), k complementary halves of it, and the arguments
    every reference job shares."""
    b = ctx.bundle
    x = np.concatenate([b["finetune_train"].x, b["holdout"].x])
    y = np.concatenate([b["finetune_train"].y, b["holdout"].y])
    masks = complementary_halves(len(x), k, rng=np.random.default_rng(0))
    common = dict(
        pretrained=ctx.pretrained, x_val=b["val"].x, y_val=b["val"].y, n_classes=2,
        finetune_config=ctx.config.finetune, dp_config=None, device="cpu", threads=1,
    )  # fmt: skip
    return x, y, masks, common


def _calls(ctx, k=2):
    x, y, masks, common = _pool(ctx, k)
    return [
        {**common, "x": x[m], "y": y[m], "x_eval": x, "rngs": Rngs(0).child(f"ref/{j}")}
        for j, m in enumerate(masks)
    ]


@pytest.mark.slow
def test_local_dask_cluster_gives_the_same_logits_as_in_process(digits_context):
    import distributed  # in the dev extra: this test runs, never skips

    calls = _calls(digits_context)
    local = run_jobs(calls, privacy_config=PrivacyConfig(n_jobs=1))
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = run_jobs(
            calls, privacy_config=PrivacyConfig(dask_scheduler=cluster.scheduler_address)
        )
    for a, b in zip(local, remote, strict=True):
        np.testing.assert_array_equal(a.logits, b.logits)
    assert not np.array_equal(local[0].logits, local[1].logits)


@pytest.mark.slow
def test_local_ray_gives_the_same_logits_as_in_process(digits_context, monkeypatch):
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")  # no network, no prompt
    import ray  # in the dev extra: this test runs, never skips

    calls = _calls(digits_context)
    local = run_jobs(calls, privacy_config=PrivacyConfig(n_jobs=1))
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        remote = run_jobs(calls, privacy_config=PrivacyConfig(backend="ray"))
    finally:
        ray.shutdown()
    for a, b in zip(local, remote, strict=True):
        np.testing.assert_array_equal(a.logits, b.logits)


def test_unreachable_dask_scheduler_is_an_input_error(digits_context, monkeypatch):
    from auditor.errors import AuditorInputError
    from auditor.privacy import reference

    monkeypatch.setattr(reference, "DASK_CONNECT_TIMEOUT", "1s")

    pc = PrivacyConfig(dask_scheduler="tcp://127.0.0.1:9")
    with pytest.raises(AuditorInputError, match="privacy.dask_scheduler|Dask scheduler"):
        run_jobs(_calls(digits_context)[:1], privacy_config=pc)


def test_n_jobs_auto_is_a_free_core_each_where_the_work_pays(monkeypatch):
    import auditor.privacy.reference as reference

    monkeypatch.setattr(reference, "free_cores", lambda: 2)
    auto = PrivacyConfig()
    assert auto.n_jobs == "auto"
    assert reference.resolve_n_jobs(auto, k=16, pays=False) == 1
    assert reference.resolve_n_jobs(auto, k=16, pays=True) == 2
    assert reference.resolve_n_jobs(auto, k=1, pays=True) == 1
    assert reference.resolve_n_jobs(PrivacyConfig(n_jobs=3), k=16, pays=False) == 3


def test_strategy_stacks_small_tails_and_gives_big_ones_a_process_each(monkeypatch):
    import torch
    from torch import nn

    import auditor.privacy.reference as reference
    from auditor.config.privacy import DPConfig

    monkeypatch.setattr(reference, "free_cores", lambda: 2)
    small, row = nn.Sequential(nn.Linear(128, 64), nn.ReLU(), nn.Linear(64, 2)), torch.zeros(1, 128)
    big, big_row = nn.Sequential(nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 2)), torch.zeros(
        1, 9216
    )
    size = {"k": 16, "rows": 7000, "epochs": 30}
    strategy = reference._strategy
    assert strategy(PrivacyConfig(), small, row, **size) == ("stacked", 16)  # up to 16 at once
    assert strategy(PrivacyConfig(), big, big_row, **size) == ("processes", 2)
    assert strategy(PrivacyConfig(), big, big_row, k=2, rows=10, epochs=1) == ("sequential", 1)
    # what a user sets is kept: DP (Opacus per model), processes, one process, a cluster
    dp = PrivacyConfig(dp=DPConfig(target_epsilon=8))
    assert strategy(dp, small, row, **size) == ("sequential", 1)
    assert strategy(PrivacyConfig(n_jobs=2), small, row, **size) == ("processes", 2)
    assert strategy(PrivacyConfig(backend="multiprocessing"), small, row, **size)[0] == "sequential"
    # a config read back from its dump (the CLI's overrides) chooses the same
    assert strategy(PrivacyConfig.model_validate(PrivacyConfig().model_dump()), small, row,
                    **size) == ("stacked", 16)  # fmt: skip
    assert strategy(PrivacyConfig(n_jobs=1), small, row, **size) == ("stacked", 1)
    assert strategy(PrivacyConfig(backend="sequential"), small, row, **size) == ("stacked", 1)
    assert strategy(PrivacyConfig(backend="sequential"), big, big_row, **size)[0] == "sequential"
    assert strategy(PrivacyConfig(dask_scheduler="tcp://x:1"), small, row, **size)[0] == "dask"
    monkeypatch.setattr(reference, "free_cores", lambda: 1)
    assert strategy(PrivacyConfig(), big, big_row, **size) == ("sequential", 1)


def test_stacks_in_threads_give_the_same_logits_as_one_after_another(digits_context, monkeypatch):
    """...and a bar over the models is shown in either case."""
    import auditor.privacy.reference as reference

    b, k = digits_context.bundle, 4
    x, y, ref_in, job = _pool(digits_context, k)
    runs = []

    class Terminal(io.StringIO):  # bars are shown on a terminal only
        def isatty(self) -> bool:
            return True

    for cores in (1, 2):
        monkeypatch.setattr(reference, "free_cores", lambda c=cores: c)
        monkeypatch.setattr(sys, "stderr", shown := Terminal())
        runs.append(reference.train_references(
            job, x=x, y=y, ref_in=ref_in, x_population=b["test"].x[:50],
            rngs=[Rngs(0).child(f"privacy/reference/{j}") for j in range(k)],
            privacy_config=PrivacyConfig(), progress=True, desc=f"stacks on {cores}",
        ))  # fmt: skip
        assert f"stacks on {cores}:" in shown.getvalue() and f"0/{k} " in shown.getvalue()
    assert [r.strategy for r in runs] == ["stacked", "stacked"]
    assert [r.n_jobs for r in runs] == [1, 2]
    for a, b_ in zip(runs[0].results, runs[1].results, strict=True):
        assert a.logits.shape == (len(x) + 50, 2)
        np.testing.assert_array_equal(a.logits, b_.logits)


@pytest.mark.slow
def test_two_processes_give_the_same_logits_as_one(digits_context):
    calls = _calls(digits_context)
    one = run_jobs(calls, privacy_config=PrivacyConfig(n_jobs=1))
    two = run_jobs(calls, privacy_config=PrivacyConfig(), n_jobs=2)
    for a, b in zip(one, two, strict=True):
        np.testing.assert_array_equal(a.logits, b.logits)
