/* fuzz/fuzz_reader.c — libFuzzer harness for the reader.
 *
 * Each input is turned into a Lisp string and read form by form, to end of
 * file, through a string input stream, exactly as READ would see it from a
 * user.  Bad input must end in a Lisp condition (reader-error, end-of-file,
 * type-error, ...) caught by vm_call_protected; a crash, a sanitizer report,
 * an assertion or a leak is a bug (DESIGN "Bad input").
 *
 * The bytes become a string through str_from_utf8, which decodes invalid
 * UTF-8 byte by byte as Latin-1, so every input reaches the reader.
 *
 * *read-eval* is NIL for the whole run, so #. signals instead of running code.
 * Only public entry points (lisp/lisp.h) are used.  All Lisp values live in
 * the C frames of read_all, which the collector scans conservatively. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "lisp/lisp.h"

static ThContext *fuzz_tc;

typedef struct FuzzInput {
    const uint8_t *data;
    size_t size;
    LispObj package;  /* a scratch package, so interned tokens do not pile up */
} FuzzInput;

/* Reads every form of the input; the forms themselves are dropped. */
static LispObj read_all(ThContext *tc, void *data) {
    const FuzzInput *in = data;
    sym_bind(tc, S(STAR_PACKAGE), in->package);  /* undone by vm_call_protected */
    LispObj string = str_from_utf8(tc, (const char *)in->data, in->size);
    LispObj stream = stm_make_string_input(tc, string, 0, str_length(string));
    LispObj eof = lisp_cons(tc, NIL, NIL);  /* unique: no input can read as it */
    for (;;) {
        LispObj form = rd_read(tc, stream, false, eof, false);
        if (form == eof) return NIL;
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc;
    (void)argv;
    /* The frame of this function lies above every frame libFuzzer later
     * calls LLVMFuzzerTestOneInput from: a valid stack base for scanning. */
    LispOptions opts = {0};
    fuzz_tc = lisp_init(&opts, __builtin_frame_address(0));
    if (!fuzz_tc) abort();
    sym_set_value(fuzz_tc, S(STAR_READ_EVAL), NIL);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    /* Each input interns into a fresh package that is deleted afterwards:
     * its symbols become garbage instead of growing COMMON-LISP-USER. */
    LispObj package = pkg_make(fuzz_tc, "FUZZ-SCRATCH", NULL);
    pkg_use(fuzz_tc, package, pkg_common_lisp);
    FuzzInput in = {data, size, package};
    LispObj result = NIL, condition = NIL;
    /* A condition (reader-error, end-of-file, ...) is a fine outcome. */
    (void)vm_call_protected(fuzz_tc, read_all, &in, &result, &condition);
    pkg_delete(fuzz_tc, package);
    return 0;
}
