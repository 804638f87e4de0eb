/**
 * @file idcheck.c
 * @brief Resident ID numbers (GB 11643-1999), unified social credit codes
 *        (GB 32100-2015) and organisation codes (GB 11714-1997); see
 *        idcheck.h and docs/identifiers.md.
 */
#include "core/idcheck.h"
#include "core/clock.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

/* ---- Shared helpers ---------------------------------------------------- */

/** Whether c is an ASCII digit (isdigit depends on the locale). */
static int is_digit(char c)
{
    return c >= '0' && c <= '9';
}

/** Upper-cases an ASCII letter; anything else unchanged. */
static char upper(char c)
{
    return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/** Length of s, stopping early once it exceeds max (input may be long). */
static size_t bounded_len(const char *s, size_t max)
{
    return strnlen(s, max + 1);
}

/* ---- Resident ID numbers ----------------------------------------------- */

/**
 * Province-level codes of GB/T 2260 in use on ID numbers. 71 (Taiwan) is
 * listed in GB/T 2260 although no card carries it; 81 and 82 appear on the
 * residence permits of Hong Kong and Macao residents; 83 is not a GB/T 2260
 * code and is only taken for Taiwan residents' permits (see region_kind).
 */
static int known_province(int code)
{
    return (code >= 11 && code <= 15) || (code >= 21 && code <= 23) || (code >= 31 && code <= 37) ||
           (code >= 41 && code <= 46) || (code >= 50 && code <= 54) || (code >= 61 && code <= 65) ||
           code == 71 || code == 81 || code == 82;
}

/** Two digits at s as a number (both already checked to be digits). */
static int two_digits(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/** The kind of an 18-digit number from its first digits, or 0 when the
 *  region is unknown. */
static enum idcheck_kind region_kind(const char *id)
{
    if (id[0] == '9')
        return known_province(two_digits(id + 1)) ? IDCHECK_KIND_FOREIGN_PR : 0;
    int p = two_digits(id);
    if (p == 81 || p == 82)
        return IDCHECK_KIND_HKMO_PERMIT;
    if (p == 83)
        return IDCHECK_KIND_TW_PERMIT;
    return known_province(p) ? IDCHECK_KIND_RESIDENT : 0;
}

/** Gregorian leap year. */
static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/** Whether y-m-d exists in the Gregorian calendar. */
static int date_exists(int y, int m, int d)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m < 1 || m > 12 || d < 1)
        return 0;
    int last = mdays[m - 1] + (m == 2 && is_leap(y));
    return d <= last;
}

/** Today's date in Asia/Shanghai (UTC+08:00, no daylight saving) as
 *  YYYYMMDD, from the program's clock. */
static long today_yyyymmdd(void)
{
    int64_t ms = clock_now_ms();
    int64_t secs = ms / 1000 - (ms % 1000 < 0); /* floor, for a clock set before 1970 */
    time_t t = (time_t)(secs + 8 * 3600);
    struct tm tm;
    if (!gmtime_r(&t, &tm))
        return 99991231L; /* cannot happen for real clocks; refuse nothing as "future" */
    return (long)(tm.tm_year + 1900) * 10000L + (tm.tm_mon + 1) * 100L + tm.tm_mday;
}

/** Checks the 8-digit birth date at s (digits already checked). */
static int check_birth(const char *s, int *y, int *m, int *d)
{
    int yy = two_digits(s) * 100 + two_digits(s + 2);
    int mm = two_digits(s + 4);
    int dd = two_digits(s + 6);
    if (yy < IDCHECK_MIN_BIRTH_YEAR || !date_exists(yy, mm, dd))
        return IDCHECK_E_DATE;
    if ((long)yy * 10000L + mm * 100L + dd > today_yyyymmdd())
        return IDCHECK_E_FUTURE;
    *y = yy;
    *m = mm;
    *d = dd;
    return IDCHECK_OK;
}

/**
 * GB 11643 check character of 17 digits. The weight of the digit at
 * position i (1-based, from the left) is 2^(18-i) mod 11, i.e. 2^1 for the
 * last digit, doubling leftwards; the check value is (12 - sum mod 11)
 * mod 11, written X when it is 10.
 */
static char resident_check_char(const char *digits17)
{
    int sum = 0, w = 2;
    for (int i = 16; i >= 0; i--) {
        sum += (digits17[i] - '0') * w;
        w = w * 2 % 11;
    }
    int c = (12 - sum % 11) % 11;
    return c == 10 ? 'X' : (char)('0' + c);
}

/** Full check of an 18-character number; fills p when not NULL. */
static int resident_check(const char *id, char *norm, struct idcheck_person *p)
{
    if (!id || bounded_len(id, 18) != 18)
        return IDCHECK_E_LENGTH;
    for (int i = 0; i < 17; i++) {
        if (!is_digit(id[i]))
            return IDCHECK_E_CHAR;
    }
    char last = upper(id[17]);
    if (!is_digit(last) && last != 'X')
        return IDCHECK_E_CHAR;
    enum idcheck_kind kind = region_kind(id);
    if (!kind)
        return IDCHECK_E_REGION;
    int y, m, d;
    int rc = check_birth(id + 6, &y, &m, &d);
    if (rc != IDCHECK_OK)
        return rc;
    if (resident_check_char(id) != last)
        return IDCHECK_E_CHECK;
    if (norm) {
        memcpy(norm, id, 17);
        norm[17] = last;
        norm[18] = '\0';
    }
    if (p) {
        p->kind = kind;
        p->birth_year = y;
        p->birth_month = m;
        p->birth_day = d;
        p->gender = (id[16] - '0') % 2 ? IDCHECK_MALE : IDCHECK_FEMALE;
    }
    return IDCHECK_OK;
}

/** Validates an 18-character ID number; see idcheck.h. */
int idcheck_resident(const char *id, char *norm)
{
    return resident_check(id, norm, NULL);
}

/**
 * Converts a first-generation number. Those cards were issued from 1984 to
 * 2004 to people born in the 1900s, so "19" is always the century; only
 * mainland province codes occur (no permits existed then).
 */
int idcheck_resident_from15(const char *id15, char *out)
{
    if (!id15 || bounded_len(id15, 15) != 15)
        return IDCHECK_E_LENGTH;
    for (int i = 0; i < 15; i++) {
        if (!is_digit(id15[i]))
            return IDCHECK_E_CHAR;
    }
    int prov = two_digits(id15);
    if (!known_province(prov) || prov >= 71)
        return IDCHECK_E_REGION;
    char id[IDCHECK_BUFSZ];
    memcpy(id, id15, 6);
    id[6] = '1';
    id[7] = '9';
    memcpy(id + 8, id15 + 6, 9);
    int y, m, d;
    int rc = check_birth(id + 6, &y, &m, &d);
    if (rc != IDCHECK_OK)
        return rc;
    id[17] = resident_check_char(id);
    id[18] = '\0';
    if (out)
        memcpy(out, id, IDCHECK_BUFSZ);
    return IDCHECK_OK;
}

/** Kind, birth date and gender of a 15- or 18-character number. */
int idcheck_resident_info(const char *id, struct idcheck_person *p)
{
    if (id && bounded_len(id, 18) == 15) {
        char id18[IDCHECK_BUFSZ];
        int rc = idcheck_resident_from15(id, id18);
        if (rc != IDCHECK_OK)
            return rc;
        return resident_check(id18, NULL, p);
    }
    return resident_check(id, NULL, p);
}

/** Display mask; see idcheck.h. */
int idcheck_mask(const char *id, char *out, size_t outsz)
{
    if (!id || !out)
        return IDCHECK_E_CHAR;
    size_t n = strlen(id);
    for (size_t i = 0; i < n; i++) {
        char c = upper(id[i]);
        if (!is_digit(c) && !(c >= 'A' && c <= 'Z'))
            return IDCHECK_E_CHAR;
    }
    if (outsz < n + 1)
        return IDCHECK_E_LENGTH;
    for (size_t i = 0; i < n; i++) {
        int keep = n > 8 && (i < 4 || i >= n - 4);
        out[i] = keep ? upper(id[i]) : '*';
    }
    out[n] = '\0';
    return 0;
}

/* ---- Organisation codes and unified social credit codes ---------------- */

/** The 31 characters of the USCC alphabet, in order of their value. */
static const char uscc_alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";

/** Value of an (upper-case) USCC character, or -1 when not in the alphabet. */
static int uscc_value(char c)
{
    if (c == '\0')
        return -1;
    const char *p = strchr(uscc_alphabet, c);
    return p ? (int)(p - uscc_alphabet) : -1;
}

/** Value of an (upper-case) GB 11714 body character: digits as themselves,
 *  A = 10 ... Z = 35; -1 for anything else. */
static int orgcode_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'A' && c <= 'Z')
        return c - 'A' + 10;
    return -1;
}

/** GB 11714 check character of 8 body characters (already valid). */
static char orgcode_check_char(const char *body)
{
    static const int weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0;
    for (int i = 0; i < 8; i++)
        sum += orgcode_value(body[i]) * weights[i];
    int c = 11 - sum % 11;
    if (c == 10)
        return 'X';
    if (c == 11)
        return '0';
    return (char)('0' + c);
}

/** Validates an organisation code; see idcheck.h. */
int idcheck_orgcode(const char *code)
{
    if (!code || bounded_len(code, 9) != 9)
        return IDCHECK_E_LENGTH;
    char up[9];
    for (int i = 0; i < 9; i++) {
        up[i] = upper(code[i]);
        if (orgcode_value(up[i]) < 0)
            return IDCHECK_E_CHAR;
    }
    if (!is_digit(up[8]) && up[8] != 'X')
        return IDCHECK_E_CHAR;
    return orgcode_check_char(up) == up[8] ? IDCHECK_OK : IDCHECK_E_CHECK;
}

/**
 * Organisation types allowed for each registering authority (GB 32100-2015
 * table 1 with its amendment): e.g. authority 9 (market regulation) knows
 * 1 enterprise, 2 individual business, 3 farmers' cooperative.
 */
static const struct {
    char authority;
    const char *types;
} uscc_types[] = {
    {'1', "1239"},   /* institutional establishment: organs, public institutions, ... */
    {'2', "19"},     /* foreign affairs: resident foreign news agencies */
    {'3', "123459"}, /* justice: law firms, notaries, legal services, forensics, arbitration */
    {'4', "19"},     /* culture: foreign cultural centres */
    {'5', "1239"},   /* civil affairs: social organisations, private non-enterprise, foundations */
    {'6', "129"},    /* tourism: representative offices */
    {'7', "129"},    /* religious affairs: venues, colleges */
    {'8', "19"},     /* trade unions */
    {'9', "123"},    /* market regulation: enterprises, individual businesses, cooperatives */
    {'A', "19"},     /* Central Military Commission: military public institutions */
    {'N', "1239"},   /* agriculture: rural collective economic organisations */
    {'Y', "1"},      /* other */
};

/**
 * GB 32100 check character. The weight of position i (0-based) is 3^i mod
 * 31; the check value is (31 - sum mod 31) mod 31, mapped back to the
 * alphabet.
 */
static char uscc_check_char(const char *code17)
{
    int sum = 0, w = 1;
    for (int i = 0; i < 17; i++) {
        sum += uscc_value(code17[i]) * w;
        w = w * 3 % 31;
    }
    return uscc_alphabet[(31 - sum % 31) % 31];
}

/** Validates a unified social credit code; see idcheck.h. */
int idcheck_uscc(const char *code, char *norm)
{
    if (!code || bounded_len(code, 18) != 18)
        return IDCHECK_E_LENGTH;
    char up[IDCHECK_BUFSZ];
    for (int i = 0; i < 18; i++) {
        up[i] = upper(code[i]);
        if (uscc_value(up[i]) < 0)
            return IDCHECK_E_CHAR;
    }
    up[18] = '\0';
    /* Characters 3-8 are the registering administration's division code. */
    for (int i = 2; i < 8; i++) {
        if (!is_digit(up[i]))
            return IDCHECK_E_CHAR;
    }
    const char *types = NULL;
    for (size_t k = 0; k < sizeof uscc_types / sizeof uscc_types[0]; k++) {
        if (uscc_types[k].authority == up[0])
            types = uscc_types[k].types;
    }
    if (!types)
        return IDCHECK_E_AUTHORITY;
    if (!strchr(types, up[1]))
        return IDCHECK_E_TYPE;
    if (uscc_check_char(up) != up[17])
        return IDCHECK_E_CHECK;
    /* The embedded code's check character is within the USCC alphabet but
     * can only be a digit or X. */
    int rc = IDCHECK_OK;
    if ((!is_digit(up[16]) && up[16] != 'X') || orgcode_check_char(up + 8) != up[16])
        rc = IDCHECK_E_ORG_CHECK;
    if (norm)
        memcpy(norm, up, IDCHECK_BUFSZ);
    return rc;
}

/* ---- Errors ------------------------------------------------------------ */

/** Slug of a reason; see idcheck.h. */
const char *idcheck_reason_slug(int reason)
{
    switch (reason) {
    case IDCHECK_OK:
        return "ok";
    case IDCHECK_E_LENGTH:
        return "length";
    case IDCHECK_E_CHAR:
        return "character";
    case IDCHECK_E_REGION:
        return "region";
    case IDCHECK_E_DATE:
        return "birth-date";
    case IDCHECK_E_FUTURE:
        return "birth-date-future";
    case IDCHECK_E_CHECK:
        return "check-digit";
    case IDCHECK_E_AUTHORITY:
        return "authority";
    case IDCHECK_E_TYPE:
        return "org-type";
    case IDCHECK_E_ORG_CHECK:
        return "org-check-digit";
    default:
        return "unknown";
    }
}

/** Reason to struct err; see idcheck.h. */
int idcheck_err(int reason, enum idcheck_subject subject, const char *field, struct err *e)
{
    if (reason == IDCHECK_OK) {
        if (e)
            err_clear(e);
        return 0;
    }
    static const char *const subjects[] = {"id", "uscc", "orgcode"};
    const char *subj =
        (unsigned)subject < sizeof subjects / sizeof subjects[0] ? subjects[subject] : "id";
    char key[64];
    snprintf(key, sizeof key, "idcheck.%s.%s", subj, idcheck_reason_slug(reason));
    return err_set(e, ERR_INVALID, field, key, NULL);
}
