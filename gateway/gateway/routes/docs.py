"""/openapi.json, /docs (Swagger UI served from the pinned swagger-ui-bundle, no CDN)."""
import mimetypes
from pathlib import Path

import swagger_ui_bundle
from nameko.web.handlers import http
from werkzeug.wrappers import Response

from timebank_common.service import json_response

from .. import openapi
from ..dispatch import not_found

_ASSETS = Path(swagger_ui_bundle.swagger_ui_path)
_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<title>时间银行 API 文档 · Time Bank API</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script>window.ui = SwaggerUIBundle({url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true});</script>
</body></html>"""


class DocsRoutes:
    @http("GET", "/openapi.json")
    def openapi_document(self, request):
        return json_response(openapi.build(self.public_base_url))

    @http("GET", "/docs")
    def docs_page(self, request):
        return Response(_PAGE, mimetype="text/html")

    @http("GET", "/docs/<string:asset>")
    def docs_asset(self, request, asset):
        path = (_ASSETS / asset).resolve()
        if path.parent != _ASSETS.resolve() or not path.is_file():
            return not_found(request)
        return Response(path.read_bytes(), mimetype=mimetypes.guess_type(path.name)[0] or "application/octet-stream")
