#!/usr/bin/env python3
"""Writes tests/data/views/exif_rotated.jpg for tests/views/input_image_test.cpp: a non-square JPEG whose EXIF
Orientation tag says "rotate 90 degrees clockwise to display" (6), as phone cameras write them.

Stored pixels: 96 wide x 64 high, four flat quadrants (top-left red, top-right green, bottom-left blue, bottom-right
yellow). A viewer that honours the tag shows it 64 x 96 with blue at the top-left; LLaVA's pipeline
(PIL Image.open(...).convert('RGB')) ignores the tag and sees the stored 96 x 64. The script checks that itself.
Run from anywhere: /work/venv/bin/python tests/views/make_exif_image.py
"""
import os

from PIL import Image, ImageOps

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "views", "exif_rotated.jpg")
W, H = 96, 64
QUADRANTS = {(0, 0): (255, 0, 0), (1, 0): (0, 255, 0), (0, 1): (0, 0, 255), (1, 1): (255, 255, 0)}

img = Image.new("RGB", (W, H))
for (qx, qy), colour in QUADRANTS.items():
    img.paste(colour, (qx * W // 2, qy * H // 2, (qx + 1) * W // 2, (qy + 1) * H // 2))
exif = Image.Exif()
exif[0x0112] = 6  # Orientation: the 0th row is the visual right side, the 0th column the visual top
os.makedirs(os.path.dirname(OUT), exist_ok=True)
img.save(OUT, quality=95, subsampling=0, exif=exif.tobytes())

# What the pipeline sees versus what a viewer shows.
seen = Image.open(OUT).convert("RGB")
assert seen.size == (W, H), seen.size
assert Image.open(OUT).getexif()[0x0112] == 6
shown = ImageOps.exif_transpose(Image.open(OUT))
assert shown.size == (H, W), shown.size
print(f"wrote {OUT}: stored {seen.size}, displayed {shown.size}, top-left pixel {seen.getpixel((4, 4))}")
