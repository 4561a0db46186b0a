"""OpenAPI extras: the API-key security scheme and the error responses every endpoint can give."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "example": {"detail": "Not found."},
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Field name (or non_field_errors, or a query parameter, or Idempotency-Key) -> messages.",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "object", "additionalProperties": True},
        ]
    },
    "example": {"term_months": ["An approval needs the term in months."]},
}


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "partners.api.authentication.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Authorization: Api-Key <key>`; the key is shown once when staff create it.",
        }


def _error(description: str, schema: str = "Error", headers: dict | None = None) -> dict:
    response = {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}},
    }
    if headers:
        response["headers"] = headers
    return response


def add_common_responses(result: dict, generator, request, public) -> dict:
    """Document 400/401/403/404/405/413/422/429 on each operation, so clients and schema tests know them."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = ERROR
    schemas["FieldErrors"] = FIELD_ERRORS
    retry_after = {
        "Retry-After": {
            "schema": {"type": "integer"},
            "description": "Seconds until the next try may succeed.",
        }
    }
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            responses.setdefault(
                "400",
                _error(
                    "Invalid input: messages per field or parameter; a body that is not UTF-8 JSON "
                    "(or is nested too deeply) has its message under non_field_errors.",
                    "FieldErrors",
                ),
            )
            responses.setdefault("401", _error("Missing, wrong, revoked or expired API key."))
            responses.setdefault(
                "403", _error("Signed in, but not incubator staff; or staff attempting a write.")
            )
            if "{" in path:
                responses.setdefault(
                    "404",
                    _error("No such object, or the firm has no consent in force for you (same answer)."),
                )
            responses.setdefault("405", _error("Method not allowed."))
            if method == "post":
                responses.setdefault("413", _error("Request body larger than the API accepts."))
                responses.setdefault("422", _error("Idempotency-Key reused with a different request."))
            responses.setdefault(
                "429",
                _error(
                    "Too many requests for this key, or too many failed authentications from your address.",
                    headers=retry_after,
                ),
            )
    return result
