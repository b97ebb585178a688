"""factory_boy factories for the domain. Claims are always cut out of their article's body, so offsets hold."""

from __future__ import annotations

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

from factcheck.permissions import roles_sync
from factcheck.models import Article, CheckOffer, Claim, Evidence, PublishedCheck, Source, SourceDomain
from factcheck import ingest


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pw")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            # Transactional tests flush the tables, groups from the roles migration included.
            roles_sync(Group, Permission)
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Outlet {n}")
    kind = Source.Kind.NEWS
    reliability = Source.Reliability.HIGH


class SourceDomainFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceDomain

    source = factory.SubFactory(SourceFactory)
    domain = factory.Sequence(lambda n: f"outlet{n}.example")


SENTENCES = [
    "Ford denied the report on Tuesday.",
    "The US imposed a 100% tariff on Chinese electric vehicles in 2024.",
    "Xiaomi did not respond to a request for comment.",
    "Jim Farley imported a Xiaomi SU7 for personal use.",
    "China controls over 80 percent of global battery production capacity.",
]


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Article {n}")
    body = factory.Sequence(lambda n: f"Report number {n}. " + " ".join(SENTENCES))
    content_hash = factory.LazyAttribute(lambda a: ingest.content_hash(a.body))
    status = Article.Status.READY
    source = factory.SubFactory(SourceFactory)


class ClaimFactory(factory.django.DjangoModelFactory):
    """A claim on the n-th sentence of its article's body (offsets computed from the body)."""

    class Meta:
        model = Claim
        exclude = ["sentence"]

    article = factory.SubFactory(ArticleFactory)
    sentence = factory.Sequence(lambda n: SENTENCES[n % len(SENTENCES)])
    start = factory.LazyAttribute(lambda c: c.article.body.index(c.sentence))
    end = factory.LazyAttribute(lambda c: c.start + len(c.sentence))
    text = factory.LazyAttribute(lambda c: c.article.body[c.start : c.end])
    score = 0.8
    kinds = factory.LazyFunction(lambda: ["event"])
    model_version = "test"


def claims_for(article: Article, n: int | None = None) -> list[Claim]:
    """Create a claim on each sentence of the article (or the first n), in one bulk insert."""
    claims = []
    position = 0
    for sentence in SENTENCES[:n] if n else SENTENCES:
        start = article.body.index(sentence, position)
        claims.append(Claim(article=article, start=start, end=start + len(sentence), text=sentence, score=0.7))
        position = start + len(sentence)
    return Claim.objects.bulk_create(claims)


class EvidenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Evidence

    claim = factory.SubFactory(ClaimFactory)
    url = factory.Sequence(lambda n: f"https://example.org/evidence/{n}")
    stance = Evidence.Stance.SUPPORTS


class PublishedCheckFactory(factory.django.DjangoModelFactory):
    """A published fact-check as an importer would store it (made-up publisher and wording)."""

    class Meta:
        model = PublishedCheck

    key = factory.Sequence(lambda n: f"https://checks.example/review/{n}")
    url = factory.LazyAttribute(lambda c: c.key)
    claim_reviewed = "The US imposed a 100% tariff on Chinese electric vehicles."
    headline = "No, the tariff was not 100% in 2024"
    publisher = factory.SubFactory(SourceFactory, name="Check Desk", kind=Source.Kind.ACADEMIC)
    publisher_name = factory.LazyAttribute(lambda c: c.publisher.name if c.publisher else "")
    review_date = datetime.date(2025, 4, 10)
    rating_label = "False"
    rating = PublishedCheck.Rating.FALSE


class CheckOfferFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CheckOffer

    claim = factory.SubFactory(ClaimFactory)
    published_check = factory.SubFactory(PublishedCheckFactory)
    score = 0.9
    band = CheckOffer.Band.STRONG
