#!/usr/bin/env python3
"""Writes the small image folder the image-dataset tests read (test/data/imagefolder) and
torchvision's preprocessing of it, the reference cim-run's image loader must reproduce.

Runs where Pillow, torchvision and numpy are (the GPU machine):

  python3 scripts/make_image_folder.py OUT_DIR

OUT_DIR/imagefolder/<class>/<file>: two classes, images of several sizes, aspect ratios and
kinds (RGB JPEG 4:2:0 and 4:4:4, grayscale JPEG, RGB, RGBA, palette and grayscale PNG), as
torchvision's ImageFolder reads them. OUT_DIR/imagefolder_reference.npz: for each preset
below, `<preset>` [N, C, H, W] float32, the images in ImageFolder's order through
Resize(resize) -> CenterCrop(crop) -> ToTensor -> Normalize(mean, std) on PIL images (after
ImageFolder's loader, convert("RGB"), and for the one-channel preset Grayscale()), and
`labels` [N].
"""
import os
import sys

import numpy as np
import torch
from PIL import Image
from torchvision import datasets, transforms

PRESETS = {
    # name: (resize, crop, mean, std, channels)
    "imagenet_24": (27, 24, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225), 3),
    "upscale_40": (46, 40, (0.5, 0.5, 0.5), (0.25, 0.25, 0.25), 3),
    "gray_16": (18, (16, 12), (0.2860,), (0.3530,), 1),
}


def smooth_image(rng, h, w):
    """A smooth colour field with some texture, so that resampling has work to do."""
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    base = np.stack([np.sin(x / (3 + c) + y / (5 + 2 * c) + c) for c in range(3)], axis=-1)
    img = 127.5 + 100 * base + rng.normal(0, 20, size=(h, w, 3))
    return np.clip(img, 0, 255).astype(np.uint8)


def main():
    out = sys.argv[1]
    root = os.path.join(out, "imagefolder")
    rng = np.random.default_rng(0)
    files = {
        "cat": [("a_rgb.jpg", (41, 57), "jpeg420"), ("b_gray.jpg", (50, 33), "jpeg_gray"),
                ("c_rgba.png", (30, 30), "rgba"), ("d_small.png", (20, 26), "rgb")],
        "dog": [("a_444.jpeg", (64, 48), "jpeg444"), ("b_palette.png", (37, 45), "palette"),
                ("c_gray.png", (28, 40), "gray"), ("notes.txt", None, None)],
    }
    for cls, items in files.items():
        os.makedirs(os.path.join(root, cls), exist_ok=True)
        for name, size, kind in items:
            path = os.path.join(root, cls, name)
            if kind is None:  # not an image: ImageFolder skips it
                open(path, "w").write("not an image\n")
                continue
            rgb = Image.fromarray(smooth_image(rng, *size))
            if kind == "jpeg420":
                rgb.save(path, quality=90, subsampling=2)
            elif kind == "jpeg444":
                rgb.save(path, quality=95, subsampling=0)
            elif kind == "jpeg_gray":
                rgb.convert("L").save(path, quality=90)
            elif kind == "rgba":
                a = Image.fromarray(rng.integers(0, 256, size=size, dtype=np.uint8))
                Image.merge("RGBA", (*rgb.split(), a)).save(path)
            elif kind == "palette":
                rgb.convert("P", palette=Image.ADAPTIVE, colors=32).save(path)
            elif kind == "gray":
                rgb.convert("L").save(path)
            else:
                rgb.save(path)
    arrays = {}
    for preset, (resize, crop, mean, std, channels) in PRESETS.items():
        steps = [transforms.Grayscale()] if channels == 1 else []
        steps += [transforms.Resize(resize), transforms.CenterCrop(crop), transforms.ToTensor(),
                  transforms.Normalize(mean, std)]
        ds = datasets.ImageFolder(root, transform=transforms.Compose(steps))
        xs, ys = zip(*[ds[i] for i in range(len(ds))])
        arrays[preset] = torch.stack(xs).numpy().astype(np.float32)
        arrays["labels"] = np.array(ys, dtype=np.int64)
        print(preset, arrays[preset].shape, [os.path.relpath(p, root) for p, _ in ds.samples])
    np.savez(os.path.join(out, "imagefolder_reference.npz"), **arrays)


if __name__ == "__main__":
    main()
