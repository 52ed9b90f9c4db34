"""Links to the publisher's own record of a cited fact, where the publisher has one page per
record whose address follows from the record id (pure).

Only addresses that follow a published pattern are made: OFAC's sanctions search
(``Details.aspx?id=`` the SDN entity number), GLEIF's record page (the LEI) and Companies
House (the company number of a PSC statement). A source that states its own ``url`` keeps
it. Lists without record pages (EU, UK, UN, Canada publish whole files) get no link; the
report cites their file and line instead.
"""

from __future__ import annotations

import re

from riskengine.domain import Source

PATTERNS = {
    "ofac-sdn": ("https://sanctionssearch.ofac.treas.gov/Details.aspx?id={id}", r"\d+"),
    "ofac-cons": ("https://sanctionssearch.ofac.treas.gov/Details.aspx?id={id}", r"\d+"),
    "gleif": ("https://search.gleif.org/#/record/{id}", r"[A-Z0-9]{20}"),
    "psc": ("https://find-and-update.company-information.service.gov.uk/company/{id}",
            r"[A-Z0-9]{8}"),
}


def record_url(source: Source) -> str | None:
    """The address of the publisher's page for ``source``'s record, when one is known."""
    if source.url and source.url.startswith(("https://", "http://")):
        return source.url
    found = PATTERNS.get(source.source)
    if found is None or not source.record_id:
        return None
    template, shape = found
    record = source.record_id.strip()
    return template.format(id=record) if re.fullmatch(shape, record) else None
