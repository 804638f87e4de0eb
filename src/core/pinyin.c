/**
 * @file pinyin.c
 * @brief The reading table: data/pinyin.txt parsed once into three arrays.
 *
 * syllables[] holds each distinct reading once (about 420 of them, 8 bytes
 * each); ids[] the readings of all characters as 16-bit syllable numbers,
 * character after character; first[cp - PINYIN_FIRST_CP] where the readings
 * of cp start in ids[] (they end where the next character's start). About
 * 180 KB in all for the 27,648 code points of the range.
 */
#include "core/pinyin.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/res.h"
#include "core/utf8.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define NCP (PINYIN_LAST_CP - PINYIN_FIRST_CP + 1)
#define MAX_SYLLABLES 1024 /* the data has ~420; ids are 16-bit anyway */
#define HASH_SLOTS 2048    /* power of two, at least twice MAX_SYLLABLES */

static char (*syllables)[PINYIN_MAX_LEN + 1];
static size_t nsyllables;
static uint16_t *ids;
static uint32_t *first; /* NCP + 1 entries */
static int load_rc = -1;
static pthread_once_t once = PTHREAD_ONCE_INIT;

/** Parse state: the table being filled and an open-addressing hash of the
 *  syllables seen (slot value id + 1, 0 free). */
struct parse {
    uint16_t slot[HASH_SLOTS];
    size_t nids, capids;
    uint32_t next_cp; /* lines must come in ascending code point order */
};

/** FNV-1a of the n letters at s. */
static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/** The id of reading s[0..n), added when new; -1 when the table is full. */
static int intern(struct parse *p, const char *s, size_t n)
{
    uint32_t h = hash(s, n) & (HASH_SLOTS - 1);
    for (;;) {
        unsigned v = p->slot[h];
        if (v == 0) break;
        const char *t = syllables[v - 1];
        if (strlen(t) == n && memcmp(t, s, n) == 0) return (int)(v - 1);
        h = (h + 1) & (HASH_SLOTS - 1);
    }
    if (nsyllables == MAX_SYLLABLES) return -1;
    memcpy(syllables[nsyllables], s, n);
    syllables[nsyllables][n] = 0;
    p->slot[h] = (uint16_t)(nsyllables + 1);
    return (int)nsyllables++;
}

/** Parses one data line "字 reading,reading" (without its newline).
 *  Returns 0, or -1 when malformed. */
static int parse_line(struct parse *p, const char *s, size_t n)
{
    uint32_t cp;
    int k = utf8_decode(s, n, &cp);
    if (k < 0 || cp < p->next_cp || cp > PINYIN_LAST_CP || (size_t)k >= n || s[k] != ' ') return -1;
    /* Characters without a line in between have no reading. */
    for (uint32_t c = p->next_cp; c <= cp; c++)
        first[c - PINYIN_FIRST_CP] = (uint32_t)p->nids;
    p->next_cp = cp + 1;
    size_t i = (size_t)k + 1, count = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] >= 'a' && s[j] <= 'z')
            j++;
        if (j == i || j - i > PINYIN_MAX_LEN || (j < n && s[j] != ',') ||
            ++count > PINYIN_MAX_READINGS)
            return -1;
        int id = intern(p, s + i, j - i);
        if (id < 0) return -1;
        if (p->nids == p->capids) {
            p->capids = p->capids ? p->capids * 2 : 32768;
            ids = xrealloc(ids, p->capids * sizeof *ids);
        }
        ids[p->nids++] = (uint16_t)id;
        i = j + 1;
        if (j + 1 == n) /* a trailing comma */
            return -1;
    }
    return count ? 0 : -1;
}

static void load(void)
{
    const struct res *r = res_find("data/pinyin.txt");
    if (!r) {
        log_error("pinyin: data/pinyin.txt is not built in");
        return;
    }
    struct parse *p = xcalloc(1, sizeof *p);
    syllables = xcalloc(MAX_SYLLABLES, sizeof *syllables);
    first = xcalloc(NCP + 1, sizeof *first);
    p->next_cp = PINYIN_FIRST_CP;
    const char *s = (const char *)r->data, *end = s + r->len;
    unsigned lineno = 0;
    while (s < end) {
        const char *nl = memchr(s, '\n', (size_t)(end - s));
        const char *e = nl ? nl : end;
        size_t n = (size_t)(e - s);
        if (n && s[n - 1] == '\r') n--;
        lineno++;
        if (n && s[0] != '#' && parse_line(p, s, n) < 0) {
            log_error("pinyin: data/pinyin.txt line %u is malformed", lineno);
            free(p);
            free(ids);
            free(first);
            free(syllables);
            ids = NULL;
            first = NULL;
            syllables = NULL;
            nsyllables = 0;
            return;
        }
        s = e + 1;
    }
    for (uint32_t c = p->next_cp; c <= PINYIN_LAST_CP + 1; c++)
        first[c - PINYIN_FIRST_CP] = (uint32_t)p->nids;
    free(p);
    load_rc = 0;
}

int pinyin_load(void)
{
    pthread_once(&once, load);
    return load_rc;
}

size_t pinyin_reading_ids(uint32_t cp, uint16_t *out, size_t max)
{
    if (cp < PINYIN_FIRST_CP || cp > PINYIN_LAST_CP || pinyin_load() < 0) return 0;
    uint32_t a = first[cp - PINYIN_FIRST_CP], b = first[cp - PINYIN_FIRST_CP + 1];
    size_t n = 0;
    for (uint32_t i = a; i < b && n < max; i++)
        out[n++] = ids[i];
    return n;
}

size_t pinyin_readings(uint32_t cp, const char **out, size_t max)
{
    uint16_t v[PINYIN_MAX_READINGS];
    size_t n = pinyin_reading_ids(cp, v, max < PINYIN_MAX_READINGS ? max : PINYIN_MAX_READINGS);
    for (size_t i = 0; i < n; i++)
        out[i] = syllables[v[i]];
    return n;
}

size_t pinyin_syllable_count(void)
{
    return pinyin_load() < 0 ? 0 : nsyllables;
}

const char *pinyin_syllable(unsigned id)
{
    if (pinyin_load() < 0 || id >= nsyllables) return NULL;
    return syllables[id];
}
