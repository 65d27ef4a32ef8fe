/* fuzz/fuzz_numbers.c — libFuzzer harness for the printed form of numbers
 * and for the reader on short ASCII text.
 *
 * Each input's bytes drive three checks, in order:
 *  (a) floats: bytes 1..8 are the bits of a double-float and bytes 9..12
 *      those of a single-float; each (NaN and infinities excluded: Petrel
 *      neither makes nor prints them) is printed with PRIN1 and read back,
 *      with *READ-DEFAULT-FLOAT-FORMAT* SINGLE-FLOAT or, if bit 0 of byte 0
 *      is set, DOUBLE-FLOAT.  The result must have the same type and bits
 *      (CLHS 22.1.3.1.3: printing then reading a float gives it back).
 *  (b) rationals: byte 13 picks *PRINT-BASE* (2..36), bytes 14 and 15 the
 *      lengths of a numerator and a denominator taken from the following
 *      bytes (a zero denominator makes an integer), bit 1 of byte 0 the
 *      sign.  The number, printed with *PRINT-RADIX* T in that base, must
 *      read back EQL with *READ-BASE* 10.
 *  (c) the reader: the remaining bytes, masked to 7-bit ASCII and at most
 *      128 of them, are read form by form to end of file with *READ-BASE*
 *      10 and *READ-EVAL* NIL.  Reading may succeed or signal READER-ERROR
 *      or END-OF-FILE; any other condition is a bug.
 * A mismatch prints what happened and calls abort(), so libFuzzer reports
 * it as a crash with the input saved.
 *
 * Only public entry points (lisp/lisp.h) are used; the rational check is a
 * Lisp function compiled once at initialisation.  All Lisp values live in C
 * frames, which the collector scans conservatively. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lisp/lisp.h"

static ThContext *fuzz_tc;
static LispObj rational_check; /* a GC root: also the value of FUZZ-RATIONAL-CHECK */

enum { STRING_CAP = 128, NUMERATOR_CAP = 40, DENOMINATOR_CAP = 20 };

/* (b) in Lisp: builds the rational from byte lists and answers NIL when it
 * reads back EQL, or a string saying how it did not. */
static const char RATIONAL_CHECK_SOURCE[] =
    "(lambda (num-bytes den-bytes negative base)"
    "  (flet ((int (bytes) (let ((n 0)) (dolist (b bytes n) (setq n (+ (* n 256) b))))))"
    "    (let* ((n (int num-bytes)) (d (int den-bytes))"
    "           (x (if (zerop d) n (/ n d)))"
    "           (x (if negative (- x) x))"
    "           (s (let ((*print-base* base) (*print-radix* t)) (prin1-to-string x)))"
    "           (y (let ((*read-base* 10)) (read-from-string s))))"
    "      (if (eql x y) nil"
    "          (format nil \"~S printed in base ~D as ~S reads back as ~S\" x base s y)))))";

static _Noreturn void mismatch(const char *what, LispObj detail) {
    char buf[2048] = "";
    if (string_p(detail)) str_to_utf8(detail, buf, sizeof buf);
    fprintf(stderr, "fuzz_numbers: %s: %s\n", what, buf);
    abort();
}

/* ---- (a) floats ---- */

typedef struct FloatCase {
    bool is_single;
    bool double_default; /* *read-default-float-format* DOUBLE-FLOAT */
    uint64_t bits;       /* the low 32 for a single-float */
} FloatCase;

static LispObj float_round_trip(ThContext *tc, void *data) {
    const FloatCase *fc = data;
    if (fc->double_default) sym_bind(tc, S(STAR_READ_DEFAULT_FLOAT_FORMAT), S(DOUBLE_FLOAT));
    LispObj x;
    if (fc->is_single) {
        uint32_t b = (uint32_t)fc->bits;
        float f;
        memcpy(&f, &b, sizeof f);
        x = single_float_make(f);
    } else {
        double d;
        memcpy(&d, &fc->bits, sizeof d);
        x = double_float_make(tc, d);
    }
    LispObj text = pr_prin1_to_string(tc, x);
    LispObj in = stm_make_string_input(tc, text, 0, str_length(text));
    LispObj y = rd_read(tc, in, true, NIL, false);
    uint64_t back = 0;
    if (fc->is_single && single_float_p(y)) {
        float f = single_float_value(y);
        uint32_t b;
        memcpy(&b, &f, sizeof b);
        back = b;
    } else if (!fc->is_single && double_float_p(y)) {
        double d = double_float_value(y);
        memcpy(&back, &d, sizeof back);
    } else {
        mismatch("a float read back as another type", text);
    }
    if (back != fc->bits) mismatch("a float read back with other bits", text);
    return NIL;
}

static bool finite_bits(uint64_t bits, bool is_single) {
    if (is_single) return ((bits >> 23) & 0xff) != 0xff;
    return ((bits >> 52) & 0x7ff) != 0x7ff;
}

static void check_float(uint64_t bits, bool is_single, bool double_default) {
    if (!finite_bits(bits, is_single)) return;
    FloatCase fc = {is_single, double_default, bits};
    LispObj condition = NIL;
    if (!vm_call_protected(fuzz_tc, float_round_trip, &fc, NULL, &condition))
        mismatch("printing or reading a float signalled",
                 condition_p(condition) ? cond_report_string(fuzz_tc, condition) : NIL);
}

/* ---- (b) rationals ---- */

typedef struct RationalCase {
    const uint8_t *num, *den;
    size_t num_len, den_len;
    bool negative;
    int base;
} RationalCase;

static LispObj byte_list(ThContext *tc, const uint8_t *bytes, size_t n) {
    LispObj list = NIL;
    for (size_t i = n; i-- > 0;) list = lisp_cons(tc, fx_make(bytes[i]), list);
    return list;
}

static LispObj rational_round_trip(ThContext *tc, void *data) {
    const RationalCase *rc = data;
    LispObj args[4] = {byte_list(tc, rc->num, rc->num_len), byte_list(tc, rc->den, rc->den_len),
                       rc->negative ? T : NIL, fx_make(rc->base)};
    return vm_funcall(tc, rational_check, 4, args);
}

static void check_rational(const RationalCase *rc) {
    LispObj result = NIL, condition = NIL;
    if (!vm_call_protected(fuzz_tc, rational_round_trip, (void *)rc, &result, &condition))
        mismatch("printing or reading a rational signalled",
                 condition_p(condition) ? cond_report_string(fuzz_tc, condition) : NIL);
    if (result != NIL) mismatch("a rational did not read back EQL", result);
}

/* ---- (c) the reader on ASCII text ---- */

typedef struct TextCase {
    const char *text;
    size_t len;
    LispObj package;
} TextCase;

static LispObj read_text(ThContext *tc, void *data) {
    const TextCase *in = data;
    sym_bind(tc, S(STAR_PACKAGE), in->package);  /* undone by vm_call_protected */
    sym_bind(tc, S(STAR_READ_BASE), fx_make(10));
    LispObj string = str_from_utf8(tc, in->text, in->len);
    LispObj stream = stm_make_string_input(tc, string, 0, str_length(string));
    LispObj eof = lisp_cons(tc, NIL, NIL);
    for (;;)
        if (rd_read(tc, stream, false, eof, false) == eof) return NIL;
}

static void check_text(const uint8_t *bytes, size_t n) {
    char text[STRING_CAP];
    if (n > STRING_CAP) n = STRING_CAP;
    for (size_t i = 0; i < n; i++) text[i] = (char)(bytes[i] & 0x7f);
    LispObj package = pkg_make(fuzz_tc, "FUZZ-NUMBERS-SCRATCH", NULL);
    pkg_use(fuzz_tc, package, pkg_common_lisp);
    TextCase in = {text, n, package};
    LispObj condition = NIL;
    bool ok = vm_call_protected(fuzz_tc, read_text, &in, NULL, &condition);
    pkg_delete(fuzz_tc, package);
    if (ok) return;
    if (condition_p(condition) && (cond_typep(condition, S(READER_ERROR)) || cond_typep(condition, S(END_OF_FILE))))
        return;
    fprintf(stderr, "fuzz_numbers: reading %.*s\n", (int)n, text);
    if (!condition_p(condition)) mismatch("reading left by a non-local exit", NIL);
    char type[256] = "";
    LispObj name = SYM(CND(condition)->type)->name;
    str_to_utf8(name, type, sizeof type);
    fprintf(stderr, "fuzz_numbers: condition of type %s\n", type);
    mismatch("reading signalled neither READER-ERROR nor END-OF-FILE", cond_report_string(fuzz_tc, condition));
}

/* ---- driver ---- */

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    /* This frame lies above every frame libFuzzer later calls
     * LLVMFuzzerTestOneInput from: a valid stack base for scanning. */
    LispOptions opts = {0};
    fuzz_tc = lisp_init(&opts, __builtin_frame_address(0));
    if (!fuzz_tc) abort();
    sym_set_value(fuzz_tc, S(STAR_READ_EVAL), NIL);
    rational_check = vm_eval(fuzz_tc, rd_read_from_cstr(fuzz_tc, RATIONAL_CHECK_SOURCE));
    /* Also kept in a symbol's value, so the collector sees it from the heap. */
    LispObj holder = pkg_intern_cstr(fuzz_tc, "FUZZ-RATIONAL-CHECK", pkg_cl_user);
    sym_set_value(fuzz_tc, holder, rational_check);
    return 0;
}

/* Byte i of the input, or 0 past its end. */
static uint8_t at(const uint8_t *data, size_t size, size_t i) { return i < size ? data[i] : 0; }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    uint8_t flags = at(data, size, 0);
    uint64_t dbits = 0, sbits = 0;
    for (size_t i = 0; i < 8; i++) dbits |= (uint64_t)at(data, size, 1 + i) << (8 * i);
    for (size_t i = 0; i < 4; i++) sbits |= (uint64_t)at(data, size, 9 + i) << (8 * i);
    check_float(dbits, false, flags & 1);
    check_float(sbits, true, flags & 1);

    uint8_t num[NUMERATOR_CAP], den[DENOMINATOR_CAP];
    size_t pos = 16;
    RationalCase rc = {num, den, at(data, size, 14) % (NUMERATOR_CAP + 1), at(data, size, 15) % (DENOMINATOR_CAP + 1),
                       (flags & 2) != 0, 2 + at(data, size, 13) % 35};
    for (size_t i = 0; i < rc.num_len; i++) num[i] = at(data, size, pos++);
    for (size_t i = 0; i < rc.den_len; i++) den[i] = at(data, size, pos++);
    check_rational(&rc);

    if (pos < size) check_text(data + pos, size - pos);
    return 0;
}
