"""The check every form's test makes after an invalid submit: the page as DESIGN.md §7 says it must answer.

The title starts with "Error:" ("Fout:" in Dutch); an error summary that takes the focus lists each field's error
as a link to that field, which exists on the page; the form has `novalidate` (the browser does not stop it before
the server); and every field still holds what was typed.
"""

from html.parser import HTMLParser

TEXT_INPUTS = {"text", "email", "tel", "url", "search", "number", "date", "datetime-local", "time", "hidden"}


class _FormPage(HTMLParser):
    """What a page holds: the title, the summary's links, every id, the forms' attributes and the controls' values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.title = ""
        self.ids = set()
        self.summaries = []  # (attributes of the summary, attributes of the form around it)
        self.summary_links = []
        self.values = {}  # name -> list of values, as the browser would send them
        self._stack = []  # (tag, attributes) of the open elements that matter
        self._form = None
        self._text_of = None  # "title", ("textarea", name) or ("option", select name, value, selected)
        self._text = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if attributes.get("id"):
            self.ids.add(attributes["id"])
        classes = (attributes.get("class") or "").split()
        if tag == "form":
            self._form = attributes
        elif "error-summary" in classes:
            self.summaries.append((attributes, self._form))
            self._stack.append("summary")
        elif tag == "div" and self._stack:
            self._stack.append("div")
        elif tag == "a" and "summary" in self._stack:
            self.summary_links.append(attributes.get("href", ""))
        elif tag == "title":
            self._start_text("title")
        elif tag == "input":
            self._input(attributes)
        elif tag == "textarea":
            self._start_text(("textarea", attributes.get("name")))
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select:
            self._start_text(("option", self._select, attributes.get("value"), "selected" in attributes))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "div" and self._stack:
            self._stack.pop()
        elif tag == "select":
            self._select = None
        elif self._text_of is not None and tag in {"title", "textarea", "option"}:
            self._end_text()

    def handle_data(self, data):
        if self._text_of is not None:
            self._text.append(data)

    def _input(self, attributes):
        name, kind = attributes.get("name"), attributes.get("type", "text")
        if not name or kind in {"submit", "button", "file", "password"}:
            return
        if kind in {"checkbox", "radio"}:
            if "checked" in attributes:
                self.values.setdefault(name, []).append(attributes.get("value", "on"))
            else:
                self.values.setdefault(name, [])
        elif kind in TEXT_INPUTS:
            self.values.setdefault(name, []).append(attributes.get("value", ""))

    def _start_text(self, what):
        self._text_of, self._text = what, []

    def _end_text(self):
        what, text = self._text_of, "".join(self._text)
        self._text_of = None
        if what == "title":
            self.title = " ".join(text.split())
        elif what[0] == "textarea":
            # Django writes a newline after <textarea>, which the browser drops.
            self.values.setdefault(what[1], []).append(text.removeprefix("\n"))
        else:
            _option, select, value, selected = what
            self.values.setdefault(select, [])
            if selected:
                self.values[select].append(text.strip() if value is None else value)


def read(response):
    page = _FormPage()
    page.feed(response.content.decode())
    return page


def assert_error_page(response, *, fields, kept=None, title="Fout:"):
    """`fields`: the ids the summary must link to; `kept`: {name: value or [values]} the page must still hold."""
    assert response.status_code == 200, f"an invalid submit answered {response.status_code}, not the form again"
    page = read(response)
    assert page.title.startswith(title), f"the title {page.title!r} does not start with {title!r}"
    assert len(page.summaries) == 1, f"{len(page.summaries)} error summaries on the page, expected one"
    summary, form = page.summaries[0]
    assert "autofocus" in summary and summary.get("tabindex") == "-1", "the summary cannot take the focus"
    assert form is not None and "novalidate" in form, f"the form around the summary lacks novalidate: {form}"
    for field_id in fields:
        assert f"#{field_id}" in page.summary_links, f"the summary does not link to #{field_id}: {page.summary_links}"
        assert field_id in page.ids, f"the summary links to #{field_id}, which is not on the page"
    for name, value in (kept or {}).items():
        expected = value if isinstance(value, list) else [value]
        assert page.values.get(name) == expected, f"{name} holds {page.values.get(name)!r}, typed was {expected!r}"
    return page
