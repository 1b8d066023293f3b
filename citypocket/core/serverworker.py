"""gunicorn's workers for CityPocket, and the command line that starts them (`citypocket run`, the benches).

By default (`WEB_THREADS=1`) each web process answers one request at a time, and every process takes
the next connection from the one queue of the listening socket (`QueueWorker`, gunicorn's sync worker
made safe for clients that connect before they speak). With threads (`WEB_THREADS` above 1), gthread
keeps connections alive (`BalancedThreadWorker`). Measured on 2 vCPU without the edge cache
(docs/operations.md, "Serving"; docs/benchmarks.md), one request at a time per process gave every hot
read a p99 20 to 70 % lower than 2 processes of 4 threads, whose threads take turns on the process's one
interpreter lock, at as many requests a second or more (but the car-park list, the cheapest: 8 % fewer).

The queue worker answers with `Connection: close`: each request comes on a new connection, which the
reverse proxy in front of production opens to gunicorn anyway (it keeps the phones' connections). As
the one queue hands each connection to whichever process is free first, no client is stuck behind a
busy process. A client that connects and says nothing (a browser's speculative connection) would hold
a process until it spoke: the kernel keeps such a connection out of the queue until its first bytes
arrive (Linux's TCP_DEFER_ACCEPT, up to `DEFER_ACCEPT_SECONDS`), and past that the worker waits
`FIRST_BYTES_SECONDS` for them before closing it.

gthread (`WEB_THREADS` above 1): gunicorn's workers share one listening socket and whichever wakes first
accepts; a kept-alive connection then stays with that worker. Eight clients that keep their connections
could land 8/0 on two workers, one CPU serving them while the other idled (3 runs in 16 at half the
throughput). `BalancedThreadWorker` keeps a connection alive while it holds no more connections than it
has threads; above that, the answer closes the connection ("Connection: close"), and the client's next
connection is accepted by whichever worker is free first. Eight clients on two workers of four threads
settle at 4/4 within a few requests and keep their connections from then on.
"""

import select
import socket
import sys
import time

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker
from gunicorn.workers.sync import SyncWorker

# How often a process answering at length (a streamed export) tells gunicorn's arbiter it is alive: the
# arbiter ends a process silent for --timeout seconds (30).
HEARTBEAT_SECONDS = 1.0

# How long the kernel keeps a connection that has sent nothing out of the accept queue, then how long a
# worker that accepted it waits for its first bytes: a real client sends its request as it connects.
DEFER_ACCEPT_SECONDS = 30
FIRST_BYTES_SECONDS = 5


class QueueWorker(SyncWorker):
    """gunicorn's sync worker: one request at a time, each connection taken from the listening socket's
    one queue by whichever process is free; connections that say nothing do not hold a process."""

    def init_process(self):
        for listener in self.sockets:
            if listener.FAMILY in (socket.AF_INET, socket.AF_INET6) and hasattr(socket, "TCP_DEFER_ACCEPT"):
                listener.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, DEFER_ACCEPT_SECONDS)
        super().init_process()

    def accept(self, listener):
        client, addr = listener.accept()
        ready, _, _ = select.select([client], [], [], FIRST_BYTES_SECONDS)
        if not ready:  # connected and silent: closed, and the process goes back to the queue
            client.close()
            return
        client.setblocking(True)
        util.close_on_exec(client)
        self.handle(listener, client, addr)

    def load_wsgi(self):
        super().load_wsgi()
        self.wsgi = beating(self.wsgi, self.notify)


class _Beating:
    """An answer's chunks, telling the arbiter at most every HEARTBEAT_SECONDS that the process is alive."""

    def __init__(self, chunks, notify):
        self.chunks, self.notify = chunks, notify

    def __iter__(self):
        last = time.monotonic()
        for chunk in self.chunks:
            now = time.monotonic()
            if now - last >= HEARTBEAT_SECONDS:
                self.notify()
                last = now
            yield chunk

    def close(self):
        if hasattr(self.chunks, "close"):
            self.chunks.close()


def beating(application, notify):
    """`application`, whose answers keep the process alive in the arbiter's eyes while they are written:
    the sync worker tells it only between requests, and would be ended in the middle of an export
    streamed for longer than --timeout. A file answer (sent by the kernel) is left as it is."""

    def answer(environ, start_response):
        chunks = application(environ, start_response)
        wrapper = environ.get("wsgi.file_wrapper")
        if wrapper is not None and isinstance(chunks, wrapper):
            return chunks
        return _Beating(chunks, notify)

    return answer


class BalancedThreadWorker(ThreadWorker):
    """gthread, with keep-alive only while the worker holds at most one connection per thread."""

    def handle_request(self, req, conn):
        # nr_conns is counted by the worker's main thread; read here between two of its updates, it is
        # at most one connection off, which only delays the spreading by a request.
        if self.nr_conns > self.cfg.threads:
            req.must_close = True  # gunicorn answers with "Connection: close" and closes after it
        return super().handle_request(req, conn)


def gunicorn_command(*, host: str, port: int, workers: int, threads: int, keepalive: int) -> list[str]:
    """The web process's command line: gunicorn running citypocket.wsgi with `workers` processes, each
    answering one request at a time (threads=1, QueueWorker) or with `threads` threads keeping
    connections alive for `keepalive` seconds (BalancedThreadWorker; 0 closes each)."""
    if threads > 1:
        model = ["--worker-class", "citypocket.core.serverworker.BalancedThreadWorker", "--threads", str(threads),
                 "--keep-alive", str(keepalive)]
    else:
        model = ["--worker-class", "citypocket.core.serverworker.QueueWorker"]
    return [
        sys.executable, "-m", "gunicorn", "citypocket.wsgi:application", "--bind", f"{host}:{port}",
        "--workers", str(workers), *model, "--graceful-timeout", "5", "--error-logfile", "-",
        # The longest request line gunicorn reads; core.guards answers longer than 4096 with a 414 problem.
        "--limit-request-line", "8190",
        # No access log and no client address in gunicorn's own lines (core/serverlog.py).
        "--logger-class", "citypocket.core.serverlog.AddressFreeLogger",
    ]
