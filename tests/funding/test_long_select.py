"""The family list on the spend form (thousands of families at London size) renders the same markup as the
GOV.UK select, without a template call per option."""

from __future__ import annotations

import re

from flask import Flask
from govuk_frontend_wtf.wtforms_widgets import GovSelect
from wtforms.fields.choices import SelectChoice

from resettle.funding.forms.spend import SpendLineForm
from resettle.funding.forms.widgets import LongSelect


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", re.sub(r"\s+", " ", html))


def test_a_long_select_renders_what_the_govuk_select_renders(app: Flask) -> None:
    with app.test_request_context(method="POST", data={"family": 'B&<"1'}):
        form = SpendLineForm()
        form.family.choices = [
            SelectChoice("", "Select a family"),
            SelectChoice('B&<"1', 'Al "x" & <script>'),
            SelectChoice("C2", "Bo"),
        ]
        form.family.process_formdata(['B&<"1'])
        for errors in ([], ["Select the family"]):
            form.family.errors = errors
            fast = str(LongSelect()(form.family))
            assert squeezed(fast) == squeezed(str(GovSelect()(form.family)))
            assert "<script>" not in fast and 'value="B&amp;&lt;&#34;1" selected' in fast
            assert fast.count("<option") == 3
