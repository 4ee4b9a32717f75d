"""The public site's images, served by Haven when no web server in front of it does.

Only renditions are public: the sized copies that `{% image %}` links to (donor logos, page images), kept
under `images/` in the media storage. Nothing else in the media folder has a public address: documents go
through Wagtail's document view, which enforces a private collection's permissions
(WAGTAILDOCS_SERVE_METHOD = "serve_view"), and original uploads are linked from no page. A web server in
front may serve `/media/images/` itself (README, "Deployment"); it must never serve the rest of the folder.
"""

import posixpath

from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.views.decorators.http import require_safe

PUBLIC_FOLDER = "images"
# Raster images only: an SVG or HTML file is a document a browser would run scripts in.
IMAGE_TYPES = {
    ".avif": "image/avif",
    ".gif": "image/gif",
    ".jpeg": "image/jpeg",
    ".jpg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
# A rendition's name changes with its image and its size, so browsers and proxies may keep it a while.
MAX_AGE = 24 * 60 * 60


@require_safe
def public_image(request, path):
    name = posixpath.normpath(path)
    if name.startswith(("/", "..")) or "\\" in name or "\x00" in name:
        raise Http404
    content_type = IMAGE_TYPES.get(posixpath.splitext(name)[1].lower())
    if content_type is None:
        raise Http404
    try:
        handle = default_storage.open(f"{PUBLIC_FOLDER}/{name}")
    except (OSError, SuspiciousFileOperation) as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    return response
