"""Per-frame pose measurements for fight detection (MoveNet multipose keypoints).

People are linked to the previous analysis frame by box centre (no tracker
needed: MoveNet finds at most 6 people). Speeds are in *person heights per
second* and accelerations in person heights per second squared, so they hold
for any resolution, distance to the camera and frame rate.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from kuzet.core.geometry import box_iou
from kuzet.core.types import Detections, FloatArray, IntArray

PERSON_MIN = 0.2  # minimum MoveNet person score
KP_MIN = 0.2  # minimum keypoint score
MAX_SPEED = 15.0  # person heights/s; faster keypoint jumps are mismatches, dropped
LINK_MAX = 0.7  # centre shift (person heights) allowed between two analysis frames
GROUP_DIST = 1.2  # centre distance (mean person heights) that joins two people
APPROACH_MIN = 2.0  # raised wrist's speed toward another person (heights/s) = aggression

SHOULDERS, ELBOWS, WRISTS = (5, 6), (7, 8), (9, 10)
HIPS = (11, 12)
TORSO = (5, 6, 11, 12)
ARMS = (7, 8, 9, 10)  # elbows, wrists

POSE_NAMES: tuple[str, ...] = (
    "group",  # size of the largest group of people close to each other
    "min_dist",  # smallest centre distance between two people (heights, capped at 3)
    "max_iou",  # largest box overlap (IoU) between two people
    "arm_speed",  # fastest elbow/wrist relative to its own torso (heights/s)
    "arm_speed_mean",  # mean elbow/wrist speed relative to the torso
    "wrist_accel",  # change of torso-relative wrist velocity (heights/s^2)
    "approach",  # wrist speed toward a nearby person's body centre
    "arm_extension",  # raised arm stretched (0..1) and pointing at a nearby person
    "torso_tilt",  # sine of the torso's angle from vertical (falls, grappling)
    "hip_drop",  # downward hip speed (falls)
    "aspect",  # widest box width/height (a person lying down)
)


@dataclass(frozen=True)
class People:
    """The people of one analysis frame.

    Attributes:
        kps: (N,17,3) keypoints (x, y, score) in frame pixels.
        boxes: (N,4) xyxy boxes in frame pixels.
        heights: (N,) person heights in pixels (at least 5% of the frame height).
        vel: (N,17,2) keypoint velocities in person heights/s; NaN where unknown.
    """

    kps: FloatArray
    boxes: FloatArray
    heights: FloatArray
    vel: npt.NDArray[np.float64]

    def __len__(self) -> int:
        return len(self.boxes)

    @property
    def centres(self) -> npt.NDArray[np.float64]:
        """(N,2) box centres."""
        b = self.boxes.astype(np.float64)
        return np.stack([(b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2], axis=1)


@dataclass(frozen=True)
class PoseMeasures:
    """Pose measurements of one frame (row follows :data:`POSE_NAMES`)."""

    row: FloatArray
    people: People
    group: IntArray  # indices of the largest group
    aggression: tuple[tuple[int, int], ...]  # (aggressor, target) indices into people


def select_people(poses: Detections, frame_h: int) -> People:
    """The confident people of a PoseEstimator result."""
    keep = poses.score >= PERSON_MIN
    kps = np.asarray(poses.attrs.get("keypoints", np.zeros((len(poses), 17, 3))), np.float32)
    kps = kps[keep].reshape(-1, 17, 3)
    boxes = np.asarray(poses.xyxy, np.float32)[keep].reshape(-1, 4)
    heights = np.maximum(boxes[:, 3] - boxes[:, 1], 0.05 * frame_h).astype(np.float32)
    vel = np.full((len(boxes), 17, 2), np.nan)
    return People(kps, boxes, heights, vel)


def link(prev: People, cur: People) -> IntArray:
    """For each current person, the index of the same person in ``prev`` (or -1)."""
    out = np.full(len(cur), -1, np.int64)
    if len(prev) == 0 or len(cur) == 0:
        return out
    d = np.linalg.norm(cur.centres[:, None] - prev.centres[None], axis=2)
    d /= (cur.heights[:, None] + prev.heights[None]) / 2
    used: set[int] = set()
    for flat in np.argsort(d, axis=None):
        i, j = divmod(int(flat), len(prev))
        if d[i, j] > LINK_MAX:
            break
        if out[i] < 0 and j not in used:
            out[i] = j
            used.add(j)
    return out


def _groups(dist: npt.NDArray[np.float64]) -> list[list[int]]:
    """Connected components of people closer than GROUP_DIST."""
    n = len(dist)
    label = list(range(n))
    for i in range(n):
        for j in range(i + 1, n):
            if dist[i, j] < GROUP_DIST:
                old, new = label[j], label[i]
                label = [new if x == old else x for x in label]
    groups: dict[int, list[int]] = {}
    for i, lab in enumerate(label):
        groups.setdefault(lab, []).append(i)
    return sorted(groups.values(), key=len, reverse=True)


def _velocities(prev: People, cur: People, links: IntArray, dt: float) -> People:
    vel = np.full((len(cur), 17, 2), np.nan)
    for i, j in enumerate(links):
        if j < 0:
            continue
        ok = (cur.kps[i, :, 2] >= KP_MIN) & (prev.kps[j, :, 2] >= KP_MIN)
        v = (cur.kps[i, :, :2] - prev.kps[j, :, :2]).astype(np.float64) / (dt * cur.heights[i])
        v[~ok] = np.nan
        v[np.linalg.norm(v, axis=1) > MAX_SPEED] = np.nan
        vel[i] = v
    return People(cur.kps, cur.boxes, cur.heights, vel)


def _relative(people: People) -> npt.NDArray[np.float64]:
    """(N,4,2) elbow and wrist velocities relative to each person's torso (heights/s)."""
    torso_ok = np.isfinite(people.vel[:, list(TORSO)]).any()
    torso = np.nanmean(people.vel[:, list(TORSO)], axis=1) if torso_ok else np.zeros(
        (len(people), 2))
    result: npt.NDArray[np.float64] = people.vel[:, list(ARMS)] - np.nan_to_num(torso)[:, None]
    return result


def _motion(prev: People, cur: People, links: IntArray, dt: float) -> list[float]:
    """Arm speeds and wrist accelerations relative to the torso (walking moves the
    whole body, so it barely registers; punches and pushes do)."""
    if len(cur) == 0 or not np.isfinite(cur.vel).any():
        return [0.0] * 3
    rel = _relative(cur)
    speed = np.linalg.norm(rel, axis=2)
    accel = 0.0
    if len(prev) and np.isfinite(prev.vel).any():
        before = _relative(prev)
        for i, j in enumerate(links):
            if j >= 0:
                a = np.linalg.norm(rel[i, 2:] - before[j, 2:], axis=1) / dt
                if np.isfinite(a).any():
                    accel = max(accel, float(np.nanmax(a)))
    ok = np.isfinite(speed).any()
    return [float(np.nanmax(speed)) if ok else 0.0, float(np.nanmean(speed)) if ok else 0.0,
            min(accel, 10 * MAX_SPEED)]


def _interaction(cur: People, dist: npt.NDArray[np.float64]) -> tuple[float, float, set[
        tuple[int, int]]]:
    """Strongest wrist approach toward, and arm extension at, a nearby person."""
    approach, extension = 0.0, 0.0
    pairs: set[tuple[int, int]] = set()
    centres = cur.centres
    for i in range(len(cur)):
        kp = cur.kps[i]
        torso_v = np.nanmean(cur.vel[i, list(TORSO)], axis=0) if np.isfinite(
            cur.vel[i, list(TORSO)]).any() else np.zeros(2)
        for j in range(len(cur)):
            if i == j or dist[i, j] > 2 * GROUP_DIST:
                continue
            for s, e, w in zip(SHOULDERS, ELBOWS, WRISTS, strict=True):
                if kp[w, 2] < KP_MIN:
                    continue
                to_j = centres[j] - kp[w, :2]
                reach = float(np.linalg.norm(to_j)) / cur.heights[j]
                v = cur.vel[i, w] - torso_v
                hip_y = float(kp[list(HIPS), 1].mean()) if min(kp[list(HIPS), 2]) >= KP_MIN \
                    else float(cur.boxes[i, 1] + 0.55 * cur.heights[i])
                # Only a raised arm (wrist above the hips) can punch or push; an arm
                # hanging while walking often "points" at someone lower in the image.
                raised = kp[w, 1] <= hip_y
                if reach < 1.0 and np.isfinite(v).all():
                    speed = float(v @ (to_j / max(float(np.linalg.norm(to_j)), 1e-6)))
                    approach = max(approach, speed)
                    if speed > APPROACH_MIN and raised:
                        pairs.add((i, j))
                if min(kp[s, 2], kp[e, 2]) < KP_MIN or not raised:
                    continue
                arm = kp[w, :2] - kp[s, :2]
                length = float(np.linalg.norm(kp[e, :2] - kp[s, :2])
                               + np.linalg.norm(kp[w, :2] - kp[e, :2]))
                aim = centres[j] - kp[s, :2]
                cos = float(arm @ aim) / max(float(np.linalg.norm(arm) * np.linalg.norm(aim)), 1e-6)
                if cos > 0.7 and length > 0:
                    extension = max(extension, float(np.linalg.norm(arm) / length))
    return approach, extension, pairs


def _posture(cur: People) -> tuple[float, float, float]:
    """Torso tilt, downward hip speed and box aspect (fall cues)."""
    tilt = 0.0
    for kp in cur.kps:
        if min(kp[list(TORSO), 2]) < KP_MIN:
            continue
        axis = kp[list(SHOULDERS), :2].mean(axis=0) - kp[list(HIPS), :2].mean(axis=0)
        tilt = max(tilt, float(abs(axis[0]) / max(float(np.linalg.norm(axis)), 1e-6)))
    hips = cur.vel[:, list(HIPS), 1]
    drop = float(np.nanmax(hips)) if np.isfinite(hips).any() else 0.0
    w = cur.boxes[:, 2] - cur.boxes[:, 0]
    aspect = float((w / cur.heights).max()) if len(cur) else 0.0
    return tilt, max(drop, 0.0), min(aspect, 5.0)


def pose_frame(prev: People | None, poses: Detections, frame_h: int, dt: float) -> PoseMeasures:
    """Measure one frame's poses against the previous analysis frame.

    Args:
        prev: People of the previous analysis frame (None on the first).
        poses: PoseEstimator output on this frame.
        frame_h: Height of the frame in pixels.
        dt: Seconds since the previous analysis frame.

    Returns:
        The measurements, the people (with velocities) to pass as ``prev`` next time,
        the largest group and the aggression pairs.
    """
    cur = select_people(poses, frame_h)
    links = np.full(len(cur), -1, np.int64)
    if prev is not None and dt > 0:
        links = link(prev, cur)
        cur = _velocities(prev, cur, links, dt)
    n = len(cur)
    dist = np.linalg.norm(cur.centres[:, None] - cur.centres[None], axis=2)
    dist /= (cur.heights[:, None] + cur.heights[None]) / 2 if n else 1.0
    off = ~np.eye(n, dtype=bool)
    groups = _groups(dist) if n else [[]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # NaN-only slices: unknown velocities
        motion = _motion(prev, cur, links, dt) if prev is not None else [0.0] * 3
        approach, extension, pairs = _interaction(cur, dist)
    tilt, drop, aspect = _posture(cur)
    row = [float(len(groups[0])),
           min(float(dist[off].min()), 3.0) if n > 1 else 3.0,
           float(box_iou(cur.boxes, cur.boxes)[off].max()) if n > 1 else 0.0,
           *motion, approach, extension, tilt, drop, aspect]
    group = np.asarray(groups[0], np.int64)
    return PoseMeasures(np.asarray(row, np.float32), cur, group, tuple(sorted(pairs)))
