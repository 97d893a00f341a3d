"""Image previews, made once when a file arrives: decoded under a pixel bound, shrunk, re-encoded (HEIC/HEIF too).

Pages draw only the preview, never the original: an image that passes the signature check but does
not decode, or that would decode to more pixels than MAX_PIXELS (a decompression bomb: a few
hundred KB of PNG can hold 169 megapixels), has no preview and is shown as a file to download.
"""

from __future__ import annotations

import io
import logging
import warnings

import pillow_heif
from PIL import Image

MAX_PIXELS = 50_000_000  # a 50-megapixel phone photo still gets a preview
EDGE = 960  # the preview's longer side, in pixels
FORMAT, CONTENT_TYPE = "WEBP", "image/webp"

log = logging.getLogger("mesa.previews")
pillow_heif.register_heif_opener()  # HEIC/HEIF photos (iPhones) open like any other image, still under MAX_PIXELS


def preview(content: bytes) -> bytes | None:
    """A WEBP at most EDGE pixels on its longer side, or None when the image cannot safely be drawn."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(content)) as image:
                width, height = image.size  # from the header: nothing is decoded yet
                if width * height > MAX_PIXELS or width < 1 or height < 1:
                    return None
                image.draft("RGB", (EDGE, EDGE))  # JPEG decodes at a smaller scale, far cheaper
                image.thumbnail((EDGE, EDGE))
                shown = image.convert("RGBA" if _has_alpha(image) else "RGB")
                out = io.BytesIO()
                shown.save(out, FORMAT, quality=80)
                return out.getvalue()
    except Exception as exc:  # any decoder error: the file is kept, only undrawn
        log.info("no preview: %s", exc.__class__.__name__)
        return None


def _has_alpha(image: Image.Image) -> bool:
    return image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
