"""Log filters: a client's mistake (any 4xx) is one short line, never an ERROR with a traceback, and no
line carries a request's query string."""

import logging


class ClientErrorFilter(logging.Filter):
    """Turns a record about a 4xx answer (Django's `status_code` extra) into one WARNING line.

    Django's security loggers report a suspicious request (a 400) at ERROR with its traceback: about
    2 KB that anyone can make the server write, as often as they like. The answer's status is what
    an operator needs; 5xx records keep their level and traceback.

    Django's loggers also attach the request itself (`request` extra), which the JSON formatter
    writes as its repr: method, path and query string, where a search or a token can hold personal
    data. The record keeps its message (which names the path, as Django writes it) without it.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        record.__dict__.pop("request", None)
        status = getattr(record, "status_code", None)
        if isinstance(status, int) and 400 <= status < 500:
            if record.levelno > logging.WARNING:
                record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True
