from django.conf import settings
from django.middleware import csrf
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


class CsrfViewMiddleware(csrf.CsrfViewMiddleware):
    """Django's CSRF check, made to work with `Referrer-Policy: no-referrer`.

    Under that policy browsers send `Origin: null` with every form POST, even to the same site, which
    Django's check refuses. Browsers also send `Sec-Fetch-Site`, a header no page script can set or
    forge; when it says `same-origin`, a null Origin is the page's own form. The CSRF token is still
    checked as always, and a cross-site POST (Sec-Fetch-Site cross-site or none) is still refused.
    """

    def _origin_verified(self, request):
        if request.META.get("HTTP_ORIGIN") == "null" and request.META.get("HTTP_SEC_FETCH_SITE") == "same-origin":
            return True
        return super()._origin_verified(request)
