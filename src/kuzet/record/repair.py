"""Start-up repair: finish or drop segments a killed worker left, index closed ones.

A worker killed mid-segment leaves a ``.partial-*.mp4``. It is fragmented MP4,
so every complete fragment is readable: repair copies the readable packets into
a new file under the closed name (dropping the torn tail) and indexes it; a
partial with no readable frame is deleted. Closed files the index does not know
(a worker killed between the rename and the index message) are probed and
indexed. Nothing here decodes video: packets are copied.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from pathlib import Path
from typing import Any

import av
import av.error

from kuzet.record.segment import (
    MP4_OPTIONS,
    PARTIAL,
    PREFIX,
    Segment,
    file_sha256,
    final_path,
)

log = logging.getLogger(__name__)
AV_ERRORS: tuple[type[BaseException], ...] = (av.error.FFmpegError, OSError, ValueError)


@dataclass
class RepairReport:
    """What a repair pass did (keys)."""

    repaired: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    indexed: list[str] = field(default_factory=list)


def _start_of(path: Path) -> float:
    return int(path.stem.removeprefix(PARTIAL)) / 1000.0


def _salvage(partial: Path, target: Path) -> int:
    """Copy the readable packets of ``partial`` into ``target``; packets copied."""
    copied = 0
    tmp = target.with_name(".repair-" + target.name)
    with av.open(str(partial)) as src:
        stream = src.streams.video[0]
        with av.open(str(tmp), "w", format="mp4", options=MP4_OPTIONS) as out:
            ost = out.add_stream_from_template(stream)
            try:
                for packet in src.demux(stream):
                    if packet.size and packet.pts is not None:
                        packet.stream = ost
                        out.mux(packet)
                        copied += 1
            except av.error.FFmpegError:
                pass  # the torn tail: keep what came before it
    if copied:
        tmp.replace(target)
    else:
        tmp.unlink(missing_ok=True)
    return copied


def probe(path: Path, camera_id: str, key: str) -> Segment:
    """A ``Segment`` record for a closed file (start from its name, length from its packets).

    Raises:
        av.error.FFmpegError, OSError, ValueError: The file is not a readable MP4.
    """
    start = _start_of(path)
    end_pts, first = 0, None
    with av.open(str(path)) as src:
        stream = src.streams.video[0]
        codec = str(stream.codec_context.name)
        tb = Fraction(stream.time_base or 1)
        for packet in src.demux(stream):
            if packet.pts is None:
                continue
            first = packet.pts if first is None else min(first, packet.pts)
            end_pts = max(end_pts, packet.pts + (packet.duration or 1))
    if first is None:
        raise ValueError(f"no frame in {path}")
    seconds = float((end_pts - first) * tb)
    return Segment(
        camera_id=camera_id,
        start=datetime.fromtimestamp(start, UTC),
        end=datetime.fromtimestamp(start + seconds, UTC),
        key=key,
        size=path.stat().st_size,
        codec=codec,
        sha256=file_sha256(path),
        transcoded=False,
    )


def repair(media_root: Path, known: set[str], index: Any) -> RepairReport:
    """Repair partial segments and index unknown closed ones under ``media_root``.

    Args:
        media_root: The media folder (segments are under ``recordings/``).
        known: Keys already in the index.
        index: Has ``add(segment)`` (a ``SegmentIndex``).

    Returns:
        What was repaired, dropped and indexed.
    """
    report = RepairReport()
    base = media_root / PREFIX
    if not base.is_dir():
        return report
    for partial in sorted(base.glob(f"*/*/{PARTIAL}*.mp4")):
        target = final_path(partial)
        key = target.relative_to(media_root).as_posix()
        try:
            copied = _salvage(partial, target)
        except AV_ERRORS as exc:
            log.warning("recording %s unreadable (%s): dropped", partial, exc)
            copied = 0
        partial.unlink(missing_ok=True)
        (report.repaired if copied else report.dropped).append(key)
    for path in sorted(base.glob("*/*/*.mp4")):
        key = path.relative_to(media_root).as_posix()
        if path.name.startswith(".") or key in known:
            continue
        try:
            index.add(probe(path, path.parts[-3], key))
        except AV_ERRORS as exc:
            log.warning("recording %s unreadable (%s): deleted", path, exc)
            path.unlink(missing_ok=True)
            report.dropped.append(key)
            continue
        report.indexed.append(key)
    return report
