/* lisp/builtins_string.c — characters (CLHS chapter 13) and strings
 * (chapter 16), plus SUBSEQ and CONCATENATE over every kernel sequence.
 *
 * Case: a character has case when it is one of a one-to-one upper/lower
 * pair (CLHS 13.1.4.3); the kernel knows ASCII, Latin-1, Latin Extended-A,
 * basic Greek and Cyrillic.  Other characters have no case.
 * Invariants: string designators are resolved once at entry; indices are
 * checked against the bounding indices before any access; the result of a
 * non-destructive function is always fresh.  No state of its own. */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/num_impl.h"
#include "lisp/array_impl.h"
#include "lisp/printer_impl.h"

static inline LispObj boolean(bool b) { return b ? T : NIL; }

/* ---------------------------------------------------------------- case */

/* The case partner of c (0 if none); *upper says whether c is the upper one. */
static uint32_t case_partner(uint32_t c, bool *upper) {
    if (c < 0x80) {
        if (c >= 'A' && c <= 'Z') { *upper = true; return c + 32; }
        if (c >= 'a' && c <= 'z') { *upper = false; return c - 32; }
        return 0;
    }
    if (c >= 0xC0 && c <= 0xDE && c != 0xD7) { *upper = true; return c + 0x20; }
    if (c >= 0xE0 && c <= 0xFE && c != 0xF7) { *upper = false; return c - 0x20; }
    if (c == 0xFF) { *upper = false; return 0x178; }
    if (c == 0x178) { *upper = true; return 0xFF; }
    if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) {
        *upper = (c & 1) == 0;
        return c ^ 1;
    }
    if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) {
        *upper = (c & 1) == 1;
        return *upper ? c + 1 : c - 1;
    }
    if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) { *upper = true; return c + 0x20; }
    if (c >= 0x3B1 && c <= 0x3C9 && c != 0x3C2) { *upper = false; return c - 0x20; }
    if (c >= 0x400 && c <= 0x40F) { *upper = true; return c + 0x50; }
    if (c >= 0x410 && c <= 0x42F) { *upper = true; return c + 0x20; }
    if (c >= 0x430 && c <= 0x44F) { *upper = false; return c - 0x20; }
    if (c >= 0x450 && c <= 0x45F) { *upper = false; return c - 0x50; }
    return 0;
}

uint32_t bi_char_upcase(uint32_t c) {
    bool upper;
    uint32_t p = case_partner(c, &upper);
    return p && !upper ? p : c;
}
uint32_t bi_char_downcase(uint32_t c) {
    bool upper;
    uint32_t p = case_partner(c, &upper);
    return p && upper ? p : c;
}
static bool upper_case_p(uint32_t c) { bool u; return case_partner(c, &u) && u; }
static bool lower_case_p(uint32_t c) { bool u; return case_partner(c, &u) && !u; }

bool bi_alpha_char_p(uint32_t c) {
    bool u;
    if (case_partner(c, &u)) return true;
    return c == 0xAA || c == 0xBA || c == 0xDF || (c >= 0x100 && c <= 0x24F) ||
           (c >= 0x370 && c <= 0x3FF && c != 0x37E && c != 0x387) || (c >= 0x400 && c <= 0x481) ||
           (c >= 0x48A && c <= 0x52F) || (c >= 0x5D0 && c <= 0x5EA) || (c >= 0x620 && c <= 0x64A) ||
           (c >= 0x3041 && c <= 0x30FF && c != 0x30FB) || (c >= 0x4E00 && c <= 0x9FFF) ||
           (c >= 0xAC00 && c <= 0xD7A3);
}

/* Weight of c as a digit in radix, or -1. */
static int digit_weight(uint32_t c, int radix) {
    int w = c >= '0' && c <= '9' ? (int)(c - '0')
          : c >= 'A' && c <= 'Z' ? (int)(c - 'A') + 10
          : c >= 'a' && c <= 'z' ? (int)(c - 'a') + 10 : -1;
    return w < radix ? w : -1;
}

static bool alphanumeric_p(uint32_t c) { return bi_alpha_char_p(c) || digit_weight(c, 10) >= 0; }

static bool whitespace_p(uint32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/* ---------------------------------------------------------------- characters */

static uint32_t char_arg(ThContext *tc, LispObj x) {
    if (!char_p(x)) cond_type_error(tc, x, S(CHARACTER));
    return char_code(x);
}

static int radix_arg(ThContext *tc, size_t nargs, LispObj *args, size_t i) {
    if (nargs <= i) return 10;
    LispObj r = args[i];
    if (!fx_p(r) || fx_value(r) < 2 || fx_value(r) > 36)
        cond_type_error(tc, r, bi_integer_type(tc, 2, 36));
    return (int)fx_value(r);
}

static LispObj cl_char_code(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make(char_arg(tc, args[0]));
}
static LispObj cl_code_char(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    if (!fx_p(x) || fx_value(x) < 0 || fx_value(x) >= CHAR_CODE_LIMIT)
        bi_index_error(tc, x, CHAR_CODE_LIMIT);
    return char_make((uint32_t)fx_value(x));
}
static LispObj cl_char_upcase(ThContext *tc, size_t nargs, LispObj *args) {
    return char_make(bi_char_upcase(char_arg(tc, args[0])));
}
static LispObj cl_char_downcase(ThContext *tc, size_t nargs, LispObj *args) {
    return char_make(bi_char_downcase(char_arg(tc, args[0])));
}
static LispObj cl_upper_case_p(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(upper_case_p(char_arg(tc, args[0])));
}
static LispObj cl_lower_case_p(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(lower_case_p(char_arg(tc, args[0])));
}
static LispObj cl_both_case_p(ThContext *tc, size_t nargs, LispObj *args) {
    bool u;
    return boolean(case_partner(char_arg(tc, args[0]), &u) != 0);
}
static LispObj cl_alpha_char_p(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(bi_alpha_char_p(char_arg(tc, args[0])));
}
static LispObj cl_alphanumericp(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(alphanumeric_p(char_arg(tc, args[0])));
}
static LispObj cl_graphic_char_p(ThContext *tc, size_t nargs, LispObj *args) {
    uint32_t c = char_arg(tc, args[0]);
    return boolean(c >= 32 && c != 127 && !(c >= 0x80 && c < 0xA0));
}
static LispObj cl_digit_char_p(ThContext *tc, size_t nargs, LispObj *args) {
    uint32_t c = char_arg(tc, args[0]);
    int w = digit_weight(c, radix_arg(tc, nargs, args, 1));
    return w < 0 ? NIL : fx_make(w);
}
static LispObj cl_digit_char(ThContext *tc, size_t nargs, LispObj *args) {
    size_t w = bi_nonneg(tc, args[0]);
    int radix = radix_arg(tc, nargs, args, 1);
    if (w >= (size_t)radix) return NIL;
    return char_make((uint32_t)(w < 10 ? '0' + w : 'A' + w - 10));
}
static LispObj cl_character(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    if (char_p(x)) return x;
    LispObj s = arr_string_p(x) ? arr_simple_string(tc, x) : symbol_p(x) ? SYM(x)->name : NIL;
    if (s == NIL || str_length(s) != 1)
        cond_type_error(tc, x, lisp_list(tc, 3, S(OR), S(CHARACTER), S(STRING)));
    return char_make(STR(s)->chars[0]);
}

/* CLHS 2.1.3: the 96 standard characters are Newline and the printing ASCII set. */
static LispObj cl_standard_char_p(ThContext *tc, size_t nargs, LispObj *args) {
    uint32_t c = char_arg(tc, args[0]);
    return boolean(c == '\n' || (c >= 32 && c < 127));
}

/* CHAR-NAME answers the name the printer writes after #\ (pr_char_name, or
 * U+XXXX for a character the printer does not print as itself), so that
 * (name-char (char-name c)) is c whenever the name is non-NIL. */
static LispObj cl_char_name(ThContext *tc, size_t nargs, LispObj *args) {
    uint32_t c = char_arg(tc, args[0]);
    const char *name = pr_char_name(c);
    if (name) return str_from_cstr(tc, name);
    bool printed_as_itself = (c >= 32 && c < 127) || (c >= 160 && (c < 0xD800 || c > 0xDFFF));
    if (printed_as_itself) return NIL;
    char buf[16];
    snprintf(buf, sizeof buf, "U+%04X", (unsigned)c);
    return str_from_cstr(tc, buf);
}

/* NAME-CHAR accepts exactly the names #\ reads (rd_name_char_code). */
static LispObj cl_name_char(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    if (char_p(x)) return NIL; /* a one-character name: no character has one */
    LispObj s = arr_string_p(x) ? arr_simple_string(tc, x) : symbol_p(x) ? SYM(x)->name : NIL;
    if (s == NIL)
        cond_type_error(tc, x, lisp_list(tc, 4, S(OR), S(STRING), S(SYMBOL), S(CHARACTER)));
    int64_t code = rd_name_char_code(s);
    return code < 0 ? NIL : char_make((uint32_t)code);
}

/* Comparison operators shared by characters and strings. */
enum CmpOp { OP_EQ, OP_NE, OP_LT, OP_GT, OP_LE, OP_GE };
static bool op_holds(int c, enum CmpOp op) {
    switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_LT: return c < 0;
    case OP_GT: return c > 0;
    case OP_LE: return c <= 0;
    default: return c >= 0;
    }
}
static uint32_t fold(uint32_t c, bool ci) { return ci ? bi_char_upcase(c) : c; }

static LispObj char_compare(ThContext *tc, size_t nargs, LispObj *args, enum CmpOp op, bool ci) {
    for (size_t i = 0; i < nargs; i++) char_arg(tc, args[i]);
    if (op == OP_NE) {
        for (size_t i = 0; i < nargs; i++)
            for (size_t j = i + 1; j < nargs; j++)
                if (fold(char_code(args[i]), ci) == fold(char_code(args[j]), ci)) return NIL;
        return T;
    }
    for (size_t i = 0; i + 1 < nargs; i++) {
        uint32_t a = fold(char_code(args[i]), ci), b = fold(char_code(args[i + 1]), ci);
        if (!op_holds((a > b) - (a < b), op)) return NIL;
    }
    return T;
}

#define CHAR_COMPARISONS(X)                                                   \
    X(char_eq, "CHAR=", OP_EQ, false, "all the same character")              \
    X(char_ne, "CHAR/=", OP_NE, false, "all different")                      \
    X(char_lt, "CHAR<", OP_LT, false, "strictly increasing by code")         \
    X(char_gt, "CHAR>", OP_GT, false, "strictly decreasing by code")         \
    X(char_le, "CHAR<=", OP_LE, false, "non-decreasing by code")             \
    X(char_ge, "CHAR>=", OP_GE, false, "non-increasing by code")             \
    X(char_equal, "CHAR-EQUAL", OP_EQ, true, "the same, ignoring case")      \
    X(char_not_equal, "CHAR-NOT-EQUAL", OP_NE, true, "all different, ignoring case") \
    X(char_lessp, "CHAR-LESSP", OP_LT, true, "strictly increasing, ignoring case") \
    X(char_greaterp, "CHAR-GREATERP", OP_GT, true, "strictly decreasing, ignoring case") \
    X(char_not_greaterp, "CHAR-NOT-GREATERP", OP_LE, true, "non-decreasing, ignoring case") \
    X(char_not_lessp, "CHAR-NOT-LESSP", OP_GE, true, "non-increasing, ignoring case")

#define X(cname, lname, op, ci, doc)                                          \
    static LispObj cl_##cname(ThContext *tc, size_t nargs, LispObj *args) {  \
        return char_compare(tc, nargs, args, op, ci);                         \
    }
CHAR_COMPARISONS(X)
#undef X

/* ---------------------------------------------------------------- CHAR, STRING */

/* CHAR ignores the fill pointer (CLHS CHAR): any index below the dimension. */
static size_t string_index(ThContext *tc, LispObj s, LispObj index) {
    size_t n = arr_total_size(s);
    if (!fx_p(index) || fx_value(index) < 0 || (uint64_t)fx_value(index) >= n)
        bi_index_error(tc, index, n);
    return (size_t)fx_value(index);
}

static LispObj any_string(ThContext *tc, LispObj x) {
    if (!arr_string_p(x)) cond_type_error(tc, x, S(STRING));
    return x;
}

static LispObj cl_char(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = any_string(tc, args[0]);
    if (string_p(s)) return char_make(STR(s)->chars[string_index(tc, s, args[1])]);
    return arr_row_ref(tc, s, string_index(tc, s, args[1]));
}

static LispObj cl_schar(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = args[0];
    if (!string_p(s)) cond_type_error(tc, s, S(SIMPLE_STRING));
    return char_make(STR(s)->chars[string_index(tc, s, args[1])]);
}

static LispObj sys_set_char(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = any_string(tc, args[0]);
    arr_row_set(tc, s, string_index(tc, s, args[1]), args[2]);
    return args[2];
}

static LispObj cl_string(ThContext *tc, size_t nargs, LispObj *args) {
    if (arr_string_p(args[0])) return args[0]; /* a string is returned as it is (CLHS STRING) */
    return arg_string_designator(tc, args[0]);
}

/* ---------------------------------------------------------------- string comparison */

static LispObj string_compare(ThContext *tc, const char *op_name, size_t nargs, LispObj *args,
                              enum CmpOp op, bool ci) {
    LispObj a = arg_string_designator(tc, args[0]), b = arg_string_designator(tc, args[1]);
    LispObj keys[4] = {S(START1_KW), S(END1_KW), S(START2_KW), S(END2_KW)}, v[4];
    bi_parse_keys(tc, op_name, nargs, args, 2, keys, 4, v);
    size_t s1, e1, s2, e2;
    bi_bounds(tc, v[0], v[1], str_length(a), &s1, &e1);
    bi_bounds(tc, v[2], v[3], str_length(b), &s2, &e2);
    const uint32_t *x = STR(a)->chars, *y = STR(b)->chars;
    size_t i = s1, j = s2;
    while (i < e1 && j < e2 && fold(x[i], ci) == fold(y[j], ci)) i++, j++;
    int c;
    if (i == e1) c = j == e2 ? 0 : -1;
    else if (j == e2) c = 1;
    else c = fold(x[i], ci) < fold(y[j], ci) ? -1 : 1;
    if (!op_holds(c, op)) return NIL;
    return op == OP_EQ ? T : fx_make((int64_t)i);
}

#define STRING_COMPARISONS(X)                                                          \
    X(string_eq, "STRING=", OP_EQ, false, "True if the substrings are the same.")      \
    X(string_ne, "STRING/=", OP_NE, false, "Mismatch index if the substrings differ, else NIL.") \
    X(string_lt, "STRING<", OP_LT, false, "Mismatch index if STRING1 is less, else NIL.")  \
    X(string_gt, "STRING>", OP_GT, false, "Mismatch index if STRING1 is greater, else NIL.") \
    X(string_le, "STRING<=", OP_LE, false, "Mismatch index if STRING1 is less or equal, else NIL.") \
    X(string_ge, "STRING>=", OP_GE, false, "Mismatch index if STRING1 is greater or equal, else NIL.") \
    X(string_equal, "STRING-EQUAL", OP_EQ, true, "Like STRING= but ignoring case.")    \
    X(string_not_equal, "STRING-NOT-EQUAL", OP_NE, true, "Like STRING/= but ignoring case.") \
    X(string_lessp, "STRING-LESSP", OP_LT, true, "Like STRING< but ignoring case.")    \
    X(string_greaterp, "STRING-GREATERP", OP_GT, true, "Like STRING> but ignoring case.") \
    X(string_not_greaterp, "STRING-NOT-GREATERP", OP_LE, true, "Like STRING<= but ignoring case.") \
    X(string_not_lessp, "STRING-NOT-LESSP", OP_GE, true, "Like STRING>= but ignoring case.")

#define X(cname, lname, op, ci, doc)                                          \
    static LispObj cl_##cname(ThContext *tc, size_t nargs, LispObj *args) {  \
        return string_compare(tc, lname, nargs, args, op, ci);                \
    }
STRING_COMPARISONS(X)
#undef X

/* ---------------------------------------------------------------- case conversion */

enum CaseMode { CASE_UP, CASE_DOWN, CASE_CAPITALIZE };

static LispObj copy_string(ThContext *tc, LispObj s) {
    size_t n = str_length(s);
    LispObj r = str_make(tc, n, 0);
    memcpy(STR(r)->chars, STR(s)->chars, n * sizeof(uint32_t));
    return r;
}

static void apply_case(uint32_t *c, size_t start, size_t end, enum CaseMode mode) {
    bool in_word = false;
    for (size_t i = start; i < end; i++) {
        if (mode == CASE_UP) c[i] = bi_char_upcase(c[i]);
        else if (mode == CASE_DOWN) c[i] = bi_char_downcase(c[i]);
        else {
            bool an = alphanumeric_p(c[i]);
            c[i] = an && !in_word ? bi_char_upcase(c[i]) : bi_char_downcase(c[i]);
            in_word = an;
        }
    }
}

static LispObj string_case(ThContext *tc, const char *op, size_t nargs, LispObj *args,
                           enum CaseMode mode, bool destructive) {
    LispObj orig = destructive ? any_string(tc, args[0]) : NIL;
    LispObj s = destructive ? arr_simple_string(tc, orig)
                            : copy_string(tc, arg_string_designator(tc, args[0]));
    LispObj keys[2] = {S(START_KW), S(END_KW)}, v[2];
    bi_parse_keys(tc, op, nargs, args, 1, keys, 2, v);
    size_t start, end;
    bi_bounds(tc, v[0], v[1], str_length(s), &start, &end);
    apply_case(STR(s)->chars, start, end, mode);
    if (destructive && orig != s) { /* a non-simple string: write the range back */
        for (size_t i = start; i < end; i++) arr_row_set(tc, orig, i, char_make(STR(s)->chars[i]));
        return orig;
    }
    return s;
}

#define CASE_FUNCTIONS(X)                                                                        \
    X(string_upcase, "STRING-UPCASE", CASE_UP, false, "A fresh copy of STRING with the range upcased.") \
    X(string_downcase, "STRING-DOWNCASE", CASE_DOWN, false, "A fresh copy of STRING with the range downcased.") \
    X(string_capitalize, "STRING-CAPITALIZE", CASE_CAPITALIZE, false,                            \
      "A fresh copy of STRING with each word in the range capitalized.")                         \
    X(nstring_upcase, "NSTRING-UPCASE", CASE_UP, true, "Upcases the range of STRING in place.") \
    X(nstring_downcase, "NSTRING-DOWNCASE", CASE_DOWN, true, "Downcases the range of STRING in place.") \
    X(nstring_capitalize, "NSTRING-CAPITALIZE", CASE_CAPITALIZE, true,                          \
      "Capitalizes each word in the range of STRING in place.")

#define X(cname, lname, mode, destructive, doc)                               \
    static LispObj cl_##cname(ThContext *tc, size_t nargs, LispObj *args) {  \
        return string_case(tc, lname, nargs, args, mode, destructive);        \
    }
CASE_FUNCTIONS(X)
#undef X

/* ---------------------------------------------------------------- trimming */

static bool bag_member(ThContext *tc, LispObj bag, uint32_t c) {
    if (!list_p(bag) && !string_p(bag) && !vector_p(bag)) {
        for (size_t i = 0; i < bi_seq_length(tc, bag); i++)
            if (arr_row_ref(tc, bag, i) == char_make(c)) return true;
        return false;
    }
    if (string_p(bag)) {
        for (size_t i = 0; i < str_length(bag); i++)
            if (STR(bag)->chars[i] == c) return true;
        return false;
    }
    if (vector_p(bag)) {
        for (size_t i = 0; i < vec_length(bag); i++)
            if (VEC(bag)->items[i] == char_make(c)) return true;
        return false;
    }
    for (LispObj l = bag; cons_p(l); l = CDR(l))
        if (CAR(l) == char_make(c)) return true;
    return false;
}

static LispObj string_trim(ThContext *tc, size_t nargs, LispObj *args, bool left, bool right) {
    LispObj bag = args[0];
    bi_seq_length(tc, bag); /* a proper sequence */
    LispObj s = arg_string_designator(tc, args[1]);
    size_t start = 0, end = str_length(s);
    while (left && start < end && bag_member(tc, bag, STR(s)->chars[start])) start++;
    while (right && end > start && bag_member(tc, bag, STR(s)->chars[end - 1])) end--;
    LispObj r = str_make(tc, end - start, 0);
    memcpy(STR(r)->chars, STR(s)->chars + start, (end - start) * sizeof(uint32_t));
    return r;
}
static LispObj cl_string_trim(ThContext *tc, size_t nargs, LispObj *args) {
    return string_trim(tc, nargs, args, true, true);
}
static LispObj cl_string_left_trim(ThContext *tc, size_t nargs, LispObj *args) {
    return string_trim(tc, nargs, args, true, false);
}
static LispObj cl_string_right_trim(ThContext *tc, size_t nargs, LispObj *args) {
    return string_trim(tc, nargs, args, false, true);
}

/* ---------------------------------------------------------------- MAKE-STRING */

static LispObj cl_make_string(ThContext *tc, size_t nargs, LispObj *args) {
    size_t n = bi_nonneg(tc, args[0]);
    LispObj keys[2] = {S(INITIAL_ELEMENT_KW), S(ELEMENT_TYPE_KW)}, v[2];
    bi_parse_keys(tc, "MAKE-STRING", nargs, args, 1, keys, 2, v);
    uint32_t fill = bi_supplied_p(v[0]) ? char_arg(tc, v[0]) : 0;
    return str_make(tc, n, fill);
}

/* ---------------------------------------------------------------- SUBSEQ, CONCATENATE */

static LispObj cl_subseq(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj seq = args[0];
    size_t len = bi_seq_length(tc, seq), s, e;
    bi_bounds(tc, args[1], nargs > 2 ? args[2] : NIL, len, &s, &e);
    if (!list_p(seq)) return arr_subseq(tc, seq, s, e);
    LispObj l = seq;
    for (size_t i = 0; i < s; i++) l = CDR(l);
    LispObj head = NIL, tail = NIL;
    for (size_t i = s; i < e; i++, l = CDR(l)) {
        LispObj cell = lisp_cons(tc, CAR(l), NIL);
        if (tail == NIL) head = cell;
        else cons_set_cdr(tail, cell);
        tail = cell;
    }
    return head;
}

/* Element i of a proper sequence, walking lists through *cursor. */
static LispObj seq_next(ThContext *tc, LispObj seq, size_t i, LispObj *cursor) {
    if (!list_p(seq)) return arr_row_ref(tc, seq, i);
    LispObj x = CAR(*cursor);
    *cursor = CDR(*cursor);
    return x;
}

static LispObj cl_concatenate(ThContext *tc, size_t nargs, LispObj *args) {
    enum ArrEtype et = ET_T;
    int64_t want;
    bool vec = arr_parse_sequence_type(tc, "CONCATENATE", args[0], &et, &want);
    size_t total = 0;
    for (size_t i = 1; i < nargs; i++) total += bi_seq_length(tc, args[i]);
    LispObj r = vec ? arr_make_storage(tc, et, total) : NIL;
    if (vec && want >= 0 && (size_t)want != total) cond_type_error(tc, r, args[0]);
    LispObj head = NIL, tail = NIL;
    size_t k = 0;
    for (size_t i = 1; i < nargs; i++) {
        LispObj seq = args[i], cursor = seq;
        size_t n = bi_seq_length(tc, seq);
        for (size_t j = 0; j < n; j++, k++) {
            LispObj x = seq_next(tc, seq, j, &cursor);
            if (vec) {
                arr_storage_set(tc, r, k, x);
            } else {
                LispObj cell = lisp_cons(tc, x, NIL);
                if (tail == NIL) head = cell;
                else cons_set_cdr(tail, cell);
                tail = cell;
            }
        }
    }
    return vec ? r : head;
}

/* ---------------------------------------------------------------- PARSE-INTEGER */

static _Noreturn void parse_fail(ThContext *tc, const char *what, LispObj s) {
    cond_error_of_type(tc, S(PARSE_ERROR), "PARSE-INTEGER: %s in string %v", what, s);
}

static LispObj parse_values(ThContext *tc, LispObj n, size_t index) {
    LispObj v[2] = {n, fx_make((int64_t)index)};
    return vm_values(tc, 2, v);
}

static LispObj cl_parse_integer(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_string(tc, args[0]);
    LispObj keys[4] = {S(START_KW), S(END_KW), S(RADIX_KW), S(JUNK_ALLOWED_KW)}, v[4];
    bi_parse_keys(tc, "PARSE-INTEGER", nargs, args, 1, keys, 4, v);
    size_t i, end;
    bi_bounds(tc, v[0], v[1], str_length(s), &i, &end);
    int radix = bi_supplied_p(v[2]) ? radix_arg(tc, 3, v, 2) : 10;
    bool junk = bi_or(v[3], NIL) != NIL;
    const uint32_t *c = STR(s)->chars;
    while (i < end && whitespace_p(c[i])) i++;
    if (i == end) {
        if (junk) return parse_values(tc, NIL, end);
        parse_fail(tc, "no non-whitespace characters", s);
    }
    bool minus = c[i] == '-';
    if (c[i] == '-' || c[i] == '+') i++;
    int64_t mag = 0;
    bool found = false, big = false;
    size_t digits_start = i;
    for (; i < end; i++) {
        int w = digit_weight(c[i], radix);
        if (w >= 0) {
            if (!big && (__builtin_mul_overflow(mag, radix, &mag) || __builtin_add_overflow(mag, w, &mag) ||
                         mag > -FIXNUM_MIN))
                big = true;
            found = true;
            continue;
        }
        if (junk) break;
        if (!whitespace_p(c[i])) parse_fail(tc, "junk", s);
        for (; i < end; i++)
            if (!whitespace_p(c[i])) parse_fail(tc, "junk", s);
        break;
    }
    if (!found) {
        if (junk) return parse_values(tc, NIL, i);
        parse_fail(tc, "no digits", s);
    }
    if (big) { /* digits_start.. are all digits: read them as a bignum */
        size_t nd = 0;
        while (digits_start + nd < end && digit_weight(STR(s)->chars[digits_start + nd], radix) >= 0) nd++;
        LispObj buf = bytes_make(tc, nd);
        uint8_t *d = ((LispBytes *)obj_words(buf))->bytes;
        for (size_t k = 0; k < nd; k++) d[k] = (uint8_t)digit_weight(STR(s)->chars[digits_start + k], radix);
        return parse_values(tc, int_from_digits(tc, buf, nd, (unsigned)radix, minus), i);
    }
    int64_t n = minus ? -mag : mag;
    return parse_values(tc, num_from_int64(tc, n), i);
}

/* (%string-search pattern text start1 end1 start2 end2 from-end): SEARCH
 * with the default test on two simple strings, bounds already checked by
 * the caller (sequences.lisp): the index in TEXT of the leftmost (rightmost)
 * occurrence of PATTERN[start1, end1) inside TEXT[start2, end2), or NIL. */
static LispObj sys_string_search(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj pat = args[0], text = args[1];
    if (!string_p(pat)) cond_type_error(tc, pat, S(SIMPLE_STRING));
    if (!string_p(text)) cond_type_error(tc, text, S(SIMPLE_STRING));
    size_t s1 = bi_nonneg(tc, args[2]), e1 = bi_nonneg(tc, args[3]);
    size_t s2 = bi_nonneg(tc, args[4]), e2 = bi_nonneg(tc, args[5]);
    if (s1 > e1 || e1 > str_length(pat)) bi_index_error(tc, args[3], str_length(pat) + 1);
    if (s2 > e2 || e2 > str_length(text)) bi_index_error(tc, args[5], str_length(text) + 1);
    size_t n = e1 - s1;
    if (n > e2 - s2) return NIL;
    const uint32_t *p = STR(pat)->chars + s1, *t = STR(text)->chars;
    size_t last = e2 - n; /* the last start position that fits */
    if (args[6] != NIL) {
        for (size_t i = last + 1; i-- > s2;)
            if (!memcmp(t + i, p, n * sizeof *p)) return fx_make((int64_t)i);
        return NIL;
    }
    for (size_t i = s2; i <= last; i++)
        if ((n == 0 || t[i] == p[0]) && !memcmp(t + i, p, n * sizeof *p)) return fx_make((int64_t)i);
    return NIL;
}

/* ---------------------------------------------------------------- table */

#define CHAR_CMP_SPEC(cname, lname, op, ci, doc) \
    {lname, "CL", cl_##cname, 1, BUILTIN_REST, "character &rest more-characters", "True if the characters are " doc "."},
#define STRING_CMP_SPEC(cname, lname, op, ci, doc) \
    {lname, "CL", cl_##cname, 2, BUILTIN_REST, "string1 string2 &key start1 end1 start2 end2", doc},
#define CASE_SPEC(cname, lname, mode, destructive, doc) \
    {lname, "CL", cl_##cname, 1, BUILTIN_REST, "string &key start end", doc},

const BuiltinSpec builtins_string[] = {
    {"CHAR-CODE", "CL", cl_char_code, 1, 1, "character", "Returns the code point of CHARACTER."},
    {"CHAR-INT", "CL", cl_char_code, 1, 1, "character", "Returns the code point of CHARACTER."},
    {"CODE-CHAR", "CL", cl_code_char, 1, 1, "code", "Returns the character with code point CODE."},
    {"CHAR-UPCASE", "CL", cl_char_upcase, 1, 1, "character", "Upper-case counterpart of CHARACTER, or CHARACTER."},
    {"CHAR-DOWNCASE", "CL", cl_char_downcase, 1, 1, "character", "Lower-case counterpart of CHARACTER, or CHARACTER."},
    {"UPPER-CASE-P", "CL", cl_upper_case_p, 1, 1, "character", "True if CHARACTER is an upper-case character."},
    {"LOWER-CASE-P", "CL", cl_lower_case_p, 1, 1, "character", "True if CHARACTER is a lower-case character."},
    {"BOTH-CASE-P", "CL", cl_both_case_p, 1, 1, "character", "True if CHARACTER has case."},
    {"ALPHA-CHAR-P", "CL", cl_alpha_char_p, 1, 1, "character", "True if CHARACTER is alphabetic."},
    {"ALPHANUMERICP", "CL", cl_alphanumericp, 1, 1, "character", "True if CHARACTER is alphabetic or a decimal digit."},
    {"GRAPHIC-CHAR-P", "CL", cl_graphic_char_p, 1, 1, "character", "True if CHARACTER is a graphic (printing) character."},
    {"DIGIT-CHAR-P", "CL", cl_digit_char_p, 1, 2, "character &optional (radix 10)",
     "Weight of CHARACTER as a digit in RADIX, or NIL."},
    {"DIGIT-CHAR", "CL", cl_digit_char, 1, 2, "weight &optional (radix 10)",
     "The character of digit WEIGHT in RADIX (upper case), or NIL."},
    {"CHARACTER", "CL", cl_character, 1, 1, "character-designator",
     "The character designated by a character, or a string or symbol of length one."},
    CHAR_COMPARISONS(CHAR_CMP_SPEC)
    {"%STRING-SEARCH", "SYS", sys_string_search, 7, 7, "pattern text start1 end1 start2 end2 from-end",
     "SEARCH with the default test on simple strings (checked bounds): an index or NIL."},
    {"STANDARD-CHAR-P", "CL", cl_standard_char_p, 1, 1, "character", "True if CHARACTER is one of the 96 standard characters."},
    {"CHAR-NAME", "CL", cl_char_name, 1, 1, "character",
     "The name of CHARACTER (the one the printer writes after #\\), or NIL if it has none."},
    {"NAME-CHAR", "CL", cl_name_char, 1, 1, "name",
     "The character named NAME (case-insensitive; a name #\\ reads, or U+XXXX), or NIL."},
    {"CHAR", "CL", cl_char, 2, 2, "string index", "The character at INDEX of STRING."},
    {"SCHAR", "CL", cl_schar, 2, 2, "string index", "The character at INDEX of the simple string STRING."},
    {"%SET-CHAR", "SYS", sys_set_char, 3, 3, "string index character",
     "Stores CHARACTER at INDEX of STRING; returns CHARACTER (setf of CHAR and SCHAR)."},
    {"STRING", "CL", cl_string, 1, 1, "x", "The string designated by X (a string, symbol or character)."},
    STRING_COMPARISONS(STRING_CMP_SPEC)
    CASE_FUNCTIONS(CASE_SPEC)
    {"STRING-TRIM", "CL", cl_string_trim, 2, 2, "character-bag string",
     "A copy of STRING without the characters of CHARACTER-BAG at both ends."},
    {"STRING-LEFT-TRIM", "CL", cl_string_left_trim, 2, 2, "character-bag string",
     "A copy of STRING without the characters of CHARACTER-BAG at its start."},
    {"STRING-RIGHT-TRIM", "CL", cl_string_right_trim, 2, 2, "character-bag string",
     "A copy of STRING without the characters of CHARACTER-BAG at its end."},
    {"MAKE-STRING", "CL", cl_make_string, 1, BUILTIN_REST, "size &key initial-element element-type",
     "A fresh string of SIZE characters, each INITIAL-ELEMENT."},
    {"SUBSEQ", "CL", cl_subseq, 2, 3, "sequence start &optional end",
     "A fresh sequence of the elements of SEQUENCE from START below END."},
    {"CONCATENATE", "CL", cl_concatenate, 1, BUILTIN_REST, "result-type &rest sequences",
     "A fresh sequence of RESULT-TYPE holding the elements of SEQUENCES in order."},
    {"PARSE-INTEGER", "CL", cl_parse_integer, 1, BUILTIN_REST, "string &key start end radix junk-allowed",
     "Parses an integer in RADIX from STRING; returns it and the index where parsing stopped."},
    {0},
};
