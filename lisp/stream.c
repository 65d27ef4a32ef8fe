/* lisp/stream.c — character streams: string input/output streams and streams
 * over a C FILE (UTF-8 encoded), with one character of push-back, column
 * tracking for fresh-line and ~T, and line/column/character counts so that
 * reader errors can say where they happened.
 *
 * Invariants:
 *  - A string output stream's buffer is a Lisp string whose length is the
 *    capacity; `position` characters of it are used.  Growing allocates a
 *    bigger string and copies (strings hold raw code points, so the copy into
 *    the fresh string needs no barrier); the new buffer is published with
 *    obj_set.
 *  - For string input streams unread-char steps `position` back, so after a
 *    read `position` is exactly the index of the next unread character
 *    (READ-FROM-STRING returns it).
 *  - Boxed fields are written only through obj_set / gc_init_store.
 * Threads: a stream object is not locked; like SBCL's, concurrent use of one
 * stream from several threads is the program's business (memory-safe here:
 * the buffer is replaced whole, never freed while referenced).
 * Blocking FILE I/O should run in a safe region once threads/ offers
 * th_enter_safe/th_leave_safe (not in threads.h yet). */
#include "lisp/lisp.h"
#include "lisp/printer_impl.h"

#include <unistd.h>

enum { STRING_OUTPUT_INITIAL = 64 };

static int64_t kind_of(LispObj s) { return fx_value(STM(s)->kind); }
static int64_t fxfield(LispObj v) { return fx_value(v); }

bool stm_input_p(LispObj s) {
    if (!stream_p(s)) return false;
    int64_t k = kind_of(s);
    return k == STREAM_STRING_INPUT || k == STREAM_FILE_INPUT;
}

bool stm_output_p(LispObj s) {
    if (!stream_p(s)) return false;
    int64_t k = kind_of(s);
    return k == STREAM_STRING_OUTPUT || k == STREAM_FILE_OUTPUT;
}

/* A fresh stream with the raw counters at their starting values. */
static LispObj stream_new(ThContext *tc, enum StreamKind kind) {
    LispObj s = obj_alloc(tc, KIND_STREAM, STREAM_NWORDS);
    LispStream *st = STM(s);
    gc_init_store(&st->kind, fx_make(kind));
    gc_init_store(&st->buffer, NIL);
    gc_init_store(&st->position, fx_make(0));
    gc_init_store(&st->end, fx_make(0));
    gc_init_store(&st->name, NIL);
    st->file = NULL;
    st->unread = -1;
    st->line = 1;
    st->column = 0;
    st->chars_read = 0;
    return s;
}

LispObj stm_make_string_input(ThContext *tc, LispObj string, size_t start, size_t end) {
    PT_CHECK(string_p(string) && start <= end && end <= str_length(string),
             "stm_make_string_input: bad string or bounds");
    LispObj s = stream_new(tc, STREAM_STRING_INPUT);
    gc_init_store(&STM(s)->buffer, string);
    gc_init_store(&STM(s)->position, fx_make((int64_t)start));
    gc_init_store(&STM(s)->end, fx_make((int64_t)end));
    return s;
}

LispObj stm_make_string_output(ThContext *tc) {
    LispObj buf = str_make(tc, STRING_OUTPUT_INITIAL, 0);
    LispObj s = stream_new(tc, STREAM_STRING_OUTPUT);
    gc_init_store(&STM(s)->buffer, buf);
    return s;
}

LispObj stm_get_output_string(ThContext *tc, LispObj stream) {
    PT_CHECK(stream_p(stream) && kind_of(stream) == STREAM_STRING_OUTPUT,
             "stm_get_output_string: not a string output stream");
    size_t n = (size_t)fxfield(STM(stream)->position);
    LispObj out = str_make(tc, n, 0);
    /* Raw code points into a fresh string: no barrier involved. */
    memcpy(STR(out)->chars, STR(STM(stream)->buffer)->chars, n * sizeof(uint32_t));
    obj_set(&STM(stream)->position, fx_make(0));
    STM(stream)->column = 0;
    return out;
}

LispObj stm_make_file(ThContext *tc, FILE *f, bool output, const char *name) {
    LispObj lname = name ? str_from_cstr(tc, name) : NIL;
    LispObj s = stream_new(tc, output ? STREAM_FILE_OUTPUT : STREAM_FILE_INPUT);
    STM(s)->file = f;
    gc_init_store(&STM(s)->name, lname);
    int flags = (f && isatty(fileno(f))) ? STMF_INTERACTIVE : 0;
    gc_init_store(&STM(s)->end, fx_make(flags));
    return s;
}

/* ---- Direction checks ---- */

LispObj stm_check_output(ThContext *tc, LispObj x) {
    if (!stream_p(x)) cond_type_error(tc, x, S(STREAM));
    if (!stm_output_p(x))
        cond_error_of_type(tc, S(STREAM_ERROR), "%v is not an output stream", x);
    return x;
}

LispObj stm_check_input(ThContext *tc, LispObj x) {
    if (!stream_p(x)) cond_type_error(tc, x, S(STREAM));
    if (!stm_input_p(x))
        cond_error_of_type(tc, S(STREAM_ERROR), "%v is not an input stream", x);
    return x;
}

/* ---- Input ---- */

/* One UTF-8 sequence from f; malformed input gives U+FFFD rather than an
 * error so that a stray byte in a source file cannot stop a load. */
static int32_t utf8_getc(FILE *f) {
    int b = fgetc(f);
    if (b == EOF) return -1;
    if (b < 0x80) return b;
    int more = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : -1;
    if (more < 0 || b > 0xF4) return 0xFFFD;
    int32_t c = b & (0x3F >> more);
    for (int i = 0; i < more; i++) {
        int n = fgetc(f);
        if (n == EOF) return 0xFFFD;
        if ((n & 0xC0) != 0x80) { ungetc(n, f); return 0xFFFD; }
        c = (c << 6) | (n & 0x3F);
    }
    return c < CHAR_CODE_LIMIT ? c : 0xFFFD;
}

static int32_t file_read(LispObj s) {
    LispStream *st = STM(s);
    if (st->unread >= 0) {
        int32_t c = (int32_t)st->unread;
        st->unread = -1;
        return c;
    }
    if (!st->file) return -1;
    /* A prompt written without a newline must be visible before we block. */
    if ((fxfield(st->end) & STMF_INTERACTIVE) && st->column == 0) fflush(stdout);
    return utf8_getc(st->file);
}

static int32_t string_read(LispObj s) {
    LispStream *st = STM(s);
    int64_t pos = fxfield(st->position);
    if (pos >= fxfield(st->end)) return -1;
    int32_t c = (int32_t)STR(st->buffer)->chars[pos];
    obj_set(&st->position, fx_make(pos + 1));
    return c;
}

/* Updates line/column after consuming c. */
static void count_read(LispObj s, int32_t c) {
    LispStream *st = STM(s);
    st->chars_read++;
    if (c == '\n') {
        if (kind_of(s) == STREAM_FILE_INPUT) obj_set(&st->position, fx_make(st->column));
        st->line++;
        st->column = 0;
    } else {
        st->column++;
    }
}

int32_t stm_read_char(ThContext *tc, LispObj stream) {
    stm_check_input(tc, stream);
    int32_t c = kind_of(stream) == STREAM_STRING_INPUT ? string_read(stream) : file_read(stream);
    if (c >= 0) count_read(stream, c);
    return c;
}

/* Column of the character after the previous newline in a string stream, by
 * scanning back (string input keeps no "column before newline" field). */
static int64_t string_column_at(LispObj s, int64_t pos) {
    const uint32_t *chars = STR(STM(s)->buffer)->chars;
    int64_t i = pos;
    while (i > 0 && chars[i - 1] != '\n') i--;
    return pos - i;
}

static void uncount_read(LispObj s, int32_t c) {
    LispStream *st = STM(s);
    if (st->chars_read > 0) st->chars_read--;
    if (c != '\n') {
        if (st->column > 0) st->column--;
        return;
    }
    if (st->line > 1) st->line--;
    st->column = kind_of(s) == STREAM_FILE_INPUT
                     ? fxfield(st->position)
                     : string_column_at(s, fxfield(st->position));
}

void stm_unread_char(ThContext *tc, LispObj stream, int32_t c) {
    stm_check_input(tc, stream);
    LispStream *st = STM(stream);
    if (kind_of(stream) == STREAM_STRING_INPUT) {
        int64_t pos = fxfield(st->position);
        if (pos <= 0 || (int32_t)STR(st->buffer)->chars[pos - 1] != c)
            cond_error(tc, "UNREAD-CHAR: %c was not the last character read from %v",
                       (int)c, stream);
        obj_set(&st->position, fx_make(pos - 1));
    } else {
        if (st->unread >= 0) cond_error(tc, "UNREAD-CHAR: a character is already unread on %v", stream);
        st->unread = c;
    }
    uncount_read(stream, c);
}

int32_t stm_peek_char(ThContext *tc, LispObj stream) {
    int32_t c = stm_read_char(tc, stream);
    if (c >= 0) stm_unread_char(tc, stream, c);
    return c;
}

/* ---- Output ---- */

static void utf8_putc(FILE *f, uint32_t c) {
    if (c < 0x80) {
        fputc((int)c, f);
    } else if (c < 0x800) {
        fputc(0xC0 | (c >> 6), f);
        fputc(0x80 | (c & 0x3F), f);
    } else if (c < 0x10000) {
        fputc(0xE0 | (c >> 12), f);
        fputc(0x80 | ((c >> 6) & 0x3F), f);
        fputc(0x80 | (c & 0x3F), f);
    } else {
        fputc(0xF0 | (c >> 18), f);
        fputc(0x80 | ((c >> 12) & 0x3F), f);
        fputc(0x80 | ((c >> 6) & 0x3F), f);
        fputc(0x80 | (c & 0x3F), f);
    }
}

/* Makes room for `more` characters in a string output stream. */
static void string_reserve(ThContext *tc, LispObj s, size_t more) {
    LispStream *st = STM(s);
    size_t used = (size_t)fxfield(st->position);
    size_t cap = str_length(st->buffer);
    if (used + more <= cap) return;
    size_t ncap = cap * 2;
    if (ncap < used + more) ncap = used + more;
    LispObj nbuf = str_make(tc, ncap, 0);
    memcpy(STR(nbuf)->chars, STR(STM(s)->buffer)->chars, used * sizeof(uint32_t));
    obj_set(&STM(s)->buffer, nbuf);
}

static void count_written(LispObj s, uint32_t c) {
    LispStream *st = STM(s);
    if (c == '\n') {
        st->line++;
        st->column = 0;
    } else {
        st->column++;
    }
}

void stm_write_char(ThContext *tc, LispObj stream, uint32_t c) {
    stm_check_output(tc, stream);
    LispStream *st = STM(stream);
    if (kind_of(stream) == STREAM_STRING_OUTPUT) {
        string_reserve(tc, stream, 1);
        st = STM(stream);
        int64_t pos = fxfield(st->position);
        STR(st->buffer)->chars[pos] = c;
        obj_set(&st->position, fx_make(pos + 1));
    } else if (st->file) {
        utf8_putc(st->file, c);
        if (c == '\n' && (fxfield(st->end) & STMF_INTERACTIVE)) fflush(st->file);
    }
    count_written(stream, c);
}

void stm_write_chars(ThContext *tc, LispObj stream, const uint32_t *chars, size_t n) {
    stm_check_output(tc, stream);
    if (kind_of(stream) == STREAM_STRING_OUTPUT) string_reserve(tc, stream, n);
    for (size_t i = 0; i < n; i++) stm_write_char(tc, stream, chars[i]);
}

void stm_write_cstr(ThContext *tc, LispObj stream, const char *utf8) {
    const unsigned char *p = (const unsigned char *)utf8;
    while (*p) {
        uint32_t c = *p++;
        int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        if (more) c &= 0x3F >> more;
        for (int i = 0; i < more && (*p & 0xC0) == 0x80; i++) c = (c << 6) | (*p++ & 0x3F);
        stm_write_char(tc, stream, c);
    }
}

void stm_write_string(ThContext *tc, LispObj stream, LispObj string, size_t start, size_t end) {
    PT_CHECK(string_p(string) && start <= end && end <= str_length(string),
             "stm_write_string: bad string or bounds");
    stm_check_output(tc, stream);
    if (kind_of(stream) == STREAM_STRING_OUTPUT) string_reserve(tc, stream, end - start);
    /* string is non-moving and referenced from this frame: the pointer stays valid. */
    for (size_t i = start; i < end; i++) stm_write_char(tc, stream, STR(string)->chars[i]);
}

void stm_finish_output(ThContext *tc, LispObj stream) {
    stm_check_output(tc, stream);
    if (kind_of(stream) == STREAM_FILE_OUTPUT && STM(stream)->file) fflush(STM(stream)->file);
}

bool stm_fresh_line(ThContext *tc, LispObj stream) {
    stm_check_output(tc, stream);
    if (STM(stream)->column == 0) return false;
    stm_write_char(tc, stream, '\n');
    return true;
}

size_t stm_column(LispObj stream) {
    return stream_p(stream) ? (size_t)STM(stream)->column : 0;
}

void stm_describe_position(LispObj stream, char *buf, size_t cap) {
    if (!stream_p(stream)) {
        snprintf(buf, cap, "unknown position");
        return;
    }
    LispStream *st = STM(stream);
    snprintf(buf, cap, "line %lld, column %lld", (long long)st->line, (long long)st->column);
}

/* ---- Designators ---- */

static LispObj designated(ThContext *tc, LispObj var) {
    LispObj v = sym_value(tc, var);
    if (v == LISP_UNBOUND) cond_unbound_variable(tc, var);
    if (!stream_p(v)) cond_type_error(tc, v, S(STREAM));
    return v;
}

/* T designates *terminal-io*.  The kernel has no two-way streams yet, so
 * *terminal-io* may hold a one-directional stream: then T falls back to the
 * standard stream of the wanted direction rather than failing. */
static LispObj terminal(ThContext *tc, bool output) {
    LispObj v = sym_value(tc, S(STAR_TERMINAL_IO));
    if (output ? stm_output_p(v) : stm_input_p(v)) return v;
    return designated(tc, output ? S(STAR_STANDARD_OUTPUT) : S(STAR_STANDARD_INPUT));
}

LispObj stm_output_designator(ThContext *tc, LispObj designator) {
    if (designator == NIL) return designated(tc, S(STAR_STANDARD_OUTPUT));
    if (designator == T) return terminal(tc, true);
    if (!stream_p(designator)) cond_type_error(tc, designator, S(STREAM));
    return designator;
}

LispObj stm_input_designator(ThContext *tc, LispObj designator) {
    if (designator == NIL) return designated(tc, S(STAR_STANDARD_INPUT));
    if (designator == T) return terminal(tc, false);
    if (!stream_p(designator)) cond_type_error(tc, designator, S(STREAM));
    return designator;
}
