"""The colour a screen shows a page in.

Every page carries the exact colour (the level's, from the snapshot) and the fallback a board
of the screen's kind can show:
- full-colour boards show the exact colour;
- two-colour boards have red and green diodes, and show yellow with both lit: the fallback is
  the nearest of the three by hue (orange → yellow, blue → green);
- one-colour boards show their one colour whatever the feed says; the fallback names red, the
  common single colour of outdoor boards. Such a board depends on the level being in words.
A lifting and the idle message are shown in green, the all-clear colour.
"""

from __future__ import annotations

import colorsys

RED, YELLOW, GREEN = "#FF0000", "#FFFF00", "#00FF00"
ALL_CLEAR = "#1A9850"
TWO_COLOUR = ((0.0, RED), (60.0, YELLOW), (120.0, GREEN))


def _hue(hex_colour: str) -> tuple[float, float]:
    value = hex_colour.lstrip("#")
    r, g, b = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    h, _l, s = colorsys.rgb_to_hls(r, g, b)
    return h * 360.0, s


def _circular(a: float, b: float) -> float:
    d = abs(a - b) % 360.0
    return min(d, 360.0 - d)


def fallback(hex_colour: str, mode: str) -> str:
    """The colour a board with this colour mode uses for hex_colour ('#RRGGBB')."""
    colour = hex_colour.upper()
    if mode == "full":
        return colour
    if mode == "one":
        return RED
    hue, saturation = _hue(colour)
    if saturation < 0.15:  # white or grey text: yellow is the brightest a red-green board has
        return YELLOW
    return min(TWO_COLOUR, key=lambda pair: _circular(hue, pair[0]))[1]
