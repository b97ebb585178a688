"""Demo accounts (one per role), a few demo articles and a few published fact-checks, each created only when the
database has none."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from factcheck import tasks
from factcheck.ingest import IngestError
from factcheck.models import Article, PublishedCheck, Source, SourceDomain
from factcheck.permissions import ROLE_EDITORS, ROLE_FACT_CHECKERS, ROLE_VIEWERS
from factcheck.services import factcheck_imports
from factcheck.services.articles import DuplicateArticle
from factcheck.services.uploads import SourceChoice, article_create_from_upload

DEMO_DIR = Path(__file__).resolve().parents[2] / "demo"
# ClaimReview records of a fictional fact-checking outlet about claims in the seed articles' coverage.
DEMO_CHECKS = DEMO_DIR / "factchecks.jsonl"

# username, password, role, staff/superuser
DEMO_ACCOUNTS = [
    ("admin", "factdesk-admin", None, True),
    ("editor", "factdesk-editor", ROLE_EDITORS, False),
    ("checker", "factdesk-checker", ROLE_FACT_CHECKERS, False),
    ("viewer", "factdesk-viewer", ROLE_VIEWERS, False),
]


class Command(BaseCommand):
    help = "Create demo accounts and demo articles when the database is empty."

    def add_arguments(self, parser):
        parser.add_argument("--no-logins", action="store_true",
                            help="Don't print the logins (`make run` prints them once the server answers).")

    def handle(self, *args, no_logins: bool = False, **options):
        User = get_user_model()
        if not User.objects.exists():
            with transaction.atomic():
                for username, password, role, is_admin in DEMO_ACCOUNTS:
                    if is_admin:
                        User.objects.create_superuser(username, f"{username}@example.org", password)
                    else:
                        user = User.objects.create_user(username, f"{username}@example.org", password)
                        user.groups.add(Group.objects.get(name=role))
            self.stdout.write(self.style.SUCCESS("Demo accounts created." if no_logins else "Demo accounts created:"))
            for username, password, role, _ in [] if no_logins else DEMO_ACCOUNTS:
                self.stdout.write(f"  {username:<8} / {password:<17} {role or 'administrator (Django admin)'}")
        else:
            self.stdout.write("Accounts exist; demo accounts not created.")

        self._load_checks()
        if Article.objects.exists():
            self.stdout.write("Articles exist; demo articles not loaded.")
            return
        source, _ = Source.objects.get_or_create(
            name="Riverside Gazette", defaults={"kind": Source.Kind.NEWS, "reliability": Source.Reliability.HIGH}
        )
        SourceDomain.objects.get_or_create(domain="riverside-gazette.example", defaults={"source": source})
        editor = User.objects.filter(username="editor").first()
        loaded = 0
        for path in sorted(DEMO_DIR.glob("*.txt")):
            # The same path as a browser upload: parsed, normalised, original kept byte for byte.
            try:
                article = article_create_from_upload(data=path.read_bytes(), filename=path.name, uploaded_by=editor,
                                                     source=SourceChoice(source=source))
                tasks.article_extract_claims.delay(article.pk)
                loaded += 1
            except DuplicateArticle:
                pass
            except IngestError as exc:
                self.stderr.write(f"{path.name}: {exc.message}")
        self.stdout.write(self.style.SUCCESS(f"Loaded {loaded} demo articles."))

    def _load_checks(self) -> None:
        if PublishedCheck.objects.exists():
            self.stdout.write("Published fact-checks exist; demo checks not imported.")
            return
        # The same path as `import_factchecks --sync`: parsed, vectors computed, upserted by key.
        run = factcheck_imports.factcheck_import_create_from_path(path=DEMO_CHECKS)
        factcheck_imports.factcheck_import_run(run_id=run.pk, time_budget=None)
        run.refresh_from_db()
        self.stdout.write(self.style.SUCCESS(f"Imported {run.created} demo published fact-checks."))
