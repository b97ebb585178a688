"""Publishers: the one rule every way in (uploads, batch rows, published fact-checks, corrected details) uses to
find or create the source of what it stores."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from factcheck.models import Source, SourceDomain
from factcheck.selectors import domain_of, source_for, source_name, source_named


def source_find_or_create(*, name: str = "", url: str = "", kind: str = Source.Kind.NEWS,
                          claim_domain: bool = False) -> tuple[Source | None, bool]:
    """The source owning `url`'s domain, else the source called `name` (case and spacing aside), else a new source
    called `name` — or, with `claim_domain` and no name, called after the domain. With `claim_domain` a new source
    also owns the domain, when no source does yet. Returns (the source, whether it was created); (None, False)
    when there is nothing to go on.

    Writes in a savepoint of the caller's transaction (so a source created for a row that is then refused goes
    with it), and takes the source another worker created meanwhile rather than failing.
    """
    found = source_for(url=url, name=name)
    name = source_name(name)
    domain = domain_of(url) if url and claim_domain else ""
    if found is not None or not (name or domain):
        return found, False
    try:
        with transaction.atomic():
            source = Source.objects.create(name=name or domain, kind=kind)
    except IntegrityError:  # created meanwhile by another import or upload
        existing = source_named(name or domain)
        if existing is None:
            raise
        return existing, False
    if domain and not SourceDomain.objects.filter(domain=domain).exists():
        SourceDomain.objects.create(source=source, domain=domain)
    return source, True
