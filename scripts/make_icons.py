"""Draw the app's icons for the web app manifest (192 and 512 px, plain and maskable) with Pillow,
in the design of ``mdt/static/icon-180.png``: three members joined, on the app's dark blue.

    .venv/bin/python scripts/make_icons.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

STATIC = Path(__file__).resolve().parent.parent / "mdt" / "static"
BLUE = (18, 58, 99, 255)
WHITE = (255, 255, 255, 255)
ORANGE = (240, 165, 40, 255)
SCALE = 4  # drawn larger, then reduced: smooth edges


def draw(size: int, *, maskable: bool) -> Image.Image:
    big = size * SCALE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if maskable:  # full bleed: the launcher cuts its own shape; the drawing keeps to the safe zone
        pen.rectangle((0, 0, big, big), fill=BLUE)
        inner = 0.62
    else:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.16, fill=BLUE)
        inner = 0.78
    unit = big * inner
    cx = cy = big / 2
    r = unit * 0.17
    centres = [
        (cx - unit * 0.19, cy - unit * 0.14),
        (cx + unit * 0.19, cy - unit * 0.14),
        (cx, cy + unit * 0.2),
    ]
    width = max(int(unit * 0.05), 1)
    for i, a in enumerate(centres):  # the links, then the circles over their ends
        pen.line((a, centres[(i + 1) % 3]), fill=ORANGE, width=width)
    for x, y in centres:
        pen.ellipse((x - r, y - r, x + r, y + r), fill=WHITE)
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    for size in (192, 512):
        draw(size, maskable=False).save(STATIC / f"icon-{size}.png", optimize=True)
        draw(size, maskable=True).save(STATIC / f"icon-maskable-{size}.png", optimize=True)


if __name__ == "__main__":
    main()
