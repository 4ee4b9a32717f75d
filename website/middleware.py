from django.conf import settings
from django.utils.csp import CSP


class AdminContentSecurityPolicyMiddleware:
    """The Wagtail admin still relies on inline scripts and styles: relax the policy there only."""

    ADMIN_POLICY = {
        **settings.SECURE_CSP,
        "script-src": [CSP.SELF, CSP.UNSAFE_INLINE, CSP.UNSAFE_EVAL],
        "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
        "img-src": [CSP.SELF, "data:", "blob:"],
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith("/admin/") and not hasattr(response, "_csp_config"):
            response._csp_config = self.ADMIN_POLICY
        return response
