/**
 * @file test_idcheck.c
 * @brief Resident ID numbers, USCCs and organisation codes: public
 *        reference cases (tests/data/cn-id) and hand-computed ones for every
 *        error reason, leap days, the clock, permits, masking.
 */
#include "core/clock.h"
#include "core/idcheck.h"
#include "testlib.h"
#include <jansson.h>
#include <string.h>
#include <strings.h>

#define DATA_DIR ONEHALL_SOURCE_DIR "/tests/data/cn-id/"

/** A fixed "now": 2025-06-01T12:00:00+08:00. */
static int fix_clock(void **state)
{
    (void)state;
    int64_t ms;
    if (clock_parse_iso("2025-06-01T12:00:00+08:00", &ms) < 0)
        return -1;
    clock_set(ms);
    return 0;
}

/** Back to the real clock. */
static int real_clock(void **state)
{
    (void)state;
    clock_set(0);
    return 0;
}

/** Loads a JSON file of tests/data/cn-id; fails the test when it cannot. */
static json_t *load_json(const char *name)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s", DATA_DIR, name);
    json_error_t jerr;
    json_t *j = json_load_file(path, 0, &jerr);
    if (!j)
        fail_msg("cannot read %s: %s", path, jerr.text);
    return j;
}

/** The validator.js zh-CN cases: valid 18-digit numbers pass, valid 15-digit
 *  ones convert and the result passes; every invalid one is refused by the
 *  validator that its length selects. */
static void test_validatorjs_cases(void **state)
{
    (void)state;
    json_t *j = load_json("validatorjs-isIdentityCard-zh-CN.json");
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(j, "valid"), i, v)
    {
        const char *s = json_string_value(v);
        char norm[IDCHECK_BUFSZ];
        if (strlen(s) == 15) {
            char id18[IDCHECK_BUFSZ];
            assert_int_equal(idcheck_resident_from15(s, id18), IDCHECK_OK);
            assert_int_equal(idcheck_resident(id18, norm), IDCHECK_OK);
            assert_string_equal(norm, id18);
        } else {
            assert_int_equal(idcheck_resident(s, norm), IDCHECK_OK);
            assert_string_equal(norm, s);
        }
    }
    size_t n_invalid = 0;
    json_array_foreach(json_object_get(j, "invalid"), i, v)
    {
        const char *s = json_string_value(v);
        char out[IDCHECK_BUFSZ] = "untouched";
        int rc = strlen(s) == 15 ? idcheck_resident_from15(s, out) : idcheck_resident(s, out);
        if (rc == IDCHECK_OK)
            fail_msg("accepted invalid %s", s);
        assert_true(rc < 0);
        assert_string_equal(out, "untouched");
        n_invalid++;
    }
    assert_true(n_invalid >= 20);
    json_decref(j);
}

/** Why the validator.js invalid cases fail, for the ones whose reason is
 *  clear from the number. */
static void test_validatorjs_reasons(void **state)
{
    (void)state;
    assert_int_equal(idcheck_resident("160323197806058856", NULL), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident("010203197503102721", NULL), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident("520323297806058856", NULL), IDCHECK_E_FUTURE);
    assert_int_equal(idcheck_resident("520323197802318856", NULL), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("235407195106112742", NULL), IDCHECK_E_CHECK);
    assert_int_equal(idcheck_resident("235407207006112742", NULL), IDCHECK_E_FUTURE);
    assert_int_equal(idcheck_resident_from15("010101491001001", NULL), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident_from15("110101491041001", NULL), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident_from15("160101491001001", NULL), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident_from15("110101940231001", NULL), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("123456789", NULL), IDCHECK_E_LENGTH);
}

/** Hand-computed numbers (weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2). */
static void test_resident_valid(void **state)
{
    (void)state;
    char norm[IDCHECK_BUFSZ];
    /* The worked example of GB 11643-1999. */
    assert_int_equal(idcheck_resident("11010519491231002X", norm), IDCHECK_OK);
    assert_string_equal(norm, "11010519491231002X");
    assert_int_equal(idcheck_resident("440681199001011232", norm), IDCHECK_OK);
    assert_int_equal(idcheck_resident("510101192212310010", norm), IDCHECK_OK);
    /* NULL norm is allowed. */
    assert_int_equal(idcheck_resident("440681199001011232", NULL), IDCHECK_OK);
}

/** A lower-case x is accepted and normalised; other letters are not. */
static void test_resident_lowercase_x(void **state)
{
    (void)state;
    char norm[IDCHECK_BUFSZ];
    assert_int_equal(idcheck_resident("11010519491231002x", norm), IDCHECK_OK);
    assert_string_equal(norm, "11010519491231002X");
    assert_int_equal(idcheck_resident("11010519491231002Y", NULL), IDCHECK_E_CHAR);
    /* X only in the last place. */
    assert_int_equal(idcheck_resident("1101051949123100X2", NULL), IDCHECK_E_CHAR);
}

/** One case per reason, in the order the checks run. */
static void test_resident_each_reason(void **state)
{
    (void)state;
    char norm[IDCHECK_BUFSZ] = "untouched";
    assert_int_equal(idcheck_resident(NULL, norm), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident("", norm), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident("11010519491231002", norm), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident("11010519491231002X0", norm), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident(" 11010519491231002X", norm), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident("1101051949123100 X", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_resident("11010519491231OO2X", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_resident("11010519491231\xef\xbc\x90X", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_resident("16010519491231002X", norm), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident("00010519491231002X", norm), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident("91010519491231002X", norm), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident("11010519491331002X", norm), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("11010519490001002X", norm), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("11010519490400002X", norm), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("11010519490431002X", norm), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("11010520300101002X", norm), IDCHECK_E_FUTURE);
    assert_int_equal(idcheck_resident("110105194912310020", norm), IDCHECK_E_CHECK);
    assert_int_equal(idcheck_resident("440681199001011233", norm), IDCHECK_E_CHECK);
    /* A region error comes before a bad check digit. */
    assert_int_equal(idcheck_resident("160105194912310020", norm), IDCHECK_E_REGION);
    assert_string_equal(norm, "untouched");
}

/** Birth dates on February 29 exist only in leap years (1900 was not one,
 *  2000 was), and nobody born before 1890 is accepted. */
static void test_resident_leap_days(void **state)
{
    (void)state;
    assert_int_equal(idcheck_resident("110105200002290013", NULL), IDCHECK_OK);
    assert_int_equal(idcheck_resident("11010519960229002X", NULL), IDCHECK_OK);
    assert_int_equal(idcheck_resident("96515620000229456X", NULL), IDCHECK_OK);
    /* Check digits do not matter: the date is refused first. */
    assert_int_equal(idcheck_resident("110105190002290010", NULL), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("110105200102290010", NULL), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("110105199702290010", NULL), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("110105200002300010", NULL), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("110105189001010011", NULL), IDCHECK_OK);
    assert_int_equal(idcheck_resident("110105188912310010", NULL), IDCHECK_E_DATE);
    /* Legacy numbers: 1900 was no leap year, 1996 was. */
    assert_int_equal(idcheck_resident_from15("110105000229001", NULL), IDCHECK_E_DATE);
    char id18[IDCHECK_BUFSZ];
    assert_int_equal(idcheck_resident_from15("110105960229002", id18), IDCHECK_OK);
    assert_string_equal(id18, "11010519960229002X");
}

/** "Today" is the program's clock read in Asia/Shanghai. */
static void test_resident_future(void **state)
{
    (void)state;
    int64_t ms;
    /* 2024-06-01 00:30 in Shanghai is still May 31 in UTC. */
    assert_int_equal(clock_parse_iso("2024-05-31T16:30:00Z", &ms), 0);
    clock_set(ms);
    assert_int_equal(idcheck_resident("110105202406010013", NULL), IDCHECK_OK);
    /* 2024-05-31 23:30 in Shanghai: born tomorrow. */
    assert_int_equal(clock_parse_iso("2024-05-31T15:30:00Z", &ms), 0);
    clock_set(ms);
    assert_int_equal(idcheck_resident("110105202406010013", NULL), IDCHECK_E_FUTURE);
    struct idcheck_person p;
    assert_int_equal(idcheck_resident_info("110105202406010013", &p), IDCHECK_E_FUTURE);
    /* Once the day has come the number is accepted. */
    fix_clock(NULL);
    assert_int_equal(idcheck_resident("110105202406010013", NULL), IDCHECK_OK);
}

/** Residence permits (81, 82, 83) and foreigners' permanent residence cards
 *  (9 + province code). */
static void test_resident_permits(void **state)
{
    (void)state;
    struct idcheck_person p;
    assert_int_equal(idcheck_resident_info("810000199001011230", &p), IDCHECK_OK);
    assert_int_equal(p.kind, IDCHECK_KIND_HKMO_PERMIT);
    assert_int_equal(idcheck_resident_info("820000198512124568", &p), IDCHECK_OK);
    assert_int_equal(p.kind, IDCHECK_KIND_HKMO_PERMIT);
    assert_int_equal(idcheck_resident_info("830000200103157897", &p), IDCHECK_OK);
    assert_int_equal(p.kind, IDCHECK_KIND_TW_PERMIT);
    assert_int_equal(p.gender, IDCHECK_MALE);
    assert_int_equal(idcheck_resident_info("944156199001011230", &p), IDCHECK_OK);
    assert_int_equal(p.kind, IDCHECK_KIND_FOREIGN_PR);
    assert_int_equal(p.birth_year, 1990);
    assert_int_equal(idcheck_resident("830000200103157898", NULL), IDCHECK_E_CHECK);
    assert_int_equal(idcheck_resident("944156199001011231", NULL), IDCHECK_E_CHECK);
    /* 9 must be followed by a province code; 83 is not one. */
    assert_int_equal(idcheck_resident("983156199001011230", NULL), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident("999156199001011230", NULL), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident("916156199001011230", NULL), IDCHECK_E_REGION);
    /* The birth-date rules hold for them too. */
    assert_int_equal(idcheck_resident("944156199002301230", NULL), IDCHECK_E_DATE);
    assert_int_equal(idcheck_resident("944156203001011230", NULL), IDCHECK_E_FUTURE);
    assert_int_equal(idcheck_resident("810000203001011230", NULL), IDCHECK_E_FUTURE);
}

/** Kind, birth date and gender, from 18 and 15 characters. */
static void test_resident_info(void **state)
{
    (void)state;
    struct idcheck_person p;
    memset(&p, 0x5a, sizeof p);
    assert_int_equal(idcheck_resident_info("11010519491231002X", &p), IDCHECK_OK);
    assert_int_equal(p.kind, IDCHECK_KIND_RESIDENT);
    assert_int_equal(p.birth_year, 1949);
    assert_int_equal(p.birth_month, 12);
    assert_int_equal(p.birth_day, 31);
    assert_int_equal(p.gender, IDCHECK_FEMALE); /* sequence 002 */
    assert_int_equal(idcheck_resident_info("440681199001011232", &p), IDCHECK_OK);
    assert_int_equal(p.gender, IDCHECK_MALE); /* sequence 123 */
    assert_int_equal(idcheck_resident_info("110101491001001", &p), IDCHECK_OK);
    assert_int_equal(p.birth_year, 1949);
    assert_int_equal(p.birth_month, 10);
    assert_int_equal(p.birth_day, 1);
    assert_int_equal(p.gender, IDCHECK_MALE);
    struct idcheck_person q = p;
    assert_int_equal(idcheck_resident_info("110105194912310020", &q), IDCHECK_E_CHECK);
    assert_memory_equal(&q, &p, sizeof p);
    assert_int_equal(idcheck_resident_info(NULL, &q), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident_info("1101014910010", &q), IDCHECK_E_LENGTH);
}

/** Conversion of first-generation numbers and their own checks. */
static void test_resident_from15(void **state)
{
    (void)state;
    char out[IDCHECK_BUFSZ] = "untouched";
    assert_int_equal(idcheck_resident_from15("110101491001001", out), IDCHECK_OK);
    assert_string_equal(out, "11010119491001001X");
    assert_int_equal(idcheck_resident(out, NULL), IDCHECK_OK);
    strcpy(out, "untouched");
    assert_int_equal(idcheck_resident_from15(NULL, out), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident_from15("11010149100100", out), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident_from15("11010119491001001X", out), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_resident_from15("11010149100100X", out), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_resident_from15("810000491001001", out), IDCHECK_E_REGION);
    assert_int_equal(idcheck_resident_from15("110101491301001", out), IDCHECK_E_DATE);
    assert_string_equal(out, "untouched");
}

/** Masking keeps four characters at each end. */
static void test_mask(void **state)
{
    (void)state;
    char out[IDCHECK_BUFSZ];
    assert_int_equal(idcheck_mask("440681199001011232", out, sizeof out), 0);
    assert_string_equal(out, "4406**********1232");
    assert_int_equal(idcheck_mask("44068119900101123x", out, sizeof out), 0);
    assert_string_equal(out, "4406**********123X");
    assert_int_equal(idcheck_mask("110101491001001", out, sizeof out), 0);
    assert_string_equal(out, "1101*******1001");
    assert_int_equal(idcheck_mask("91440606MA4UJ8KL6E", out, sizeof out), 0);
    assert_string_equal(out, "9144**********KL6E");
    assert_int_equal(idcheck_mask("123456789", out, sizeof out), 0);
    assert_string_equal(out, "1234*6789");
    /* Short strings reveal nothing. */
    assert_int_equal(idcheck_mask("12345678", out, sizeof out), 0);
    assert_string_equal(out, "********");
    assert_int_equal(idcheck_mask("", out, sizeof out), 0);
    assert_string_equal(out, "");
    assert_int_equal(idcheck_mask("4406811990\xe5\xb9\xb4", out, sizeof out), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_mask(NULL, out, sizeof out), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_mask("440681199001011232", out, 18), IDCHECK_E_LENGTH);
}

/** The 40 real USCCs of government organs, and the lower-case one. */
static void test_uscc_real(void **state)
{
    (void)state;
    json_t *j = load_json("uscc-real-government-organs-qianfeng.json");
    size_t i, n = 0;
    json_t *v;
    char norm[IDCHECK_BUFSZ];
    json_array_foreach(json_object_get(j, "valid"), i, v)
    {
        const char *s = json_string_value(v);
        int rc = idcheck_uscc(s, norm);
        if (rc != IDCHECK_OK)
            fail_msg("refused %s: %s", s, idcheck_reason_slug(rc));
        assert_string_equal(norm, s);
        n++;
    }
    assert_int_equal(n, 40);
    json_array_foreach(json_object_get(j, "valid_only_if_uppercased"), i, v)
    {
        const char *s = json_string_value(v);
        assert_int_equal(idcheck_uscc(s, norm), IDCHECK_OK);
        assert_string_not_equal(norm, s);
        assert_int_equal(strcasecmp(norm, s), 0);
        assert_int_equal(idcheck_uscc(norm, NULL), IDCHECK_OK);
    }
    json_decref(j);
}

/** Hand-computed USCCs for each authority and each reason. */
static void test_uscc_reasons(void **state)
{
    (void)state;
    char norm[IDCHECK_BUFSZ] = "untouched";
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KL6E", NULL), IDCHECK_OK);
    assert_int_equal(idcheck_uscc("92440604L3512345XA", NULL), IDCHECK_OK);
    assert_int_equal(idcheck_uscc("5244000050001234XX", NULL), IDCHECK_OK);
    assert_int_equal(idcheck_uscc("N2440606MA5X00006K", NULL), IDCHECK_OK);
    assert_int_equal(idcheck_uscc("y1110000710932013h", norm), IDCHECK_OK);
    assert_string_equal(norm, "Y1110000710932013H");

    strcpy(norm, "untouched");
    assert_int_equal(idcheck_uscc(NULL, norm), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KL6", norm), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KL6EE", norm), IDCHECK_E_LENGTH);
    /* I, O, S, V, Z are not in the alphabet. */
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KI6E", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KO6E", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KS6E", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KV6E", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KZ6E", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KL6-", norm), IDCHECK_E_CHAR);
    /* Characters 3-8 are a division code: digits. */
    assert_int_equal(idcheck_uscc("91A40606MA4UJ8KL6E", norm), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_uscc("B1440606MA4UJ8KL6E", norm), IDCHECK_E_AUTHORITY);
    assert_int_equal(idcheck_uscc("01440606MA4UJ8KL6E", norm), IDCHECK_E_AUTHORITY);
    assert_int_equal(idcheck_uscc("94440606MA4UJ8KL6E", norm), IDCHECK_E_TYPE);
    assert_int_equal(idcheck_uscc("99440606MA4UJ8KL6E", norm), IDCHECK_E_TYPE);
    assert_int_equal(idcheck_uscc("Y2440606MA4UJ8KL6E", norm), IDCHECK_E_TYPE);
    assert_int_equal(idcheck_uscc("91440606MA4UJ8KL6F", norm), IDCHECK_E_CHECK);
    assert_int_equal(idcheck_uscc("91440607MA4UJ8KL6E", norm), IDCHECK_E_CHECK);
    assert_string_equal(norm, "untouched");
    /* Right USCC check, wrong embedded organisation-code check: told apart,
     * and the normalised code is still given for the record. */
    assert_int_equal(idcheck_uscc("91440606ma4uj8kl1y", norm), IDCHECK_E_ORG_CHECK);
    assert_string_equal(norm, "91440606MA4UJ8KL1Y");
}

/** Organisation codes alone. */
static void test_orgcode(void **state)
{
    (void)state;
    assert_int_equal(idcheck_orgcode("MA4UJ8KL6"), IDCHECK_OK);
    assert_int_equal(idcheck_orgcode("ma4uj8kl6"), IDCHECK_OK);
    assert_int_equal(idcheck_orgcode("L3512345X"), IDCHECK_OK);
    assert_int_equal(idcheck_orgcode("008778693"), IDCHECK_OK); /* from 11511300008778693M */
    assert_int_equal(idcheck_orgcode("MA4UJ8KL1"), IDCHECK_E_CHECK);
    assert_int_equal(idcheck_orgcode("MA4UJ8KLA"), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_orgcode("MA4UJ8K-6"), IDCHECK_E_CHAR);
    assert_int_equal(idcheck_orgcode("MA4UJ8KL-6"), IDCHECK_E_LENGTH);
    assert_int_equal(idcheck_orgcode(NULL), IDCHECK_E_LENGTH);
}

/** Reasons become struct err with a key per identifier. */
static void test_err(void **state)
{
    (void)state;
    struct err e;
    assert_int_equal(idcheck_err(IDCHECK_E_FUTURE, IDCHECK_SUBJECT_ID, "id_number", &e),
                     -ERR_INVALID);
    assert_int_equal(e.code, ERR_INVALID);
    assert_string_equal(e.field, "id_number");
    assert_string_equal(e.key, "idcheck.id.birth-date-future");
    assert_int_equal(idcheck_err(IDCHECK_E_ORG_CHECK, IDCHECK_SUBJECT_USCC, "uscc", &e),
                     -ERR_INVALID);
    assert_string_equal(e.key, "idcheck.uscc.org-check-digit");
    assert_int_equal(idcheck_err(IDCHECK_OK, IDCHECK_SUBJECT_ID, "id_number", &e), 0);
    assert_int_equal(e.code, ERR_OK);
    assert_int_equal(idcheck_err(IDCHECK_E_CHECK, IDCHECK_SUBJECT_ORGCODE, NULL, NULL),
                     -ERR_INVALID);
    /* Every reason has its own slug. */
    const char *seen[10];
    for (int r = 0; r >= IDCHECK_E_ORG_CHECK; r--) {
        seen[-r] = idcheck_reason_slug(r);
        assert_string_not_equal(seen[-r], "unknown");
        for (int k = 0; k < -r; k++)
            assert_string_not_equal(seen[k], seen[-r]);
    }
    assert_string_equal(idcheck_reason_slug(-100), "unknown");
    assert_string_equal(idcheck_reason_slug(3), "unknown");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_validatorjs_cases, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_validatorjs_reasons, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_resident_valid, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_resident_lowercase_x, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_resident_each_reason, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_resident_leap_days, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_resident_future, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_resident_permits, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_resident_info, fix_clock, real_clock),
        cmocka_unit_test_setup_teardown(test_resident_from15, fix_clock, real_clock),
        cmocka_unit_test(test_mask),
        cmocka_unit_test(test_uscc_real),
        cmocka_unit_test(test_uscc_reasons),
        cmocka_unit_test(test_orgcode),
        cmocka_unit_test(test_err),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
