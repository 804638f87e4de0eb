/**
 * @file fs.h
 * @brief File-system helpers for durable writes.
 */
#ifndef ONEHALL_FS_H
#define ONEHALL_FS_H

/** mkdir -p with mode 0700 for every level created. 0 or -1 (errno set). */
int fs_mkdir_p(const char *path);
/** fsync of a directory, so that a rename or a new file in it survives a
 *  power loss. 0 or -1. */
int fs_fsync_dir(const char *dir);
#include <stddef.h>

/** Reads a whole file into a NUL-terminated buffer (caller frees); *len gets
 *  its length (may be NULL). NULL with errno set on failure or when the file
 *  is larger than max bytes (EFBIG). */
char *fs_read_file(const char *path, size_t max, size_t *len);
#endif
