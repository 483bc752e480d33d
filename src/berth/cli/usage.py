"""docker-worded usage errors and argument-count rules.

docker checks positional arguments itself (cobra ``Args``) and words the failure as
``docker: 'docker tag' requires 2 arguments`` + usage + a hint, exit 1; an unknown flag
is ``unknown flag: --foo`` with exit 125.  berth says ``berth`` where docker names itself.
"""

from __future__ import annotations

PROG = "berth"


class CLIError(Exception):
    """An error to print on stderr with an exit status (docker's StatusError)."""

    def __init__(self, message: str, status: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def usage_block(usage: str, cmd_path: str, hint: str = "Run") -> str:
    return f"\n\nUsage:  {usage}\n\n{hint} '{cmd_path} --help' for more information"


def arg_error(cmd_path: str, usage: str, requirement: str, hint: str = "Run") -> CLIError:
    """``berth: 'berth tag' requires 2 arguments`` + usage, exit 1 (cobra says "See"
    after a minimum-count failure and "Run" otherwise)."""
    return CLIError(f"{PROG}: '{cmd_path}' {requirement}" + usage_block(usage, cmd_path, hint),
                    1)


def _plural(n: int) -> str:
    return f"{n} argument" + ("" if n == 1 else "s")


def check_args(args: tuple[str, ...], cmd_path: str, usage: str,
               exact: int | None = None, min: int | None = None,
               max: int | None = None) -> None:
    """Apply cobra's ExactArgs / RequiresMinArgs / RequiresMaxArgs / NoArgs rules."""
    n = len(args)
    if exact is not None and n != exact:
        raise arg_error(cmd_path, usage, f"requires {_plural(exact)}")
    if min is not None and n < min:
        raise arg_error(cmd_path, usage, f"requires at least {_plural(min)}", hint="See")
    if max is not None and n > max:
        if max == 0:
            raise arg_error(cmd_path, usage, "accepts no arguments")
        raise arg_error(cmd_path, usage, f"requires at most {_plural(max)}")


def flag_error(message: str, cmd_path: str, usage: str) -> CLIError:
    """Bad flag (unknown, missing value, invalid): message + usage, exit 125."""
    return CLIError(message + usage_block(usage, cmd_path), 125)
