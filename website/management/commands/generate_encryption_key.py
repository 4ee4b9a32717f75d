from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Print a new key for HAVEN_FIELD_ENCRYPTION_KEYS. To rotate: put it first in the list, keep the old "
        "keys after it, run rotate_encryption_key, then drop the old keys."
    )

    def handle(self, *args, **options):
        self.stdout.write(Fernet.generate_key().decode("ascii"))
