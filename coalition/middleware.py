"""Response headers Django has no setting for: the Permissions-Policy header on every response."""

from django.conf import settings


def permissions_policy(policy: dict[str, list[str]]) -> str:
    """The header value for {feature: [allowed origins]}: `[]` denies a feature everywhere, "self" is this site."""
    directives = []
    for feature, origins in policy.items():
        allowed = " ".join(origin if origin == "self" else f'"{origin}"' for origin in origins)
        directives.append(f"{feature}=({allowed})")
    return ", ".join(directives)


class PermissionsPolicyMiddleware:
    """Deny every browser feature the portal does not use (settings.PERMISSIONS_POLICY), to us and to what we embed."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = permissions_policy(settings.PERMISSIONS_POLICY)

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.header)
        return response
