"""The queue worker's answers keep its process alive in the eyes of gunicorn's arbiter while they stream."""

import io
from wsgiref.util import FileWrapper

from citypocket.core import serverworker


def test_a_long_answer_tells_the_arbiter_the_process_is_alive_and_is_closed(monkeypatch):
    """A streamed answer notifies the arbiter at most once per HEARTBEAT_SECONDS while its chunks are
    written (the sync worker would otherwise be ended after --timeout), then closes what it wraps."""
    clock = iter(range(0, 1000, 1))  # one second passes at each reading of the clock
    monkeypatch.setattr(serverworker.time, "monotonic", lambda: float(next(clock)))
    closed, beats = [], []

    class Chunks:
        def __iter__(self):
            yield from (b"a", b"b", b"c", b"d")

        def close(self):
            closed.append(True)

    def application(environ, start_response):
        start_response("200 OK", [])
        return Chunks()

    answer = serverworker.beating(application, lambda: beats.append(True))
    chunks = answer({"wsgi.file_wrapper": FileWrapper}, lambda status, headers: None)
    assert list(chunks) == [b"a", b"b", b"c", b"d"]
    assert len(beats) == 4  # a beat before each chunk: a second passed before each
    chunks.close()
    assert closed == [True]


def test_a_quick_answer_does_not_notify_and_a_file_answer_is_left_to_the_kernel(monkeypatch):
    monkeypatch.setattr(serverworker.time, "monotonic", lambda: 5.0)
    beats = []
    answer = serverworker.beating(lambda environ, start_response: [b"x", b"y"], lambda: beats.append(True))
    assert list(answer({}, None)) == [b"x", b"y"] and beats == []

    file_answer = FileWrapper(io.BytesIO(b"static"))
    assert serverworker.beating(lambda environ, start_response: file_answer, beats.append)(
        {"wsgi.file_wrapper": FileWrapper}, None) is file_answer
