"""The browser assets a map needs, served by the app itself or inlined into an export.

Folium's defaults fetch Leaflet, jQuery, Bootstrap and Font Awesome from CDNs, which
leaves a blank map on a network without internet. The maps here need only Leaflet
(and Leaflet.heat for the heat layer), vendored under ``static/vendor`` with their
licences (``static/vendor/README.md``). In the dashboard they are served by
Streamlit's static file serving at ``/app/static/vendor``; a downloaded map gets
them inlined so that the file opens anywhere, offline.
"""

from __future__ import annotations

import base64
import re
from pathlib import Path

#: Where the vendored files live in the checkout.
VENDOR_DIR = Path(__file__).resolve().parents[1] / "static" / "vendor"
#: Where Streamlit serves them (``[server] enableStaticServing``).
SERVED_URL = "/app/static/vendor"

LEAFLET_JS = "leaflet/leaflet.js"
LEAFLET_CSS = "leaflet/leaflet.css"
HEAT_JS = "leaflet-heat/leaflet-heat.js"
#: Every vendored file a map may reference, relative to :data:`VENDOR_DIR`.
FILES: tuple[str, ...] = (LEAFLET_JS, LEAFLET_CSS, HEAT_JS)


def url(relative: str, base: str = SERVED_URL) -> str:
    """The URL of a vendored file under ``base``."""
    return f"{base.rstrip('/')}/{relative}"


def _css_with_data_images(css: str, folder: Path) -> str:
    # leaflet.css points at images/*.png next to it; inline them as data URIs.
    def embed(match: re.Match) -> str:
        image = folder / match.group(1)
        if not image.is_file():
            return match.group(0)
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return re.sub(r"url\((images/[\w.-]+\.png)\)", embed, css)


def inline(html: str, base: str = SERVED_URL) -> str:
    """``html`` with every ``<script src>`` and stylesheet link to a vendored file inlined.

    Raises
    ------
    ValueError
        When the page still refers to a script or stylesheet outside the vendored
        files: such a page would not open offline.
    """
    for relative in FILES:
        path = VENDOR_DIR / relative
        link = re.escape(url(relative, base))
        if relative.endswith(".js"):
            code = path.read_text(encoding="utf-8").replace("</script", "<\\/script")
            html = re.sub(
                rf'<script src="{link}"></script>',
                lambda _m, code=code: f"<script>{code}</script>",
                html,
            )
        else:
            css = _css_with_data_images(path.read_text(encoding="utf-8"), path.parent)
            html = re.sub(
                rf'<link rel="stylesheet" href="{link}"\s*/?>',
                lambda _m, css=css: f"<style>{css}</style>",
                html,
            )
    leftover = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    if leftover:
        raise ValueError(f"The map still loads external files: {', '.join(leftover)}.")
    return html
