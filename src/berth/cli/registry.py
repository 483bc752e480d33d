"""Command tables: which module and factory build each command, its usage and short help.

Each entry maps a command name to ``(module, factory, usage, short help)``; the factory
builds the click command for that name and usage (``images`` and ``image ls`` share one
factory). Plain data, no click: the fast path (``berth.cli.fast``) reads usage lines here.
"""

from __future__ import annotations

Entry = tuple[str, str, str, str]  # module, factory, usage, short help

_IMG = "berth.cli.commands.images"
_OPS = "berth.cli.commands.image_ops"
_XFER = "berth.cli.commands.transfer"
_INSP = "berth.cli.commands.inspect"
_SYS = "berth.cli.commands.system"
_RUN = "berth.cli.commands.run"

_LS = (_IMG, "make_images", "[OPTIONS] [REPOSITORY[:TAG]]", "List images")
_HIST = (_IMG, "make_history", "[OPTIONS] IMAGE", "Show the history of an image")
_TAG = (_OPS, "make_tag", "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
        "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE")
_RM = (_OPS, "make_rmi", "[OPTIONS] IMAGE [IMAGE...]", "Remove one or more images")
_SAVE = (_XFER, "make_save", "[OPTIONS] IMAGE [IMAGE...]",
         "Save one or more images to a tar archive (streamed to STDOUT by default)")
_LOAD = (_XFER, "make_load", "[OPTIONS]", "Load an image from a tar archive or STDIN")
_IMPORT = (_XFER, "make_import", "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
           "Import the contents from a tarball to create a filesystem image")
_INFO = (_SYS, "make_info", "[OPTIONS]", "Display system-wide information")

TOP_COMMANDS: dict[str, Entry] = {
    "images": _LS, "history": _HIST, "tag": _TAG, "rmi": _RM, "save": _SAVE,
    "load": _LOAD, "import": _IMPORT,
    "inspect": (_INSP, "make_inspect", "[OPTIONS] NAME|ID [NAME|ID...]",
                "Return low-level information on Docker objects"),
    "version": (_SYS, "make_version", "[OPTIONS]", "Show the Docker version information"),
    "info": _INFO,
}

_LC = "berth.cli.commands.lifecycle"
_EA = "berth.cli.commands.execattach"
_CM = "berth.cli.commands.ctrmisc"
_PS = ("berth.cli.commands.ps", "make_ps", "[OPTIONS]", "List containers")
CONTAINER_COMMANDS: dict[str, Entry] = {
    "run": (_RUN, "make_run", "[OPTIONS] IMAGE [COMMAND] [ARG...]",
            "Create and run a new container from an image"),
    "create": (_RUN, "make_create", "[OPTIONS] IMAGE [COMMAND] [ARG...]",
               "Create a new container"),
    "start": (_LC, "make_start", "[OPTIONS] CONTAINER [CONTAINER...]",
              "Start one or more stopped containers"),
    "stop": (_LC, "make_stop", "[OPTIONS] CONTAINER [CONTAINER...]",
             "Stop one or more running containers"),
    "restart": (_LC, "make_restart", "[OPTIONS] CONTAINER [CONTAINER...]",
                "Restart one or more containers"),
    "kill": (_LC, "make_kill", "[OPTIONS] CONTAINER [CONTAINER...]",
             "Kill one or more running containers"),
    "rm": (_LC, "make_rm", "[OPTIONS] CONTAINER [CONTAINER...]",
           "Remove one or more containers"),
    "pause": (_LC, "make_pause", "CONTAINER [CONTAINER...]",
              "Pause all processes within one or more containers"),
    "unpause": (_LC, "make_unpause", "CONTAINER [CONTAINER...]",
                "Unpause all processes within one or more containers"),
    "wait": (_LC, "make_wait", "CONTAINER [CONTAINER...]",
             "Block until one or more containers stop, then print their exit codes"),
    "rename": (_LC, "make_rename", "CONTAINER NEW_NAME", "Rename a container"),
    "logs": (_EA, "make_logs", "[OPTIONS] CONTAINER", "Fetch the logs of a container"),
    "exec": (_EA, "make_exec", "[OPTIONS] CONTAINER COMMAND [ARG...]",
             "Execute a command in a running container"),
    "attach": (_EA, "make_attach", "[OPTIONS] CONTAINER",
               "Attach local standard input, output, and error streams to a running "
               "container"),
    "top": (_CM, "make_top", "CONTAINER [ps OPTIONS]",
            "Display the running processes of a container"),
    "port": (_CM, "make_port", "CONTAINER [PRIVATE_PORT[/PROTO]]",
             "List port mappings or a specific mapping for the container"),
    "diff": (_CM, "make_diff", "CONTAINER",
             "Inspect changes to files or directories on a container's filesystem"),
    "export": (_CM, "make_export", "[OPTIONS] CONTAINER",
               "Export a container's filesystem as a tar archive"),
    "commit": (_CM, "make_commit", "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
               "Create a new image from a container's changes"),
    "update": (_CM, "make_update", "[OPTIONS] CONTAINER [CONTAINER...]",
               "Update configuration of one or more containers"),
    "stats": (_CM, "make_stats", "[OPTIONS] [CONTAINER...]",
              "Display a live stream of container(s) resource usage statistics"),
    "cp": ("berth.cli.commands.cp", "make_cp",
           "[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tberth cp [OPTIONS] SRC_PATH|- "
           "CONTAINER:DEST_PATH",
           "Copy files/folders between a container and the local filesystem"),
}
for _k in ("run", "create", "start", "stop", "restart", "kill", "rm", "pause", "unpause",
           "wait", "rename", "logs", "exec", "attach", "top", "port", "diff", "export",
           "commit", "update", "stats", "cp"):
    TOP_COMMANDS[_k] = CONTAINER_COMMANDS[_k]
TOP_COMMANDS["ps"] = _PS
TOP_COMMANDS["events"] = (_CM, "make_events", "[OPTIONS]", "Get real time events from the server")
CONTAINER_COMMANDS.update({
    "ls": _PS, "list": _PS, "ps": _PS,
    "inspect": (_INSP, "make_container_inspect", "[OPTIONS] CONTAINER [CONTAINER...]",
                "Display detailed information on one or more containers"),
    "prune": (_CM, "make_prune", "[OPTIONS]", "Remove all stopped containers"),
    "remove": CONTAINER_COMMANDS["rm"],
})

IMAGE_COMMANDS: dict[str, Entry] = {
    "ls": _LS, "list": _LS, "history": _HIST, "tag": _TAG, "rm": _RM, "remove": _RM,
    "rmi": _RM, "save": _SAVE, "load": _LOAD, "import": _IMPORT,
    "inspect": (_INSP, "make_image_inspect", "[OPTIONS] IMAGE [IMAGE...]",
                "Display detailed information on one or more images"),
    "prune": (_OPS, "make_prune", "[OPTIONS]", "Remove unused images"),
}
HIDDEN_ALIASES = {"list", "remove", "rmi", "ps"}

_NET = "berth.cli.commands.network"
_NET_RM = (_NET, "make_rm", "NETWORK [NETWORK...]", "Remove one or more networks")
_NET_LS = (_NET, "make_ls", "[OPTIONS]", "List networks")
NETWORK_COMMANDS: dict[str, Entry] = {
    "connect": (_NET, "make_connect", "[OPTIONS] NETWORK CONTAINER",
                "Connect a container to a network"),
    "create": (_NET, "make_create", "[OPTIONS] NETWORK", "Create a network"),
    "disconnect": (_NET, "make_disconnect", "[OPTIONS] NETWORK CONTAINER",
                   "Disconnect a container from a network"),
    "inspect": (_NET, "make_inspect", "[OPTIONS] NETWORK [NETWORK...]",
                "Display detailed information on one or more networks"),
    "ls": _NET_LS, "list": _NET_LS,
    "prune": (_NET, "make_prune", "[OPTIONS]", "Remove all unused networks"),
    "rm": _NET_RM, "remove": _NET_RM,
}

SYSTEM_COMMANDS: dict[str, Entry] = {
    "df": ("berth.cli.commands.df", "make_df", "[OPTIONS]", "Show docker disk usage"),
    "info": _INFO,
}

_VOL = "berth.cli.commands.volume"
_VLS = (_VOL, "make_ls", "[OPTIONS]", "List volumes")
_VRM = (_VOL, "make_rm", "[OPTIONS] VOLUME [VOLUME...]", "Remove one or more volumes")
VOLUME_COMMANDS: dict[str, Entry] = {
    "create": (_VOL, "make_create", "[OPTIONS] [VOLUME]", "Create a volume"),
    "ls": _VLS, "list": _VLS, "rm": _VRM, "remove": _VRM,
    "inspect": (_VOL, "make_inspect", "[OPTIONS] VOLUME [VOLUME...]",
                "Display detailed information on one or more volumes"),
    "prune": (_VOL, "make_prune", "[OPTIONS]", "Remove unused local volumes"),
}
