"""Docker's default seccomp profile, as data, rendered for one container's capabilities.

The facts (which syscalls, which argument filters, which capability or architecture gates
them) follow moby's ``profiles/seccomp/default.json``; the layout here is berth's own: one
allow-list string and a table of gated rules. Everything not allowed fails with EPERM.
``clone3`` fails with ENOSYS instead (without CAP_SYS_ADMIN) so libc falls back to clone,
whose namespace flags are then filtered.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_ALLOW = """
accept accept4 access adjtimex alarm bind brk capget capset chdir chmod chown chown32
clock_adjtime clock_adjtime64 clock_getres clock_getres_time64 clock_gettime clock_gettime64
clock_nanosleep clock_nanosleep_time64 close close_range connect copy_file_range creat dup dup2
dup3 epoll_create epoll_create1 epoll_ctl epoll_ctl_old epoll_pwait epoll_pwait2 epoll_wait
epoll_wait_old eventfd eventfd2 execve execveat exit exit_group faccessat faccessat2 fadvise64
fadvise64_64 fallocate fanotify_mark fchdir fchmod fchmodat fchown fchown32 fchownat fcntl
fcntl64 fdatasync fgetxattr flistxattr flock fork fremovexattr fsetxattr fstat fstat64
fstatat64 fstatfs fstatfs64 fsync ftruncate ftruncate64 futex futex_time64 futex_waitv
futimesat getcpu getcwd getdents getdents64 getegid getegid32 geteuid geteuid32 getgid
getgid32 getgroups getgroups32 getitimer getpeername getpgid getpgrp getpid getppid
getpriority getrandom getresgid getresgid32 getresuid getresuid32 getrlimit get_robust_list
getrusage getsid getsockname getsockopt get_thread_area gettid gettimeofday getuid getuid32
getxattr inotify_add_watch inotify_init inotify_init1 inotify_rm_watch io_cancel ioctl
io_destroy io_getevents io_pgetevents io_pgetevents_time64 ioprio_get ioprio_set io_setup
io_submit io_uring_enter io_uring_register io_uring_setup ipc kill landlock_add_rule
landlock_create_ruleset landlock_restrict_self lchown lchown32 lgetxattr link linkat listen
listxattr llistxattr _llseek lremovexattr lseek lsetxattr lstat lstat64 madvise membarrier
memfd_create memfd_secret mincore mkdir mkdirat mknod mknodat mlock mlock2 mlockall mmap mmap2
mprotect mq_getsetattr mq_notify mq_open mq_timedreceive mq_timedreceive_time64 mq_timedsend
mq_timedsend_time64 mq_unlink mremap msgctl msgget msgrcv msgsnd msync munlock munlockall
munmap name_to_handle_at nanosleep newfstatat _newselect open openat openat2 pause pidfd_open
pidfd_send_signal pipe pipe2 pkey_alloc pkey_free pkey_mprotect poll ppoll ppoll_time64 prctl
pread64 preadv preadv2 prlimit64 process_mrelease pselect6 pselect6_time64 pwrite64 pwritev
pwritev2 read readahead readlink readlinkat readv recv recvfrom recvmmsg recvmmsg_time64
recvmsg remap_file_pages removexattr rename renameat renameat2 restart_syscall rmdir rseq
rt_sigaction rt_sigpending rt_sigprocmask rt_sigqueueinfo rt_sigreturn rt_sigsuspend
rt_sigtimedwait rt_sigtimedwait_time64 rt_tgsigqueueinfo sched_getaffinity sched_getattr
sched_getparam sched_get_priority_max sched_get_priority_min sched_getscheduler
sched_rr_get_interval sched_rr_get_interval_time64 sched_setaffinity sched_setattr
sched_setparam sched_setscheduler sched_yield seccomp select semctl semget semop semtimedop
semtimedop_time64 send sendfile sendfile64 sendmmsg sendmsg sendto setfsgid setfsgid32
setfsuid setfsuid32 setgid setgid32 setgroups setgroups32 setitimer setpgid setpriority
setregid setregid32 setresgid setresgid32 setresuid setresuid32 setreuid setreuid32 setrlimit
set_robust_list setsid setsockopt set_thread_area set_tid_address setuid setuid32 setxattr
shmat shmctl shmdt shmget shutdown sigaltstack signalfd signalfd4 sigprocmask sigreturn
socketcall socketpair splice stat stat64 statfs statfs64 statx symlink symlinkat sync
sync_file_range syncfs sysinfo tee tgkill time timer_create timer_delete timer_getoverrun
timer_gettime timer_gettime64 timer_settime timer_settime64 timerfd_create timerfd_gettime
timerfd_gettime64 timerfd_settime timerfd_settime64 times tkill truncate truncate64 ugetrlimit
umask uname unlink unlinkat utime utimensat utimensat_time64 utimes vfork vmsplice wait4
waitid waitpid write writev
cachestat fchmodat2 futex_requeue futex_wait futex_wake map_shadow_stack mseal listmount
statmount lsm_get_self_attr lsm_list_modules lsm_set_self_attr
""".split()  # noqa: SIM905 (one long list reads better as text)

# Namespace flags clone may not use without CAP_SYS_ADMIN: NEWNS|NEWUTS|NEWIPC|NEWUSER|
# NEWPID|NEWNET|NEWCGROUP; the rule allows clone when (flags & mask) == 0.
CLONE_NS_MASK = 0x7E020000


def _args(index: int, value: int, op: str = "SCMP_CMP_EQ") -> list[dict[str, Any]]:
    return [{"index": index, "value": value, "valueTwo": 0, "op": op}]


# (names, extra rule fields, gate). Gate keys: caps (all needed), arches (host must be one),
# min_kernel, not_caps (any present → skip), not_arches.
_GATED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("process_vm_readv process_vm_writev ptrace", {}, {"min_kernel": (4, 8)}),
    ("socket", {"args": _args(0, 40, "SCMP_CMP_NE")}, {}),  # everything but AF_VSOCK
    *[("personality", {"args": _args(0, v)}, {}) for v in (0, 8, 0x20000, 0x20008, 0xFFFFFFFF)],
    ("sync_file_range2 swapcontext", {}, {"arches": ["ppc64le"]}),
    ("arm_fadvise64_64 arm_sync_file_range sync_file_range2 breakpoint cacheflush set_tls", {},
     {"arches": ["arm", "arm64"]}),
    ("arch_prctl", {}, {"arches": ["amd64", "x32"]}),
    ("modify_ldt", {}, {"arches": ["amd64", "x32", "x86"]}),
    ("s390_pci_mmio_read s390_pci_mmio_write s390_runtime_instr", {},
     {"arches": ["s390", "s390x"]}),
    ("riscv_flush_icache", {}, {"arches": ["riscv64"]}),
    ("open_by_handle_at", {}, {"caps": ["CAP_DAC_READ_SEARCH"]}),
    ("bpf clone clone3 fanotify_init fsconfig fsmount fsopen fspick lookup_dcookie mount "
     "mount_setattr move_mount open_tree perf_event_open quotactl quotactl_fd setdomainname "
     "sethostname setns syslog umount umount2 unshare", {}, {"caps": ["CAP_SYS_ADMIN"]}),
    ("clone", {"args": _args(0, CLONE_NS_MASK, "SCMP_CMP_MASKED_EQ")},
     {"not_caps": ["CAP_SYS_ADMIN"], "not_arches": ["s390", "s390x"]}),
    ("clone", {"args": _args(1, CLONE_NS_MASK, "SCMP_CMP_MASKED_EQ")},  # s390 swaps args
     {"arches": ["s390", "s390x"], "not_caps": ["CAP_SYS_ADMIN"]}),
    ("clone3", {"action": "SCMP_ACT_ERRNO", "errnoRet": 38}, {"not_caps": ["CAP_SYS_ADMIN"]}),
    ("reboot", {}, {"caps": ["CAP_SYS_BOOT"]}),
    ("chroot", {}, {"caps": ["CAP_SYS_CHROOT"]}),
    ("delete_module init_module finit_module", {}, {"caps": ["CAP_SYS_MODULE"]}),
    ("acct", {}, {"caps": ["CAP_SYS_PACCT"]}),
    ("kcmp pidfd_getfd process_madvise process_vm_readv process_vm_writev ptrace", {},
     {"caps": ["CAP_SYS_PTRACE"]}),
    ("iopl ioperm", {}, {"caps": ["CAP_SYS_RAWIO"]}),
    ("settimeofday stime clock_settime clock_settime64", {}, {"caps": ["CAP_SYS_TIME"]}),
    ("vhangup", {}, {"caps": ["CAP_SYS_TTY_CONFIG"]}),
    ("get_mempolicy mbind set_mempolicy set_mempolicy_home_node", {},
     {"caps": ["CAP_SYS_NICE"]}),
    ("syslog", {}, {"caps": ["CAP_SYSLOG"]}),
    ("bpf", {}, {"caps": ["CAP_BPF"]}),
    ("perf_event_open", {}, {"caps": ["CAP_PERFMON"]}),
]

# Go-style arch name of the host → the seccomp architectures a container may use.
_GOARCH = {"x86_64": "amd64", "aarch64": "arm64", "i686": "x86", "i386": "x86",
           "armv7l": "arm", "s390x": "s390x", "ppc64le": "ppc64le", "riscv64": "riscv64",
           "mips64": "mips64"}
_ARCH_MAP = {"amd64": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
             "arm64": ["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], "arm": ["SCMP_ARCH_ARM"],
             "x86": ["SCMP_ARCH_X86"], "s390x": ["SCMP_ARCH_S390X", "SCMP_ARCH_S390"],
             "ppc64le": ["SCMP_ARCH_PPC64LE"], "riscv64": ["SCMP_ARCH_RISCV64"],
             "mips64": ["SCMP_ARCH_MIPS64", "SCMP_ARCH_MIPS", "SCMP_ARCH_MIPS64N32"]}


def _kernel(release: str) -> tuple[int, int]:
    major, _, rest = release.partition(".")
    minor = "".join(c for c in rest.split(".")[0] if c.isdigit())
    return int(major), int(minor or 0)


def _wanted(gate: dict[str, Any], caps: set[str], arch: str, kernel: tuple[int, int]) -> bool:
    if not set(gate.get("caps", ())) <= caps or caps & set(gate.get("not_caps", ())):
        return False
    if "arches" in gate and arch not in gate["arches"]:
        return False
    return arch not in gate.get("not_arches", ()) and kernel >= gate.get("min_kernel", (0, 0))


def default_profile(capabilities: list[str], *, machine: str | None = None,
                    kernel_release: str | None = None) -> dict[str, Any]:
    """The OCI ``linux.seccomp`` object for a container holding ``capabilities``."""
    caps = {c if c.startswith("CAP_") else "CAP_" + c for c in (x.upper() for x in capabilities)}
    goarch = _GOARCH.get(machine or os.uname().machine, machine or os.uname().machine)
    kernel = _kernel(kernel_release or os.uname().release)
    rules: list[dict[str, Any]] = [{"names": list(_ALLOW), "action": "SCMP_ACT_ALLOW"}]
    for names, extra, gate in _GATED:
        if _wanted(gate, caps, goarch, kernel):
            rules.append({"names": names.split(), "action": "SCMP_ACT_ALLOW", **extra})
    return {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 1,
            "architectures": list(_ARCH_MAP.get(goarch, [])), "syscalls": rules}
