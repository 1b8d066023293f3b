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


# Attributes every LogRecord has; whatever else a record carries came from `extra=`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class ReadableFormatter(logging.Formatter):
    """One short line per record for a person at a terminal (`LOG_FORMAT=text`, what `citypocket run`
    uses in laptop mode): a request is `GET /<slug:city>/ 200 12 ms`; another record is its message
    and its extras as `key=value`, its level in front when it is a warning or worse. The same records,
    fields and privacy rules as the JSON lines of production: only the format changes."""

    def format(self, record: logging.LogRecord) -> str:
        extras = {key: value for key, value in vars(record).items() if key not in _STANDARD}
        if record.getMessage() == "request" and {"method", "route", "status"} <= extras.keys():
            line = f"{extras['method']} /{extras['route']} {extras['status']}"
            if "duration_ms" in extras:
                line += f" {extras['duration_ms']:.0f} ms"
        else:
            line = record.getMessage()
            if extras:
                line += " " + " ".join(f"{key}={value}" for key, value in extras.items())
            if record.levelno >= logging.WARNING:
                line = f"{record.levelname} {record.name}: {line}"
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


class TaskOnceFilter(logging.Filter):
    """One line per task: Django logs a task when it starts (`state=RUNNING`) and when it ends (its
    outcome, with the id and path again); the start line is dropped, the outcome kept (a failure's
    traceback included). A task that never ends shows in the worker's own records and the database."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.args and isinstance(record.args, tuple) and "RUNNING" in map(str, record.args))
