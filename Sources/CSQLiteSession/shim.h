// SQLite's session extension (compiled into Debian's libsqlite3): the
// declarations are guarded by these macros in sqlite3.h. Used by the benchmark only.
#define SQLITE_ENABLE_SESSION 1
#define SQLITE_ENABLE_PREUPDATE_HOOK 1
#include <sqlite3.h>
