from django.core.management.base import BaseCommand

from certificates.signing import key_generate


class Command(BaseCommand):
    help = (
        "Print a new Ed25519 key for signing Open Badges credentials. Put it first in HAVEN_CREDENTIAL_KEYS "
        "(keep the older keys after it, so that what they signed still verifies) and out of database backups."
    )

    def handle(self, *args, **options):
        self.stdout.write(key_generate())
