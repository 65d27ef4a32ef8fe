/* lisp/reader_impl.h — private interface between the reader's files:
 * reader.c (entry points, token accumulation, dispatch on the first
 * character), reader_macros.c (one function per macro character and per
 * # sub-character), reader_token.c (a token becomes a number or a symbol)
 * and backquote.c.  Included only by those files and lisp/tests.
 *
 * Readtables (readtable.c, CLHS 2.1.1 and 23.2): the reader consults the
 * readtable that was current when the read began for every character's
 * syntax type, macro function and dispatch table; the standard readtable's
 * contents are the tables of reader_macros.c. */
#ifndef PETREL_LISP_READER_IMPL_H
#define PETREL_LISP_READER_IMPL_H

#include "lisp/lisp.h"

/* Results a macro function may return besides an object.  They are markers
 * (never user-visible) and never leave the reader. */
#define RD_NO_VALUES ((LispObj)0x7F12A) /* comment, skipped #+/#- form */
#define RD_DOT ((LispObj)0x7F22A)       /* the consing dot token "." */
#define RD_CLOSE ((LispObj)0x7F32A)     /* ")" seen where a list reader asked */

/* Deepest nesting of objects (lists, quotes, # forms) one read may build.
 * Each level costs a few C frames; this keeps a hostile input far from the
 * end of an 8 MiB C stack even in sanitizer builds. */
#define RD_MAX_DEPTH 4000
/* Longest token or string literal, in characters. */
#define RD_MAX_TOKEN (1u << 24)
/* Largest length accepted in #n( ... ). */
#define RD_MAX_VECTOR_ARG (1u << 24)

/* Token characters carry this bit in the buffer when they were escaped
 * (by \ or |...|): escaped characters are never case-converted, never
 * package markers, and make the token a symbol (CLHS 2.3.4). */
#define RD_ESCAPED 0x80000000u
#define RD_CHAR_MASK 0x001FFFFFu

/* State of one call of rd_read.  Lives on the C stack: a condition unwinding
 * through the reader (longjmp) leaves nothing to free. */
typedef struct RdState {
    ThContext *tc;
    LispObj stream;
    LispObj buf;          /* token buffer: a Lisp string used as scratch */
    size_t len;           /* characters of the current token in buf */
    bool tok_escaped;     /* the current token had an escape (even "||") */
    size_t escape_end;    /* len right after the token's last escape */
    bool preserve_ws;     /* leave a whitespace terminator in the stream */
    int depth;            /* objects being read inside each other */
    int bq_depth;         /* backquotes minus commas around this point */
    LispObj labels;       /* #n= labels of this read: alist (n . object) */
    LispObj rt;           /* the readtable of this read */
    LispObj rcase;        /* its readtable case (a keyword), fixed for the read */
} RdState;

/* A macro character's C function (c already consumed), and a dispatch
 * sub-character's (sub consumed; arg RD_NO_ARG when no digits came). */
typedef LispObj (*RdMacroFn)(RdState *st, int32_t c);
typedef LispObj (*RdSharpFn)(RdState *st, int32_t subchar, int64_t arg);
enum { RD_NO_ARG = -1 };

/* Syntax types (CLHS 2.1.4).  Macro characters are TERMINATING or
 * NON_TERMINATING; their functions are in the readtable's macro table. */
typedef enum RdSyntax {
    RD_SYN_CONSTITUENT, RD_SYN_WHITESPACE, RD_SYN_TERMINATING, RD_SYN_NON_TERMINATING,
    RD_SYN_SINGLE_ESCAPE, RD_SYN_MULTIPLE_ESCAPE, RD_SYN_INVALID,
} RdSyntax;

/* A readtable.  Every slot is replaced or written one word at a time, so a
 * thread reading with it while another changes it sees each entry old or
 * new, never torn (stress/threads/SPEC.md); tables are never shrunk. */
typedef struct LispReadtable {
    GcWord header;
    LispObj rcase;     /* :UPCASE :DOWNCASE :PRESERVE :INVERT */
    LispObj syntax;    /* simple vector of 128 fixnums: RdSyntax of each ASCII character */
    LispObj macros;    /* simple vector of 128: the macro function of each, or NIL */
    LispObj dispatch;  /* alist (char . simple vector of 128 sub-character functions or NIL) */
    LispObj extra;     /* alist (char syntax . function) for characters past ASCII */
} LispReadtable;
#define READTABLE_NWORDS 5
static inline LispReadtable *RT(LispObj x) { return (LispReadtable *)obj_words(x); }

/* ---- readtable.c ---- */
RdSyntax rd_syntax(RdState *st, int32_t c);
static inline bool rd_delimiter_p(RdState *st, int32_t c) {
    RdSyntax s = rd_syntax(st, c);
    return s == RD_SYN_WHITESPACE || s == RD_SYN_TERMINATING;
}
/* The macro function of c in the read's readtable, or NIL. */
LispObj rd_macro_of(RdState *st, int32_t c);
/* The function of sub-character sub of dispatching character c, or NIL. */
LispObj rd_dispatch_function(RdState *st, int32_t c, int32_t sub);
/* The readtable a read uses now (*readtable*, the standard one if that is
 * not a readtable). */
LispObj rd_current_readtable(ThContext *tc);
/* Calls a macro function (standard ones directly in C): its object, or
 * RD_NO_VALUES if it returned no values. */
LispObj rd_call_macro(RdState *st, LispObj fn, int32_t c);
LispObj rd_call_dispatch(RdState *st, LispObj fn, int32_t sub, int64_t arg);
/* A standard macro or sub-character function called from Lisp (funcall of
 * what get-macro-character returned): inside a read of the same stream it
 * continues that read's state (labels, backquote depth), else a new one. */
LispObj rd_lisp_call_macro(ThContext *tc, LispObj stream, LispObj ch, RdMacroFn impl);
LispObj rd_lisp_call_sharp(ThContext *tc, LispObj stream, LispObj sub, LispObj arg, RdSharpFn impl);
/* READ and READ-PRESERVING-WHITESPACE (rd_read in lisp.h is READ with
 * recursive-p also meaning preserve-whitespace, as the kernel had it). */
LispObj rd_read_full(ThContext *tc, LispObj stream, bool eof_error_p, LispObj eof_value, bool recursive_p,
                     bool preserve_whitespace);
/* READ with recursive-p called by a user macro function of a read of the
 * same stream: continues that read (true, *out set). */
bool rd_continue_outer(ThContext *tc, LispObj stream, bool eof_error_p, LispObj eof_value, LispObj *out);
/* The standard readtable, made once at startup (cores keep it). */
void rd_init_standard_readtable(ThContext *tc);
/* Case conversion of one unescaped token character under the read's
 * readtable case (:invert is applied to the whole token later). */
uint32_t rd_case_convert(RdState *st, uint32_t c);
/* :invert: flips the case of the token's unescaped letters when they all
 * have one case (CLHS 23.1.2). */
void rd_apply_invert(RdState *st);

/* Syntax types of standard syntax (CLHS 2.1.4). */
bool rd_whitespace_p(int32_t c);
bool rd_terminating_p(int32_t c);

/* Signals reader-error; cond_reader_error puts the stream position
 * ("line L, column C") in front of the message. */
#define RD_ERROR(st, ...) cond_reader_error((st)->tc, (st)->stream, __VA_ARGS__)

/* ---- reader_labels.c: #n= and #n# ---- */
LispObj rd_sharp_equal(RdState *st, int32_t sub, int64_t arg);
LispObj rd_sharp_sharp(RdState *st, int32_t sub, int64_t arg);

/* ---- reader.c ---- */
bool rd_suppress_p(RdState *st);
int32_t rd_next_char(RdState *st);          /* end-of-file signalled at EOF */
/* Reads the next object: skips whitespace; returns RD_NO_VALUES never.
 * list_context: ")" returns RD_CLOSE and "." returns RD_DOT instead of
 * signalling. */
LispObj rd_read_object(RdState *st, bool list_context);
/* Reads the object that follows a prefix like ' or #' (EOF: end-of-file). */
LispObj rd_read_required(RdState *st);
/* Token accumulation: begin, add, continue until a delimiter. */
void rd_token_begin(RdState *st);
void rd_token_add(RdState *st, int32_t c, bool escaped);
void rd_token_continue(RdState *st);
/* Reads a whole token whose first character c has been consumed. */
void rd_read_token(RdState *st, int32_t c);
/* The current token's characters as a fresh string, flags stripped. */
LispObj rd_token_string(RdState *st, size_t start, size_t end);
static inline uint32_t rd_tok_char(RdState *st, size_t i) {
    return STR(st->buf)->chars[i] & RD_CHAR_MASK;
}
static inline bool rd_tok_escaped_at(RdState *st, size_t i) {
    return (STR(st->buf)->chars[i] & RD_ESCAPED) != 0;
}
uint32_t rd_char_upcase(uint32_t c);
/* Entry from a macro character: the function for c, c already consumed. */
LispObj rd_dispatch_char(RdState *st, int32_t c);

/* ---- reader_macros.c ---- */
/* The standard macro characters and # sub-characters: each has a builtin
 * (a Lisp function taking stream and character, or stream, sub-character
 * and argument) that is what the standard readtable holds, and a C
 * function the reader calls directly when it meets that builtin. */
typedef struct RdStdMacro { int32_t c; RdMacroFn impl; BuiltinFn wrapper; const char *name; bool non_terminating; } RdStdMacro;
typedef struct RdStdSharp { int32_t sub; RdSharpFn impl; BuiltinFn wrapper; const char *name; } RdStdSharp;
extern const RdStdMacro rd_std_macros[];
extern const RdStdSharp rd_std_sharps[];
RdMacroFn rd_std_macro_impl(BuiltinFn wrapper);
RdSharpFn rd_std_sharp_impl(BuiltinFn wrapper);

/* ---- reader_token.c ---- */
/* The current token (read with rd_read_token) as an object: number, symbol,
 * RD_DOT for a lone unescaped dot.  NIL when *read-suppress*. */
LispObj rd_interpret_token(RdState *st);
/* Parses the current token (which must have no escapes) as a number in
 * *read-base* (CLHS Figure 2-9); false if it has not number syntax. */
bool rd_parse_number(RdState *st, LispObj *out);
/* Parses the current token as a rational in radix (for #b #o #x #r);
 * false if it has not that syntax. */
bool rd_parse_rational(RdState *st, unsigned radix, LispObj *out);
/* The integer whose digits in radix are token characters [start, end)
 * (already checked to be digits).  The one place that knows integers are
 * fixnums only: replace its overflow branch with bignums. */
LispObj rd_make_integer(RdState *st, bool negative, size_t start, size_t end, unsigned radix);

#endif
