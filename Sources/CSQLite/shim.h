// The system's SQLite (Debian: libsqlite3-dev), called directly so that a unit of work runs its
// statements on one thread without a hop per statement.
#include <sqlite3.h>
