#include <sqlite3.h>

// Variadic sqlite3_db_config cannot be called from Swift.
static inline int hamlet_sqlite3_db_config_int(sqlite3 *db, int op, int value, int *out) {
    return sqlite3_db_config(db, op, value, out);
}
