/**
 * @file idcheck.h
 * @brief Check digits and structure of the two identifiers every case
 *        carries: the resident ID number of a person (GB 11643-1999, and the
 *        residence permits and permanent residence cards numbered the same
 *        way) and the unified social credit code of an organisation
 *        (GB 32100-2015, embedding a GB 11714-1997 organisation code).
 *
 * Validators return IDCHECK_OK (0) or one negative idcheck_reason saying
 * exactly what is wrong, so the API and pages can tell the person which
 * part to look at; idcheck_err turns a reason into a struct err. Lower-case
 * letters are accepted and every normalised output is upper case. Nothing
 * here trims blanks: callers trim form input first. docs/identifiers.md
 * describes the rules and the texts shown for each reason.
 */
#ifndef ONEHALL_IDCHECK_H
#define ONEHALL_IDCHECK_H
#include "core/err.h"
#include <stddef.h>

/** Why an identifier was refused. Values are stable (stored in audit
 *  entries); append, never renumber. */
enum idcheck_reason {
    IDCHECK_OK = 0,
    IDCHECK_E_LENGTH = -1,    /**< wrong number of characters */
    IDCHECK_E_CHAR = -2,      /**< a character not allowed at its position */
    IDCHECK_E_REGION = -3,    /**< ID: province code unknown */
    IDCHECK_E_DATE = -4,      /**< ID: birth date impossible or before 1890 */
    IDCHECK_E_FUTURE = -5,    /**< ID: birth date after today (Asia/Shanghai) */
    IDCHECK_E_CHECK = -6,     /**< the final check character is wrong */
    IDCHECK_E_AUTHORITY = -7, /**< USCC: registering authority code unknown */
    IDCHECK_E_TYPE = -8,      /**< USCC: organisation type unknown for the authority */
    IDCHECK_E_ORG_CHECK = -9, /**< USCC: embedded organisation code's check wrong */
};

/** What kind of document an 18-character ID number belongs to. */
enum idcheck_kind {
    IDCHECK_KIND_RESIDENT = 1, /**< resident identity card (mainland) */
    IDCHECK_KIND_HKMO_PERMIT,  /**< residence permit, Hong Kong / Macao residents (81, 82) */
    IDCHECK_KIND_TW_PERMIT,    /**< residence permit, Taiwan residents (83) */
    IDCHECK_KIND_FOREIGN_PR,   /**< foreigner's permanent residence card, 2023 (9...) */
};

/** Gender as encoded by the parity of the sequence code. */
enum idcheck_gender {
    IDCHECK_MALE = 1,   /**< odd */
    IDCHECK_FEMALE = 2, /**< even */
};

/** Size of a buffer for a normalised 18-character identifier. */
#define IDCHECK_BUFSZ 19
/** Earliest birth year accepted. */
#define IDCHECK_MIN_BIRTH_YEAR 1890

/** What an ID number says about its holder. */
struct idcheck_person {
    enum idcheck_kind kind;
    int birth_year, birth_month, birth_day;
    enum idcheck_gender gender;
};

/** Validates an 18-character ID number: 17 digits and a check character
 *  (digit, X or x); a known province code (11-15, 21-23, 31-37, 41-46,
 *  50-54, 61-65, 71, 81, 82, and 83 for Taiwan residents' permits) or a 9
 *  followed by one of those codes but 83 (foreigners' permanent residence
 *  cards); a birth date (characters 7-14) that exists, is not before 1890
 *  and not after today in Asia/Shanghai (clock_now_ms); and the GB 11643
 *  check character. Checks run in that order and the first failure is
 *  returned. On IDCHECK_OK, when norm is not NULL, the number with an
 *  upper-case X is written there (IDCHECK_BUFSZ bytes). */
int idcheck_resident(const char *id, char *norm);

/** Validates a 15-digit first-generation number (6-digit region with a
 *  mainland province code, i.e. not 71/81/82; YYMMDD birth date read as
 *  19YY; 3-digit sequence) and
 *  writes the 18-character form with "19" inserted and the check character
 *  computed into out (IDCHECK_BUFSZ bytes, set only on success). Returns
 *  IDCHECK_OK, IDCHECK_E_LENGTH, IDCHECK_E_CHAR, IDCHECK_E_REGION or
 *  IDCHECK_E_DATE. */
int idcheck_resident_from15(const char *id15, char *out);

/** Validates an ID number of 18 characters (as idcheck_resident) or 15
 *  digits (as idcheck_resident_from15) and fills *p (set only on success)
 *  with its kind, birth date and gender. */
int idcheck_resident_info(const char *id, struct idcheck_person *p);

/** Writes a display form of an identifier into out (outsz bytes): the
 *  first 4 and last 4 characters kept and every character between replaced
 *  by '*' ("440681199001011234" -> "4406**********1234"); a lower-case x
 *  is shown as X. Identifiers of 8 characters or fewer are shown as '*'
 *  only. Works on any ASCII letters and digits (ID numbers, USCCs) without
 *  validating the check digit, so a stored number always displays. Returns
 *  0; IDCHECK_E_CHAR for NULL or other characters; IDCHECK_E_LENGTH when out
 *  is too small. */
int idcheck_mask(const char *id, char *out, size_t outsz);

/** Validates an 18-character unified social credit code over the alphabet
 *  0-9 A-H J-N P-R T U W-Y (no I, O, S, V, Z; lower case accepted): the
 *  registering authority (1-9, A, N, Y), the organisation type allowed for
 *  that authority, the GB 32100 check character, then the check character
 *  of the GB 11714 organisation code in characters 9-17. Returns the first
 *  failure in that order. On IDCHECK_OK and on IDCHECK_E_ORG_CHECK (codes
 *  of early pilot areas that staff may accept with a recorded reason) the
 *  upper-case code is written into norm when it is not NULL (IDCHECK_BUFSZ
 *  bytes). */
int idcheck_uscc(const char *code, char *norm);

/** Validates a 9-character GB 11714-1997 organisation code (8 digits or
 *  letters, then the check character 0-9 or X; lower case accepted; the "-"
 *  printed before the check character on old certificates is not).
 *  IDCHECK_OK, IDCHECK_E_LENGTH, IDCHECK_E_CHAR or IDCHECK_E_CHECK. */
int idcheck_orgcode(const char *code);

/** Which identifier a reason is about, for the wording shown to people. */
enum idcheck_subject {
    IDCHECK_SUBJECT_ID = 0,  /**< resident ID number (18 or 15 characters) */
    IDCHECK_SUBJECT_USCC,    /**< unified social credit code */
    IDCHECK_SUBJECT_ORGCODE, /**< organisation code */
};

/** Stable slug of a reason ("check-digit", "birth-date-future" ...); "ok"
 *  for IDCHECK_OK, "unknown" for values that are not reasons. */
const char *idcheck_reason_slug(int reason);

/** Fills e (when not NULL) with ERR_INVALID, the given field and the
 *  translation key "idcheck.<subject>.<slug>" (subject "id", "uscc" or
 *  "orgcode"; e.g. "idcheck.id.birth-date-future"), and returns
 *  -ERR_INVALID; for IDCHECK_OK clears e and returns 0. */
int idcheck_err(int reason, enum idcheck_subject subject, const char *field, struct err *e);
#endif
