"""A GOV.UK select for long lists (every family: thousands at London size)."""

from __future__ import annotations

import re
from typing import Any

from govuk_frontend_wtf.wtforms_widgets import GovSelect
from markupsafe import Markup, escape

_MARK = "LONGSELECTOPTIONS"
_MARKED_OPTION = re.compile(rf'<option value="{_MARK}"[^>]*>{_MARK}</option>')


class LongSelect(GovSelect):
    """The GOV.UK select markup, with the options written directly rather than through the template one by
    one: the macro renders the select once around a placeholder option, which is then replaced by the real
    options (value and text escaped, as the macro would)."""

    def __call__(self, field: Any, **kwargs: Any) -> Markup:
        start, chosen, plain, end = (
            Markup('<option value="'),
            Markup('" selected>'),
            Markup('">'),
            Markup("</option>\n"),
        )
        pieces: list[str] = []
        for value, label, selected, _ in field.iter_choices():
            pieces += [start, escape(value), chosen if selected else plain, escape(label), end]
        options = Markup("").join(pieces)  # each piece escaped unless it is markup
        kwargs.setdefault("id", field.id)
        if "required" not in kwargs and "required" in getattr(field, "flags", []):
            kwargs["required"] = True
        kwargs["items"] = [{"text": _MARK, "value": _MARK, "selected": False}]
        rendered: Markup = self.render(self.map_gov_params(field, **kwargs))
        found = _MARKED_OPTION.search(rendered)
        if found is None:  # the macro's markup changed: render every option through it instead
            full: Markup = super().__call__(field, **kwargs)
            return full
        # Both parts are already escaped: the macro's output and the options formatted above.
        return rendered[: found.start()] + options + rendered[found.end() :]
