"""A catalog server on loopback for the harvest tests: real HTTP, real sockets, the real-shaped answers of
data.gouv.fr (DCAT-AP JSON-LD with Hydra), CKAN (package_search) and OpenDataSoft (Explore v2.1),
paged as those servers page them. Tests change `routes` or the served lists to make a source change,
fail, or hang."""

import copy
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

FIXTURES = Path(__file__).parent / "fixtures" / "harvest"
DATAGOUV = "https://www.data.gouv.fr/catalog.jsonld"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


class CatalogServer:
    def __init__(self):
        self.routes: dict = {}
        self.hits: list[str] = []
        self.delay = 0.0
        self.datagouv_pages = {1: fixture("datagouv-page-1.jsonld"), 2: fixture("datagouv-page-2.jsonld")}
        ckan = json.loads(fixture("ckan-package-search.json"))
        self.ckan_answer, self.ckan_packages = ckan, ckan["result"]["results"]
        ods = json.loads(fixture("ods-catalog-datasets.json"))
        self.ods_datasets = ods["results"]
        self.routes.update({
            "/catalog.jsonld": self.datagouv,
            "/api/3/action/package_search": self.ckan,
            "/api/explore/v2.1/catalog/datasets": self.ods,
        })
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                parts = urlsplit(self.path)
                server.hits.append(self.path)
                if server.delay:
                    time.sleep(server.delay)
                route = server.routes.get(parts.path)
                status, media, body = (route({k: v[0] for k, v in parse_qs(parts.query).items()}) if route
                                       else (404, "text/plain", "not found"))
                data = body.encode() if isinstance(body, str) else body
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", media)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- the sources -----------------------------------------------------------------------------------

    def datagouv(self, query: dict):
        page = int(query.get("page", 1))
        if page not in self.datagouv_pages:
            return 404, "application/json", '{"message": "Not Found"}'
        body = self.datagouv_pages[page].replace(DATAGOUV, f"{self.base}/catalog.jsonld")
        return 200, "application/ld+json", body

    def ckan(self, query: dict):
        rows, start = int(query.get("rows", 10)), int(query.get("start", 0))
        answer = copy.deepcopy(self.ckan_answer)
        answer["result"]["count"] = len(self.ckan_packages)
        answer["result"]["results"] = self.ckan_packages[start:start + rows]
        return 200, "application/json;charset=utf-8", json.dumps(answer)

    def ods(self, query: dict):
        limit, offset = int(query.get("limit", 10)), int(query.get("offset", 0))
        body = {"total_count": len(self.ods_datasets), "results": self.ods_datasets[offset:offset + limit]}
        return 200, "application/json; charset=utf-8", json.dumps(body)

    # --- edits -----------------------------------------------------------------------------------------

    def drop_from_datagouv(self, identifier: str) -> None:
        """The source no longer lists the dataset `identifier` (its node and its mention in the catalog)."""
        for number, text in self.datagouv_pages.items():
            graph = json.loads(text)
            nodes = [node for node in graph["@graph"] if identifier not in node.get("@id", "")]
            for node in nodes:
                if "dcat:dataset" in node:
                    node["dcat:dataset"] = [d for d in node["dcat:dataset"] if identifier not in d["@id"]]
            graph["@graph"] = nodes
            self.datagouv_pages[number] = json.dumps(graph)

    def edit_datagouv(self, identifier: str, **values) -> None:
        for number, text in self.datagouv_pages.items():
            graph = json.loads(text)
            for node in graph["@graph"]:
                if node.get("@id", "").endswith(f"/{identifier}/"):
                    node.update(values)
            self.datagouv_pages[number] = json.dumps(graph)
