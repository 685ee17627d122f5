"""The embedded practice exchange (kcterm.sim): a child process of kcterm by default.

In its own process the exchange's matching and market simulation share neither the GIL nor the
cyclic garbage collector with the window, so a fast simulated market cannot cost frames, and
the app runs with Python's collector on (an exchange thread allocating heavily made the
collector free Qt objects on the wrong thread: see tests/conftest.py). Client and exchange
meet only over loopback either way.

How parent and child talk (a plain `subprocess`, not multiprocessing: nothing of the app's
`__main__` is imported again in the child, no resource-tracker process is started, and the
frozen app runs the same command through packaging/launch.py). The app's practice start on
Linux forks instead (launch(fork=True), when can_fork(): one thread, no Qt yet): the child is
then the app's process as it was once asyncio and aiohttp were imported, and boots on a third
of the CPU a new interpreter needs (issue 14); it talks over the same three streams:

- stdin: the parent writes the pickled SimConfig (and where to log), then keeps the pipe open.
  Its end-of-file, when stop() closes it or when the parent dies however it dies (a kill -9
  included: the OS closes the parent's descriptors), stops the child gracefully, which saves
  the practice state as the thread mode always did. This works the same on Linux, macOS and
  Windows, where terminate() cannot be caught.
- stdout: one JSON line, the URLs once it listens (the child chose the port: port=0) or the
  reason it could not start, which start() raises in the parent.
- stderr: a temporary file; only what bypasses logging (a crash before logging is set up)
  lands there. Its tail goes into a start failure, and what is left is logged at stop.
- logs: the child writes `kcterm-sim.log` (rotating, 0600, secrets redacted) beside the app's
  `kcterm.log`; with no app log file (tests), into stderr above, relayed to this process's log
  at stop.

`EmbeddedExchange(config, in_process=True)` keeps the older mode: the exchange on a thread and
event loop of this process, reachable through `exchange` and `call()` (tests that step the
market or switch drills from inside).
"""

from __future__ import annotations

import contextlib
import gc
import json
import logging
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, TypeVar

from kcterm.private_files import private_file
from kcterm.sim.config import SimConfig

# asyncio is imported where it is used: the app launches this child (prelaunch_practice)
# before asyncio is loaded, some 13 ms of CPU sooner at the start (issue 14).
if TYPE_CHECKING:  # the exchange itself is imported where it runs: the child, or thread mode
    import asyncio

    from kcterm.sim.server import SimExchange

log = logging.getLogger("kcterm.embedded")

T = TypeVar("T")
CHILD_FLAG = "--embedded-exchange-child"  # how the frozen app is told to be the child
SIM_LOG_FILE = "kcterm-sim.log"
_STDERR_TAIL = 2000  # characters of the child's stderr quoted in a start failure


class EmbeddedExchange:
    def __init__(
        self,
        config: SimConfig | None = None,
        *,
        in_process: bool = False,
        log_dir: Path | None = None,
    ) -> None:
        self._config = config or SimConfig()
        self.in_process = in_process
        self._log_dir = log_dir
        self._base_url = ""
        self.ws_url = ""
        # thread mode
        self._exchange: SimExchange | None = None
        if in_process:
            from kcterm.sim.server import SimExchange

            self._exchange = SimExchange(self._config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._started = threading.Event()
        self._error: BaseException | None = None
        # process mode
        self._proc: subprocess.Popen[bytes] | ForkedChild | None = None
        self._stderr: IO[bytes] | None = None

    @property
    def config(self) -> SimConfig:
        return self._config

    @property
    def base_url(self) -> str:
        return self._base_url

    @property
    def exchange(self) -> SimExchange:
        """The exchange object itself: there is one in this process only in thread mode."""
        if self._exchange is None:
            raise RuntimeError("the exchange runs in a child process; use in_process=True")
        return self._exchange

    @property
    def pid(self) -> int | None:
        """The process the exchange runs in (this one in thread mode; None before start)."""
        if self.in_process:
            return os.getpid()
        return self._proc.pid if self._proc is not None else None

    @property
    def running(self) -> bool:
        if self.in_process:
            return self._loop is not None
        return self._proc is not None and self._proc.poll() is None

    def start(self, timeout: float = 30.0) -> str:
        """Start the exchange and return its REST base URL once it listens."""
        if self.in_process:
            self._private_state()
            self._start_thread(timeout)
        else:
            self.launch()
            self.wait_ready(timeout)
        log.info("embedded exchange listening at %s (pid %s)", self.base_url, self.pid)
        return self.base_url

    def stop(self, timeout: float = 10.0) -> None:
        if self.in_process:
            self._stop_thread(timeout)
        else:
            self._stop_process(timeout)

    def call(self, coro_factory: Callable[[], Awaitable[T]], timeout: float = 10.0) -> T:
        """Run a coroutine on the exchange loop from another thread (tests and drills)."""
        import asyncio

        if self._loop is None:
            raise RuntimeError("call() needs a started EmbeddedExchange(..., in_process=True)")

        async def run() -> T:
            return await coro_factory()

        return asyncio.run_coroutine_threadsafe(run(), self._loop).result(timeout)

    def _private_state(self) -> None:
        if self.config.state_path is not None:
            # The practice account's history is private too: 0600 before SQLite opens it.
            private_file(self.config.state_path)

    # -- process mode --------------------------------------------------------------------------

    def launch(self, *, fork: bool = False) -> None:
        """Start the child and hand it its configuration; wait_ready() waits for its port. Two
        steps, so that a caller may do other work while the child imports and binds.

        `fork` (the app's practice start, where can_fork() says it is safe): the child is a
        fork of this process made once asyncio and aiohttp are imported here, which the app
        needs anyway, instead of a new interpreter importing them again: the child then boots
        on ~70 ms of CPU instead of ~200, which the app's own start would share the machine
        with (issue 14). It talks to its parent the same way (its stdin, stdout and stderr)."""
        if self.in_process or self._proc is not None:
            raise RuntimeError("launch() is for a process-mode exchange not yet launched")
        self._private_state()
        self._stderr = tempfile.TemporaryFile()
        if fork:
            self._proc = _fork_child(self._stderr)
        else:
            env = dict(os.environ)
            env["PYTHONUNBUFFERED"] = "1"
            self._proc = subprocess.Popen(
                child_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=env,
            )
        payload = {
            "config": self._config,
            "log_level": logging.getLogger().getEffectiveLevel(),
            "log_dir": str(self._log_dir or app_log_dir() or "") or None,
        }
        assert self._proc.stdin is not None
        try:
            self._proc.stdin.write(pickle.dumps(payload))
            self._proc.stdin.flush()  # and left open: its end-of-file stops the child
        except OSError:
            pass  # the child died at once: wait_ready() reports why

    def wait_ready(self, timeout: float = 30.0) -> str:
        """Block until the launched child listens; its base URL, or its reason raised."""
        proc = self._proc
        if proc is None or proc.stdout is None:
            raise RuntimeError("wait_ready() before launch()")
        box: list[bytes] = []
        reader = self._read_first_line(proc.stdout, box.append)
        reader.join(timeout)
        return self._ready(box[0] if box else None, timeout)

    async def start_async(self, timeout: float = 30.0) -> str:
        """start() for a coroutine: the event loop (a progress bar) runs while the child boots."""
        import asyncio

        if self.in_process:
            return self.start(timeout)
        if self._proc is None:
            self.launch()
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        loop = asyncio.get_running_loop()
        first: asyncio.Future[bytes] = loop.create_future()

        def settle(line: bytes) -> None:
            if not first.done():  # a timed-out wait cancelled it
                first.set_result(line)

        def deliver(line: bytes) -> None:
            loop.call_soon_threadsafe(settle, line)

        self._read_first_line(proc.stdout, deliver)
        line: bytes | None = None
        try:
            line = await asyncio.wait_for(first, timeout)
        except TimeoutError:
            pass  # _ready() says so
        except BaseException:  # cancelled while it boots: no child outlives the attempt
            self._stop_process(timeout=5.0, quiet=True)
            raise
        self._ready(line, timeout)
        log.info("embedded exchange listening at %s (pid %s)", self.base_url, self.pid)
        return self.base_url

    @staticmethod
    def _read_first_line(stream: IO[bytes], deliver: Callable[[bytes], None]) -> threading.Thread:
        # A pipe cannot be waited on portably (Windows has no select() on pipes), so a
        # short-lived thread reads the one line; it ends with the line or the child's exit.
        reader = threading.Thread(
            target=lambda: deliver(stream.readline()), name="kcterm-sim-start", daemon=True
        )
        reader.start()
        return reader

    def _ready(self, raw: bytes | None, timeout: float) -> str:
        proc = self._proc
        assert proc is not None and proc.stdout is not None
        line = raw.decode("utf-8", "replace").strip() if raw is not None else None
        report: dict[str, Any] = {}
        with contextlib.suppress(ValueError, TypeError):
            report = json.loads(line or "")
        if "base_url" in report:
            proc.stdout.close()  # the child writes this one line only
            self._base_url, self.ws_url = report["base_url"], report["ws_url"]
            return self._base_url
        if raw is None:
            why = f"did not report its port within {timeout:g} s"
        elif report.get("error"):
            why = f"failed to start: {report['error']}"
        else:
            why = "exited before it listened"
        self._stop_process(timeout=5.0, quiet=True)
        if raw is not None and not report.get("error"):
            why += f" (exit code {proc.returncode})"
        tail = self._take_stderr()[-_STDERR_TAIL:].strip()
        raise RuntimeError(f"the embedded exchange {why}" + (f"\n{tail}" if tail else ""))

    def _stop_process(self, timeout: float, quiet: bool = False) -> None:
        proc = self._proc
        if proc is None:
            return
        self._proc = None
        if proc.stdin is not None:
            with contextlib.suppress(OSError):
                proc.stdin.close()  # end-of-file: the child saves its state and exits
        try:
            code = proc.wait(timeout)
        except subprocess.TimeoutExpired:
            log.warning(
                "embedded exchange (pid %s) did not stop in %g s: terminating", proc.pid, timeout
            )
            proc.terminate()
            try:
                code = proc.wait(5.0)
            except subprocess.TimeoutExpired:
                proc.kill()
                code = proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()  # after the exit: a start reader still in readline() has ended
        if not quiet:
            left = self._take_stderr().strip()
            if left:
                log.info("embedded exchange output:\n%s", left)
            if code != 0:
                log.warning("embedded exchange (pid %s) exited with code %s", proc.pid, code)
            else:
                log.info("embedded exchange (pid %s) stopped", proc.pid)
        self._base_url = ""

    def _take_stderr(self) -> str:
        err, self._stderr = self._stderr, None
        if err is None:
            return ""
        with err:
            err.seek(0)
            return err.read().decode("utf-8", "replace")

    # -- thread mode ---------------------------------------------------------------------------

    def _start_thread(self, timeout: float) -> None:
        self._thread = threading.Thread(target=self._run, name="kcterm-sim", daemon=True)
        self._thread.start()
        if not self._started.wait(timeout):
            raise RuntimeError("the embedded exchange did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the embedded exchange failed to start: {self._error}")
        self._base_url, self.ws_url = self.exchange.base_url, self.exchange.ws_url

    def _stop_thread(self, timeout: float) -> None:
        import asyncio

        loop = self._loop
        if loop is None or self._thread is None:
            return
        future = asyncio.run_coroutine_threadsafe(self.exchange.stop(), loop)
        try:
            future.result(timeout)
        except Exception:
            log.exception("embedded exchange did not stop cleanly")
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(timeout)
        self._loop = None

    def _run(self) -> None:
        import asyncio

        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(self.exchange.start())
        except BaseException as exc:  # reported to start(), which raises it in the caller
            self._error = exc
            self._started.set()
            return
        self._loop = loop
        self._started.set()
        try:
            loop.run_forever()
        finally:
            loop.close()


def can_fork() -> bool:
    """Whether launch(fork=True) is safe here: Linux (macOS forbids a fork that goes on running
    its system frameworks; Windows has no fork), and this process runs one thread and has not
    loaded Qt (a fork copies the calling thread only, and Qt's state is not the child's)."""
    if not (sys.platform.startswith("linux") and hasattr(os, "fork")):
        return False
    try:
        threads = len(os.listdir("/proc/self/task"))  # native threads too, not only Python's
    except OSError:
        return False
    return threads == 1 and not any(name.startswith("PySide6.Qt") for name in sys.modules)


class ForkedChild:
    """What EmbeddedExchange uses of a subprocess.Popen, for a child made by os.fork()."""

    def __init__(self, pid: int, stdin: IO[bytes], stdout: IO[bytes]) -> None:
        self.pid = pid
        self.stdin: IO[bytes] | None = stdin
        self.stdout: IO[bytes] | None = stdout
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                pid, status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:  # reaped elsewhere: it has exited, how is not known
                self.returncode = -1
                return self.returncode
            if pid == self.pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = 0.001
        while (code := self.poll()) is None:
            if deadline is not None and time.monotonic() >= deadline:
                raise subprocess.TimeoutExpired([f"pid {self.pid}"], timeout or 0.0)
            time.sleep(pause)
            pause = min(pause * 2, 0.05)
        return code

    def terminate(self) -> None:
        self._signal(signal.SIGTERM)

    def kill(self) -> None:
        self._signal(signal.SIGKILL)

    def _signal(self, number: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, number)


def _fork_child(stderr: IO[bytes]) -> ForkedChild:
    """Fork the exchange's child: it runs child_main() on the pipes as its stdin and stdout and
    `stderr` as its stderr, then exits (os._exit: never back into the caller's code)."""
    import asyncio  # noqa: F401  (what the child needs and the app imports anyway: once)

    import aiohttp  # noqa: F401

    stdin_r, stdin_w = os.pipe()
    stdout_r, stdout_w = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here is written twice
        with contextlib.suppress(Exception):
            stream.flush()
    pid = os.fork()
    if pid == 0:  # the child
        code = 1
        try:
            os.dup2(stdin_r, 0)
            os.dup2(stdout_w, 1)
            os.dup2(stderr.fileno(), 2)
            for fd in (stdin_r, stdin_w, stdout_r, stdout_w):
                os.close(fd)  # the parent's ends too: its exit must be this stdin's end-of-file
            sys.stdin = open(0, closefd=False)
            sys.stdout = open(1, "w", buffering=1, closefd=False)
            sys.stderr = open(2, "w", buffering=1, closefd=False)
            root = logging.getLogger()
            for handler in root.handlers[:]:  # the app's log file is the app's, not the child's
                root.removeHandler(handler)
            code = child_main()
        except BaseException:
            with contextlib.suppress(Exception):
                import traceback

                traceback.print_exc()
        finally:
            with contextlib.suppress(Exception):
                for handler in logging.getLogger().handlers:
                    handler.flush()
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(code)
    os.close(stdin_r)
    os.close(stdout_w)
    return ForkedChild(pid, os.fdopen(stdin_w, "wb"), os.fdopen(stdout_r, "rb"))


def child_command() -> list[str]:
    """How to run the child: this interpreter on this module, or the frozen app with a flag
    (packaging/launch.py dispatches it)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_FLAG]
    return [sys.executable, "-m", "kcterm.embedded"]


def app_log_dir() -> Path | None:
    """The directory of the app's log file, if this process logs to one."""
    from kcterm.logging_setup import LOG_FILE

    for handler in logging.getLogger().handlers:
        name = getattr(handler, "baseFilename", None)
        if isinstance(handler, logging.FileHandler) and name and Path(name).name == LOG_FILE:
            return Path(name).parent
    return None


# -- the child's side ---------------------------------------------------------------------------


def child_main() -> int:
    """Run as `python -m kcterm.embedded` (or the frozen app with CHILD_FLAG) by launch()."""
    import asyncio

    # Ctrl-C in a terminal reaches the whole process group: the app decides when to stop, and
    # its pipe's end-of-file tells this child.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # No cyclic collection while it boots (the app waits for it): _serve turns it on.
    gc.disable()
    try:
        payload = pickle.load(sys.stdin.buffer)
        config: SimConfig = payload["config"]
        _child_logging(config, payload["log_level"], payload["log_dir"])
    except Exception as exc:
        _report({"error": f"bad configuration from the parent: {exc!r}"})
        return 2
    return asyncio.run(_serve(config))


def _child_logging(config: SimConfig, level: int, log_dir: str | None) -> None:
    from kcterm.logging_setup import (
        BACKUPS,
        FORMAT,
        MAX_BYTES,
        REDACTOR,
        PrivateRotatingFileHandler,
        RedactingFilter,
    )
    from kcterm.private_files import private_dir

    # The keys are demo ones for the practice profile, but a test or a user may pass others.
    REDACTOR.add(config.key, config.secret, config.passphrase)
    handler: logging.Handler
    if log_dir:
        path = private_dir(Path(log_dir)) / SIM_LOG_FILE
        handler = PrivateRotatingFileHandler(
            path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8"
        )
    else:
        handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter(FORMAT.replace("[%(threadName)s]", f"[pid {os.getpid()}]"))
    )
    handler.addFilter(RedactingFilter())
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("aiohttp", "websockets"):
        logging.getLogger(noisy).setLevel(max(level, logging.INFO))
    logging.captureWarnings(True)


@contextlib.contextmanager
def no_ca_certificates() -> Iterator[None]:
    """While inside, a default TLS context of this process trusts no certificate (OpenSSL reads
    SSL_CERT_FILE and SSL_CERT_DIR when a context loads its defaults; both point at nothing);
    the environment is as it was afterwards.

    For the child's import of the exchange server: aiohttp builds its two default *client*
    contexts when it is imported (aiohttp.connector, each loading the system's CA bundle: some
    30 ms of CPU apiece), and the exchange child, a plain-HTTP server on loopback, opens no
    TLS connection. Those two contexts then hold no CA: a verified TLS call from the child
    would be refused (fails closed), never made without verification."""
    saved = {name: os.environ.get(name) for name in ("SSL_CERT_FILE", "SSL_CERT_DIR")}
    os.environ["SSL_CERT_FILE"] = os.devnull
    os.environ["SSL_CERT_DIR"] = os.devnull
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _report(message: dict[str, Any]) -> None:
    # A parent that died while this child booted has closed the pipe: the child then still
    # stops the normal way (its stdin is at end-of-file too), saving what it loaded.
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.write(json.dumps(message) + "\n")
        sys.stdout.flush()


async def _serve(config: SimConfig) -> int:
    import asyncio

    child_log = logging.getLogger("kcterm.embedded.child")
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    with contextlib.suppress(NotImplementedError, AttributeError):  # Windows: no SIGTERM handler
        loop.add_signal_handler(signal.SIGTERM, stop.set)

    def watch_parent() -> None:
        # Returns at end-of-file: stop() closed the pipe, or the parent is gone.
        with contextlib.suppress(OSError, ValueError):
            sys.stdin.buffer.read()
        loop.call_soon_threadsafe(stop.set)

    threading.Thread(target=watch_parent, name="parent-watch", daemon=True).start()
    with no_ca_certificates():  # the app is starting too: it needs the CPU more (issue 14)
        from kcterm.sim.server import SimExchange

    exchange = SimExchange(config)
    try:
        base_url = await exchange.start()
    except Exception as exc:
        child_log.exception("the embedded exchange could not start")
        _report({"error": f"{type(exc).__name__}: {exc}"})
        with contextlib.suppress(Exception):
            await exchange.stop()
        return 1
    _report({"base_url": base_url, "ws_url": exchange.ws_url, "pid": os.getpid()})
    child_log.info("embedded exchange child (pid %s) listening at %s", os.getpid(), base_url)
    # While the app still loads its window: every contract's seeded history and 24 h figures,
    # which the app's first request (the contract list) would otherwise wait for.
    await asyncio.sleep(0)
    now_ms = exchange.clock.now_ms()
    for market in exchange.engine.markets.values():
        market.stats_24h(now_ms)
    gc.freeze()  # what the boot made lives as long as the exchange: no pass looks at it again
    gc.enable()
    try:
        await stop.wait()
    finally:
        await exchange.stop()  # saves the practice state (state_path), as the thread mode did
        child_log.info("embedded exchange child (pid %s) stopped", os.getpid())
    return 0


if __name__ == "__main__":
    raise SystemExit(child_main())
