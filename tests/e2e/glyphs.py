"""Is Japanese text on screen drawn with real glyphs, or as "tofu" (the missing-glyph box)?

A font without Japanese glyphs makes every character the font's .notdef glyph: a hollow box
(or, with some renderers, a box with the code point in it, or nothing at all). Comparing the
screenshot with a rendering by another program (ImageMagick, Pango) would be fragile: other
rasteriser, other hinting, other size. So the reference is drawn by the same engine in the same
place: the test swaps the element's text for as many code points that no font has (U+0378 is
unassigned), screenshots that, and puts the text back. Then:

- likeness: without a Japanese font the engine draws every missing character with the same
  .notdef glyph, so the text and the reference come out (nearly) pixel for pixel the same;
- `holes`: enclosed background regions in the ink, counted after thresholding. A hex box (the
  code point drawn in a box, which some set-ups show instead) encloses several, so a tofu line
  of n characters has about n or more holes, while real kana and kanji have few
  (コードを入力してください: none to two, depending on the font).

Checked both ways: with the Japanese font the heading passes (a handful of holes against ~4 per
character for the reference's hex boxes); with the font hidden from the app (a FONTCONFIG_FILE
rejecting it) the heading is the reference to the pixel and the check fails. Pure Python over a
PGM from ImageMagick's `convert` (already needed by the suite), no imaging library.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

MISSING_CHAR = "\u0378"  # unassigned: no font has a glyph for it


@dataclass
class Ink:
    width: int
    height: int
    dark: int  # pixels darker than the threshold
    holes: int  # background regions enclosed by ink (not touching the image's border)
    mask: list[bool]  # the dark pixels, row by row


def _gray(png: Path) -> tuple[int, int, bytes]:
    data = subprocess.run(["convert", str(png), "-colorspace", "gray", "-depth", "8", "pgm:-"],
                          capture_output=True, check=True, timeout=30).stdout
    # P5 header: magic, width, height, maxval, then one byte per pixel.
    fields, pos = [], 0
    while len(fields) < 4:
        while data[pos:pos + 1].isspace():
            pos += 1
        if data[pos:pos + 1] == b"#":
            pos = data.index(b"\n", pos) + 1
            continue
        end = pos
        while not data[end:end + 1].isspace():
            end += 1
        fields.append(data[pos:end])
        pos = end
    assert fields[0] == b"P5", f"not a binary PGM: {fields[0]!r}"
    width, height = int(fields[1]), int(fields[2])
    pixels = data[pos + 1:pos + 1 + width * height]
    return width, height, pixels


def measure(png: Path) -> Ink:
    """Dark text on a light background (the app's dialog)."""
    width, height, pixels = _gray(png)
    lightest, darkest = max(pixels), min(pixels)
    threshold = (lightest + darkest) // 2
    ink = [p < threshold for p in pixels]
    seen = bytearray(width * height)
    holes = 0
    for start in range(width * height):
        if ink[start] or seen[start]:
            continue
        # Flood one background region (4-connected); a hole never touches the border.
        stack, touches_border = [start], False
        seen[start] = 1
        while stack:
            i = stack.pop()
            x, y = i % width, i // width
            if x in (0, width - 1) or y in (0, height - 1):
                touches_border = True
            for j in (i - 1 if x > 0 else -1, i + 1 if x < width - 1 else -1,
                      i - width if y > 0 else -1, i + width if y < height - 1 else -1):
                if j >= 0 and not ink[j] and not seen[j]:
                    seen[j] = 1
                    stack.append(j)
        if not touches_border:
            holes += 1
    return Ink(width, height, sum(ink), holes, ink)


def likeness(a: Ink, b: Ink) -> float:
    """1.0 when the two have the same dark pixels, 0.0 when none in common (same size only)."""
    if (a.width, a.height) != (b.width, b.height):
        return 0.0
    both = sum(1 for x, y in zip(a.mask, b.mask) if x and y)
    either = sum(1 for x, y in zip(a.mask, b.mask) if x or y)
    return both / either if either else 1.0


def looks_like_tofu(text: Ink, tofu: Ink, chars: int) -> tuple[bool, str]:
    """Whether `text` (n = `chars` characters of Japanese) looks like `tofu` (the same element
    with n characters no font has), with the reason."""
    alike = likeness(text, tofu)
    facts = (f"ink {alike:.0%} the same as the missing-glyph reference; {text.holes} holes in the "
             f"text vs {tofu.holes} in the reference, for {chars} characters")
    if alike > 0.8:
        return True, facts
    if tofu.holes >= chars * 0.8 and text.holes >= chars * 0.5:
        # Hex boxes differ by code point, so they are not alike; they still enclose many holes.
        return True, facts
    return False, facts


def japanese_fonts() -> list[str]:
    """Font families fontconfig offers for Japanese (`fc-list :lang=ja`)."""
    out = subprocess.run(["fc-list", ":lang=ja", "family"], capture_output=True, text=True, timeout=30).stdout
    return sorted({line.strip() for line in out.splitlines() if line.strip()})
