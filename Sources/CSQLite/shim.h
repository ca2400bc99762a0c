#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import; bind calls use this instead.
static inline void (*rs_sqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }
