/* lisp/reader_impl.h — private interface between the reader's files:
 * reader.c (entry points, token accumulation, dispatch on the first
 * character), reader_macros.c (one function per macro character and per
 * # sub-character), reader_token.c (a token becomes a number or a symbol)
 * and backquote.c.  Included only by those files and lisp/tests.
 *
 * Standard syntax only (CLHS 2.1.4, Figure 2-7), readtable case :upcase.
 * There is no user readtable yet; when there is, the tables in reader.c and
 * reader_macros.c become its initial contents. */
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
} RdState;

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
typedef LispObj (*RdMacroFn)(RdState *st, int32_t c);
/* The function of macro character c, or NULL if c is not one. */
RdMacroFn rd_macro_function(int32_t c);

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
