/* lisp/reader.c — the Lisp reader's entry points and its algorithm (CLHS
 * 2.2): skip whitespace, hand a macro character to its function
 * (reader_macros.c), otherwise accumulate a token and interpret it
 * (reader_token.c).
 *
 * Invariants:
 * - Every way out of a read is a returned object or a Lisp condition:
 *   reader-error for malformed input, end-of-file for input ending inside an
 *   object.  Conditions unwind with longjmp, so the reader owns no C heap
 *   memory across a call that may signal: its whole state is one RdState on
 *   the C stack, and the token buffer is a Lisp string (scratch, garbage once
 *   the read ends).
 * - Nesting is bounded (RD_MAX_DEPTH), and the C stack is checked at each
 *   level, so no input overflows the C stack.
 * - Lisp values held in C locals are safe: the collector scans C stacks
 *   conservatively and does not move objects.
 *
 * Threads: no shared mutable state; the per-read state is on the caller's
 * stack and special variables (*read-base*, *package*, ...) are read through
 * the calling thread's bindings. */
#include "lisp/lisp.h"
#include "lisp/reader_impl.h"
#include "lisp/vm_impl.h"  /* vm_check_c_stack */

enum { TOKEN_INITIAL_CAPACITY = 64 };

/* Readtable case :upcase (and the case-insensitive uses: # sub-characters,
 * character names, exponent markers).  ASCII only, as the printer. */
uint32_t rd_char_upcase(uint32_t c) { return (c >= 'a' && c <= 'z') ? c - 32 : c; }

bool rd_suppress_p(RdState *st) {
    LispObj v = sym_value(st->tc, S(STAR_READ_SUPPRESS));
    return v != NIL && v != LISP_UNBOUND;
}

int32_t rd_next_char(RdState *st) {
    int32_t c = stm_read_char(st->tc, st->stream);
    if (c < 0)
        cond_end_of_file(st->tc, st->stream);
    return c;
}

/* Next character that is not whitespace, or -1 at end of file. */
static int32_t skip_whitespace(RdState *st) {
    int32_t c;
    do
        c = stm_read_char(st->tc, st->stream);
    while (c >= 0 && rd_syntax(st, c) == RD_SYN_WHITESPACE);
    return c;
}

/* ---- Token buffer: a Lisp string grown by doubling ---- */

void rd_token_begin(RdState *st) {
    if (st->buf == NIL)
        st->buf = str_make(st->tc, TOKEN_INITIAL_CAPACITY, 0);
    st->len = 0;
    st->tok_escaped = false;
    st->escape_end = 0;
}

static void token_grow(RdState *st) {
    size_t cap = str_length(st->buf);
    if (cap >= RD_MAX_TOKEN)
        RD_ERROR(st, "token or string longer than %zu characters", (size_t)RD_MAX_TOKEN);
    LispObj bigger = str_make(st->tc, cap * 2, 0);
    memcpy(STR(bigger)->chars, STR(st->buf)->chars, cap * sizeof(uint32_t));
    st->buf = bigger;
}

/* Adds one character; unescaped ones are case-converted here so that the
 * buffer holds the token as CLHS 2.2 step 10 leaves it. */
void rd_token_add(RdState *st, int32_t c, bool escaped) {
    if (st->len == str_length(st->buf))
        token_grow(st);
    uint32_t word;
    if (escaped) {
        st->tok_escaped = true;
        st->escape_end = st->len + 1;
        word = (uint32_t)c | RD_ESCAPED;
    } else {
        if (rd_syntax(st, c) == RD_SYN_INVALID && !rd_suppress_p(st))
            RD_ERROR(st, "invalid constituent character (code %d) in a token", (int)c);
        word = rd_case_convert(st, (uint32_t)c);
    }
    STR(st->buf)->chars[st->len++] = word;
}

/* A whitespace character ends the token.  read (not
 * read-preserving-whitespace) consumes it when it ends a top-level token;
 * inside an object it is put back, which is harmless. */
static void end_token_on_whitespace(RdState *st, int32_t c) {
    if (st->preserve_ws || st->depth > 1)
        stm_unread_char(st->tc, st->stream, c);
}

/* Inside |...|: everything is taken literally except a single escape and
 * the closing multiple escape (| and \ in standard syntax). */
static void token_multiple_escape(RdState *st) {
    st->tok_escaped = true;
    for (;;) {
        int32_t c = rd_next_char(st);
        RdSyntax syn = rd_syntax(st, c);
        if (syn == RD_SYN_MULTIPLE_ESCAPE) {
            st->escape_end = st->len;
            return;
        }
        if (syn == RD_SYN_SINGLE_ESCAPE)
            c = rd_next_char(st);
        rd_token_add(st, c, true);
    }
}

/* CLHS 2.2 steps 8-9: accumulate until whitespace or a terminating macro
 * character (put back) or end of file. */
void rd_token_continue(RdState *st) {
    for (;;) {
        int32_t c = stm_read_char(st->tc, st->stream);
        if (c < 0)
            return;
        switch (rd_syntax(st, c)) {
        case RD_SYN_SINGLE_ESCAPE: rd_token_add(st, rd_next_char(st), true); break;
        case RD_SYN_MULTIPLE_ESCAPE: token_multiple_escape(st); break;
        case RD_SYN_TERMINATING: stm_unread_char(st->tc, st->stream, c); return;
        case RD_SYN_WHITESPACE: end_token_on_whitespace(st, c); return;
        default: rd_token_add(st, c, false); break;
        }
    }
}

void rd_read_token(RdState *st, int32_t c) {
    rd_token_begin(st);
    RdSyntax syn = rd_syntax(st, c);
    if (syn == RD_SYN_SINGLE_ESCAPE)
        rd_token_add(st, rd_next_char(st), true);
    else if (syn == RD_SYN_MULTIPLE_ESCAPE)
        token_multiple_escape(st);
    else
        rd_token_add(st, c, false);
    rd_token_continue(st);
    if (st->rcase == S(RT_INVERT_KW)) rd_apply_invert(st);
}

LispObj rd_token_string(RdState *st, size_t start, size_t end) {
    LispObj s = str_make(st->tc, end - start, 0);
    for (size_t i = start; i < end; i++)
        STR(s)->chars[i - start] = rd_tok_char(st, i);
    return s;
}

/* ---- Dispatch on the first character of an object ---- */

LispObj rd_dispatch_char(RdState *st, int32_t c) {
    if (st->depth >= RD_MAX_DEPTH)
        RD_ERROR(st, "nesting too deep (more than %d levels)", RD_MAX_DEPTH);
    /* A thread with a small C stack reaches its end before RD_MAX_DEPTH:
     * that is a storage-condition, not a crash. */
    vm_check_c_stack(st->tc);
    st->depth++;
    LispObj fn = rd_macro_of(st, c);
    LispObj obj;
    if (fn != NIL) {
        obj = rd_call_macro(st, fn, c);
    } else {
        rd_read_token(st, c);
        obj = rd_interpret_token(st);
    }
    st->depth--;
    return obj;
}

LispObj rd_read_object(RdState *st, bool list_context) {
    for (;;) {
        int32_t c = skip_whitespace(st);
        if (c < 0)
            cond_end_of_file(st->tc, st->stream);
        if (list_context && c == ')')
            return RD_CLOSE;
        LispObj obj = rd_dispatch_char(st, c);
        if (obj == RD_NO_VALUES)
            continue;
        if (obj == RD_DOT && !list_context)
            RD_ERROR(st, "dot context error: a lone dot is only allowed inside a list");
        return obj;
    }
}

LispObj rd_read_required(RdState *st) { return rd_read_object(st, false); }

/* ---- Entry points ---- */

LispObj rd_read(ThContext *tc, LispObj stream, bool eof_error_p, LispObj eof_value,
                bool recursive_p) {
    return rd_read_full(tc, stream, eof_error_p, eof_value, recursive_p, recursive_p);
}

/* A recursive read inside a user macro function continues the outer read
 * (which decides about whitespace); otherwise a new read begins. */
LispObj rd_read_full(ThContext *tc, LispObj stream, bool eof_error_p, LispObj eof_value, bool recursive_p,
                     bool preserve_whitespace) {
    LispObj continued;
    if (recursive_p && rd_continue_outer(tc, stream, eof_error_p, eof_value, &continued)) return continued;
    LispObj rt = rd_current_readtable(tc);
    RdState st = {
        .tc = tc, .stream = stream, .buf = NIL, .preserve_ws = preserve_whitespace, .labels = NIL,
        .rt = rt, .rcase = RT(rt)->rcase,
    };
    for (;;) {
        int32_t c = skip_whitespace(&st);
        if (c < 0) {
            if (eof_error_p)
                cond_end_of_file(tc, stream);
            return eof_value;
        }
        LispObj obj = rd_dispatch_char(&st, c);
        if (obj == RD_NO_VALUES)
            continue;  /* a comment or a skipped #+/#- form: read on */
        if (obj == RD_DOT)
            RD_ERROR(&st, "dot context error: a lone dot is only allowed inside a list");
        return obj;
    }
}

LispObj rd_read_from_cstr(ThContext *tc, const char *utf8) {
    LispObj s = str_from_cstr(tc, utf8);
    LispObj stream = stm_make_string_input(tc, s, 0, str_length(s));
    return rd_read(tc, stream, true, NIL, false);
}
