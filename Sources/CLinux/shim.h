#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>

// Linux system calls Swift's Glibc module does not export (epoll, timerfd, eventfd) or
// exports only through variadic or enum-typed signatures (prctl, setrlimit).

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
