from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    def format_email_subject(self, subject):
        # No site-name prefix: subjects must stay neutral.
        return subject
