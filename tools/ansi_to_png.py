#!/usr/bin/python3
"""Renders a terminal capture (`tmux capture-pane -p -e`: text with SGR colour escapes) as a PNG,
for README screenshots. Each cell is 8 x 16 pixels; U+2580 (upper half block) is drawn as its
two colours, spaces as the background, any other character as a small block in the foreground
colour (legible enough to show where the text is, no font needed). Understands SGR 0, 7, 30-37,
39, 40-47, 49, 90-97, 100-107, 38/48;5;N and 38/48;2;R;G;B.

Usage: /usr/bin/python3 tools/ansi_to_png.py CAPTURE.txt OUT.png
"""
import re
import sys

from PIL import Image

SGR = re.compile(r"\x1b\[([0-9;:]*)m")
DEFAULT_FG, DEFAULT_BG = (200, 200, 200), (0, 0, 0)
ANSI16 = [(0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205),
          (0, 205, 205), (229, 229, 229), (127, 127, 127), (255, 0, 0), (0, 255, 0),
          (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255)]


def xterm(i):
    """The RGB value xterm gives colour index i."""
    if i < 16:
        return ANSI16[i]
    if i < 232:
        i -= 16
        v = [0, 95, 135, 175, 215, 255]
        return (v[i // 36], v[i // 6 % 6], v[i % 6])
    g = 8 + 10 * (i - 232)
    return (g, g, g)


def apply_sgr(params, fg, bg, rev):
    p = [int(t) if t else 0 for t in re.split("[;:]", params)] or [0]
    j = 0
    while j < len(p):
        c = p[j]
        if c == 0:
            fg, bg, rev = DEFAULT_FG, DEFAULT_BG, False
        elif c == 7:
            rev = True
        elif c in (38, 48) and j + 2 < len(p) and p[j + 1] == 5:
            col = xterm(p[j + 2])
            fg, bg = (col, bg) if c == 38 else (fg, col)
            j += 2
        elif c in (38, 48) and j + 4 < len(p) and p[j + 1] == 2:
            col = tuple(p[j + 2:j + 5])
            fg, bg = (col, bg) if c == 38 else (fg, col)
            j += 4
        elif 30 <= c <= 37:
            fg = xterm(c - 30)
        elif 90 <= c <= 97:
            fg = xterm(c - 90 + 8)
        elif 40 <= c <= 47:
            bg = xterm(c - 40)
        elif 100 <= c <= 107:
            bg = xterm(c - 100 + 8)
        elif c == 39:
            fg = DEFAULT_FG
        elif c == 49:
            bg = DEFAULT_BG
        j += 1
    return fg, bg, rev


def main():
    lines = open(sys.argv[1], encoding="utf-8").read().rstrip("\n").split("\n")
    width = max(len(SGR.sub("", line)) for line in lines)
    img = Image.new("RGB", (width * 8, len(lines) * 16), DEFAULT_BG)
    px = img.load()
    for y, line in enumerate(lines):
        fg, bg, rev, x, i = DEFAULT_FG, DEFAULT_BG, False, 0, 0
        while i < len(line):
            m = SGR.match(line, i)
            if m:
                fg, bg, rev = apply_sgr(m.group(1), fg, bg, rev)
                i = m.end()
                continue
            f, b = (bg, fg) if rev else (fg, bg)
            ch = line[i]
            for yy in range(16):
                for xx in range(8):
                    if ch == "\u2580":
                        col = f if yy < 8 else b
                    elif ch == " ":
                        col = b
                    else:
                        col = f if 2 <= xx <= 5 and 4 <= yy <= 12 else b
                    px[x * 8 + xx, y * 16 + yy] = col
            x += 1
            i += 1
    img.save(sys.argv[2])


if __name__ == "__main__":
    main()
