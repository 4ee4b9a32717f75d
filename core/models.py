from django.db import models


class UsedFormToken(models.Model):
    """One-time form tokens already spent. The unique key makes two simultaneous submits of one form
    race in the database, where exactly one wins (see core.security)."""

    token = models.CharField(max_length=64, unique=True)
    used_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        # The table was created by the audit app before the shared pieces had their own package.
        db_table = "audit_usedformtoken"
        default_permissions = ()

    def __str__(self):
        return self.token
