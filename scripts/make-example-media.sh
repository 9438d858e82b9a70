#!/usr/bin/env bash
# Regenerates the media of the worked example moments under moments/.
#
# Needs: python3, ffmpeg (with libx264, aac and libopus) and espeak-ng.
#   apt-get install -y ffmpeg espeak-ng
#
# The spoken texts come from the transcript and caption files next to the
# media, so edit those first and run this script again:
#   moments/somn/media/avslappning.txt  -> moments/somn/media/avslappning.ogg
#   moments/somn/media/andning.sv.vtt   -> moments/somn/media/andning.mp4
# The PNG illustrations are drawn by the small Python program below.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
somn="$root/moments/somn/media"
rora="$root/moments/rora-dig/media"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

for tool in python3 ffmpeg espeak-ng; do
  command -v "$tool" >/dev/null || { echo "missing: $tool" >&2; exit 2; }
done

# Quiet, reproducible ffmpeg: no encoder tags or creation times in the files.
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
bitexact=(-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact)

# ---------------------------------------------------------------- images
python3 - "$somn/sang.png" "$rora/promenad.png" <<'PY'
import struct, sys, zlib

W, H = 320, 200

def canvas(color):
    return [[color] * W for _ in range(H)]

def rect(img, x0, y0, x1, y1, color):
    for y in range(max(0, y0), min(H, y1)):
        row = img[y]
        for x in range(max(0, x0), min(W, x1)):
            row[x] = color

def circle(img, cx, cy, r, color):
    """Fill a disc; color may be a function of y (to match a gradient)."""
    for y in range(max(0, cy - r), min(H, cy + r + 1)):
        c = color(y) if callable(color) else color
        for x in range(max(0, cx - r), min(W, cx + r + 1)):
            if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                img[y][x] = c

def mix(top, bottom, t):
    return tuple(round(a + (b - a) * t) for a, b in zip(top, bottom))

def vgradient(img, y0, y1, top, bottom):
    for y in range(y0, y1):
        img[y] = [mix(top, bottom, (y - y0) / max(1, y1 - y0 - 1))] * W

def save(img, path):
    raw = b"".join(b"\x00" + bytes(v for px in row for v in px) for row in img)
    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)

# A bed under a night sky with a crescent moon and stars.
img = canvas((0, 0, 0))
night, dusk = (18, 28, 66), (52, 70, 128)
vgradient(img, 0, H, night, dusk)
sky = lambda y: mix(night, dusk, y / (H - 1))
for sx, sy in [(30, 20), (70, 45), (120, 15), (160, 50), (205, 25), (290, 60), (250, 12), (95, 80)]:
    rect(img, sx - 1, sy - 1, sx + 2, sy + 2, (250, 246, 214))
circle(img, 262, 52, 26, (250, 232, 160))
circle(img, 274, 44, 24, sky)                   # sky over the moon: a crescent
rect(img, 0, 160, W, H, (74, 58, 48))            # floor
rect(img, 50, 120, 270, 160, (150, 96, 60))      # bed frame
rect(img, 40, 95, 56, 175, (120, 76, 48))        # head board
rect(img, 264, 120, 280, 175, (120, 76, 48))     # foot board
rect(img, 58, 108, 110, 128, (240, 240, 246))    # pillow
rect(img, 100, 112, 262, 142, (92, 150, 200))    # blanket
circle(img, 96, 108, 14, (236, 196, 160))        # sleeping head
save(img, sys.argv[1])

# A path over a green hill in the sun.
img = canvas((0, 0, 0))
vgradient(img, 0, H, (150, 206, 245), (214, 236, 250))
circle(img, 60, 45, 24, (255, 214, 74))
for y in range(110, H):
    for x in range(W):
        hill = 110 + ((x - 160) ** 2) / 900
        if y >= hill:
            img[y][x] = (96, 170, 88)
for y in range(120, H):
    half = 6 + (y - 120) // 3
    centre = 170 - (y - 120) // 2
    rect(img, centre - half, y, centre + half, y + 1, (214, 190, 140))
for tx, ty in [(40, 130), (270, 125), (300, 140)]:
    rect(img, tx - 3, ty, tx + 3, ty + 22, (110, 76, 50))
    circle(img, tx, ty - 4, 14, (52, 128, 66))
save(img, sys.argv[2])
PY

# ------------------------------------------------------------ audio (ogg)
# The transcript's first line is its title; the rest is read aloud.
tail -n +3 "$somn/avslappning.txt" > "$tmp/avslappning.say"
espeak-ng -v sv -s 140 -w "$tmp/avslappning.wav" -f "$tmp/avslappning.say"
ff -i "$tmp/avslappning.wav" -ac 1 -ar 16000 -c:a libopus -b:a 12k \
   "${bitexact[@]}" "$somn/avslappning.ogg"

# ------------------------------------------------------------ video (mp4)
# Four seconds: a light circle grows while the voice says the first caption,
# then shrinks during the second. Each cue's text is spoken in its 2 s slot.
mapfile -t cues < <(grep -vE '^(WEBVTT|[0-9:.]+ --> [0-9:.]+|)$' "$somn/andning.sv.vtt")
[ "${#cues[@]}" -eq 2 ] || { echo "andning.sv.vtt: expected 2 cues" >&2; exit 1; }
for i in 0 1; do
  espeak-ng -v sv -s 130 -w "$tmp/cue$i.wav" "${cues[$i]}"
  ff -i "$tmp/cue$i.wav" -af "apad=whole_dur=2,atrim=0:2" -ar 22050 -ac 1 "$tmp/slot$i.wav"
done
ff -i "$tmp/slot0.wav" -i "$tmp/slot1.wav" -filter_complex "[0:a][1:a]concat=n=2:v=0:a=1" "$tmp/voice.wav"

# Radius of the circle: 12 px, growing to 54 px at 2 s, back to 12 px at 4 s.
in_circle='lt(hypot(X-W/2,Y-H/2),12+42*if(lt(T,2),T/2,(4-T)/2))'
ff -f lavfi -i "color=c=0x1c2a56:s=192x144:r=12:d=4,format=rgb24" -i "$tmp/voice.wav" \
   -vf "geq=r='if($in_circle,240,28)':g='if($in_circle,230,42)':b='if($in_circle,160,86)'" \
   -c:v libx264 -preset veryslow -crf 34 -pix_fmt yuv420p -g 48 \
   -c:a aac -b:a 24k -ac 1 -shortest -movflags +faststart \
   "${bitexact[@]}" "$somn/andning.mp4"

du -b "$somn"/* "$rora"/*
