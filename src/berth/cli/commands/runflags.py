"""The container-config flags ``run`` and ``create`` share, with docker's names and help.

Values stay strings here; ``containerspec`` converts them (sizes, durations, ports) and
words conversion errors as pflag does (``invalid argument "x" for "-m, --memory" flag``).
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is not imported at start-up
if TYPE_CHECKING:
    import click

# (declarations, kind, help); kind: "flag", "one" (single value) or "many" (repeatable)
SPEC: list[tuple[list[str], str, str]] = [
    (["--add-host"], "many", "Add a custom host-to-IP mapping (host:ip)"),
    (["-a", "--attach"], "many", "Attach to STDIN, STDOUT or STDERR"),
    (["--blkio-weight"], "one", "Block IO (relative weight), between 10 and 1000, or 0 "
                                "to disable (default 0)"),
    (["--cap-add"], "many", "Add Linux capabilities"),
    (["--cap-drop"], "many", "Drop Linux capabilities"),
    (["--cgroupns"], "one", "Cgroup namespace to use (host|private)"),
    (["--cidfile"], "one", "Write the container ID to the file"),
    (["--cpu-period"], "one", "Limit CPU CFS (Completely Fair Scheduler) period"),
    (["--cpu-quota"], "one", "Limit CPU CFS (Completely Fair Scheduler) quota"),
    (["-c", "--cpu-shares"], "one", "CPU shares (relative weight)"),
    (["--cpus"], "one", "Number of CPUs"),
    (["--cpuset-cpus"], "one", "CPUs in which to allow execution (0-3, 0,1)"),
    (["--cpuset-mems"], "one", "MEMs in which to allow execution (0-3, 0,1)"),
    (["--device"], "many", "Add a host device to the container"),
    (["--dns"], "many", "Set custom DNS servers"),
    (["--dns-option"], "many", "Set DNS options"),
    (["--dns-search"], "many", "Set custom DNS search domains"),
    (["--domainname"], "one", "Container NIS domain name"),
    (["--entrypoint"], "one", "Overwrite the default ENTRYPOINT of the image"),
    (["-e", "--env"], "many", "Set environment variables"),
    (["--env-file"], "many", "Read in a file of environment variables"),
    (["--expose"], "many", "Expose a port or a range of ports"),
    (["--group-add"], "many", "Add additional groups to join"),
    (["--health-cmd"], "one", "Command to run to check health"),
    (["--health-interval"], "one", "Time between running the check (ms|s|m|h) (default 0s)"),
    (["--health-retries"], "one", "Consecutive failures needed to report unhealthy"),
    (["--health-start-interval"], "one", "Time between running the check during the start "
                                         "period (ms|s|m|h) (default 0s)"),
    (["--health-start-period"], "one", "Start period for the container to initialize before "
                                       "starting health-retries countdown (ms|s|m|h) "
                                       "(default 0s)"),
    (["--health-timeout"], "one", "Maximum time to allow one check to run (ms|s|m|h) "
                                  "(default 0s)"),
    (["-h", "--hostname"], "one", "Container host name"),
    (["--init"], "flag", "Run an init inside the container that forwards signals and "
                         "reaps processes"),
    (["-i", "--interactive"], "flag", "Keep STDIN open even if not attached"),
    (["--ip"], "one", "IPv4 address (e.g., 172.30.100.104)"),
    (["--ip6"], "one", "IPv6 address (e.g., 2001:db8::33)"),
    (["--ipc"], "one", "IPC mode to use"),
    (["-l", "--label"], "many", "Set meta data on a container"),
    (["--label-file"], "many", "Read in a line delimited file of labels"),
    (["--link"], "many", "Add link to another container"),
    (["--link-local-ip"], "many", "Container IPv4/IPv6 link-local addresses"),
    (["--log-driver"], "one", "Logging driver for the container"),
    (["--log-opt"], "many", "Log driver options"),
    (["--mac-address"], "one", "Container MAC address (e.g., 92:d0:c6:0a:29:33)"),
    (["-m", "--memory"], "one", "Memory limit"),
    (["--memory-reservation"], "one", "Memory soft limit"),
    (["--memory-swap"], "one", "Swap limit equal to memory plus swap: '-1' to enable "
                               "unlimited swap"),
    (["--memory-swappiness"], "one", "Tune container memory swappiness (0 to 100) "
                                     "(default -1)"),
    (["--mount"], "many", "Attach a filesystem mount to the container"),
    (["--name"], "one", "Assign a name to the container"),
    (["--network", "--net"], "many", "Connect a container to a network"),
    (["--network-alias", "--net-alias"], "many", "Add network-scoped alias for the container"),
    (["--no-healthcheck"], "flag", "Disable any container-specified HEALTHCHECK"),
    (["--oom-kill-disable"], "flag", "Disable OOM Killer"),
    (["--oom-score-adj"], "one", "Tune host's OOM preferences (-1000 to 1000)"),
    (["--pid"], "one", "PID namespace to use"),
    (["--pids-limit"], "one", "Tune container pids limit (set -1 for unlimited)"),
    (["--platform"], "one", "Set platform if server is multi-platform capable"),
    (["--privileged"], "flag", "Give extended privileges to this container"),
    (["-p", "--publish"], "many", "Publish a container's port(s) to the host"),
    (["-P", "--publish-all"], "flag", "Publish all exposed ports to random ports"),
    (["--pull"], "one", 'Pull image before running ("always", "missing", "never")'),
    (["-q", "--quiet"], "flag", "Suppress the pull output"),
    (["--read-only"], "flag", "Mount the container's root filesystem as read only"),
    (["--restart"], "one", "Restart policy to apply when a container exits"),
    (["--rm"], "flag", "Automatically remove the container and its associated anonymous "
                       "volumes when it exits"),
    (["--security-opt"], "many", "Security Options"),
    (["--shm-size"], "one", "Size of /dev/shm"),
    (["--stop-signal"], "one", "Signal to stop the container"),
    (["--stop-timeout"], "one", "Timeout (in seconds) to stop a container"),
    (["--sysctl"], "many", "Sysctl options"),
    (["--tmpfs"], "many", "Mount a tmpfs directory"),
    (["-t", "--tty"], "flag", "Allocate a pseudo-TTY"),
    (["--ulimit"], "many", "Ulimit options"),
    (["-u", "--user"], "one", "Username or UID (format: <name|uid>[:<group|gid>])"),
    (["--userns"], "one", "User namespace to use"),
    (["--uts"], "one", "UTS namespace to use"),
    (["-v", "--volume"], "many", "Bind mount a volume"),
    (["--volume-driver"], "one", "Optional volume driver for the container"),
    (["--volumes-from"], "many", "Mount volumes from the specified container(s)"),
    (["-w", "--workdir"], "one", "Working directory inside the container"),
]

RUN_ONLY: list[tuple[list[str], str, str]] = [
    (["-d", "--detach"], "flag", "Run container in background and print container ID"),
    (["--detach-keys"], "one", "Override the key sequence for detaching a container"),
    (["--sig-proxy"], "one", "Proxy received signals to the process (default true)"),
]


def dest(decls: list[str]) -> str:
    """The parameter name click gives the flag (its long name, dashes → underscores)."""
    longs = [d for d in decls if d.startswith("--")]
    return longs[0][2:].replace("-", "_")


def options(run: bool) -> list[click.Parameter]:
    """click options for ``create`` (``run=False``) or ``run``."""
    import click  # only here: the fast path reads SPEC without click

    out: list[click.Parameter] = []
    for decls, kind, help in SPEC + (RUN_ONLY if run else []):
        name = dest(decls)
        if kind == "flag":
            out.append(click.Option([*decls, name], is_flag=True, default=False, help=help))
        else:
            out.append(click.Option([*decls, name], multiple=kind == "many",
                                    default=() if kind == "many" else None, help=help))
    return out
