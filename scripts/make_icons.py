"""Draw the skill's store icons: skill-package/assets/images/{small,large}Icon.png.

The Alexa skill store wants a 108x108 and a 512x512 PNG. Ours is drawn here, in code, so that it
is original, reviewable and reproducible: a flexed arm (strength, the skill's subject) inside a
ring that recalls an Echo's light ring, in white on a teal-to-blue gradient. The Alexa app shows
icons in a circle, so everything that matters sits inside the inscribed circle.

No imaging library is needed: each shape is a signed distance function, every pixel is shaded
from its distance to the nearest edge (a one-pixel ramp gives anti-aliasing at any size), and the
PNG is written with ``zlib`` and ``struct``. ``make icons`` regenerates both files;
tests/test_manifest.py checks that the committed icons are exactly what this script draws.
"""

from __future__ import annotations

import argparse
import math
import struct
import sys
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "skill-package" / "assets" / "images"
#: File name -> size in pixels, as the manifest refers to them.
ICONS: dict[str, int] = {"smallIcon.png": 108, "largeIcon.png": 512}

TOP = (11, 122, 117)  # teal
BOTTOM = (12, 63, 112)  # deep blue
WHITE = (255, 255, 255)

Shape = Callable[[float, float], float]


def circle(cx: float, cy: float, r: float) -> Shape:
    """Signed distance to a disc: negative inside."""
    return lambda x, y: math.hypot(x - cx, y - cy) - r


def ring(cx: float, cy: float, r: float, width: float) -> Shape:
    """Signed distance to an annulus of the given width centred on radius ``r``."""
    return lambda x, y: abs(math.hypot(x - cx, y - cy) - r) - width / 2


def capsule(ax: float, ay: float, bx: float, by: float, r: float) -> Shape:
    """Signed distance to a segment from a to b, thickened to radius ``r``."""
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy

    def distance(x: float, y: float) -> float:
        t = max(0.0, min(1.0, ((x - ax) * dx + (y - ay) * dy) / length2))
        return math.hypot(x - (ax + t * dx), y - (ay + t * dy)) - r

    return distance


def union(*shapes: Shape) -> Shape:
    return lambda x, y: min(shape(x, y) for shape in shapes)


def blend(a: Shape, b: Shape, k: float) -> Shape:
    """Union with the seam rounded over ``k`` (a polynomial smooth minimum): flesh, not blobs."""

    def distance(x: float, y: float) -> float:
        da, db = a(x, y), b(x, y)
        h = max(0.0, min(1.0, 0.5 + 0.5 * (db - da) / k))
        return db + (da - db) * h - k * h * (1.0 - h)

    return distance


#: The drawing, in unit coordinates (0..1, y down): a flexed right arm seen from the front.
ARM = blend(
    blend(
        capsule(0.24, 0.665, 0.56, 0.665, 0.075),  # upper arm, shoulder at the left
        circle(0.42, 0.565, 0.105),  # the flexed biceps
        0.05,
    ),
    blend(
        capsule(0.585, 0.645, 0.635, 0.37, 0.064),  # forearm, raised
        circle(0.635, 0.295, 0.088),  # fist
        0.03,
    ),
    0.03,
)
RING = ring(0.5, 0.5, 0.405, 0.035)
FOREGROUND = union(ARM, RING)


def _coverage(distance: float, pixel: float) -> float:
    """How much of a pixel the shape covers, from the signed distance of its centre."""
    return max(0.0, min(1.0, 0.5 - distance / pixel))


def render(size: int) -> bytes:
    """Raw RGB scanlines, each prefixed with PNG filter type 0."""
    pixel = 1.0 / size
    rows = bytearray()
    for j in range(size):
        y = (j + 0.5) * pixel
        shade = [round(t + (b - t) * y) for t, b in zip(TOP, BOTTOM, strict=True)]
        rows.append(0)
        for i in range(size):
            x = (i + 0.5) * pixel
            alpha = _coverage(FOREGROUND(x, y), pixel)
            rows.extend(round(c + (w - c) * alpha) for c, w in zip(shade, WHITE, strict=True))
    return bytes(rows)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(size: int) -> bytes:
    """A complete 8-bit RGB PNG of the icon at ``size`` x ``size`` pixels."""
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            _chunk(b"IHDR", header),
            _chunk(b"IDAT", zlib.compress(render(size), 9)),
            _chunk(b"IEND", b""),
        )
    )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=IMAGES, help="folder for the PNG files")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name, size in ICONS.items():
        path = args.out / name
        path.write_bytes(png(size))
        print(f"{path}: {size}x{size}, {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
