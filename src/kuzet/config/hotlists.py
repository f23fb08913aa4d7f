"""Licence-plate hotlist matching (``kuzet.identity.plates_service``)."""

from pydantic import Field

from kuzet.config.base import KuzetModel


class HotlistsConfig(KuzetModel):
    """How plate reads are matched against hotlist entries.

    With ``fuzzy`` on, a read matches an entry when their weighted edit distance
    is at most ``max_distance``: a substitution between OCR look-alikes (O/0/Q/D,
    I/1/L, B/8, S/5, Z/2, G/6, A/4, T/7, U/V) costs ``confusion_cost``, any other
    substitution, insertion or deletion costs 1. Expired and suspended entries
    never match.
    """

    fuzzy: bool = Field(default=True, description="Tolerate OCR confusions and small errors.")
    max_distance: float = Field(
        default=1.0, ge=0, le=4, description="Largest weighted edit distance that still hits."
    )
    confusion_cost: float = Field(
        default=0.5, gt=0, le=1, description="Cost of substituting an OCR look-alike character."
    )
    repeat_s: float = Field(
        default=600.0,
        ge=0,
        description="Seconds during which a second hit of the same camera, track and entry "
        "raises no new event (early and final reads of one track alert once).",
    )
