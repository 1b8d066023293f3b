"""gunicorn's worker for CityPocket: gthread, keeping connections alive only up to one per thread.

gunicorn's workers share one listening socket and whichever wakes first accepts; a kept-alive
connection then stays with that worker. Eight clients that keep their connections could land 8/0 on
two workers, one CPU serving them while the other idled (docs/operations.md, "Serving": 3 runs in 16
at half the throughput). Closing every connection after its answer spreads the requests, but each
then pays a new connection (the car-park list: 2 200 req/s without keep-alive, 2 800 with).

This worker keeps a connection alive while it holds no more connections than it has threads; above
that, the answer closes the connection ("Connection: close"), and the client's next connection is
accepted by whichever worker is free first. Eight clients on two workers of four threads settle at
4/4 within a few requests and keep their connections from then on; a crowd of clients keeps one
connection per thread alive on each worker, the rest connecting anew for each request as before.
"""

from gunicorn.workers.gthread import ThreadWorker


class BalancedThreadWorker(ThreadWorker):
    """gthread, with keep-alive only while the worker holds at most one connection per thread."""

    def handle_request(self, req, conn):
        # nr_conns is counted by the worker's main thread; read here between two of its updates, it is
        # at most one connection off, which only delays the spreading by a request.
        if self.nr_conns > self.cfg.threads:
            req.must_close = True  # gunicorn answers with "Connection: close" and closes after it
        return super().handle_request(req, conn)
