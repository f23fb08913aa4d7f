"""Ground-plane homography: image points -> metres on the road, and its checks.

A camera is calibrated with 4 or more image points whose positions on the
ground are known in metres (lane-marking ends, kerb corners, measured from a
map or on site). The homography ``H`` maps an image point ``(x, y, 1)`` to
``(X, Y, W)``; the ground position is ``(X/W, Y/W)``. It is fitted by the
normalised direct linear transform (Hartley) over every point, so more than
4 points average out marking errors, and the fit's residual (metres) says how
consistent the points are::

    image (0-1)                       ground (metres)
      p1 ●────● p2                      P1 ●──────● P2
        /      \\          H             |        |
    p4 ●────────● p3   ─────────►       P4 ●──────● P3
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
# Three points whose triangle is thinner than this fraction of the spread's
# square are treated as collinear (no homography can rest on them).
COLLINEAR_FRACTION = 1e-3


@dataclass(frozen=True)
class GroundFit:
    """A fitted homography and how well the points agree with it.

    Attributes:
        matrix: (3,3) image (the points' units) -> ground metres.
        rms_m: Root-mean-square distance (metres) between the known ground
            positions and where the homography puts their image points.
        max_m: The largest such distance.
    """

    matrix: FloatArray
    rms_m: float
    max_m: float

    def to_ground(self, points: npt.ArrayLike) -> FloatArray:
        """(N,2) image points -> (N,2) ground metres.

        Example:
            >>> fit = fit_homography([(0, 0), (1, 0), (1, 1), (0, 1)],
            ...                      [(0, 0), (4, 0), (4, 8), (0, 8)])
            >>> fit.to_ground([(0.5, 0.5)]).round(3).tolist()
            [[2.0, 4.0]]
        """
        return apply_homography(self.matrix, points)


def apply_homography(matrix: FloatArray, points: npt.ArrayLike) -> FloatArray:
    """Map (N,2) points through a (3,3) homography (points at infinity give inf)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    hom = np.column_stack([pts, np.ones(len(pts))]) @ matrix.T
    with np.errstate(divide="ignore", invalid="ignore"):
        out: FloatArray = hom[:, :2] / hom[:, 2:3]
    return out


def _collinear(pts: FloatArray, triple: tuple[int, ...], spread: float) -> bool:
    a, b, c = (pts[i] for i in triple)
    area = abs((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])) / 2
    return bool(area < COLLINEAR_FRACTION * spread**2)


def collinear_triple(points: npt.ArrayLike) -> tuple[int, int, int] | None:
    """Three (nearly) collinear points that leave no usable 4 points, or None.

    A homography needs 4 points with no three on one line. Exactly 4 points must
    be such a set; more points may include collinear ones (several marks along one
    lane line) as long as some 4 of them are in general position.

    Returns:
        None when some 4 points are in general position, else the indices of
        the first collinear triple.

    Example:
        >>> collinear_triple([(0, 0), (1, 1), (2, 2), (0, 1)])
        (0, 1, 2)
        >>> collinear_triple([(0, 0), (1, 1), (2, 2), (0, 1), (1, 0)]) is None
        True
    """
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    spread = float(np.ptp(pts, axis=0).max()) if len(pts) else 0.0
    if len(pts) < 3:
        return None
    if spread == 0:
        return (0, 1, 2)
    for quad in combinations(range(len(pts)), 4):
        if not any(_collinear(pts, t, spread) for t in combinations(quad, 3)):
            return None
    for triple in combinations(range(len(pts)), 3):
        if _collinear(pts, triple, spread):
            return (triple[0], triple[1], triple[2])
    return None


def _normaliser(pts: FloatArray) -> FloatArray:
    # Hartley: centre on the mean, mean distance sqrt(2).
    centre = pts.mean(axis=0)
    dist = float(np.mean(np.hypot(*(pts - centre).T))) or 1.0
    s = np.sqrt(2) / dist
    return np.array([[s, 0, -s * centre[0]], [0, s, -s * centre[1]], [0, 0, 1.0]])


def fit_homography(image: npt.ArrayLike, ground: npt.ArrayLike) -> GroundFit:
    """Fit image -> ground over 4+ point pairs (normalised DLT, least squares).

    Raises:
        ValueError: Fewer than 4 pairs, different counts, 3 collinear points
            (image or ground), or points that do not determine a homography.
    """
    img = np.asarray(image, dtype=np.float64).reshape(-1, 2)
    gnd = np.asarray(ground, dtype=np.float64).reshape(-1, 2)
    if len(img) != len(gnd):
        raise ValueError(f"{len(img)} image points but {len(gnd)} ground points")
    if len(img) < 4:
        raise ValueError(f"a homography needs at least 4 points, got {len(img)}")
    for name, pts in (("image", img), ("ground", gnd)):
        triple = collinear_triple(pts)
        if triple is not None:
            raise ValueError(f"{name} points {list(triple)} are collinear")
    t_img, t_gnd = _normaliser(img), _normaliser(gnd)
    a = apply_homography(t_img, img)
    b = apply_homography(t_gnd, gnd)
    rows = []
    for (x, y), (u, v) in zip(a, b, strict=True):
        rows.append([-x, -y, -1, 0, 0, 0, u * x, u * y, u])
        rows.append([0, 0, 0, -x, -y, -1, v * x, v * y, v])
    _, sing, vt = np.linalg.svd(np.asarray(rows))
    if sing[-2] < 1e-9 * sing[0]:
        raise ValueError("the points do not determine a homography (degenerate)")
    h = np.linalg.inv(t_gnd) @ vt[-1].reshape(3, 3) @ t_img
    matrix: FloatArray = h / h[2, 2]
    err = np.hypot(*(apply_homography(matrix, img) - gnd).T)
    if not np.all(np.isfinite(err)):
        raise ValueError("a point maps to infinity (it lies on the horizon line)")
    return GroundFit(matrix, float(np.sqrt(np.mean(err**2))), float(err.max()))
