/**
 * @file search.h
 * @brief The catalog search: Chinese (or any) substrings of the names, short
 *        names and keywords of the entries, and pinyin of the names and
 *        short names, full spellings ("yingye", "ying ye", "yingyezh") or
 *        initials ("yyzz"), with every reading of polyphonic characters.
 *
 * One in-memory index, built from the entries whatever database they came
 * from; read-only once built, so any number of threads may search it at
 * once. How it works, what matches and how results rank: docs/search.md.
 */
#ifndef ONEHALL_SEARCH_H
#define ONEHALL_SEARCH_H
#include <stddef.h>
#include <stdint.h>

/** One searchable entry (a catalog item). The index copies what it needs:
 *  the strings may be freed once search_build returns. */
struct search_entry {
    const char *name;
    const char *short_name; /* may be NULL */
    const char *const *keywords;
    size_t nkeywords;
};

struct search_index;

/** Builds the index of entries[0..n); entry i is answered as index i.
 *  Text that is not valid UTF-8 is indexed with U+FFFD for each bad byte.
 *  Returns the index, to free with search_free; NULL only when the entries
 *  exceed the limits: more than 4,194,303 texts (counting each name, short
 *  name and keyword as one) or more than 1 GB of text. */
struct search_index *search_build(const struct search_entry *entries, size_t n);

/** Frees the index; NULL is allowed. */
void search_free(struct search_index *ix);

enum { SEARCH_OK = 0, SEARCH_EMPTY = 1, SEARCH_BAD = 2 };

/** Longest query, in code points. */
#define SEARCH_MAX_QUERY 200

/** Matches entries; out (caller allocated, capacity = n entries of the index)
 *  receives entry indexes, best first; *nout the count. SEARCH_EMPTY when the
 *  query is empty or only blanks/punctuation (out untouched, *nout=0),
 *  SEARCH_BAD when the query is not valid UTF-8 or longer than 200 code
 *  points (out untouched, *nout=0). SEARCH_OK with *nout=0 when nothing
 *  matches. q need not be NUL-terminated; q may be NULL when qlen is 0. */
int search_run(const struct search_index *ix, const char *q, size_t qlen, uint32_t *out,
               size_t *nout);
#endif
