from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Every config table forbids unknown keys, so a typo is an error, not a silent default;
    no number is ``inf`` or ``nan`` (TOML writes both: a learning rate of ``inf`` is a typo)."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)
