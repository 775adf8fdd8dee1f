"""What every command shares: the root Typer app, the console, errors and progress bars."""

from __future__ import annotations

import signal
import threading

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

app = typer.Typer(
    help="crimegraph: entity resolution and a POLE knowledge graph behind a crime map.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console(stderr=True)


def stop_cleanly() -> None:
    """The first Ctrl-C or SIGTERM interrupts the command where it is (every stage writes
    in whole transactions, so what it finished is kept and a rerun does the rest) and it
    exits 130 with a line saying so, no traceback; a second one ends the process at once. `serve`
    and `demo` hand both signals to uvicorn, which finishes the requests in flight."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupt_once)


# Set by the first signal: whatever error the interrupt surfaces as then (DuckDB turns it
# into "Query interrupted") is the stop the user asked for, not a failure to show.
interrupted = threading.Event()


def _interrupt_once(signum: int, _frame: object) -> None:
    interrupted.set()
    for each in (signal.SIGINT, signal.SIGTERM):
        signal.signal(each, signal.SIG_DFL)
    raise KeyboardInterrupt


def fail(message: str) -> typer.Exit:
    """Print a one-line error and return the exit to raise (exit code 1)."""
    console.print(f"[red]error:[/red] {message}", soft_wrap=True, highlight=False)
    return typer.Exit(code=1)


def progress_bar() -> Progress:
    """A progress bar on stderr, so stdout stays clean for data."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
