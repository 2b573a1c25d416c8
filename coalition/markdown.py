"""Markdown typed by people, turned into HTML that is safe to show: one sanitiser for every app.

The journal's stories and the coalitions' vision and goals go through `render_markdown`: a small tag set,
no scripts or styles (their content is dropped too), no event handlers or inline styles, and links only to
http(s) and mailto, opened with rel="noopener noreferrer nofollow".
"""

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "b", "i", "a", "ul", "ol", "li", "blockquote",
    "h2", "h3", "h4", "code", "pre", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def render_markdown(text: str | None) -> str:
    """Markdown to HTML, then sanitised with nh3; an empty text gives an empty string."""
    if not text:
        return ""
    html = markdown.markdown(text, extensions=["sane_lists"], output_format="html")
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()
