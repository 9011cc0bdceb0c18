"""The Dask cluster the batch grades on: a local cluster with one worker process per core, or the cluster at
``--scheduler``, always with credentials (README, "Grading a large class")."""

import contextlib
import logging
import os
import threading
import warnings
from concurrent.futures import Future

from . import worker


def security(scheduler=None):
    """The credentials of the cluster: temporary ones for a local cluster, else those of Dask's configuration
    (``distributed.comm.tls.*``), which a ``tls://`` scheduler needs (README)."""
    from distributed.security import Security

    if scheduler is None:
        return Security.temporary()
    if not scheduler.startswith("tls://"):
        raise SystemExit(f"--scheduler {scheduler}: use a tls:// address with certificates (README, 'Grading a "
                         "large class'); a plain tcp:// scheduler runs whatever anyone who reaches it sends")
    found = Security()
    if not found.tls_client_cert:
        raise SystemExit("--scheduler: no client certificate in Dask's configuration (set "
                         "DASK_DISTRIBUTED__COMM__TLS__CA_FILE and DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT, README)")
    return found


@contextlib.contextmanager
def client(workers=None, scheduler=None, credentials=None):
    """A dask.distributed Client: on the cluster at ``scheduler``, or on a new LocalCluster, with ``credentials``
    (a distributed ``Security``; by default ``security(scheduler)``)."""
    import dask
    from distributed import Client, LocalCluster

    for name in ("distributed", "tornado", "asyncio"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module="distributed")
    credentials = credentials or security(scheduler)
    if scheduler:
        with Client(scheduler, timeout="30s", security=credentials) as remote:
            yield remote
        return
    # one task per worker at a time: a second one queued on a busy worker would wait for the first
    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0}), \
            LocalCluster(n_workers=workers or os.cpu_count(), threads_per_worker=1, processes=True,
                         host="127.0.0.1", dashboard_address=None, silence_logs=logging.CRITICAL,
                         security=credentials) as cluster, Client(cluster, security=credentials) as local:
        local.register_plugin(worker.Quiet())
        yield local


@contextlib.contextmanager
def starting(workers=None, scheduler=None, credentials=None):
    """``client(...)`` entered in a thread of its own, so that the cluster starts while the caller works: yields a
    future of the client; the cluster stops, in that thread, when the block ends."""
    given, done = Future(), threading.Event()

    def hold():
        try:
            with client(workers, scheduler, credentials) as started:
                given.set_result(started)
                done.wait()
        except BaseException as exc:  # a SystemExit too (no credentials): the caller raises it
            if not given.done():
                given.set_exception(exc)

    thread = threading.Thread(target=hold, name="cluster", daemon=True)
    thread.start()
    try:
        yield given
    finally:
        done.set()
        thread.join()
