/**
 * @file files.h
 * @brief The content-addressed file store for uploads: each file lives at
 *        DIR/ab/<64 hex of its SHA-256>. A writer streams a file in, with a
 *        size limit; commit makes it durable (file and directory fsynced)
 *        before the database row that references it is written.
 */
#ifndef ONEHALL_FILES_H
#define ONEHALL_FILES_H
#include <stddef.h>
#include <stdint.h>

struct blob_store;
struct blob_writer;

/** Opens (creating) the store in dir. 0, or -1 when dir cannot be made. */
int blob_store_open(const char *dir, struct blob_store **out);
void blob_store_close(struct blob_store *bs);

/** Starts a new file of at most max_size bytes. 0 or -1 (no temp file). */
int blob_writer_new(struct blob_store *bs, int64_t max_size, struct blob_writer **out);
/** Appends bytes; -2 when the file would exceed max_size (the writer stays
 *  valid only for abort), -1 on an I/O error. */
int blob_writer_write(struct blob_writer *w, const void *p, size_t n);
/** Makes the file durable under its content address and frees the writer.
 *  hex receives the 64 hex digits and a NUL; size the length. 0 or -1. */
int blob_writer_commit(struct blob_writer *w, char hex[65], int64_t *size);
/** Discards the file and frees the writer. */
void blob_writer_abort(struct blob_writer *w);

/** Opens a stored file for reading; the caller closes the descriptor.
 *  -1 when hex is not 64 lower-case hex digits or no such file exists. */
int blob_open(struct blob_store *bs, const char *hex, int *fd, int64_t *size);
/** Reads up to n bytes from the start of a stored file (to sniff its type).
 *  Returns the count read, or -1. */
int blob_head(struct blob_store *bs, const char *hex, void *out, size_t n);
#endif
