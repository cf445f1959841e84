/* schema: the ordered migrations of the store (internal to store/). */
#ifndef OO_STORE_SCHEMA_H
#define OO_STORE_SCHEMA_H
int store_schema_count(void);
/* The SQL that brings a database from version-1 to version; NULL outside 1..count. */
const char *store_schema_migration(int version);
#endif
