"""Draw the field app's PNG icons (192 and 512 px) next to its SVG icon.

Run once after changing the design: ``.venv/bin/python scripts/make_field_icons.py``.
The shapes are the same as ``src/kuzet/web/static/field-icon.svg``; the PNGs exist
because some platforms install web apps only with raster icons.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parents[1] / "src" / "kuzet" / "web" / "static"
SHIELD = [(256, 72), (408, 132), (408, 240), (380, 340), (256, 444), (132, 340), (104, 240),
          (104, 132)]
K = [(206, 170), (240, 170), (240, 240), (302, 170), (344, 170), (274, 246), (348, 342),
     (306, 342), (250, 268), (240, 279), (240, 342), (206, 342)]


def draw(size: int) -> Image.Image:
    """The icon at ``size`` px (drawn at 512 and scaled)."""
    image = Image.new("RGBA", (512, 512), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    pen.rounded_rectangle((0, 0, 511, 511), radius=96, fill="#12304a")
    pen.polygon(SHIELD, fill="#1f6feb")
    pen.polygon(K, fill="#ffffff")
    return image.resize((size, size), Image.Resampling.LANCZOS)


if __name__ == "__main__":
    for n in (192, 512):
        draw(n).save(STATIC / f"field-icon-{n}.png", optimize=True)
