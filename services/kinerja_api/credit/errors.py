"""Errors of the credit points and the evaluation document."""

from __future__ import annotations

from services.common.errors import Conflict


class AnnualResultNotFinal(Conflict):
    """The credit points or the evaluation document need the FINAL annual result (or, for credit points, a
    functional level held during the year); the detail names what is missing."""

    slug = "annual-result-not-final"
