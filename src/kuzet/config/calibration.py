"""Ground-plane calibration of a camera: image points with their metric positions."""

from typing import Annotated

from pydantic import Field, model_validator

from kuzet.config.base import KuzetModel
from kuzet.config.errors import LocatedValueError
from kuzet.config.geometry import Point
from kuzet.core.homography import GroundFit, collinear_triple, fit_homography

Metres = Annotated[
    tuple[float, float],
    Field(description="Ground position (X, Y) in metres, in any fixed frame on the road plane."),
]


class GroundPoint(KuzetModel):
    """One calibration point: where it is in the image and on the ground."""

    image: Point = Field(description="Image position (x, y), 0-1 relative to the frame.")
    ground: Metres = Field(description="Its ground position (X, Y) in metres.")


class CalibrationConfig(KuzetModel):
    """Image -> road-plane homography from 4 or more points with known metric positions.

    Take points on the road surface (lane-marking ends, stop lines, kerb corners),
    spread over the area where speeds are measured, no three on one line. Their
    ground positions come from a site survey or a map; lane markings of standard
    length give them too.
    """

    points: list[GroundPoint] = Field(
        min_length=4, max_length=20,
        description="4-20 image points with their ground positions (metres); some 4 of "
        "them with no three on one line.",
    )
    max_error: float = Field(
        default=0.5, gt=0,
        description="Largest allowed RMS disagreement (metres) between the points' ground "
        "positions and the fitted homography: more means the points are inconsistent.",
    )  # fmt: skip

    @model_validator(mode="after")
    def _fits(self) -> "CalibrationConfig":
        self.fit()
        return self

    def fit(self) -> GroundFit:
        """The fitted homography (relative image coordinates -> metres).

        Raises:
            LocatedValueError: Collinear, degenerate or inconsistent points, naming the key.
        """
        image = [p.image for p in self.points]
        ground = [p.ground for p in self.points]
        for key, pts in (("image", image), ("ground", ground)):
            triple = collinear_triple(pts)
            if triple is not None:
                raise LocatedValueError(
                    [(("points", triple[2], key), f"{key} points {list(triple)} are collinear "
                      "(or coincide) and no 4 points are free of collinear triples: a "
                      "homography needs 4 points with no three on one line")]
                )
        try:
            fit = fit_homography(image, ground)
        except ValueError as exc:
            raise LocatedValueError([(("points",), str(exc))]) from None
        if fit.rms_m > self.max_error:
            raise LocatedValueError(
                [(("points",), f"the points are inconsistent: they disagree with the best "
                  f"homography by {fit.rms_m:.2f} m RMS (worst {fit.max_m:.2f} m), more than "
                  f"max_error {self.max_error} m; check the image or ground positions")]
            )
        return fit
