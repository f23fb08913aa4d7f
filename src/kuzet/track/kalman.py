"""Constant-velocity Kalman filter for one box, with time steps in seconds.

State ``[cx, cy, w, h, vx, vy, vw, vh]`` (pixels and pixels per second);
measurement ``[cx, cy, w, h]``. Noise scales with the box height, as in
ByteTrack, but the process noise grows with the elapsed time ``dt`` instead of
per frame, so dropped or irregular frames are handled correctly.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]

# ByteTrack's per-frame noise (1/20 h position, 1/160 h velocity at ~30 fps)
# converted to per-second rates: variance grows linearly with dt.
_PROCESS_POS = 0.27  # (box heights)^2 per second, as a standard deviation
_PROCESS_VEL = 1.0  # (box heights per second)^2 per second, as a standard deviation
_MEASURE = 0.05  # measurement standard deviation, in box heights
_INIT_POS = 0.1
_INIT_VEL = 2.0  # box heights per second: the first velocity is barely known
_MIN_SIDE = 1.0

_H = np.hstack([np.eye(4), np.zeros((4, 4))])


def xyxy_to_cxcywh(box: npt.ArrayLike) -> F64:
    """(4,) xyxy -> (4,) centre x, centre y, width, height."""
    b = np.asarray(box, dtype=np.float64)
    return np.array([(b[0] + b[2]) / 2, (b[1] + b[3]) / 2, b[2] - b[0], b[3] - b[1]])


def cxcywh_to_xyxy(state: npt.ArrayLike) -> F64:
    """(4+,) centre x, centre y, width, height -> (4,) xyxy (sides at least 1 px)."""
    s = np.asarray(state, dtype=np.float64)
    w = max(float(s[2]), _MIN_SIDE)
    h = max(float(s[3]), _MIN_SIDE)
    return np.array([s[0] - w / 2, s[1] - h / 2, s[0] + w / 2, s[1] + h / 2])


class KalmanBox:
    """Kalman filter tracking one box under a constant-velocity model.

    Args:
        box: First measured (4,) xyxy box.

    Example:
        >>> kf = KalmanBox([0, 0, 10, 20])
        >>> kf.predict(0.5)
        >>> kf.update([2, 0, 12, 20])
        >>> bool(kf.velocity[0] > 0)
        True
    """

    def __init__(self, box: npt.ArrayLike) -> None:
        z = xyxy_to_cxcywh(box)
        self.x: F64 = np.concatenate([z, np.zeros(4)])
        h = max(float(z[3]), _MIN_SIDE)
        std = np.array([_INIT_POS * h] * 4 + [_INIT_VEL * h] * 4)
        self.P: F64 = np.diag(std**2)

    @property
    def box(self) -> F64:
        """Current (4,) xyxy box estimate."""
        return cxcywh_to_xyxy(self.x[:4])

    @property
    def velocity(self) -> F64:
        """(4,) rates of change of cx, cy, w, h in pixels per second."""
        return self.x[4:].copy()

    def predict(self, dt: float) -> None:
        """Advance the state by ``dt`` seconds (no-op when ``dt <= 0``)."""
        if dt <= 0:
            return
        f = np.eye(8)
        f[:4, 4:] = np.eye(4) * dt
        h = max(float(self.x[3]), _MIN_SIDE)
        q = np.array([(_PROCESS_POS * h) ** 2] * 4 + [(_PROCESS_VEL * h) ** 2] * 4) * dt
        self.x = f @ self.x
        self.P = f @ self.P @ f.T + np.diag(q)

    def update(self, box: npt.ArrayLike) -> None:
        """Correct the state with a measured (4,) xyxy box."""
        z = xyxy_to_cxcywh(box)
        h = max(float(z[3]), _MIN_SIDE)
        r = np.diag(np.full(4, (_MEASURE * h) ** 2))
        s = _H @ self.P @ _H.T + r
        gain = np.linalg.solve(s, _H @ self.P).T
        self.x = self.x + gain @ (z - _H @ self.x)
        self.P = (np.eye(8) - gain @ _H) @ self.P
