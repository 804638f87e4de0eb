/**
 * @file test_search.c
 * @brief The catalog search: substrings of 1, 2 and 4 characters, matches
 *        only within one text, pinyin full spellings, prefixes of the last
 *        syllable, initials and polyphonic characters, the ranking, folding,
 *        the answers for bad and empty queries, hostile input; and a
 *        benchmark over 5,400 generated entries that prints (never asserts)
 *        the time per query and the size of the index.
 */
#include "core/pinyin.h"
#include "domain/search.h"
#include "testlib.h"
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KW(...)                                                                                    \
    (const char *const[]){__VA_ARGS__},                                                            \
        sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)

/* The small catalog most tests search. */
enum {
    E_YYZZ_CHANGE, /* 企业营业执照变更登记 */
    E_SBK_APPLY,   /* 社会保障卡申领 (short 社保卡申领) */
    E_SBK_LOST,    /* 社会保障卡挂失 (no short name, no keywords) */
    E_HUJI,        /* 户籍迁移 */
    E_HUJI_REG,    /* 户籍迁移登记 */
    E_HUJI_DO,     /* 办理户籍迁移 */
    E_BANK,        /* 银行开户证明 */
    E_KW,          /* keywords 社会, 保险 */
    E_ICP,         /* ICP备案 */
    E_CHONG,       /* 重新申领驾驶证 */
    E_YYZZ_CANCEL, /* 营业执照注销 */
    E__COUNT
};

static const struct search_entry catalog[E__COUNT] = {
    [E_YYZZ_CHANGE] = {"企业营业执照变更登记", NULL, KW("工商", "公司变更")},
    [E_SBK_APPLY] = {"社会保障卡申领", "社保卡申领", KW("医保")},
    [E_SBK_LOST] = {"社会保障卡挂失", NULL, NULL, 0},
    [E_HUJI] = {"户籍迁移", NULL, NULL, 0},
    [E_HUJI_REG] = {"户籍迁移登记", NULL, NULL, 0},
    [E_HUJI_DO] = {"办理户籍迁移", NULL, NULL, 0},
    [E_BANK] = {"银行开户证明", "开户证明", KW("存款")},
    [E_KW] = {"养老待遇领取", "养老金", KW("社会", "保险")},
    [E_ICP] = {"ICP备案", NULL, KW("网站")},
    [E_CHONG] = {"重新申领驾驶证", NULL, KW("驾照")},
    [E_YYZZ_CANCEL] = {"营业执照注销", "执照注销", NULL, 0},
};

static struct search_index *ix;

static int setup(void **state)
{
    (void)state;
    ix = search_build(catalog, E__COUNT);
    return ix ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    search_free(ix);
    return 0;
}

/** Runs q; returns the status and fills res (count in *n). */
static int run(const char *q, uint32_t *res, size_t *n)
{
    return search_run(ix, q, strlen(q), res, n);
}

/** Whether q finds entry e. */
static int finds(const char *q, unsigned e)
{
    uint32_t res[E__COUNT];
    size_t n = 99;
    int rc = run(q, res, &n);
    if (rc != SEARCH_OK) fail_msg("query \"%s\": status %d", q, rc);
    for (size_t i = 0; i < n; i++)
        if (res[i] == e) return 1;
    return 0;
}

/** The entries q finds, in order, as a string "3,4,5". */
static const char *order(const char *q)
{
    static char buf[256];
    uint32_t res[E__COUNT];
    size_t n = 0;
    assert_int_equal(run(q, res, &n), SEARCH_OK);
    buf[0] = 0;
    for (size_t i = 0; i < n; i++)
        snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%u", i ? "," : "", res[i]);
    return buf;
}

/** Substrings of 1, 2 and 4 characters, anywhere in a name. */
static void test_substring(void **state)
{
    (void)state;
    assert_true(finds("营业执照", E_YYZZ_CHANGE));
    assert_true(finds("营业执照", E_YYZZ_CANCEL));
    assert_true(finds("执照", E_YYZZ_CHANGE));
    assert_true(finds("户籍", E_HUJI) && finds("户籍", E_HUJI_REG) && finds("户籍", E_HUJI_DO));
    assert_true(finds("照", E_YYZZ_CHANGE));
    assert_true(finds("籍", E_HUJI_DO));
    assert_true(finds("变更登记", E_YYZZ_CHANGE));
    assert_true(finds("企业营业执照变更登记", E_YYZZ_CHANGE));
    assert_false(finds("营业执照", E_HUJI));
    assert_false(finds("照执", E_YYZZ_CHANGE)); /* both characters, wrong order */
    assert_false(finds("营业执照变更登记了", E_YYZZ_CHANGE));
    assert_string_equal(order("销"), "10");
    /* Keywords and short names are searched too. */
    assert_true(finds("工商", E_YYZZ_CHANGE));
    assert_true(finds("驾照", E_CHONG));
    assert_true(finds("开户证", E_BANK));
}

/** 社保 finds the entry whose short name contains it, and not one whose
 *  name only has 社会保障. */
static void test_shebao(void **state)
{
    (void)state;
    assert_true(finds("社保", E_SBK_APPLY));
    assert_false(finds("社保", E_SBK_LOST));
    assert_false(finds("社保", E_KW));
    assert_string_equal(order("社保"), "1");
    assert_true(finds("社会保障卡", E_SBK_LOST));
}

/** A pair of characters that only occurs across two keywords, or across a
 *  name and a short name, matches nothing. */
static void test_no_spanning(void **state)
{
    (void)state;
    assert_true(finds("社会", E_KW));
    assert_true(finds("保险", E_KW));
    assert_false(finds("会保", E_KW));
    assert_false(finds("社会保险", E_KW));
    assert_false(finds("领取养", E_KW));     /* name then short name */
    assert_false(finds("养老金社会", E_KW)); /* short name then keyword */
    assert_false(finds("证明存", E_BANK));
    assert_string_equal(order("会保险"), "");
}

/** Full spellings, the last syllable possibly cut short; spaces ignored;
 *  upper case folded. */
static void test_pinyin_full(void **state)
{
    (void)state;
    static const char *const q[] = {
        "yingye",         "yingyezhizhao", "ying ye",
        "yingyezhi",      "yingyezh",      "YingYe",
        "yingy",          "qiyeyingye",    "zhizhaobiangengdengji",
        " ying  ye zhi ",
    };
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++)
        if (!finds(q[i], E_YYZZ_CHANGE))
            fail_msg("\"%s\" does not find 企业营业执照变更登记", q[i]);
    assert_true(finds("huji", E_HUJI_DO));
    assert_true(finds("shebaoka", E_SBK_APPLY)); /* the short name 社保卡申领 */
    assert_false(finds("shebaoka", E_SBK_LOST));
    assert_true(finds("shehuibao", E_SBK_LOST));
    assert_false(finds("yingyezhizhaoa", E_YYZZ_CHANGE)); /* past the reading */
    assert_false(finds("yingzhi", E_YYZZ_CHANGE));        /* not consecutive */
    assert_false(finds("yingyex", E_YYZZ_CHANGE));
}

/** Initials of a consecutive run of characters. */
static void test_pinyin_initials(void **state)
{
    (void)state;
    assert_true(finds("yyzz", E_YYZZ_CHANGE));
    assert_true(finds("yyzz", E_YYZZ_CANCEL));
    assert_true(finds("YYZZ", E_YYZZ_CHANGE));
    assert_true(finds("qyyyzz", E_YYZZ_CHANGE));
    assert_true(finds("bgdj", E_YYZZ_CHANGE));
    assert_true(finds("shbzk", E_SBK_LOST));
    assert_true(finds("sbk", E_SBK_APPLY)); /* short name */
    assert_false(finds("sbk", E_SBK_LOST));
    assert_false(finds("yzzy", E_YYZZ_CHANGE));
    assert_false(finds("qz", E_YYZZ_CHANGE)); /* 企 and 执 are not adjacent */
    assert_false(finds("hjqyx", E_HUJI));     /* longer than the name */
}

/** Every reading of a polyphonic character is indexed. */
static void test_polyphonic(void **state)
{
    (void)state;
    assert_true(finds("yinhang", E_BANK));
    assert_true(finds("yinxing", E_BANK));
    assert_true(finds("yh", E_BANK));
    assert_true(finds("yx", E_BANK));
    assert_true(finds("chongxin", E_CHONG));
    assert_true(finds("zhongxin", E_CHONG));
    assert_true(finds("cxsl", E_CHONG));
    assert_true(finds("zxsl", E_CHONG));
}

/** Exact name, name prefix, name substring, short name, keyword, pinyin
 *  full, pinyin initials; ties by shorter name, then entry index. */
static void test_ranking(void **state)
{
    (void)state;
    /* Exact 户籍迁移, then the prefix 户籍迁移登记, then 办理户籍迁移. */
    char want[64];
    snprintf(want, sizeof want, "%d,%d,%d", E_HUJI, E_HUJI_REG, E_HUJI_DO);
    assert_string_equal(order("户籍迁移"), want);
    /* Name prefix (营业执照注销) before a substring of a name. */
    snprintf(want, sizeof want, "%d,%d", E_YYZZ_CANCEL, E_YYZZ_CHANGE);
    assert_string_equal(order("营业执照"), want);
    /* An exact short name ranks first. */
    snprintf(want, sizeof want, "%d", E_YYZZ_CANCEL);
    assert_string_equal(order("执照注销"), want);
    /* Substring of a name before short name before keyword; within a rank
     * the shorter name first, then the lower index. */
    const struct search_entry e[] = {
        {"驾驶证补领", NULL, KW("证件")},   /* 0: keyword */
        {"驾驶员考试", "考证件", NULL, 0},  /* 1: short name */
        {"驾驶证件换领", NULL, NULL, 0},    /* 2: name, 6 characters */
        {"机动车证件核发", NULL, NULL, 0},  /* 3: name, 7 characters */
        {"证件", "证", NULL, 0},            /* 4: exact */
        {"补办证件", NULL, NULL, 0},        /* 5: name, 4 characters */
        {"证件遗失补办", NULL, NULL, 0},    /* 6: name prefix */
        {"遗失声明", NULL, KW("证件遗失")}, /* 7: keyword, shorter than 0 */
        {"zhengjian", NULL, NULL, 0},       /* 8: letters, no Han */
        {"正见", NULL, NULL, 0},            /* 9: zheng jian by pinyin only */
        {"证据鉴定", NULL, NULL, 0},        /* 10: z j initials only */
    };
    struct search_index *r = search_build(e, sizeof e / sizeof e[0]);
    assert_non_null(r);
    uint32_t res[16];
    size_t n = 0;
    assert_int_equal(search_run(r, "证件", strlen("证件"), res, &n), SEARCH_OK);
    static const uint32_t want_zj[] = {4, 6, 5, 2, 3, 1, 7, 0};
    assert_int_equal(n, sizeof want_zj / sizeof want_zj[0]);
    assert_memory_equal(res, want_zj, sizeof want_zj);
    /* The exact name first, then full spellings of 证件 and 正见 (names
     * and short names only: not 7, whose keyword has it). */
    assert_int_equal(search_run(r, "zhengjian", 9, res, &n), SEARCH_OK);
    static const uint32_t want_full[] = {8, 4, 9, 5, 1, 2, 6, 3};
    assert_int_equal(n, sizeof want_full / sizeof want_full[0]);
    assert_memory_equal(res, want_full, sizeof want_full);
    /* "zj" spells nothing in full (no reading is "z"): initials only. */
    assert_int_equal(search_run(r, "zj", 2, res, &n), SEARCH_OK);
    static const uint32_t want_ini[] = {4, 9, 5, 10, 1, 2, 6, 3};
    assert_int_equal(n, sizeof want_ini / sizeof want_ini[0]);
    assert_memory_equal(res, want_ini, sizeof want_ini);
    /* Full spelling before initials: "zhengjia" spells 证件 (the last
     * syllable cut short) and 证据鉴定 only by... nothing: "zhengjia" is not
     * initials. "zhjd" would be none of them; "zjjd" is 证据鉴定's. */
    assert_int_equal(search_run(r, "zjjd", 4, res, &n), SEARCH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(res[0], 10);
    /* Pinyin full before initials for the same query: "zheng" spells
     * 证/正 in full; nothing matches it by initials. A one-syllable query
     * that is also initials: "ding" is 定 in full (10). */
    assert_int_equal(search_run(r, "ding", 4, res, &n), SEARCH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(res[0], 10);
    search_free(r);
    /* The same answer each time. */
    char first[256];
    snprintf(first, sizeof first, "%s", order("yy"));
    assert_string_equal(order("yy"), first);
}

/** Full-width letters and digits fold to ASCII, in queries and texts;
 *  case folds; blanks around the query are trimmed. */
static void test_folding(void **state)
{
    (void)state;
    assert_true(finds("icp", E_ICP));
    assert_true(finds("ＩＣＰ", E_ICP));
    assert_true(finds("ｉｃｐ备案", E_ICP));
    assert_true(finds("ＹＹＺＺ", E_YYZZ_CHANGE));
    assert_true(finds("ｙｉｎｇｙｅ", E_YYZZ_CHANGE));
    assert_true(finds("  营业执照\t", E_YYZZ_CHANGE));
    assert_true(finds("\xe3\x80\x80营业执照\xe3\x80\x80", E_YYZZ_CHANGE)); /* U+3000 */
    const struct search_entry e[] = {{"ＡＰＰ备案", NULL, NULL, 0}};
    struct search_index *r = search_build(e, 1);
    uint32_t res[1];
    size_t n = 0;
    assert_int_equal(search_run(r, "app", 3, res, &n), SEARCH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(search_run(r, "App备案", strlen("App备案"), res, &n), SEARCH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(res[0], 0);
    search_free(r);
}

/** Empty and bad queries: the status, *nout 0, out untouched. */
static void test_empty_bad(void **state)
{
    (void)state;
    uint32_t res[E__COUNT];
    static const char *const empty[] = {"",  " ",    "   \t\n", "，。！？", "\xe3\x80\x80",
                                        "*", "\"\"", "...",     "（）【】", "　！"};
    for (size_t i = 0; i < sizeof empty / sizeof empty[0]; i++) {
        size_t n = 99;
        res[0] = 12345;
        assert_int_equal(run(empty[i], res, &n), SEARCH_EMPTY);
        assert_int_equal(n, 0);
        assert_int_equal(res[0], 12345);
    }
    size_t n = 99;
    assert_int_equal(search_run(ix, NULL, 0, res, &n), SEARCH_EMPTY);
    assert_int_equal(search_run(ix, NULL, 3, res, &n), SEARCH_BAD);
    static const char *const bad[] = {"\xff", "营业\xe6\x89", "\xc0\x80", "ab\xed\xa0\x80",
                                      "\x80营业执照"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        n = 99;
        res[0] = 12345;
        assert_int_equal(run(bad[i], res, &n), SEARCH_BAD);
        assert_int_equal(n, 0);
        assert_int_equal(res[0], 12345);
    }
    /* 10 KB, and the limit of 200 code points either side. */
    char *big = malloc(10241);
    memset(big, 'a', 10240);
    big[10240] = 0;
    assert_int_equal(run(big, res, &n), SEARCH_BAD);
    big[201] = 0;
    assert_int_equal(run(big, res, &n), SEARCH_BAD);
    big[200] = 0;
    assert_int_equal(run(big, res, &n), SEARCH_OK);
    assert_int_equal(n, 0);
    free(big);
    char han[3 * 201 + 1] = "";
    for (int i = 0; i < 200; i++)
        strcat(han, "营");
    assert_int_equal(run(han, res, &n), SEARCH_OK);
    strcat(han, "营");
    assert_int_equal(run(han, res, &n), SEARCH_BAD);
    /* Nothing found is OK with no results. */
    assert_int_equal(run("不存在的事项", res, &n), SEARCH_OK);
    assert_int_equal(n, 0);
}

/** Query syntax of other engines and SQL are plain text here. */
static void test_hostile(void **state)
{
    (void)state;
    static const char *const q[] = {
        "\"营业执照\"",
        "营业*",
        "NEAR(营业 执照)",
        "' OR 1=1 --",
        "营业执照'; DROP TABLE items;--",
        "%",
        "_",
        "\\",
        "营业 AND 执照",
        "yy*",
        "a\"b",
        "<script>",
        "营业zz",
    };
    uint32_t res[E__COUNT];
    for (size_t i = 0; i < sizeof q / sizeof q[0]; i++) {
        size_t n = 99;
        int rc = run(q[i], res, &n);
        assert_true(rc == SEARCH_OK || rc == SEARCH_EMPTY);
        assert_true(n <= E__COUNT);
    }
    /* A NUL inside the query is a character like any other. */
    size_t n = 99;
    assert_int_equal(search_run(ix, "营\0业", 7, res, &n), SEARCH_OK);
    assert_int_equal(n, 0);
    /* Random bytes: no crash, every answer a set of distinct entries. */
    unsigned seed = 12345;
    char buf[1024];
    for (int round = 0; round < 20000; round++) {
        size_t len = (seed = seed * 1103515245u + 12345u) >> 16 & 0x3FF;
        for (size_t i = 0; i < len; i++) {
            seed = seed * 1103515245u + 12345u;
            /* Mostly letters, Han bytes and spaces; sometimes anything. */
            unsigned r = seed >> 16;
            static const char pool[] = "yingezhaoshbkuxc 营业执照社保户籍";
            buf[i] = (r & 7) ? pool[(r >> 3) % (sizeof pool - 1)] : (char)(r >> 3);
        }
        int rc = search_run(ix, buf, len % 64 == 0 ? len : len % 64, res, &n);
        assert_true(rc == SEARCH_OK || rc == SEARCH_EMPTY || rc == SEARCH_BAD);
        assert_true(n <= E__COUNT);
        unsigned seen = 0;
        for (size_t i = 0; i < n; i++) {
            assert_true(res[i] < E__COUNT);
            assert_false(seen >> res[i] & 1);
            seen |= 1u << res[i];
        }
    }
}

/** Odd entries: no name, invalid UTF-8, empty keywords; an empty index. */
static void test_odd_entries(void **state)
{
    (void)state;
    const struct search_entry e[] = {
        {NULL, NULL, NULL, 0},
        {"坏\xff字节", "", KW("", NULL, "好")},
        {"", "  ", NULL, 0},
        {"户籍", "户籍", KW("户籍")},
    };
    struct search_index *r = search_build(e, 4);
    assert_non_null(r);
    uint32_t res[4];
    size_t n = 0;
    assert_int_equal(search_run(r, "好", strlen("好"), res, &n), SEARCH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(res[0], 1);
    assert_int_equal(search_run(r, "字节", strlen("字节"), res, &n), SEARCH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(search_run(r, "坏字", strlen("坏字"), res, &n), SEARCH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(search_run(r, "huji", 4, res, &n), SEARCH_OK);
    assert_int_equal(n, 1);
    assert_int_equal(res[0], 3);
    search_free(r);

    r = search_build(NULL, 0);
    assert_non_null(r);
    assert_int_equal(search_run(r, "户籍", strlen("户籍"), res, &n), SEARCH_OK);
    assert_int_equal(n, 0);
    assert_int_equal(search_run(r, "", 0, res, &n), SEARCH_EMPTY);
    search_free(r);
    search_free(NULL);
}

/* ---- Benchmark -------------------------------------------------------- */

#define BENCH_N 5400

static const char *const subjects[] = {
    "企业",           "个人",         "社会保险",     "户籍",     "机动车",   "营业执照",
    "医疗保险",       "住房公积金",   "不动产",       "出入境",   "残疾人",   "税务",
    "食品经营许可证", "建设工程",     "药品",         "医师执业", "道路运输", "驾驶证",
    "居民身份证",     "养老保险",     "失业保险",     "工伤认定", "生育津贴", "婚姻登记",
    "出生医学证明",   "medical",      "危险化学品",   "排污许可", "教师资格", "银行账户",
    "重大事项",       "长期护理保险", "行政许可",     "社保卡",   "律师执业", "烟草专卖",
    "特种设备",       "消防安全",     "网络文化经营",
};
static const char *const actions[] = {
    "变更登记", "注销",     "申领",     "补办", "核发", "延续",     "备案",
    "查询",     "迁移",     "转移接续", "审批", "换证", "年度报告", "证明开具",
    "信息修改", "资格认定", "待遇领取", "预约", "撤销",
};
static const char *const places[] = {"", "", "", "市级", "区级", "跨省", "港澳台", "首次"};

static void bench(void **state)
{
    (void)state;
    struct search_entry *e = calloc(BENCH_N, sizeof *e);
    char(*names)[128] = calloc(BENCH_N, sizeof *names);
    char(*shorts)[64] = calloc(BENCH_N, sizeof *shorts);
    const char *(*kws)[3] = calloc(BENCH_N, sizeof *kws);
    unsigned seed = 42;
#define RND(n) ((seed = seed * 1103515245u + 12345u) >> 16) % (n)
    for (int i = 0; i < BENCH_N; i++) {
        const char *s = subjects[RND(sizeof subjects / sizeof subjects[0])];
        const char *a = actions[RND(sizeof actions / sizeof actions[0])];
        const char *p = places[RND(sizeof places / sizeof places[0])];
        snprintf(names[i], sizeof names[i], "%s%s%s（第%d项）", p, s, a, i);
        snprintf(shorts[i], sizeof shorts[i], "%s%s", s, a);
        kws[i][0] = subjects[RND(sizeof subjects / sizeof subjects[0])];
        kws[i][1] = actions[RND(sizeof actions / sizeof actions[0])];
        kws[i][2] = "政务服务";
        e[i] = (struct search_entry){names[i], (i % 3) ? shorts[i] : NULL, kws[i], 3};
    }
    pinyin_load();
    struct mallinfo2 m0 = mallinfo2();
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    struct search_index *r = search_build(e, BENCH_N);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    struct mallinfo2 m1 = mallinfo2();
    assert_non_null(r);
    double build_ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
    printf("# search bench: %d entries, build %.1f ms, index %.0f KB (heap in use)\n", BENCH_N,
           build_ms, ((double)m1.uordblks - (double)m0.uordblks) / 1024);

    static const char *const queries[] = {
        "营业执照", "社保",          "户籍",    "执照",    "证", "yingye", "yyzz", "yingyezhizhao",
        "ying ye",  "shehuibaoxian", "yinhang", "zhongda", "y",  "zh",     "bdc",  "不动产变更",
        "注销",     "xingzhengxuke", "zzzz",    "不存在",
    };
    uint32_t *out = malloc(BENCH_N * sizeof *out);
    const int reps = 200;
    double worst = 0, sum = 0;
    for (size_t qi = 0; qi < sizeof queries / sizeof queries[0]; qi++) {
        size_t n = 0;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int k = 0; k < reps; k++)
            assert_int_equal(search_run(r, queries[qi], strlen(queries[qi]), out, &n), SEARCH_OK);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double us = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 1e3 / reps;
        printf("# search bench: %-16s %5zu hits %8.1f us\n", queries[qi], n, us);
        sum += us;
        if (us > worst) worst = us;
    }
    printf("# search bench: mean %.1f us, worst %.1f us per query\n",
           sum / (sizeof queries / sizeof queries[0]), worst);
    free(out);
    search_free(r);
    free(e);
    free(names);
    free(shorts);
    free(kws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_substring),       cmocka_unit_test(test_shebao),
        cmocka_unit_test(test_no_spanning),     cmocka_unit_test(test_pinyin_full),
        cmocka_unit_test(test_pinyin_initials), cmocka_unit_test(test_polyphonic),
        cmocka_unit_test(test_ranking),         cmocka_unit_test(test_folding),
        cmocka_unit_test(test_empty_bad),       cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_odd_entries),     cmocka_unit_test(bench),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
