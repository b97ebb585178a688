from django.apps import AppConfig
from django.db.models.signals import post_migrate


class FactcheckConfig(AppConfig):
    name = "factcheck"
    verbose_name = "Fact-check"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from factcheck.dbroles import on_post_migrate

        # After every migrate (as the owner): the app's role gets its grants on new tables too.
        post_migrate.connect(on_post_migrate, sender=self, dispatch_uid="factcheck.grant_app_privileges")
