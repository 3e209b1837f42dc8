from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """Every config table forbids unknown keys, so a typo is an error, not a silent default."""

    model_config = ConfigDict(extra="forbid", frozen=True)
