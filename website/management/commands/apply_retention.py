from django.core.management.base import BaseCommand

from website.security_retention import retention_apply


class Command(BaseCommand):
    help = (
        "Anonymise survivor records past their retention period (settings.HAVEN_RETENTION_DAYS) as each app "
        "declares in its retention.py: members whose memberships ended, inactive counseling clients, the "
        "texts of closed cases; delete handled intake requests. Counts are kept. Run it daily (cron or a "
        "systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="only count what would be anonymised")

    def handle(self, *args, dry_run=False, **options):
        result = retention_apply(dry_run=dry_run)
        verb = "Would anonymise" if dry_run else "Anonymised"
        self.stdout.write(
            f"{verb}: {result.members} members, {result.clients} clients, {result.closed_cases} closed cases; "
            f"intake requests {'due' if dry_run else 'deleted'}: {result.counts.get('intake_request', 0)}."
        )
