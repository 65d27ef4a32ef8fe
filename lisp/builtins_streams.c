/* lisp/builtins_streams.c — the generic stream functions of CLHS 21.2 that
 * builtins_io.c (character reading and printing) does not have: CLOSE and
 * the stream queries, bytes, LISTEN and friends, FILE-POSITION and
 * FILE-LENGTH, the composite stream constructors and their accessors, and
 * the fast paths of READ-SEQUENCE / WRITE-SEQUENCE (src/streams.lisp holds
 * the functions themselves, for sequences other than simple strings and
 * vectors).  No state of its own; any thread. */
#include "lisp/builtins_impl.h"
#include "lisp/stream_impl.h"

static LispObj arg_stream(ThContext *tc, LispObj x) {
    if (!stream_p(x)) cond_type_error(tc, x, S(STREAM));
    return x;
}

static LispObj kw(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

static LispObj opt_in(ThContext *tc, size_t nargs, LispObj *args, size_t i) {
    return stm_input_designator(tc, i < nargs ? args[i] : NIL);
}

static LispObj opt_arg(size_t nargs, LispObj *args, size_t i, LispObj dflt) { return i < nargs ? args[i] : dflt; }

/* ---- opening and closing ---- */

static LispObj cl_close(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_stream(tc, args[0]);
    LispObj keys[] = {kw(tc, "ABORT")}, vals[1];
    bi_parse_keys(tc, "CLOSE", nargs, args, 1, keys, 1, vals);
    stm_close(tc, s, bi_or(vals[0], NIL) != NIL);
    return T;
}

static LispObj cl_open_stream_p(ThContext *tc, size_t nargs, LispObj *args) {
    return stm_closed_p(arg_stream(tc, args[0])) ? NIL : T;
}

static LispObj cl_interactive_stream_p(ThContext *tc, size_t nargs, LispObj *args) {
    return stm_interactive_p(tc, arg_stream(tc, args[0])) ? T : NIL;
}

static LispObj cl_stream_element_type(ThContext *tc, size_t nargs, LispObj *args) {
    return stm_element_type(tc, arg_stream(tc, args[0]));
}

/* The stream a file operation applies to: synonym streams followed, and a
 * broadcast stream's last component (CLHS broadcast-stream: file-length,
 * file-position, file-string-length, stream-external-format); NIL for a
 * broadcast stream with none. */
static LispObj target_of(ThContext *tc, LispObj x) {
    LispObj s = stm_resolve_synonym(tc, arg_stream(tc, x));
    while (stm_kind(s) == STREAM_BROADCAST) {
        LispObj l = STM(s)->buffer;
        if (!cons_p(l)) return NIL;
        while (cons_p(CDR(l))) l = CDR(l);
        s = stm_resolve_synonym(tc, CAR(l));
    }
    return s;
}

static LispObj cl_stream_external_format(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = target_of(tc, args[0]);
    return s != NIL && stm_file_kind_p(stm_kind(s)) ? stm_external_format(s) : kw(tc, "DEFAULT");
}

/* ---- characters ---- */

static LispObj at_eof(ThContext *tc, LispObj s, size_t nargs, LispObj *args, size_t i) {
    if (opt_arg(nargs, args, i, T) != NIL) cond_end_of_file(tc, s);
    return opt_arg(nargs, args, i + 1, NIL);
}

static LispObj cl_read_char_no_hang(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = opt_in(tc, nargs, args, 0);
    /* nothing available: NIL if it may still come (a terminal or pipe), else end of file */
    if (!stm_listen(tc, s) && (stm_interactive_p(tc, s) || stm_would_block(tc, s))) return NIL;
    int32_t c = stm_read_char(tc, s);
    if (c < 0) return at_eof(tc, s, nargs, args, 1);
    return char_make((uint32_t)c);
}

static LispObj cl_listen(ThContext *tc, size_t nargs, LispObj *args) {
    return stm_listen(tc, opt_in(tc, nargs, args, 0)) ? T : NIL;
}

static LispObj cl_clear_input(ThContext *tc, size_t nargs, LispObj *args) {
    stm_clear_input(tc, opt_in(tc, nargs, args, 0));
    return NIL;
}

/* ---- bytes ---- */

static LispObj cl_read_byte(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = arg_stream(tc, args[0]), v;
    if (stm_read_byte(tc, s, &v)) return v;
    return at_eof(tc, s, nargs, args, 1);
}

static LispObj cl_write_byte(ThContext *tc, size_t nargs, LispObj *args) {
    stm_write_byte(tc, arg_stream(tc, args[1]), args[0]);
    return args[0];
}

/* ---- positions ---- */

/* A file stream (or NIL: an empty broadcast stream), else type-error. */
static LispObj file_stream(ThContext *tc, LispObj x) {
    LispObj s = target_of(tc, x);
    if (s != NIL && !stm_file_kind_p(stm_kind(s))) cond_type_error(tc, x, S(TY_FILE_STREAM));
    return s;
}

/* (file-position stream &optional position): NIL when unknown or impossible. */
static LispObj cl_file_position(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = target_of(tc, args[0]);
    if (s == NIL) return nargs < 2 ? fx_make(0) : NIL;
    if (nargs < 2) {
        if (stm_kind(s) == STREAM_STRING_INPUT || stm_kind(s) == STREAM_STRING_OUTPUT)
            return STM(s)->position;
        if (!stm_file_kind_p(stm_kind(s))) return NIL;
        int64_t p = stm_file_position(tc, s);
        return p < 0 ? NIL : num_from_int64(tc, p);
    }
    LispObj pos = args[1];
    int64_t target;
    if (pos == kw(tc, "START")) target = 0;
    else if (pos == kw(tc, "END")) target = -1;
    else if (fx_p(pos) && fx_value(pos) >= 0) target = fx_value(pos);
    else cond_type_error(tc, pos, lisp_list(tc, 3, S(OR), kw(tc, "START"), kw(tc, "END")));
    if (stm_kind(s) == STREAM_STRING_INPUT) {
        int64_t end = fx_value(STM(s)->end);
        if (target < 0) target = end;
        if (target > end) return NIL;
        obj_set(&STM(s)->position, fx_make(target));
        return T;
    }
    if (!stm_file_kind_p(stm_kind(s)) || stm_closed_p(s)) return NIL;
    return stm_set_file_position(tc, s, target) ? T : NIL;
}

static LispObj cl_file_length(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = file_stream(tc, args[0]);
    if (s == NIL) return fx_make(0);
    int64_t n = stm_file_length(tc, s);
    return n < 0 ? NIL : num_from_int64(tc, n);
}

static LispObj cl_file_string_length(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = file_stream(tc, args[0]), x = args[1];
    if (s == NIL) return fx_make(1);
    if (char_p(x)) {
        uint32_t c = char_code(x);
        return fx_make((int64_t)stm_encoded_length(s, &c, 1));
    }
    LispObj str = arg_string(tc, x);
    return fx_make((int64_t)stm_encoded_length(s, STR(str)->chars, str_length(str)));
}

/* ---- composite streams ---- */

static LispObj stream_list(ThContext *tc, size_t nargs, LispObj *args, bool output) {
    for (size_t i = 0; i < nargs; i++) {
        arg_stream(tc, args[i]);
        if (output ? !stm_output_p(args[i]) : !stm_input_p(args[i]))
            cond_type_error(tc, args[i], S(STREAM));
    }
    return lisp_list_from(tc, nargs, args);
}

static LispObj cl_make_broadcast_stream(ThContext *tc, size_t nargs, LispObj *args) {
    return stm_make_composite(tc, STREAM_BROADCAST, stream_list(tc, nargs, args, true), NIL);
}

static LispObj cl_make_concatenated_stream(ThContext *tc, size_t nargs, LispObj *args) {
    return stm_make_composite(tc, STREAM_CONCATENATED, stream_list(tc, nargs, args, false), NIL);
}

static LispObj in_out(ThContext *tc, size_t nargs, LispObj *args, enum StreamKind kind) {
    if (!stm_input_p(arg_stream(tc, args[0]))) cond_type_error(tc, args[0], S(STREAM));
    if (!stm_output_p(arg_stream(tc, args[1]))) cond_type_error(tc, args[1], S(STREAM));
    return stm_make_composite(tc, kind, args[0], args[1]);
}

static LispObj cl_make_two_way_stream(ThContext *tc, size_t nargs, LispObj *args) {
    return in_out(tc, nargs, args, STREAM_TWO_WAY);
}

static LispObj cl_make_echo_stream(ThContext *tc, size_t nargs, LispObj *args) {
    return in_out(tc, nargs, args, STREAM_ECHO);
}

static LispObj cl_make_synonym_stream(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = stm_make_composite(tc, STREAM_SYNONYM, arg_symbol(tc, args[0]), NIL);
    obj_set(&STM(s)->name, SYM(args[0])->name);  /* printed: #<SYNONYM-STREAM "*STDOUT*" ...> */
    return s;
}

static LispObj of_kind(ThContext *tc, LispObj x, enum StreamKind kind, unsigned type_sym) {
    if (!stream_p(x) || stm_kind(x) != kind) cond_type_error(tc, x, lisp_syms[type_sym]);
    return x;
}

#define ACCESSOR(cname, kind, type, field)                                    \
    static LispObj cname(ThContext *tc, size_t nargs, LispObj *args) {        \
        return STM(of_kind(tc, args[0], kind, SYM_##type))->field;            \
    }
ACCESSOR(cl_broadcast_stream_streams, STREAM_BROADCAST, TY_BROADCAST_STREAM, buffer)
ACCESSOR(cl_concatenated_stream_streams, STREAM_CONCATENATED, TY_CONCATENATED_STREAM, buffer)
ACCESSOR(cl_two_way_stream_input_stream, STREAM_TWO_WAY, TY_TWO_WAY_STREAM, buffer)
ACCESSOR(cl_two_way_stream_output_stream, STREAM_TWO_WAY, TY_TWO_WAY_STREAM, other)
ACCESSOR(cl_echo_stream_input_stream, STREAM_ECHO, TY_ECHO_STREAM, buffer)
ACCESSOR(cl_echo_stream_output_stream, STREAM_ECHO, TY_ECHO_STREAM, other)
ACCESSOR(cl_synonym_stream_symbol, STREAM_SYNONYM, TY_SYNONYM_STREAM, buffer)
#undef ACCESSOR

/* ---- sequences: simple strings and simple vectors (src/streams.lisp does the rest) ---- */

/* (%read-sequence seq stream start end) → index of the first element not
 * filled, or NIL when seq is not a simple string/vector. */
static LispObj sys_read_sequence(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj seq = args[0], s = args[1];
    if (!string_p(seq) && !vector_p(seq)) return NIL;
    size_t len = string_p(seq) ? str_length(seq) : vec_length(seq), start, end;
    bi_bounds(tc, args[2], args[3], len, &start, &end);
    LispObj eltype = stm_element_type(tc, stm_check_input(tc, s));
    bool chars = eltype == S(CHARACTER) || string_p(seq);
    if (string_p(seq) && eltype != S(CHARACTER)) cond_type_error(tc, seq, lisp_list(tc, 2, S(VECTOR), eltype));
    size_t i = start;
    for (; i < end; i++) {
        LispObj v;
        if (chars) {
            int32_t c = stm_read_char(tc, s);
            if (c < 0) break;
            if (string_p(seq)) STR(seq)->chars[i] = (uint32_t)c;  /* raw code points: no barrier */
            else obj_set(&VEC(seq)->items[i], char_make((uint32_t)c));
        } else {
            if (!stm_read_byte(tc, s, &v)) break;
            obj_set(&VEC(seq)->items[i], v);
        }
    }
    return fx_make((int64_t)i);
}

/* (%write-sequence seq stream start end) → T, or NIL when seq is not a
 * simple string/vector. */
static LispObj sys_write_sequence(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj seq = args[0], s = args[1];
    if (!string_p(seq) && !vector_p(seq)) return NIL;
    size_t len = string_p(seq) ? str_length(seq) : vec_length(seq), start, end;
    bi_bounds(tc, args[2], args[3], len, &start, &end);
    stm_check_output(tc, s);
    if (string_p(seq)) {
        stm_write_string(tc, s, seq, start, end);
        return T;
    }
    for (size_t i = start; i < end; i++) {
        LispObj x = VEC(seq)->items[i];
        if (char_p(x)) stm_write_char(tc, s, char_code(x));
        else stm_write_byte(tc, s, x);
    }
    return T;
}

/* (%stream-name stream) → the file stream's pathname (or name string), or NIL. */
static LispObj sys_stream_file_name(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj s = stm_resolve_synonym(tc, arg_stream(tc, args[0]));
    if (!stm_file_kind_p(stm_kind(s))) return NIL;
    return STM(s)->other != NIL ? STM(s)->other : STM(s)->name;
}

#define R BUILTIN_REST
const BuiltinSpec builtins_streams[] = {
    {"CLOSE", "CL", cl_close, 1, R, "(stream &key abort)", "Closes STREAM; with :abort t a file it created is deleted."},
    {"OPEN-STREAM-P", "CL", cl_open_stream_p, 1, 1, "(stream)", "True unless STREAM was closed."},
    {"INTERACTIVE-STREAM-P", "CL", cl_interactive_stream_p, 1, 1, "(stream)", "True if STREAM is a terminal."},
    {"STREAM-ELEMENT-TYPE", "CL", cl_stream_element_type, 1, 1, "(stream)", "The type of the elements of STREAM."},
    {"STREAM-EXTERNAL-FORMAT", "CL", cl_stream_external_format, 1, 1, "(stream)", "The external format of a file stream (:UTF-8 or :LATIN-1)."},
    {"READ-CHAR-NO-HANG", "CL", cl_read_char_no_hang, 0, 4, "(&optional input-stream eof-error-p eof-value recursive-p)", "The next character if one is available now, else NIL."},
    {"LISTEN", "CL", cl_listen, 0, 1, "(&optional input-stream)", "True if a character is available now."},
    {"CLEAR-INPUT", "CL", cl_clear_input, 0, 1, "(&optional input-stream)", "Discards pending interactive input."},
    {"READ-BYTE", "CL", cl_read_byte, 1, 3, "(stream &optional eof-error-p eof-value)", "Reads one element of a binary stream."},
    {"WRITE-BYTE", "CL", cl_write_byte, 2, 2, "(byte stream)", "Writes one element to a binary stream."},
    {"FILE-POSITION", "CL", cl_file_position, 1, 2, "(stream &optional position)", "The position in a file stream, or sets it."},
    {"FILE-LENGTH", "CL", cl_file_length, 1, 1, "(stream)", "Length of the file in elements, or NIL."},
    {"FILE-STRING-LENGTH", "CL", cl_file_string_length, 2, 2, "(stream object)", "Octets OBJECT (a string or character) would take in STREAM."},
    {"MAKE-BROADCAST-STREAM", "CL", cl_make_broadcast_stream, 0, R, "(&rest streams)", "An output stream writing to each of STREAMS."},
    {"MAKE-CONCATENATED-STREAM", "CL", cl_make_concatenated_stream, 0, R, "(&rest streams)", "An input stream reading each of STREAMS in turn."},
    {"MAKE-TWO-WAY-STREAM", "CL", cl_make_two_way_stream, 2, 2, "(input-stream output-stream)", "A bidirectional stream over two streams."},
    {"MAKE-ECHO-STREAM", "CL", cl_make_echo_stream, 2, 2, "(input-stream output-stream)", "A two-way stream that echoes its input to its output."},
    {"MAKE-SYNONYM-STREAM", "CL", cl_make_synonym_stream, 1, 1, "(symbol)", "A stream that is whatever stream SYMBOL's value is."},
    {"BROADCAST-STREAM-STREAMS", "CL", cl_broadcast_stream_streams, 1, 1, "(broadcast-stream)", NULL},
    {"CONCATENATED-STREAM-STREAMS", "CL", cl_concatenated_stream_streams, 1, 1, "(concatenated-stream)", "The streams still to be read."},
    {"TWO-WAY-STREAM-INPUT-STREAM", "CL", cl_two_way_stream_input_stream, 1, 1, "(two-way-stream)", NULL},
    {"TWO-WAY-STREAM-OUTPUT-STREAM", "CL", cl_two_way_stream_output_stream, 1, 1, "(two-way-stream)", NULL},
    {"ECHO-STREAM-INPUT-STREAM", "CL", cl_echo_stream_input_stream, 1, 1, "(echo-stream)", NULL},
    {"ECHO-STREAM-OUTPUT-STREAM", "CL", cl_echo_stream_output_stream, 1, 1, "(echo-stream)", NULL},
    {"SYNONYM-STREAM-SYMBOL", "CL", cl_synonym_stream_symbol, 1, 1, "(synonym-stream)", NULL},
    {"%READ-SEQUENCE", "SYS", sys_read_sequence, 4, 4, "(seq stream start end)", "READ-SEQUENCE on a simple string or vector."},
    {"%WRITE-SEQUENCE", "SYS", sys_write_sequence, 4, 4, "(seq stream start end)", "WRITE-SEQUENCE of a simple string or vector."},
    {"%STREAM-FILE-NAME", "SYS", sys_stream_file_name, 1, 1, "(stream)", "The pathname a file stream was opened with."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL},
};
#undef R
