/**
 * @file i18n.h
 * @brief The one translation mechanism: every text shown to people is looked
 *        up by key in i18n/zh-CN.txt (first language) or i18n/en.txt, both
 *        built into the binary. Format: "key = text" per line, "#" comments,
 *        "\n" for a newline, "{}" where an argument goes.
 */
#ifndef ONEHALL_I18N_H
#define ONEHALL_I18N_H

enum lang { LANG_ZH = 0, LANG_EN = 1, LANG__COUNT };

/** Loads both catalogs from the embedded resources; call once at start. 0 or -1. */
int i18n_init(void);
/** The text of key in lang, falling back to Chinese, then to the key itself. */
const char *tr(enum lang lang, const char *key);
/** Like tr, with the first "{}" replaced by arg; writes into out (size n). */
const char *trf(enum lang lang, const char *key, const char *arg, char *out, unsigned n);
/** "zh-CN" or "en". */
const char *lang_tag(enum lang lang);
/** Picks a language from a tag ("en", "en-US", "zh", "zh-CN"); -1 when unknown. */
int lang_parse(const char *tag);
/** Picks the best language from an Accept-Language header; LANG_ZH by default. */
enum lang lang_from_accept(const char *header);
/** Number of keys in lang's catalog; i18n_key_at iterates them (for tests). */
unsigned i18n_count(enum lang lang);
const char *i18n_key_at(enum lang lang, unsigned i);
#endif
