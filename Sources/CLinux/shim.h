#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <spawn.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>

// Linux system calls Swift's Glibc module does not export (epoll, timerfd, eventfd,
// posix_spawn_file_actions_addclosefrom_np, O_TMPFILE) or exports only through variadic or
// enum-typed signatures (prctl, setrlimit, open with a mode).

// Timer slack: how late the kernel may wake a sleeping thread; invoke's loop wants it small.
static inline int rs_set_timer_slack_ns(unsigned long ns) { return prctl(PR_SET_TIMERSLACK, ns, 0, 0, 0); }

// Raises the soft open-file limit to the hard one (a server with many connections and
// worker pipes); returns the new soft limit, or -1.
static inline long rs_raise_open_file_limit(void) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    if (limit.rlim_cur < limit.rlim_max) {
        limit.rlim_cur = limit.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return -1;
    }
    return (long)limit.rlim_cur;
}

// A spawned child closes every descriptor from `low` up (glibc 2.34+), so no socket or
// pipe of the parent leaks into it, whatever flags the descriptor was created with.
static inline int rs_spawn_close_from(posix_spawn_file_actions_t *actions, int low) {
    return posix_spawn_file_actions_addclosefrom_np(actions, low);
}

// An unnamed file in `directory` (O_TMPFILE): nothing is left on disk if the process dies
// before `rs_link_unnamed` gives it a name. -1 (errno EOPNOTSUPP/EISDIR/EINVAL) where the
// file system cannot.
#ifndef O_TMPFILE
// Only declared with _GNU_SOURCE; the value is the same on every Linux architecture Swift supports.
#define O_TMPFILE (020000000 | O_DIRECTORY)
#endif
static inline int rs_open_unnamed(const char *directory, int mode) {
    return open(directory, O_TMPFILE | O_WRONLY | O_CLOEXEC, mode);
}

// Gives an O_TMPFILE descriptor a name (through /proc, which needs no capability).
static inline int rs_link_unnamed(int fd, const char *path) {
    char proc[64];
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    return linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
}

// A descriptor that becomes readable when the process exits (Linux 5.3+), so one poll
// waits for a user runtime's answer, its output and its death at once.
#include <sys/syscall.h>
static inline int rs_pidfd_open(pid_t pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }
