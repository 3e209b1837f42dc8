"""DP-SGD through Opacus (auditor/training/dp.py)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from auditor.errors import AuditorInputError

ROOT = Path(__file__).resolve().parents[2]


def test_opacus_leaves_the_root_logger_as_it_was():
    # opacus.utils.module_utils calls logging.basicConfig on import: a stderr handler on the
    # root logger, through which every 'auditor' stage line of a DP run (INFO, for run.log)
    # reached the terminal under --quiet ("11/30/2026 19:48:50:INFO:stage check.fairness: ...")
    code = textwrap.dedent("""
        import logging
        import torch
        from auditor.config.privacy import DPConfig
        from auditor.seeding import Rngs
        from auditor.training.dp import _make_private
        x, y = torch.randn(64, 3), torch.randint(0, 2, (64,))
        _make_private(torch.nn.Linear(3, 2), x=x, y=y, batch_size=16, lr=0.01, epochs=1,
                      dp=DPConfig(target_epsilon=8.0, target_delta=1e-5), rngs=Rngs(0))
        print(len(logging.getLogger().handlers))
    """)
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                         text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "0"


def test_an_epsilon_no_noise_level_reaches_is_one_line_naming_it():
    # target_epsilon = 0.01 over one epoch: opacus's search for the noise gives up ("The
    # privacy budget is too low."), which was an internal error with a crash log
    import pytest
    import torch

    from auditor.config.privacy import DPConfig
    from auditor.errors import AuditorInputError
    from auditor.seeding import Rngs
    from auditor.training.dp import DP_BUDGET_TOO_LOW, _make_private

    x, y = torch.randn(64, 3), torch.randint(0, 2, (64,))
    dp = DPConfig(target_epsilon=0.001, target_delta=1e-5)
    with pytest.raises(AuditorInputError) as err:
        _make_private(torch.nn.Linear(3, 2), x=x, y=y, batch_size=16, lr=0.01, epochs=1,
                      dp=dp, rngs=Rngs(0))  # fmt: skip
    assert err.value.field == "privacy.dp.target_epsilon"
    expected = DP_BUDGET_TOO_LOW.format(epsilon=0.001, delta=1e-5, epochs="1 epoch", fewer="")
    assert err.value.message == expected


def _budget_line(epochs: int, monkeypatch=None, said: str | None = None) -> str:
    import pytest
    import torch

    from auditor.config.privacy import DPConfig
    from auditor.errors import AuditorInputError
    from auditor.seeding import Rngs
    from auditor.training.dp import _make_private

    if said is not None:
        import opacus.privacy_engine

        def search(*args, **kwargs):
            raise ValueError(said)

        monkeypatch.setattr(opacus.privacy_engine, "get_noise_multiplier", search)
    x, y = torch.randn(64, 3), torch.randint(0, 2, (64,))
    dp = DPConfig(target_epsilon=0.001, target_delta=1e-5)
    with pytest.raises(AuditorInputError) as err:
        _make_private(torch.nn.Linear(3, 2), x=x, y=y, batch_size=16, lr=0.01, epochs=epochs,
                      dp=dp, rngs=Rngs(0))  # fmt: skip
    return err.value.message


def test_fewer_epochs_is_said_only_where_there_are_fewer():
    # at finetune.epochs = 1 the line said "or fine-tune fewer epochs", which no one can do
    assert "fewer epochs" not in _budget_line(1)
    three = _budget_line(3)
    assert "over 3 epochs" in three and three.endswith("fewer epochs (finetune.epochs)")


def test_opacus_saying_the_budget_is_too_low_in_other_words_is_still_the_one_line(monkeypatch):
    # the search's error was matched by its exact text ("The privacy budget is too low."):
    # another opacus (opacus>=1.4, not pinned) wording it otherwise was an internal error
    assert "below what opacus reaches" in _budget_line(1, monkeypatch, "Privacy budget too low")


def test_the_accountants_optimal_order_advisory_stays_off_stderr():
    # a loose target (target_epsilon = 1e9, or target_delta = 0.9) printed opacus's "Optimal
    # order is the smallest alpha. Please consider expanding the range of alphas" 9 times (18
    # lines) as the accountant reported each DP fine-tune's epsilon
    import warnings

    import torch

    from auditor.config.privacy import DPConfig
    from auditor.seeding import Rngs
    from auditor.training.dp import fit_dp

    x, y = torch.randn(64, 3), torch.randint(0, 2, (64,))
    module = torch.nn.Linear(3, 2)
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        _, info = fit_dp(module, x=x, y=y, val_metrics=lambda: {"loss": 0.5}, epochs=1,
                         batch_size=16, lr=0.01, patience=1,
                         dp=DPConfig(target_epsilon=1e9, target_delta=1e-5), rngs=Rngs(0))
    assert info["epsilon"] > 0
    assert not [w for w in seen if "Optimal order" in str(w.message)]


def test_a_delta_not_below_one_over_n_is_refused_from_python_before_pretraining(tmp_path,
                                                                                monkeypatch):
    # The Python API runs no preflight: 0.9 trained and went onto the card as the claim.
    import pytest

    from auditor import api
    from auditor.config import AuditConfig
    from auditor.errors import AuditorInputError
    from auditor.training import stages

    def no_pretraining(*args, **kwargs):
        raise AssertionError("pretrained before the delta was checked")

    monkeypatch.setattr(stages, "pretrain", no_pretraining)
    config = AuditConfig(privacy={"dp": {"target_epsilon": 3.0, "target_delta": 0.9}})
    with pytest.raises(AuditorInputError) as err:
        api.run(config, out_dir=tmp_path / "run", config_file="dp.toml", progress=False)
    assert (err.value.source, err.value.field) == ("dp.toml", "privacy.dp.target_delta")
    # digits fine-tunes on 266 rows, its canary model on up to 366
    assert (
        "0.9 is not below 1/n = 0.00273, where n = 366 is the most rows a DP-SGD training of "
        "this run takes (the canary model's, on the model's 266 rows and up to "
        "privacy.n_canaries = 100 canaries); at a delta"
    ) in str(err.value)
    assert not (tmp_path / "run").exists()


class _Rows:
    def __init__(self, n: int) -> None:
        self.x = range(n)


class _Bundle(dict):
    """finetune_train's, holdout's and test's rows, and (a table's) as drawn before they were
    equal."""

    def __init__(self, rows: tuple[int, int], drawn: tuple[int, int] | None,
                 test: int = 1000) -> None:  # fmt: skip
        super().__init__(finetune_train=_Rows(rows[0]), holdout=_Rows(rows[1]), test=_Rows(test))
        self.drawn = dict(zip(("finetune_train", "holdout"), drawn or (), strict=False))


def _dp_run(delta: float | None, *, splits: dict | None = None, rows=(200_000, 200_000),
            drawn: tuple[int, int] | None = None, probes: list[str] | None = None):  # fmt: skip
    from auditor.config import AuditConfig

    dp = {"target_epsilon": 3.0, **({} if delta is None else {"target_delta": delta})}
    data = {"source": "adult", **({"splits": splits} if splits else {})}
    privacy = {"dp": dp, **({"probes": probes} if probes is not None else {})}
    config = AuditConfig(data=data, privacy=privacy)
    return config, _Bundle(rows, drawn)


def test_a_delta_not_written_is_chosen_below_one_over_n_and_recorded_as_the_runs():
    # The default 1e-05 was refused at 100,000 fine-tuning rows: auditor refusing its own
    # choice. A delta the config does not write is now 1e-05, or a power of ten at most
    # 1/(10 n); the run's config (audit.json's, the card's "δ") holds it.
    from auditor.training.dp import delta_config

    config, bundle = _dp_run(None)
    assert delta_config(config, bundle).privacy.dp.target_delta == 1e-7
    assert config.privacy.dp.target_delta == 1e-5  # the caller's config is left as it was
    small, bundle = _dp_run(None, rows=(99_999, 99_999), probes=["loss", "lira"])
    assert delta_config(small, bundle).privacy.dp.target_delta == 1e-5
    written, bundle = _dp_run(1e-5, probes=["lira"])
    with pytest.raises(AuditorInputError) as err:
        delta_config(written, bundle)
    assert (
        "1e-05 is not below 1/n = 5e-06, where n = 200,000 is the most rows a DP-SGD training "
        "of this run takes (the model's, on data.splits.finetune_train); at a delta"
    ) in str(err.value)


def test_the_delta_holds_for_the_canary_model_too():
    # The canary model fine-tunes with DP-SGD, the same delta, on the members and up to
    # privacy.n_canaries canaries: at 99,999 members the default 1e-05 was kept, though the
    # canary model trains on 100,000 rows or more (its epsilon and audit then claim nothing).
    from auditor.training.dp import delta_config

    config, bundle = _dp_run(None, rows=(99_999, 99_999))
    assert delta_config(config, bundle).privacy.dp.target_delta == 1e-7  # at most 1/(10 n)
    written, bundle = _dp_run(1e-5, rows=(99_950, 99_950))
    with pytest.raises(AuditorInputError) as err:
        delta_config(written, bundle)
    assert (
        "1e-05 is not below 1/n = 1e-05, where n = 100,050 is the most rows a DP-SGD training "
        "of this run takes (the canary model's, on the model's 99,950 rows and up to "
        "privacy.n_canaries = 100 canaries); at a delta"
    ) in str(err.value)
    delta_config(_dp_run(1e-5, rows=(99_899, 99_899))[0], bundle=_Bundle((99_899,) * 2, None))


def test_canaries_the_test_rows_cannot_hold_do_not_count():
    # n counted privacy.n_canaries where the test split could not supply them: make_canaries
    # refuses, the canary model does not train, and a delta was refused (or chosen) for it.
    # A table's 100 canaries are all mislabelled test rows: 99 test rows hold none of them.
    from auditor.training.dp import delta_config

    written, _ = _dp_run(1e-5, rows=(99_950, 99_950))
    run = delta_config(written, _Bundle((99_950,) * 2, None, test=99))
    assert run.privacy.dp.target_delta == 1e-5
    with pytest.raises(AuditorInputError, match="where n = 100,050 "):
        delta_config(written, _Bundle((99_950,) * 2, None, test=100))
    unwritten, _ = _dp_run(None, rows=(99_999, 99_999))
    run = delta_config(unwritten, _Bundle((99_999,) * 2, None, test=99))
    assert run.privacy.dp.target_delta == 1e-5  # not 1e-07, for rows that never train


def test_a_refused_delta_names_the_holdout_where_it_cut_the_members():
    from auditor.training.dp import delta_config

    splits = {"pretrain": 0.3, "finetune_train": 0.3, "holdout": 0.1, "val": 0.1, "test": 0.2}
    config, bundle = _dp_run(0.005, splits=splits, rows=(4883, 4883), drawn=(14_652, 4883),
                             probes=["loss"])  # fmt: skip
    with pytest.raises(AuditorInputError) as err:
        delta_config(config, bundle)
    assert (
        "where n = 4,883 is the most rows a DP-SGD training of this run takes (the model's, on "
        "data.splits.finetune_train cut to as many rows as data.splits.holdout holds, so that "
        "members and non-members are equal in number); at a delta"
    ) in str(err.value)


def test_a_refused_delta_names_the_members_where_nothing_was_cut():
    # The run told the split from the fractions (holdout .30 < finetune_train .305) and
    # blamed the holdout, where the floors drew 60 and 60 and nothing was cut (preflight,
    # from the counts, named finetune_train): one rule now, from the rows as drawn.
    from auditor.training.dp import delta_config

    splits = {"pretrain": 0.2, "finetune_train": 0.305, "holdout": 0.30, "val": 0.1,
              "test": 0.095}  # fmt: skip
    config, bundle = _dp_run(0.02, splits=splits, rows=(60, 60), drawn=(60, 60), probes=["lira"])
    with pytest.raises(AuditorInputError) as err:
        delta_config(config, bundle)
    assert (
        "where n = 60 is the most rows a DP-SGD training of this run takes (the model's, on "
        "data.splits.finetune_train); at a delta"
    ) in str(err.value)
