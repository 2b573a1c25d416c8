"""Safe content: sanitised Markdown (coalition.markdown), films only from YouTube and Vimeo, magazines only as PDF."""

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from coalition.markdown import render_markdown
from journal.models import Story, parse_video_url, validate_magazine, validate_video_url

from .factories import StoryFactory


def test_script_tags_are_removed_with_their_content():
    html = render_markdown("Hello <script>alert('x')</script> world")
    assert "<script" not in html
    assert "alert" not in html
    assert "Hello" in html


def test_event_handlers_are_stripped():
    html = render_markdown('<p onclick="steal()">Click</p> <a href="https://example.org" onmouseover="x()">link</a>')
    assert "onclick" not in html
    assert "onmouseover" not in html
    assert 'href="https://example.org"' in html


@pytest.mark.parametrize(
    "source",
    ["[click](javascript:alert(1))", '<a href="javascript:alert(1)">click</a>', '<a href="JaVaScRiPt:alert(1)">x</a>'],
)
def test_javascript_links_lose_their_href(source):
    html = render_markdown(source)
    assert "javascript" not in html.lower()


def test_markdown_formatting_survives_and_links_get_rel():
    html = render_markdown("## Heading\n\n**bold** and [site](https://example.org)\n\n- one\n- two")
    assert "<h2>Heading</h2>" in html
    assert "<strong>bold</strong>" in html
    assert 'rel="noopener noreferrer nofollow"' in html
    assert "<li>one</li>" in html


def test_images_iframes_and_styles_are_not_allowed():
    html = render_markdown(
        '<img src="https://tracker.example/p.gif"><iframe src="https://evil.example"></iframe><style>p{}</style>'
    )
    assert "<img" not in html
    assert "<iframe" not in html
    assert "<style" not in html


@pytest.mark.django_db
def test_story_body_is_sanitised_when_stored():
    story = StoryFactory(body="<script>alert(1)</script>**Hi**")
    assert story.body_html == "<p><strong>Hi</strong></p>"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://youtu.be/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", ("youtube", "dQw4w9WgXcQ")),
        ("https://vimeo.com/76979871", ("vimeo", "76979871")),
        ("https://player.vimeo.com/video/76979871", ("vimeo", "76979871")),
    ],
)
def test_youtube_and_vimeo_addresses_are_understood(url, expected):
    assert parse_video_url(url) == expected
    validate_video_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://www.dailymotion.com/video/x7tgad0",
        "https://evil.example/watch?v=dQw4w9WgXcQ",
        "https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ",
        "javascript:alert(1)",
        "https://www.youtube.com/watch?v=<script>",
        "https://vimeo.com/channels/staffpicks",
    ],
)
def test_other_video_hosts_are_refused_with_a_clear_message(url):
    with pytest.raises(ValidationError) as excinfo:
        validate_video_url(url)
    assert excinfo.value.code == "video_host"
    assert "YouTube of Vimeo" in excinfo.value.messages[0]  # the portal speaks Dutch


@pytest.mark.django_db
def test_film_embeds_use_privacy_modes():
    youtube = StoryFactory(kind=Story.Kind.FILM, video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ")
    vimeo = StoryFactory(kind=Story.Kind.FILM, video_url="https://vimeo.com/76979871")
    assert youtube.video["embed_url"].startswith("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ")
    assert vimeo.video["embed_url"].startswith("https://player.vimeo.com/video/76979871?dnt=1")


@pytest.mark.django_db
def test_story_with_foreign_video_host_fails_validation():
    story = StoryFactory.build(kind=Story.Kind.FILM, video_url="https://www.dailymotion.com/video/x7tgad0")
    with pytest.raises(ValidationError) as excinfo:
        story.full_clean(exclude=["edition"])
    assert "video_url" in excinfo.value.message_dict


def test_magazine_must_be_a_pdf():
    validate_magazine(SimpleUploadedFile("mag.pdf", b"%PDF-1.7 ...", content_type="application/pdf"))
    with pytest.raises(ValidationError):
        validate_magazine(SimpleUploadedFile("mag.pdf", b"MZ\x90 not a pdf", content_type="application/pdf"))
    with pytest.raises(ValidationError):
        validate_magazine(SimpleUploadedFile("mag.exe", b"%PDF-1.7", content_type="application/pdf"))


def test_magazine_size_is_limited(monkeypatch):
    monkeypatch.setattr("journal.models.MAGAZINE_MAX_BYTES", 10)
    with pytest.raises(ValidationError):
        validate_magazine(SimpleUploadedFile("mag.pdf", b"%PDF-" + b"x" * 20))
