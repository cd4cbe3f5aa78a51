"""``/api/docs``: the OpenAPI description rendered on the server (no CDN, no script)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

router = APIRouter(include_in_schema=False)
_env = Environment(
    loader=PackageLoader("privault.interfaces.web", "templates"),
    autoescape=select_autoescape(default=True),
)
_METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec: dict[str, Any]) -> list[dict[str, Any]]:
    """Every operation of the spec, grouped order: tag, then path."""
    out = []
    for path, item in spec.get("paths", {}).items():
        for method in _METHODS:
            op = item.get(method)
            if op is None:
                continue
            params = [
                f"{p['name']} ({p['in']}{', required' if p.get('required') else ''})"
                for p in op.get("parameters", [])
            ]
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            out.append(
                {
                    "tag": (op.get("tags") or ["other"])[0],
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": params,
                    "body": body.get("schema", {}).get("$ref", "").rsplit("/", 1)[-1],
                }
            )
    return sorted(out, key=lambda o: (o["tag"], o["path"]))


@router.get("/api/docs", response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """The API reference page."""
    spec = request.app.openapi()
    html = _env.get_template("api_docs.html").render(
        title=spec["info"]["title"], ops=operations(spec), user=None, csrf=""
    )
    return HTMLResponse(html)
