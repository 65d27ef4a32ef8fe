/* lisp/builtins_pprint.c — the internal builtins the Lisp side of FORMAT
 * and the pretty printer (lisp/src/pprint.lisp) calls into C with: a
 * FORMAT that returns the unused arguments (FORMATTER), the body of a
 * ~<...~:> logical block, the *print-circle* test PPRINT-POP makes on
 * tails, and the address text of PRINT-UNREADABLE-OBJECT's :identity.
 * No state of its own; any thread. */
#include "lisp/lisp.h"
#include "lisp/format_impl.h"

/* (%format-rest stream control args) → the arguments FORMAT did not use. */
static LispObj sys_format_rest(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj stream = args[0] == NIL ? stm_output_designator(tc, NIL) : args[0];
    return fmt_format_rest(tc, stream, arg_string(tc, args[1]), arg_list(tc, args[2]));
}

static LispObj sys_circle_shared_p(ThContext *tc, size_t nargs, LispObj *args) {
    return pr_circle_shared_p(tc, args[0]) ? T : NIL;
}

static LispObj sys_circle_begin(ThContext *tc, size_t nargs, LispObj *args) {
    return pr_circle_begin(tc, args[0]);
}

static LispObj sys_circle_label(ThContext *tc, size_t nargs, LispObj *args) {
    return pr_circle_label(tc, args[0], args[1]) ? T : NIL;
}

/* The "{ADDRESS}" the printer shows in #<...> objects. */
static LispObj sys_object_address(ThContext *tc, size_t nargs, LispObj *args) {
    char buf[32];
    snprintf(buf, sizeof buf, "{%llX}", (unsigned long long)(args[0] & ~(LispObj)GC_TAG_MASK));
    return str_from_cstr(tc, buf);
}

/* (%stream-column stream) → the column the next character goes to. */
static LispObj sys_stream_column(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)stm_column(stm_check_output(tc, args[0])));
}

/* (%string-output-position stream) → characters written to a string output
 * stream since it was last emptied (printer_impl.h: its position field). */
static LispObj sys_string_output_position(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = args[0];
    if (!stream_p(s) || fx_value(STM(s)->kind) != STREAM_STRING_OUTPUT)
        cond_type_error(tc, s, S(STREAM));
    return STM(s)->position;
}

const BuiltinSpec builtins_pprint[] = {
    {"%STRING-OUTPUT-POSITION", "SYS", sys_string_output_position, 1, 1, "(stream)",
     "Characters held by a string output stream (internal)."},
    {"%STREAM-COLUMN", "SYS", sys_stream_column, 1, 1, "(stream)",
     "The column of output STREAM (0 at the start of a line)."},
    {"%FORMAT-BLOCK-BODY", "SYS", sys_format_block_body, 6, 6, "(stream list control start end fill-p)",
     "Run the body of a FORMAT logical block over LIST (internal)."},
    {"%FORMAT-REST", "SYS", sys_format_rest, 3, 3, "(stream control args)",
     "FORMAT to STREAM; return the arguments the control string did not use."},
    {"%CIRCLE-SHARED-P", "SYS", sys_circle_shared_p, 1, 1, "(object)",
     "True if OBJECT needs a #n= label in the *print-circle* print in progress."},
    {"%CIRCLE-BEGIN", "SYS", sys_circle_begin, 1, 1, "(object)",
     "A fresh *print-circle* labelling of OBJECT (internal)."},
    {"%CIRCLE-LABEL", "SYS", sys_circle_label, 2, 2, "(object stream)",
     "Print OBJECT's #n= or #n#; true if it was #n# (internal)."},
    {"%OBJECT-ADDRESS", "SYS", sys_object_address, 1, 1, "(object)",
     "The address text printed in #<...> for OBJECT."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL},
};
