"""Uploaded files in production: public images are served, documents only through Wagtail's permission
check, and nothing else in the media folder has an address."""

import pytest
from django.core.files.base import ContentFile
from wagtail.documents.models import Document
from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Collection, CollectionViewRestriction

pytestmark = [
    pytest.mark.django_db,
    # Wagtail leaves the temporary file of a new rendition for the garbage collector.
    pytest.mark.filterwarnings("ignore:Unclosed file <tempfile.SpooledTemporaryFile:ResourceWarning"),
]


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def logo():
    """A donor logo as a page shows it: a rendition of the uploaded image."""
    image = Image.objects.create(title="Donor logo", file=get_test_image_file("logo.png"))
    return image.get_rendition("max-160x80")


def test_a_public_image_is_served_with_a_cache_lifetime(client, logo, django_assert_max_num_queries):
    assert logo.url.startswith("/media/images/")
    with django_assert_max_num_queries(0):
        response = client.get(logo.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")
    assert "max-age" in response["Cache-Control"]


@pytest.mark.parametrize(
    "path",
    [
        "/media/images/missing.png",
        "/media/images/../documents/secret.pdf",
        "/media/images/%2e%2e/documents/secret.pdf",
        "/media/images/..%2fdocuments%2fsecret.pdf",
        "/media/original_images/logo.png",
        "/media/documents/secret.pdf",
        "/media/images/drawing.svg",
        "/media/images/page.html",
    ],
)
def test_nothing_but_image_renditions_has_an_address_under_media(client, logo, media_root, path):
    (media_root / "documents").mkdir(exist_ok=True)
    (media_root / "documents" / "secret.pdf").write_bytes(b"%PDF-1.4 secret")
    (media_root / "images" / "drawing.svg").write_text("<svg><script>alert(1)</script></svg>")
    (media_root / "images" / "page.html").write_text("<script>alert(1)</script>")
    response = client.get(path)
    assert response.status_code == 404
    assert b"%PDF" not in response.content and b"<script>alert" not in response.content


def test_a_private_document_needs_a_login_and_a_public_one_does_not(client, make_user):
    root = Collection.get_first_root_node()
    private = root.add_child(name="Board papers")
    CollectionViewRestriction.objects.create(collection=private, restriction_type=CollectionViewRestriction.LOGIN)
    secret = Document.objects.create(
        title="Board minutes", file=ContentFile(b"%PDF-1.4 secret", name="minutes.pdf"), collection=private
    )
    leaflet = Document.objects.create(title="Leaflet", file=ContentFile(b"%PDF-1.4 leaflet", name="leaflet.pdf"))

    response = client.get(secret.url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/media/{secret.file.name}").status_code == 404

    public = client.get(leaflet.url)
    assert public.status_code == 200
    assert b"".join(public.streaming_content) == b"%PDF-1.4 leaflet"

    client.force_login(make_user())
    private = client.get(secret.url)
    assert b"".join(private.streaming_content) == b"%PDF-1.4 secret"
