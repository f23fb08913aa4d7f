"""Base model for every config section: unknown keys are errors, models are frozen."""

from pydantic import BaseModel, ConfigDict


class KuzetModel(BaseModel):
    """Forbids unknown keys (a typo is an error) and freezes values after load."""

    model_config = ConfigDict(extra="forbid", frozen=True)
