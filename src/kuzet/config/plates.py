"""Licence-plate reading on vehicle tracks (a camera-level section, off by default)."""

from typing import Literal

from pydantic import Field

from kuzet.config.base import KuzetModel

PlateCountry = Literal["KZ", "RU", "UA", "EU", "US", "CN", "BR"]
DEFAULT_COUNTRIES: tuple[PlateCountry, ...] = ("KZ", "RU", "EU", "US", "CN")


class PlatesConfig(KuzetModel):
    """Read plates a few times per vehicle track and vote over the reads."""

    enabled: bool = Field(default=False, description="Read licence plates on this camera.")
    classes: list[str] = Field(
        default_factory=lambda: ["car", "truck", "bus", "motorcycle"],
        description="Vehicle classes whose tracks are read.",
    )
    every_s: float = Field(
        default=0.5, gt=0, description="Seconds between OCR attempts on one track."
    )
    max_attempts: int = Field(default=5, ge=1, le=50, description="OCR attempts per track at most.")
    min_plate_px: int = Field(
        default=32,
        ge=8,
        description="Smallest plate width (pixels of the analysed frame) worth recognising.",
    )
    min_confidence: float = Field(
        default=0.5, ge=0, le=1, description="Voted reads below this confidence are dropped."
    )
    early_confidence: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="A single read at least this confident, every character sure and "
        "fitting a national (not a loose) format, is sent at once as the track's early "
        "read (hotlist hits need not wait for more looks); the track keeps being read "
        "and its final read is the vote over all its reads.",
    )
    countries: list[PlateCountry] = Field(
        default_factory=lambda: list(DEFAULT_COUNTRIES),
        min_length=1,
        description="Countries whose plate formats re-rank the reads (KZ, RU, UA, EU, US, "
        "CN, BR; formats in kuzet/enrich/plate/formats.yaml). Also the default of "
        "`kuzet eval plates --config`.",
    )
