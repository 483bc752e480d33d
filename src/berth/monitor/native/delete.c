/* The runtime's delete after the exit, done here when it is plain file work.
 *
 * berth.runtime's delete(force) of a stopped container removes its cgroup dirs (one per
 * v1 hierarchy plus the unified one, or the v2 dir), runs the poststop hooks, and removes
 * the runtime state dir <runtime-root>/<id>. A Python one-shot doing that costs 40-60 ms
 * of CPU per exit (interpreter start and imports) for ~1 ms of rmdir/unlink: on a small
 * machine it competes with the next container. So when the spec has no poststop hooks
 * (the set-up passes --native-delete and the --cgroup dirs), this file does the same
 * removals; anything unexpected (a dir still busy or holding child cgroups, an entry that
 * is not a file, no lock) returns -1 and the Python helper runs as before, so the
 * behaviour on odd cases (retries on EBUSY, error messages) stays the runtime's.
 *
 * Ours only: we hold the flock on <runtime-root>/<id> (lock_fd, taken by the set-up
 * after create), so a new create of the same id waits for us; the dir is ours if its
 * inode is the locked one. A dir that is gone or another inode was deleted by berthd
 * (docker rm right after the exit), as the helper's check of the init pid decides.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mon.h"

/* Unlink every entry of the state dir, state.json last (until it goes, the helper's
 * fallback still finds the container). -1 on anything but plain unlinks. */
static int empty_state_dir(void)
{
    int dfd = openat(M.lock_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return -1;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return -1;
    }
    int rc = 0;
    struct dirent *e;
    while (rc == 0 && (e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
            !strcmp(e->d_name, "state.json"))
            continue;
        if (unlinkat(dfd, e->d_name, 0) && errno != ENOENT)
            rc = -1;
    }
    if (rc == 0 && unlinkat(dfd, "state.json", 0) && errno != ENOENT)
        rc = -1;
    closedir(d);
    return rc;
}

int native_delete(void)
{
    char path[4096];
    struct stat locked, now;
    if (!M.native_delete || M.lock_fd < 0 || !M.runtime_root || !M.id)
        return -1;
    if (snprintf(path, sizeof path, "%s/%s", M.runtime_root, M.id) >= (int)sizeof path)
        return -1;
    if (fstat(M.lock_fd, &locked))
        return -1;
    if (stat(path, &now))
        return errno == ENOENT ? 0 : -1; /* berthd deleted it first */
    if (now.st_dev != locked.st_dev || now.st_ino != locked.st_ino)
        return 0; /* not ours any more */
    for (size_t i = 0; i < M.ncgroups; i++)
        if (rmdir(M.cgroups[i]) && errno != ENOENT)
            return -1; /* busy or with child cgroups: the runtime's retries */
    if (empty_state_dir())
        return -1;
    if (rmdir(path) && errno != ENOENT)
        return -1;
    return 0;
}
