/**
 * @file pinyin.h
 * @brief Mandarin readings (pinyin without tones) of the Han characters
 *        U+3400..U+9FFF, every reading of a polyphonic character (多音字),
 *        the most common first.
 *
 * The readings come from data/pinyin.txt, built into the binary and
 * generated from Unicode's Unihan database by tools/gen-pinyin.sh. Readings
 * are lower-case ASCII letters, ü written v ("lv", "nv"), at most 7 letters.
 * After pinyin_load the table is read-only, so threads share it.
 */
#ifndef ONEHALL_PINYIN_H
#define ONEHALL_PINYIN_H
#include <stddef.h>
#include <stdint.h>

/** First and last code points that may have readings. */
#define PINYIN_FIRST_CP 0x3400u
#define PINYIN_LAST_CP 0x9FFFu
/** Most readings one character has (the data has at most 8). */
#define PINYIN_MAX_READINGS 16
/** Longest reading in letters ("zhuang" has 6). */
#define PINYIN_MAX_LEN 7

/** Parses the embedded data into a compact table, once per process (safe to
 *  call from several threads, and again: later calls return the first
 *  result at once). Returns 0, or -1 when the data is missing or malformed
 *  (then every character has no reading). */
int pinyin_load(void);

/** Stores up to max readings of cp in out, most common first, and returns
 *  how many were stored; 0 when cp has none (not a Han character of the
 *  range, or no data). The strings are static: never freed, valid for the
 *  life of the process. Loads the data first when pinyin_load was not
 *  called. */
size_t pinyin_readings(uint32_t cp, const char **out, size_t max);

/* The same readings as small numbers, for indexes: every distinct reading
 * (syllable) has one id in 0..pinyin_syllable_count()-1, in the order of
 * first appearance in the data. Equal readings have equal ids, and
 * pinyin_readings returns the same pointer for them. */

/** Number of distinct readings; 0 when the data could not be loaded. */
size_t pinyin_syllable_count(void);
/** The reading with that id; NULL when id is out of range. */
const char *pinyin_syllable(unsigned id);
/** Like pinyin_readings, as ids. */
size_t pinyin_reading_ids(uint32_t cp, uint16_t *out, size_t max);
#endif
