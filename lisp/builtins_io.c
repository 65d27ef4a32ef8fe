/* lisp/builtins_io.c — the stream, printer and reader functions of CL
 * (CLHS 21, 22, 23) as builtins: a table the lead's init.c registers with
 * lisp_register_builtins(tc, builtins_io).
 *
 * Builtins get their arguments raw (count already checked against the
 * table's min/max); optional arguments beyond nargs take their CLHS
 * defaults, keyword arguments are parsed by parse_keys.  WRITE's keywords
 * bind the corresponding *print-...* specials for the duration of the call
 * (undone here on return, by the VM's unwinder on a non-local exit), so
 * nested printing sees them as CLHS 22.4 says.
 * No state of its own; any thread. */
#include "lisp/lisp.h"
#include "lisp/printer_impl.h"
#include "lisp/array_impl.h"
#include "lisp/stream_impl.h"

static LispObj opt(size_t nargs, LispObj *args, size_t i, LispObj dflt) {
    return i < nargs ? args[i] : dflt;
}

static bool keyword_named(LispObj k, const char *name) {
    return symbol_p(k) && SYM(k)->package == pkg_keyword && str_equal_cstr(SYM(k)->name, name);
}

/* Keyword arguments args[from..nargs) against names; out[i] gets the first
 * value given for names[i] or LISP_UNSUPPLIED (CLHS 3.4.1.4). */
static void parse_keys(ThContext *tc, const char *op, size_t nargs, LispObj *args, size_t from,
                       const char *const *names, size_t nnames, LispObj *out) {
    for (size_t i = 0; i < nnames; i++) out[i] = LISP_UNSUPPLIED;
    if (from > nargs) return;
    if ((nargs - from) % 2) cond_program_error(tc, "%s: odd number of keyword arguments", op);
    bool allow = false;
    for (size_t j = from; j < nargs; j += 2)
        if (args[j] == S(ALLOW_OTHER_KEYS_KW)) { allow = args[j + 1] != NIL; break; }
    for (size_t j = from; j < nargs; j += 2) {
        size_t i = 0;
        while (i < nnames && !keyword_named(args[j], names[i])) i++;
        if (i < nnames) {
            if (out[i] == LISP_UNSUPPLIED) out[i] = args[j + 1];
        } else if (args[j] != S(ALLOW_OTHER_KEYS_KW) && !allow) {
            cond_program_error(tc, "%s: unknown keyword argument %v", op, args[j]);
        }
    }
}

static LispObj out_stream(ThContext *tc, size_t nargs, LispObj *args, size_t i) {
    return stm_output_designator(tc, opt(nargs, args, i, NIL));
}

static LispObj in_stream(ThContext *tc, size_t nargs, LispObj *args, size_t i) {
    return stm_input_designator(tc, opt(nargs, args, i, NIL));
}

/* :start/:end of a string (end NIL or unsupplied = length). */
static void bounds(ThContext *tc, LispObj string, LispObj start, LispObj end, size_t *s, size_t *e) {
    size_t len = str_length(string);
    *s = start == LISP_UNSUPPLIED ? 0 : arg_index(tc, start, len + 1);
    *e = (end == LISP_UNSUPPLIED || end == NIL) ? len : arg_index(tc, end, len + 1);
    if (*s > *e) cond_program_error(tc, "start %zu is after end %zu", *s, *e);
}

/* ---- Printing ---- */

/* WRITE keywords and the special each binds (NO_VAR: not a variable). */
#define NO_VAR SYM__COUNT
static const struct { const char *key; unsigned var; } write_keys[] = {
    {"STREAM", NO_VAR}, {"ESCAPE", SYM_STAR_PRINT_ESCAPE}, {"RADIX", SYM_STAR_PRINT_RADIX},
    {"BASE", SYM_STAR_PRINT_BASE}, {"CIRCLE", SYM_STAR_PRINT_CIRCLE},
    {"PRETTY", SYM_STAR_PRINT_PRETTY}, {"LEVEL", SYM_STAR_PRINT_LEVEL},
    {"LENGTH", SYM_STAR_PRINT_LENGTH}, {"CASE", SYM_STAR_PRINT_CASE},
    {"GENSYM", SYM_STAR_PRINT_GENSYM}, {"ARRAY", SYM_STAR_PRINT_ARRAY},
    {"READABLY", SYM_STAR_PRINT_READABLY}, {"RIGHT-MARGIN", SYM_STAR_PRINT_RIGHT_MARGIN},
    {"MISER-WIDTH", SYM_STAR_PRINT_MISER_WIDTH}, {"LINES", SYM_STAR_PRINT_LINES},
    {"PPRINT-DISPATCH", SYM_STAR_PRINT_PPRINT_DISPATCH},
};
enum { N_WRITE_KEYS = sizeof write_keys / sizeof write_keys[0] };

/* Parses WRITE's keywords from args[1..], binds the print specials; returns
 * the binding mark to unbind to, and the :stream value in *stream. */
static size_t bind_write_keys(ThContext *tc, const char *op, size_t nargs, LispObj *args, LispObj *stream) {
    const char *names[N_WRITE_KEYS];
    LispObj vals[N_WRITE_KEYS];
    for (size_t i = 0; i < N_WRITE_KEYS; i++) names[i] = write_keys[i].key;
    parse_keys(tc, op, nargs, args, 1, names, N_WRITE_KEYS, vals);
    size_t mark = tc->bind_top;
    for (size_t i = 0; i < N_WRITE_KEYS; i++)
        if (vals[i] != LISP_UNSUPPLIED && write_keys[i].var != NO_VAR)
            sym_bind(tc, lisp_syms[write_keys[i].var], vals[i]);
    *stream = vals[0] == LISP_UNSUPPLIED ? NIL : vals[0];
    return mark;
}

static LispObj cl_write(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj stream;
    size_t mark = bind_write_keys(tc, "WRITE", nargs, args, &stream);
    pr_write(tc, args[0], stm_output_designator(tc, stream));
    sym_unbind_to(tc, mark);
    return args[0];
}

static LispObj cl_write_to_string(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj ignored;
    size_t mark = bind_write_keys(tc, "WRITE-TO-STRING", nargs, args, &ignored);
    LispObj s = stm_make_string_output(tc);
    pr_write(tc, args[0], s);
    sym_unbind_to(tc, mark);
    return stm_get_output_string(tc, s);
}

static LispObj cl_prin1(ThContext *tc, size_t nargs, LispObj *args) {
    pr_prin1(tc, args[0], out_stream(tc, nargs, args, 1));
    return args[0];
}

static LispObj cl_princ(ThContext *tc, size_t nargs, LispObj *args) {
    pr_princ(tc, args[0], out_stream(tc, nargs, args, 1));
    return args[0];
}

static LispObj cl_print(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = out_stream(tc, nargs, args, 1);
    stm_write_char(tc, s, '\n');
    pr_prin1(tc, args[0], s);
    stm_write_char(tc, s, ' ');
    return args[0];
}

static LispObj cl_prin1_to_string(ThContext *tc, size_t nargs, LispObj *args) {
    return pr_prin1_to_string(tc, args[0]);
}

static LispObj cl_princ_to_string(ThContext *tc, size_t nargs, LispObj *args) {
    return pr_princ_to_string(tc, args[0]);
}

static const char *const start_end_keys[] = {"START", "END"};

static LispObj write_string_common(ThContext *tc, const char *op, size_t nargs, LispObj *args, bool line) {
    LispObj string = arg_string(tc, args[0]);
    LispObj s = out_stream(tc, nargs, args, 1);
    LispObj keys[2];
    parse_keys(tc, op, nargs, args, 2, start_end_keys, 2, keys);
    size_t start, end;
    bounds(tc, string, keys[0], keys[1], &start, &end);
    stm_write_string(tc, s, string, start, end);
    if (line) stm_write_char(tc, s, '\n');
    return string;
}

static LispObj cl_write_string(ThContext *tc, size_t nargs, LispObj *args) {
    return write_string_common(tc, "WRITE-STRING", nargs, args, false);
}

static LispObj cl_write_line(ThContext *tc, size_t nargs, LispObj *args) {
    return write_string_common(tc, "WRITE-LINE", nargs, args, true);
}

static LispObj cl_write_char(ThContext *tc, size_t nargs, LispObj *args) {
    if (!char_p(args[0])) cond_type_error(tc, args[0], S(CHARACTER));
    stm_write_char(tc, out_stream(tc, nargs, args, 1), char_code(args[0]));
    return args[0];
}

static LispObj cl_terpri(ThContext *tc, size_t nargs, LispObj *args) {
    stm_write_char(tc, out_stream(tc, nargs, args, 0), '\n');
    return NIL;
}

static LispObj cl_fresh_line(ThContext *tc, size_t nargs, LispObj *args) {
    return stm_fresh_line(tc, out_stream(tc, nargs, args, 0)) ? T : NIL;
}

static LispObj cl_finish_output(ThContext *tc, size_t nargs, LispObj *args) {
    stm_finish_output(tc, out_stream(tc, nargs, args, 0));
    return NIL;
}

static LispObj cl_clear_output(ThContext *tc, size_t nargs, LispObj *args) {
    stm_clear_output(tc, out_stream(tc, nargs, args, 0));
    return NIL;
}

/* FORMAT destination control &rest args (CLHS 22.4, format). */
static LispObj cl_format(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj dest = args[0], control = args[1];
    LispObj list = lisp_list_from(tc, nargs - 2, args + 2);
    LispObj stream;
    bool to_string = arr_string_p(dest) && !string_p(dest); /* a string with a fill pointer */
    if (dest == NIL || to_string) stream = stm_make_string_output(tc);
    else if (dest == T) stream = stm_output_designator(tc, NIL);
    else if (stream_p(dest)) stream = stm_check_output(tc, dest);
    else cond_type_error(tc, dest, lisp_list(tc, 3, S(OR), S(STREAM), S(STRING)));
    if (function_p(control)) {
        /* (apply control stream args); a fresh vector holds the argument row */
        LispObj row = vec_make(tc, nargs - 1, NIL);
        gc_init_store(&VEC(row)->items[0], stream);
        for (size_t i = 2; i < nargs; i++) gc_init_store(&VEC(row)->items[i - 1], args[i]);
        vm_funcall(tc, control, nargs - 1, VEC(row)->items);
    } else {
        pr_format(tc, stream, arg_string(tc, control), list);
    }
    if (to_string) { /* CLHS 22.3: output is added as by VECTOR-PUSH-EXTEND */
        LispObj out = stm_get_output_string(tc, stream);
        for (size_t i = 0; i < str_length(out); i++)
            arr_push_extend(tc, dest, char_make(STR(out)->chars[i]), 0, "FORMAT");
    }
    return dest == NIL ? stm_get_output_string(tc, stream) : NIL;
}

/* ---- String streams ---- */

static LispObj cl_make_string_output_stream(ThContext *tc, size_t nargs, LispObj *args) {
    static const char *const keys[] = {"ELEMENT-TYPE"};
    LispObj vals[1];
    parse_keys(tc, "MAKE-STRING-OUTPUT-STREAM", nargs, args, 0, keys, 1, vals);
    return stm_make_string_output(tc);
}

static LispObj cl_get_output_stream_string(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = args[0];
    if (!stream_p(s) || fx_value(STM(s)->kind) != STREAM_STRING_OUTPUT)
        cond_error_of_type(tc, S(TYPE_ERROR), "GET-OUTPUT-STREAM-STRING: %v is not a string output stream", s);
    return stm_get_output_string(tc, s);
}

static LispObj cl_make_string_input_stream(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj string = arg_string(tc, args[0]);
    size_t start, end;
    bounds(tc, string, opt(nargs, args, 1, LISP_UNSUPPLIED), opt(nargs, args, 2, LISP_UNSUPPLIED), &start, &end);
    return stm_make_string_input(tc, string, start, end);
}

/* ---- Reading characters and lines ---- */

static LispObj at_eof(ThContext *tc, LispObj stream, LispObj eof_error_p, LispObj eof_value) {
    if (eof_error_p != NIL) cond_end_of_file(tc, stream);
    return eof_value;
}

static LispObj cl_read_char(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = in_stream(tc, nargs, args, 0);
    int32_t c = stm_read_char(tc, s);
    if (c < 0) return at_eof(tc, s, opt(nargs, args, 1, T), opt(nargs, args, 2, NIL));
    return char_make((uint32_t)c);
}

static bool whitespace_p(int32_t c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 11;
}

/* PEEK-CHAR peek-type: NIL peeks, T skips whitespace, a character skips up to it. */
static LispObj cl_peek_char(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj type = opt(nargs, args, 0, NIL);
    LispObj s = in_stream(tc, nargs, args, 1);
    if (type != NIL && type != T && !char_p(type)) cond_type_error(tc, type, S(CHARACTER));
    for (;;) {
        int32_t c = stm_read_char(tc, s);
        if (c < 0) return at_eof(tc, s, opt(nargs, args, 2, T), opt(nargs, args, 3, NIL));
        bool skip = (type == T && whitespace_p(c)) || (char_p(type) && (uint32_t)c != char_code(type));
        if (!skip) {
            stm_unread_char(tc, s, c);
            return char_make((uint32_t)c);
        }
    }
}

static LispObj cl_unread_char(ThContext *tc, size_t nargs, LispObj *args) {
    if (!char_p(args[0])) cond_type_error(tc, args[0], S(CHARACTER));
    stm_unread_char(tc, in_stream(tc, nargs, args, 1), (int32_t)char_code(args[0]));
    return NIL;
}

static LispObj cl_read_line(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = in_stream(tc, nargs, args, 0);
    bool missing;
    LispObj line = stm_read_line(tc, s, &missing);
    if (line == NIL) {
        LispObj v[2] = { at_eof(tc, s, opt(nargs, args, 1, T), opt(nargs, args, 2, NIL)), T };
        return vm_values(tc, 2, v);
    }
    LispObj v[2] = { line, missing ? T : NIL };
    return vm_values(tc, 2, v);
}

/* ---- The reader ---- */

static LispObj cl_read(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = in_stream(tc, nargs, args, 0);
    return rd_read(tc, s, opt(nargs, args, 1, T) != NIL, opt(nargs, args, 2, NIL),
                   opt(nargs, args, 3, NIL) != NIL);
}

static LispObj cl_read_from_string(ThContext *tc, size_t nargs, LispObj *args) {
    static const char *const keys[] = {"START", "END", "PRESERVE-WHITESPACE"};
    LispObj string = arg_string(tc, args[0]), vals[3];
    parse_keys(tc, "READ-FROM-STRING", nargs, args, 3, keys, 3, vals);
    size_t start, end;
    bounds(tc, string, vals[0], vals[1], &start, &end);
    LispObj s = stm_make_string_input(tc, string, start, end);
    /* :preserve-whitespace leaves the whitespace that ends a token unread
     * (rd_read's recursive-p reading does exactly that). */
    bool preserve = vals[2] != LISP_UNSUPPLIED && vals[2] != NIL;
    LispObj obj = rd_read(tc, s, opt(nargs, args, 1, T) != NIL, opt(nargs, args, 2, NIL), preserve);
    LispObj v[2] = { obj, STM(s)->position };
    return vm_values(tc, 2, v);
}

/* ---- Predicates ---- */

static LispObj cl_streamp(ThContext *tc, size_t nargs, LispObj *args) {
    return stream_p(args[0]) ? T : NIL;
}

static LispObj cl_input_stream_p(ThContext *tc, size_t nargs, LispObj *args) {
    if (!stream_p(args[0])) cond_type_error(tc, args[0], S(STREAM));
    return stm_input_p(args[0]) ? T : NIL;
}

static LispObj cl_output_stream_p(ThContext *tc, size_t nargs, LispObj *args) {
    if (!stream_p(args[0])) cond_type_error(tc, args[0], S(STREAM));
    return stm_output_p(args[0]) ? T : NIL;
}

#define R BUILTIN_REST
const BuiltinSpec builtins_io[] = {
    {"PRINT", "CL", cl_print, 1, 2, "(object &optional stream)", "Newline, PRIN1 of OBJECT, then a space."},
    {"PRIN1", "CL", cl_prin1, 1, 2, "(object &optional stream)", "Print OBJECT readably (escaping on)."},
    {"PRINC", "CL", cl_princ, 1, 2, "(object &optional stream)", "Print OBJECT for people (escaping off)."},
    {"WRITE", "CL", cl_write, 1, R, "(object &key stream escape radix base circle pretty level length case gensym array readably right-margin miser-width lines pprint-dispatch)", "Print OBJECT under the given printer control settings."},
    {"WRITE-TO-STRING", "CL", cl_write_to_string, 1, R, "(object &key escape radix base circle pretty level length case gensym array readably right-margin miser-width lines pprint-dispatch)", "WRITE into a fresh string."},
    {"PRIN1-TO-STRING", "CL", cl_prin1_to_string, 1, 1, "(object)", "PRIN1 into a fresh string."},
    {"PRINC-TO-STRING", "CL", cl_princ_to_string, 1, 1, "(object)", "PRINC into a fresh string."},
    {"WRITE-STRING", "CL", cl_write_string, 1, R, "(string &optional stream &key start end)", "Write the characters of STRING."},
    {"WRITE-LINE", "CL", cl_write_line, 1, R, "(string &optional stream &key start end)", "Write STRING and a newline."},
    {"WRITE-CHAR", "CL", cl_write_char, 1, 2, "(character &optional stream)", "Write one character."},
    {"TERPRI", "CL", cl_terpri, 0, 1, "(&optional stream)", "Write a newline."},
    {"FRESH-LINE", "CL", cl_fresh_line, 0, 1, "(&optional stream)", "Write a newline unless at the start of a line; true if it did."},
    {"FINISH-OUTPUT", "CL", cl_finish_output, 0, 1, "(&optional stream)", "Send buffered output to its destination."},
    {"FORCE-OUTPUT", "CL", cl_finish_output, 0, 1, "(&optional stream)", "Send buffered output to its destination."},
    {"CLEAR-OUTPUT", "CL", cl_clear_output, 0, 1, "(&optional stream)", "Discard pending output (none is held back)."},
    {"FORMAT", "CL", cl_format, 2, R, "(destination control-string &rest args)", "Formatted output (CLHS 22.3); NIL destination returns a string."},
    {"MAKE-STRING-OUTPUT-STREAM", "CL", cl_make_string_output_stream, 0, R, "(&key element-type)", "A stream that accumulates characters."},
    {"GET-OUTPUT-STREAM-STRING", "CL", cl_get_output_stream_string, 1, 1, "(string-output-stream)", "The characters written so far; clears the stream."},
    {"MAKE-STRING-INPUT-STREAM", "CL", cl_make_string_input_stream, 1, 3, "(string &optional start end)", "A stream reading the characters of STRING."},
    {"READ-CHAR", "CL", cl_read_char, 0, 4, "(&optional input-stream eof-error-p eof-value recursive-p)", "Read one character."},
    {"PEEK-CHAR", "CL", cl_peek_char, 0, 5, "(&optional peek-type input-stream eof-error-p eof-value recursive-p)", "The next character, left in the stream."},
    {"UNREAD-CHAR", "CL", cl_unread_char, 1, 2, "(character &optional input-stream)", "Put back the character last read."},
    {"READ-LINE", "CL", cl_read_line, 0, 4, "(&optional input-stream eof-error-p eof-value recursive-p)", "Read a line; second value true if it ended at end of file."},
    {"READ", "CL", cl_read, 0, 4, "(&optional input-stream eof-error-p eof-value recursive-p)", "Read one object."},
    {"READ-FROM-STRING", "CL", cl_read_from_string, 1, R, "(string &optional eof-error-p eof-value &key start end preserve-whitespace)", "Read an object from STRING; second value is the index after it."},
    {"STREAMP", "CL", cl_streamp, 1, 1, "(object)", "True if OBJECT is a stream."},
    {"INPUT-STREAM-P", "CL", cl_input_stream_p, 1, 1, "(stream)", "True if STREAM can be read from."},
    {"OUTPUT-STREAM-P", "CL", cl_output_stream_p, 1, 1, "(stream)", "True if STREAM can be written to."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL},
};
#undef R
