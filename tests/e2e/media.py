"""Real files for the journeys: a PNG screenshot and a short WebM recording made by Chromium itself."""

from __future__ import annotations

import base64
import io

from PIL import Image, ImageDraw

RECORD_JS = """async () => {
  const canvas = document.createElement('canvas');
  canvas.width = 160; canvas.height = 90;
  const ctx = canvas.getContext('2d');
  const recorder = new MediaRecorder(canvas.captureStream(10), {mimeType: 'video/webm'});
  const chunks = [];
  recorder.ondataavailable = (e) => chunks.push(e.data);
  recorder.start();
  for (let i = 0; i < 8; i++) {
    ctx.fillStyle = `hsl(${i * 40}, 70%, 50%)`; ctx.fillRect(0, 0, 160, 90);
    await new Promise((r) => setTimeout(r, 100));
  }
  recorder.stop();
  await new Promise((r) => (recorder.onstop = r));
  const bytes = new Uint8Array(await new Blob(chunks, {type: 'video/webm'}).arrayBuffer());
  let text = ''; for (const b of bytes) text += String.fromCharCode(b);
  return btoa(text);
}"""


def screenshot_png() -> bytes:
    image = Image.new("RGB", (320, 200), "white")
    ImageDraw.Draw(image).text((20, 90), "Error 500 al exportar", fill="red")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def recording_webm(page) -> bytes:
    """About a second of video, recorded with MediaRecorder in the page's browser."""
    return base64.b64decode(page.evaluate(RECORD_JS))
