/**
 * @file search.c
 * @brief The catalog search index: character unigram and bigram postings
 *        for substrings, syllable and initial-pair postings for pinyin.
 *
 * Every text of every entry (name, short name, each keyword) is normalised
 * into code points and stored one after the other in text[]; a "field"
 * names one such text. Three posting tables map a key to the fields (or
 * field positions) where it occurs, each a sorted key array with offsets
 * into one array of postings (compressed sparse rows):
 *
 * - grams: a character pair to the fields that contain it (the last
 *   character of a field pairs with an end mark). A query of two or more
 *   characters takes the rarest of its pairs and verifies each field on that
 *   list with a real substring test,
 *   so a pair that only occurs across two keywords never matches (the pair
 *   is not in either field) and neither does a pair that occurs in the
 *   field but not in the query's order.
 * - syllables: a reading (pinyin syllable id) to the positions of the name
 *   and short name characters that have it. A pinyin query starts at such a
 *   position, with a syllable the query starts with (or that starts with the
 *   whole query), and is verified from there over the readings of the
 *   following characters.
 * - initial pairs: two letters to the positions where a character with a
 *   reading starting with the first is followed by one with a reading
 *   starting with the second, for initials ("yyzz").
 *
 * A search keeps the best rank per entry in a scratch array and sorts the
 * matched entries at the end; the index itself is never written, so threads
 * share it.
 */
#include "domain/search.h"
#include "core/mem.h"
#include "core/pinyin.h"
#include "core/utf8.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/** Field kinds, also the order of the fields of one entry. */
enum { KIND_NAME = 0, KIND_SHORT = 1, KIND_KEYWORD = 2 };

/** Ranks, best first (see docs/search.md). */
enum {
    RANK_EXACT = 0,
    RANK_NAME_PREFIX,
    RANK_NAME,
    RANK_SHORT,
    RANK_KEYWORD,
    RANK_PINYIN_FULL,
    RANK_PINYIN_INITIALS,
    RANK_NONE = 0xFF
};

/* Field ids take 22 bits of a posting, a position in a field 10 bits: pinyin
 * is indexed over the first 1,023 characters of a name (names are ~10-20). */
#define FIELD_BITS 22
#define MAX_FIELDS ((1u << FIELD_BITS) - 1)
#define POS_BITS 10
#define MAX_PINYIN_POS ((1u << POS_BITS) - 1)
/* The end mark, in the place of the second code point of a pair: above
 * U+10FFFF, so it can never equal a character. */
#define END_MARK 0x1FFFFFu

struct field {
    uint32_t start; /* in text[] */
    uint32_t len;   /* code points */
    uint32_t entry; /* entry index << 2 | kind */
};

/** Keys (sorted, unique) to postings: the postings of keys[i] are
 *  post[off[i] .. off[i+1]). */
struct postings {
    uint64_t *keys;
    uint32_t *off;
    uint32_t *post;
    size_t nkeys;
};

struct search_index {
    size_t n;          /* entries */
    uint32_t *efield;  /* first field of each entry (its name), n + 1 */
    uint32_t *namelen; /* code points of each name, for ties */
    struct field *fields;
    size_t nfields;
    uint32_t *text;
    size_t ntext;
    struct postings grams;    /* key: cp << 21 | next cp or end mark; post: field */
    struct postings syls;     /* key: syllable id; post: field << POS_BITS | pos */
    struct postings initials; /* key: letter * 26 + letter; post: field << POS_BITS | pos */
    size_t nsyl;
    uint8_t *syllen; /* length of each syllable */
};

/* ---- Normalisation ---------------------------------------------------- */

/** Whitespace that is trimmed off texts and queries. */
static bool is_blank(uint32_t c)
{
    return c == ' ' || (c >= '\t' && c <= '\r') || c == 0x00A0 || c == 0x3000 ||
           (c >= 0x2000 && c <= 0x200B) || c == 0x202F || c == 0x205F || c == 0xFEFF;
}

/** Blanks, controls, punctuation and symbols: a query of only these is empty. */
static bool is_filler(uint32_t c)
{
    if (c < 0x80)
        return !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    return c <= 0xBF                       /* C1 controls, Latin-1 punctuation */
           || (c >= 0x2000 && c <= 0x206F) /* general punctuation */
           || (c >= 0x3000 && c <= 0x3004) || (c >= 0x3008 && c <= 0x3020) || c == 0x3030 ||
           c == 0x303D || c == 0x30FB /* CJK punctuation, 〇 and 々 aside */
           || (c >= 0xFE10 && c <= 0xFE1F) || (c >= 0xFE30 && c <= 0xFE6F) /* forms */
           || (c >= 0xFF5F && c <= 0xFF65) || c == 0xFEFF || c == 0xFFFD;
}

/** Folds one code point: ASCII upper case to lower case, full-width ASCII
 *  (U+FF01..U+FF5E) to its ASCII form, the ideographic space to a space. */
static uint32_t fold(uint32_t c)
{
    if (c >= 0xFF01 && c <= 0xFF5E)
        c -= 0xFEE0;
    else if (c == 0x3000)
        c = ' ';
    if (c >= 'A' && c <= 'Z') c += 'a' - 'A';
    return c;
}

/** Decodes and folds s[0..n) into out (room for n code points), trimming
 *  blanks at both ends; a byte that does not start valid UTF-8 becomes
 *  U+FFFD. Returns the number of code points. */
static size_t normalise(const char *s, size_t n, uint32_t *out)
{
    size_t k = 0, i = 0;
    while (i < n) {
        uint32_t c;
        int len = utf8_decode(s + i, n - i, &c);
        if (len < 0) {
            c = 0xFFFD;
            len = 1;
        }
        i += (size_t)len;
        c = fold(c);
        if (k == 0 && is_blank(c)) continue;
        out[k++] = c;
    }
    while (k > 0 && is_blank(out[k - 1]))
        k--;
    return k;
}

/* ---- Building --------------------------------------------------------- */

/**
 * Sorts a[0..n) in ascending order: a least-significant-digit radix sort,
 * 8 bits a pass, passes where every value has the same digit skipped. The
 * index sorts a few hundred thousand postings when built and each search its
 * results: both are linear here.
 */
static void sort_u64(uint64_t *a, size_t n)
{
    if (n < 2) return;
    size_t(*count)[256] = xcalloc(8, sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (int d = 0; d < 8; d++)
            count[d][a[i] >> (8 * d) & 0xFF]++;
    uint64_t *tmp = xmalloc(n * sizeof *tmp), *src = a, *dst = tmp;
    for (int d = 0; d < 8; d++) {
        if (count[d][src[0] >> (8 * d) & 0xFF] == n)
            continue; /* one digit for all: nothing moves */
        size_t pos = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[d][b];
            count[d][b] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[d][src[i] >> (8 * d) & 0xFF]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a) memcpy(a, src, n * sizeof *a);
    free(tmp);
    free(count);
}

/**
 * Turns pairs (key << shift | value), sorted, into postings: duplicates
 * dropped, keys unique. The pairs array is freed.
 */
static void postings_from_pairs(struct postings *p, uint64_t *pairs, size_t npairs, int shift)
{
    sort_u64(pairs, npairs);
    size_t nk = 0, np = 0;
    for (size_t i = 0; i < npairs; i++) {
        if (i > 0 && pairs[i] == pairs[i - 1]) continue;
        if (np == 0 || (pairs[i] >> shift) != (pairs[np - 1] >> shift)) nk++;
        pairs[np++] = pairs[i];
    }
    p->nkeys = nk;
    p->keys = xmalloc((nk ? nk : 1) * sizeof *p->keys);
    p->off = xmalloc((nk + 1) * sizeof *p->off);
    p->post = xmalloc((np ? np : 1) * sizeof *p->post);
    uint64_t mask = (shift >= 64) ? ~0ull : ((1ull << shift) - 1);
    size_t k = 0;
    for (size_t i = 0; i < np; i++) {
        uint64_t key = pairs[i] >> shift;
        if (i == 0 || key != p->keys[k - 1]) {
            p->keys[k] = key;
            p->off[k] = (uint32_t)i;
            k++;
        }
        p->post[i] = (uint32_t)(pairs[i] & mask);
    }
    p->off[nk] = (uint32_t)np;
    free(pairs);
}

static void postings_free(struct postings *p)
{
    free(p->keys);
    free(p->off);
    free(p->post);
}

/** The position of the first key >= key in p->keys (p->nkeys if none). */
static size_t postings_lower(const struct postings *p, uint64_t key)
{
    size_t lo = 0, hi = p->nkeys;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (p->keys[mid] < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/** The postings of key: sets *post and returns their number (0 when none). */
static size_t postings_find(const struct postings *p, uint64_t key, const uint32_t **post)
{
    size_t k = postings_lower(p, key);
    if (k == p->nkeys || p->keys[k] != key) return 0;
    *post = p->post + p->off[k];
    return p->off[k + 1] - p->off[k];
}

/** A growable array of uint64_t. */
struct vec {
    uint64_t *v;
    size_t n, cap;
};

static void vec_push(struct vec *a, uint64_t x)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 1024;
        a->v = xrealloc(a->v, a->cap * sizeof *a->v);
    }
    a->v[a->n++] = x;
}

/** Bit set of the first letters ('a' = bit 0) of the readings of cp. */
static uint32_t initials_of(uint32_t cp)
{
    const char *r[PINYIN_MAX_READINGS];
    size_t nr = pinyin_readings(cp, r, PINYIN_MAX_READINGS);
    uint32_t m = 0;
    for (size_t i = 0; i < nr; i++)
        m |= 1u << (r[i][0] - 'a');
    return m;
}

/** Adds one text as field f of entry e. */
static void add_field(struct search_index *ix, size_t f, size_t e, int kind, const char *s,
                      size_t *cap)
{
    size_t n = s ? strlen(s) : 0;
    if (ix->ntext + n > *cap) {
        while (ix->ntext + n > *cap)
            *cap = *cap ? *cap * 2 : 4096;
        ix->text = xrealloc(ix->text, *cap * sizeof *ix->text);
    }
    struct field *fd = &ix->fields[f];
    fd->start = (uint32_t)ix->ntext;
    fd->len = (uint32_t)(n ? normalise(s, n, ix->text + ix->ntext) : 0);
    fd->entry = (uint32_t)(e << 2 | (size_t)kind);
    ix->ntext += fd->len;
}

struct search_index *search_build(const struct search_entry *entries, size_t n)
{
    size_t nfields = 0;
    size_t nbytes = 0;
    for (size_t i = 0; i < n; i++) {
        const struct search_entry *e = &entries[i];
        if (e->nkeywords > MAX_FIELDS || (nfields += 2 + e->nkeywords) > MAX_FIELDS) return NULL;
        nbytes += (e->name ? strlen(e->name) : 0) + (e->short_name ? strlen(e->short_name) : 0);
        for (size_t k = 0; k < e->nkeywords; k++)
            nbytes += e->keywords && e->keywords[k] ? strlen(e->keywords[k]) : 0;
        /* Positions in the text and in the postings are 32-bit. */
        if (nbytes > UINT32_MAX / 4) return NULL;
    }
    pinyin_load();
    struct search_index *ix = xcalloc(1, sizeof *ix);
    ix->n = n;
    ix->nfields = nfields;
    ix->fields = xmalloc((nfields ? nfields : 1) * sizeof *ix->fields);
    ix->efield = xmalloc((n + 1) * sizeof *ix->efield);
    ix->namelen = xmalloc((n ? n : 1) * sizeof *ix->namelen);

    size_t cap = 0, f = 0;
    for (size_t i = 0; i < n; i++) {
        const struct search_entry *e = &entries[i];
        ix->efield[i] = (uint32_t)f;
        add_field(ix, f++, i, KIND_NAME, e->name, &cap);
        ix->namelen[i] = ix->fields[f - 1].len;
        add_field(ix, f++, i, KIND_SHORT, e->short_name, &cap);
        for (size_t k = 0; k < e->nkeywords; k++)
            add_field(ix, f++, i, KIND_KEYWORD, e->keywords ? e->keywords[k] : NULL, &cap);
    }
    ix->efield[n] = (uint32_t)f;
    ix->text = xrealloc(ix->text, (ix->ntext ? ix->ntext : 1) * sizeof *ix->text);

    /* The bigrams of every field, within the field only, and for its last
     * character the pair (last, END_MARK): so every character of a
     * field starts one pair, and the pairs starting with a character (one
     * range of keys) tell the fields that contain it. */
    struct vec grams = {0};
    for (size_t fi = 0; fi < nfields; fi++) {
        const struct field *fd = &ix->fields[fi];
        const uint32_t *t = ix->text + fd->start;
        for (uint32_t p = 0; p < fd->len; p++) {
            uint64_t second = p + 1 < fd->len ? t[p + 1] : END_MARK;
            vec_push(&grams, ((uint64_t)t[p] << 21 | second) << FIELD_BITS | fi);
        }
    }
    postings_from_pairs(&ix->grams, grams.v, grams.n, FIELD_BITS);

    /* Readings and initial pairs of the names and short names. */
    ix->nsyl = pinyin_syllable_count();
    ix->syllen = xmalloc(ix->nsyl ? ix->nsyl : 1);
    for (size_t s = 0; s < ix->nsyl; s++)
        ix->syllen[s] = (uint8_t)strlen(pinyin_syllable((unsigned)s));
    struct vec syls = {0}, inis = {0};
    for (size_t fi = 0; fi < nfields; fi++) {
        const struct field *fd = &ix->fields[fi];
        if ((fd->entry & 3) == KIND_KEYWORD) continue;
        const uint32_t *t = ix->text + fd->start;
        uint32_t lim = fd->len < MAX_PINYIN_POS ? fd->len : MAX_PINYIN_POS;
        uint32_t mask_next = lim ? initials_of(t[0]) : 0;
        for (uint32_t p = 0; p < lim; p++) {
            uint64_t at = (uint64_t)fi << POS_BITS | p;
            uint16_t id[PINYIN_MAX_READINGS];
            size_t nid = pinyin_reading_ids(t[p], id, PINYIN_MAX_READINGS);
            for (size_t k = 0; k < nid; k++)
                vec_push(&syls, (uint64_t)id[k] << 32 | at);
            uint32_t m1 = mask_next;
            mask_next = p + 1 < lim ? initials_of(t[p + 1]) : 0;
            for (unsigned a = 0; m1 && a < 26; a++) {
                if (!(m1 >> a & 1)) continue;
                for (unsigned b = 0; b < 26; b++)
                    if (mask_next >> b & 1) vec_push(&inis, (uint64_t)(a * 26 + b) << 32 | at);
            }
        }
    }
    postings_from_pairs(&ix->syls, syls.v, syls.n, 32);
    postings_from_pairs(&ix->initials, inis.v, inis.n, 32);
    return ix;
}

void search_free(struct search_index *ix)
{
    if (!ix) return;
    free(ix->efield);
    free(ix->namelen);
    free(ix->fields);
    free(ix->text);
    postings_free(&ix->grams);
    postings_free(&ix->syls);
    postings_free(&ix->initials);
    free(ix->syllen);
    free(ix);
}

/* ---- Searching -------------------------------------------------------- */

/** Whether q[0..qn) occurs in t[0..tn); returns its first offset or -1. */
static long find(const uint32_t *t, size_t tn, const uint32_t *q, size_t qn)
{
    if (qn > tn) return -1;
    for (size_t i = 0; i + qn <= tn; i++)
        if (t[i] == q[0] && memcmp(t + i + 1, q + 1, (qn - 1) * sizeof *q) == 0) return (long)i;
    return -1;
}

static void improve(uint8_t *best, size_t entry, int rank)
{
    if (rank < best[entry]) best[entry] = (uint8_t)rank;
}

/** Verifies that field fi contains q and records the rank of the match. */
static void verify_substring(const struct search_index *ix, uint32_t fi, const uint32_t *q,
                             size_t qn, uint8_t *best)
{
    const struct field *fd = &ix->fields[fi];
    size_t entry = fd->entry >> 2;
    int kind = (int)(fd->entry & 3);
    if (best[entry] <= (kind == KIND_KEYWORD ? RANK_KEYWORD : RANK_EXACT))
        return; /* this field cannot do better */
    long at = find(ix->text + fd->start, fd->len, q, qn);
    if (at < 0) return;
    int rank;
    if (kind != KIND_KEYWORD && fd->len == qn)
        rank = RANK_EXACT;
    else if (kind == KIND_NAME)
        rank = at == 0 ? RANK_NAME_PREFIX : RANK_NAME;
    else if (kind == KIND_SHORT)
        rank = RANK_SHORT;
    else
        rank = RANK_KEYWORD;
    improve(best, entry, rank);
}

/** Substring matches. One character: the fields on the lists of all pairs
 *  that start with it. More: the fields on the list of the query's rarest
 *  pair, each verified. */
static void match_substring(const struct search_index *ix, const uint32_t *q, size_t qn,
                            uint8_t *best)
{
    if (qn == 1) {
        const struct postings *g = &ix->grams;
        for (size_t k = postings_lower(g, (uint64_t)q[0] << 21);
             k < g->nkeys && g->keys[k] >> 21 == q[0]; k++)
            for (uint32_t i = g->off[k]; i < g->off[k + 1]; i++)
                verify_substring(ix, g->post[i], q, qn, best);
        return;
    }
    const uint32_t *post = NULL;
    size_t np = SIZE_MAX;
    for (size_t i = 0; i + 1 < qn && np; i++) {
        const uint32_t *p;
        size_t k = postings_find(&ix->grams, (uint64_t)q[i] << 21 | q[i + 1], &p);
        if (k < np) {
            np = k;
            post = p;
        }
    }
    for (size_t i = 0; i < np; i++)
        verify_substring(ix, post[i], q, qn, best);
}

/** The pinyin query: lower-case letters, no spaces. */
struct spell {
    char s[SEARCH_MAX_QUERY + 1];
    size_t n;
};

/**
 * Whether the letters L match the readings of the characters from pos on,
 * as a full spelling: whole readings one after the other, the last one
 * possibly cut short. All the ways to split L are followed at once: reach[]
 * is the set of offsets in L where a character may start.
 */
static bool verify_full(const struct search_index *ix, const struct field *fd, uint32_t pos,
                        const struct spell *L)
{
    uint64_t reach[(SEARCH_MAX_QUERY + 64) / 64] = {1}; /* offset 0 */
    const size_t words = (L->n + 64) / 64;
    const uint32_t *t = ix->text + fd->start;
    for (uint32_t p = pos; p < fd->len; p++) {
        uint16_t id[PINYIN_MAX_READINGS];
        size_t nid = pinyin_reading_ids(t[p], id, PINYIN_MAX_READINGS);
        uint64_t next[(SEARCH_MAX_QUERY + 64) / 64] = {0};
        bool any = false;
        for (size_t w = 0; w < words; w++) {
            for (uint64_t bits = reach[w]; bits; bits &= bits - 1) {
                size_t o = w * 64 + (size_t)__builtin_ctzll(bits);
                size_t rest = L->n - o;
                for (size_t k = 0; k < nid; k++) {
                    const char *r = pinyin_syllable(id[k]);
                    size_t rl = ix->syllen[id[k]];
                    if (rest <= rl) {
                        if (memcmp(r, L->s + o, rest) == 0)
                            return true; /* ends in (a prefix of) this reading */
                    } else if (memcmp(r, L->s + o, rl) == 0) {
                        next[(o + rl) / 64] |= 1ull << ((o + rl) % 64);
                        any = true;
                    }
                }
            }
        }
        if (!any) return false;
        memcpy(reach, next, sizeof reach);
    }
    return false;
}

/** Whether each letter of L from the third on is an initial of the
 *  characters from pos + 2 on (the first two are known from the posting). */
static bool verify_initials(const struct search_index *ix, const struct field *fd, uint32_t pos,
                            const struct spell *L)
{
    if (pos + L->n > fd->len) return false;
    const uint32_t *t = ix->text + fd->start;
    for (size_t k = 2; k < L->n; k++)
        if (!(initials_of(t[pos + k]) >> (L->s[k] - 'a') & 1)) return false;
    return true;
}

/** Whether syllable id s and the letters l[0..n) agree as far as both go:
 *  l starts with the syllable, or the syllable with l. */
static bool agrees(const struct search_index *ix, size_t s, const char *l, size_t n)
{
    size_t sl = ix->syllen[s];
    return memcmp(pinyin_syllable((unsigned)s), l, sl < n ? sl : n) == 0;
}

static void match_pinyin(const struct search_index *ix, const struct spell *L, uint8_t *best)
{
    /* Full spellings: from every position with a reading s that agrees with
     * the start of L. When L goes on past s, the next position must have a
     * reading t that agrees with the rest: the positions of s are merged with
     * those of t, one back, and only the positions on both are verified. */
    for (size_t s = 0; s < ix->nsyl; s++) {
        if (!agrees(ix, s, L->s, L->n)) continue;
        const uint32_t *ps;
        size_t nps = postings_find(&ix->syls, s, &ps);
        size_t sl = ix->syllen[s];
        if (sl >= L->n) {
            for (size_t i = 0; i < nps; i++)
                improve(best, ix->fields[ps[i] >> POS_BITS].entry >> 2, RANK_PINYIN_FULL);
            continue;
        }
        for (size_t t = 0; t < ix->nsyl && nps; t++) {
            if (!agrees(ix, t, L->s + sl, L->n - sl)) continue;
            const uint32_t *pt;
            size_t npt = postings_find(&ix->syls, t, &pt);
            size_t i = 0, j = 0;
            while (i < nps && j < npt) {
                uint32_t x = ps[i] + 1, y = pt[j];
                if (x < y) {
                    i++;
                } else if (x > y) {
                    j++;
                } else {
                    const struct field *fd = &ix->fields[ps[i] >> POS_BITS];
                    size_t entry = fd->entry >> 2;
                    if (best[entry] > RANK_PINYIN_FULL &&
                        verify_full(ix, fd, ps[i] & MAX_PINYIN_POS, L))
                        improve(best, entry, RANK_PINYIN_FULL);
                    i++;
                    j++;
                }
            }
        }
    }
    /* Initials; a single letter was a full spelling's prefix above. */
    if (L->n < 2) return;
    const uint32_t *post;
    size_t np =
        postings_find(&ix->initials, (uint64_t)(L->s[0] - 'a') * 26 + (L->s[1] - 'a'), &post);
    for (size_t i = 0; i < np; i++) {
        const struct field *fd = &ix->fields[post[i] >> POS_BITS];
        size_t entry = fd->entry >> 2;
        if (best[entry] <= RANK_PINYIN_INITIALS) continue;
        if (verify_initials(ix, fd, post[i] & MAX_PINYIN_POS, L))
            improve(best, entry, RANK_PINYIN_INITIALS);
    }
}

int search_run(const struct search_index *ix, const char *q, size_t qlen, uint32_t *out,
               size_t *nout)
{
    *nout = 0;
    if (!q) return qlen ? SEARCH_BAD : SEARCH_EMPTY;
    /* A code point takes at most 4 bytes: anything longer is too long. */
    size_t count;
    if (qlen > 4 * SEARCH_MAX_QUERY || utf8_count(q, qlen, &count) < 0 || count > SEARCH_MAX_QUERY)
        return SEARCH_BAD;
    uint32_t qc[SEARCH_MAX_QUERY];
    size_t qn = normalise(q, qlen, qc);
    bool word = false;
    for (size_t i = 0; i < qn && !word; i++)
        word = !is_filler(qc[i]);
    if (!word) return SEARCH_EMPTY;
    if (!ix || ix->n == 0) return SEARCH_OK;

    uint8_t *best = xmalloc(ix->n);
    memset(best, RANK_NONE, ix->n);
    match_substring(ix, qc, qn, best);

    /* Pinyin when the query is letters and spaces only. */
    struct spell L = {.n = 0};
    bool letters = true;
    for (size_t i = 0; i < qn && letters; i++) {
        if (qc[i] >= 'a' && qc[i] <= 'z')
            L.s[L.n++] = (char)qc[i];
        else if (!is_blank(qc[i]))
            letters = false;
    }
    if (letters && L.n > 0) match_pinyin(ix, &L, best);

    /* Best rank, then shorter name, then entry index: one 64-bit key each. */
    uint64_t *keys = xmalloc(ix->n * sizeof *keys);
    size_t k = 0;
    for (size_t e = 0; e < ix->n; e++)
        if (best[e] != RANK_NONE)
            keys[k++] = (uint64_t)best[e] << 56 |
                        (uint64_t)(ix->namelen[e] < 0xFFFFFF ? ix->namelen[e] : 0xFFFFFF) << 32 | e;
    sort_u64(keys, k);
    for (size_t i = 0; i < k; i++)
        out[i] = (uint32_t)keys[i];
    *nout = k;
    free(keys);
    free(best);
    return SEARCH_OK;
}
