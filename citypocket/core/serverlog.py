"""gunicorn's logger for CityPocket: no client address in the server's logs, as the docs promise.

`citypocket run` starts gunicorn with `--logger-class citypocket.core.serverlog.AddressFreeLogger`
(docs/operations.md gives the same flag for a hand-made command line). gunicorn's own access log
names each client (`%(h)s` in its default format); Django's RequestLogMiddleware already logs every
request without address, query string or user, so this logger writes no access line at all, whatever
`--access-logfile` or GUNICORN_CMD_ARGS ask for. gunicorn also names the client when it refuses a
malformed request ("Invalid request from ip=…"): the address is replaced by `-` in its error log.
"""

import logging
import re

from gunicorn import glogging

ADDRESS = re.compile(r"\bip=\S*?(?=:\s|\s|$)")


class AddressScrubber(logging.Filter):
    """Replaces `ip=<address>` in a gunicorn error-log record by `ip=-`."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "ip=" in message:
            record.msg, record.args = ADDRESS.sub("ip=-", message), ()
        return True


class AddressFreeLogger(glogging.Logger):
    """gunicorn's logger without the access log and without client addresses in the error log."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        if not any(isinstance(existing, AddressScrubber) for existing in self.error_log.filters):
            self.error_log.addFilter(AddressScrubber())

    @property
    def access_log_enabled(self) -> bool:
        return False  # the protocol handlers then skip building what an access line would hold

    def access(self, resp, req, environ, request_time) -> None:
        """No access line: Django's request log covers every request, without the client's address."""
