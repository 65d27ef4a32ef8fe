/* lisp/stream.c — the character layer every stream user goes through
 * (reader, printer, FORMAT, the builtins): one dispatch per operation on the
 * stream's kind, string input/output streams, column tracking for
 * fresh-line and ~T, and line/column/character counts so that reader errors
 * can say where they happened.  File streams are in stream_file.c, the
 * composite kinds (broadcast, concatenated, two-way, echo, synonym) in
 * stream_composite.c; stream_impl.h says where Gray streams will plug in.
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
 *  - A closed stream (STMB_CLOSED) answers every character or byte operation
 *    with a stream-error; close on a composite does not close its parts.
 *  - Boxed fields are written only through obj_set / gc_init_store.
 * Threads: a stream object is not locked; like SBCL's, concurrent use of one
 * stream from several threads is the program's business (memory-safe here:
 * the buffer is replaced whole, never freed while referenced; FILE calls
 * lock the FILE).
 * Blocking FILE I/O should run in a safe region once threads/ offers
 * th_enter_safe/th_leave_safe (not in threads.h yet). */
#include "lisp/stream_impl.h"

#include <unistd.h>

enum { STRING_OUTPUT_INITIAL = 64 };

static int64_t fxfield(LispObj v) { return fx_value(v); }

/* A fresh stream with the raw counters at their starting values. */
LispObj stm_alloc(ThContext *tc, enum StreamKind kind) {
    LispObj s = obj_alloc(tc, KIND_STREAM, STREAM_NWORDS);
    LispStream *st = STM(s);
    gc_init_store(&st->kind, fx_make(kind));
    gc_init_store(&st->buffer, NIL);
    gc_init_store(&st->position, fx_make(0));
    gc_init_store(&st->end, fx_make(0));
    gc_init_store(&st->name, NIL);
    gc_init_store(&st->other, NIL);
    gc_init_store(&st->element_type, NIL);
    gc_init_store(&st->aux, NIL);
    st->file = NULL;
    st->unread = -1;
    st->line = 1;
    st->column = 0;
    st->chars_read = 0;
    st->bits = 0;
    return s;
}

static const char *const kind_names[STREAM_KIND_LIMIT] = {
    [STREAM_STRING_INPUT] = "STRING-INPUT-STREAM", [STREAM_STRING_OUTPUT] = "STRING-OUTPUT-STREAM",
    [STREAM_FILE_INPUT] = "FILE-INPUT-STREAM",     [STREAM_FILE_OUTPUT] = "FILE-OUTPUT-STREAM",
    [STREAM_FILE_IO] = "FILE-IO-STREAM",           [STREAM_BROADCAST] = "BROADCAST-STREAM",
    [STREAM_CONCATENATED] = "CONCATENATED-STREAM", [STREAM_TWO_WAY] = "TWO-WAY-STREAM",
    [STREAM_ECHO] = "ECHO-STREAM",                 [STREAM_SYNONYM] = "SYNONYM-STREAM",
};

const char *stm_kind_name(LispObj s) {
    int64_t k = stream_p(s) ? stm_kind(s) : 0;
    return k > 0 && k < STREAM_KIND_LIMIT ? kind_names[k] : "STREAM";
}

bool stm_typep(LispObj x, LispObj type) {
    if (!stream_p(x)) return false;
    int64_t k = stm_kind(x);
    if (type == S(TY_STRING_STREAM)) return k == STREAM_STRING_INPUT || k == STREAM_STRING_OUTPUT;
    if (type == S(TY_FILE_STREAM)) return stm_file_kind_p(k);
    if (type == S(TY_BROADCAST_STREAM)) return k == STREAM_BROADCAST;
    if (type == S(TY_CONCATENATED_STREAM)) return k == STREAM_CONCATENATED;
    if (type == S(TY_TWO_WAY_STREAM)) return k == STREAM_TWO_WAY;
    if (type == S(TY_ECHO_STREAM)) return k == STREAM_ECHO;
    if (type == S(TY_SYNONYM_STREAM)) return k == STREAM_SYNONYM;
    return false;
}

void stm_error(ThContext *tc, LispObj s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    LispObj msg = cond_format_message(tc, fmt, ap);
    va_end(ap);
    LispObj plist = lisp_list(tc, 2, S(STREAM_KW), s);
    cond_signal_error(tc, condition_make(tc, S(STREAM_ERROR), msg, NIL, plist));
}

LispObj stm_resolve_synonym(ThContext *tc, LispObj s) {
    for (int guard = 0; stream_p(s) && stm_kind(s) == STREAM_SYNONYM; guard++) {
        if (guard > 1000) stm_error(tc, s, "synonym stream %v refers to itself", s);
        LispObj v = sym_value(tc, STM(s)->buffer);
        if (v == LISP_UNBOUND) cond_unbound_variable(tc, STM(s)->buffer);
        if (!stream_p(v)) cond_type_error(tc, v, S(STREAM));
        s = v;
    }
    return s;
}

LispObj stm_make_string_input(ThContext *tc, LispObj string, size_t start, size_t end) {
    PT_CHECK(string_p(string) && start <= end && end <= str_length(string),
             "stm_make_string_input: bad string or bounds");
    LispObj s = stm_alloc(tc, STREAM_STRING_INPUT);
    gc_init_store(&STM(s)->buffer, string);
    gc_init_store(&STM(s)->position, fx_make((int64_t)start));
    gc_init_store(&STM(s)->end, fx_make((int64_t)end));
    return s;
}

LispObj stm_make_string_output(ThContext *tc) {
    LispObj buf = str_make(tc, STRING_OUTPUT_INITIAL, 0);
    LispObj s = stm_alloc(tc, STREAM_STRING_OUTPUT);
    gc_init_store(&STM(s)->buffer, buf);
    return s;
}

LispObj stm_get_output_string(ThContext *tc, LispObj stream) {
    PT_CHECK(stream_p(stream) && stm_kind(stream) == STREAM_STRING_OUTPUT,
             "stm_get_output_string: not a string output stream");
    size_t n = (size_t)fxfield(STM(stream)->position);
    LispObj out = str_make(tc, n, 0);
    /* Raw code points into a fresh string: no barrier involved. */
    memcpy(STR(out)->chars, STR(STM(stream)->buffer)->chars, n * sizeof(uint32_t));
    obj_set(&STM(stream)->position, fx_make(0));
    STM(stream)->column = 0;
    return out;
}

/* A character stream over a FILE that C owns the lifetime of (standard
 * streams, LOAD, COMPILE-FILE): CLOSE flushes but never fcloses it. */
LispObj stm_make_file(ThContext *tc, FILE *f, bool output, const char *name) {
    LispObj lname = name ? str_from_cstr(tc, name) : NIL;
    LispObj s = stm_alloc(tc, output ? STREAM_FILE_OUTPUT : STREAM_FILE_INPUT);
    STM(s)->file = f;
    STM(s)->bits = STMB_NO_FCLOSE;
    gc_init_store(&STM(s)->name, lname);
    int flags = (f && isatty(fileno(f))) ? STMF_INTERACTIVE : 0;
    gc_init_store(&STM(s)->end, fx_make(flags));
    return s;
}

/* ---- Direction checks ---- */

bool stm_input_p(LispObj s) {
    if (!stream_p(s)) return false;
    switch (stm_kind(s)) {
    case STREAM_STRING_INPUT: case STREAM_FILE_INPUT: case STREAM_FILE_IO: return true;
    case STREAM_STRING_OUTPUT: case STREAM_FILE_OUTPUT: return false;
    default: return stm_composite_input_p(s);
    }
}

bool stm_output_p(LispObj s) {
    if (!stream_p(s)) return false;
    switch (stm_kind(s)) {
    case STREAM_STRING_OUTPUT: case STREAM_FILE_OUTPUT: case STREAM_FILE_IO: return true;
    case STREAM_STRING_INPUT: case STREAM_FILE_INPUT: return false;
    default: return stm_composite_output_p(s);
    }
}

static void check_open(ThContext *tc, LispObj x) {
    if (stm_closed_p(x)) stm_error(tc, x, "the stream %v is closed", x);
}

LispObj stm_check_output(ThContext *tc, LispObj x) {
    if (!stream_p(x)) cond_type_error(tc, x, S(STREAM));
    check_open(tc, x);
    if (!stm_output_p(x)) stm_error(tc, x, "%v is not an output stream", x);
    return x;
}

LispObj stm_check_input(ThContext *tc, LispObj x) {
    if (!stream_p(x)) cond_type_error(tc, x, S(STREAM));
    check_open(tc, x);
    if (!stm_input_p(x)) stm_error(tc, x, "%v is not an input stream", x);
    return x;
}

/* ---- Input ---- */

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
        if (stm_file_kind_p(stm_kind(s))) obj_set(&st->position, fx_make(st->column));
        st->line++;
        st->column = 0;
    } else {
        st->column++;
    }
}

/* A synonym stream that is open, replaced by its target (the common case of
 * *standard-output*: one lookup per operation instead of one per layer). */
static LispObj through_synonym(ThContext *tc, LispObj stream) {
    if (stream_p(stream) && stm_kind(stream) == STREAM_SYNONYM && !stm_closed_p(stream))
        return stm_resolve_synonym(tc, stream);
    return stream;
}

int32_t stm_read_char(ThContext *tc, LispObj stream) {
    stream = through_synonym(tc, stream);
    stm_check_input(tc, stream);
    int32_t c;
    switch (stm_kind(stream)) {
    case STREAM_STRING_INPUT: c = string_read(stream); break;
    case STREAM_FILE_INPUT: case STREAM_FILE_IO: c = stm_file_read_char(tc, stream); break;
    default: return stm_composite_read(tc, stream);  /* counted by the component */
    }
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
    st->column = stm_file_kind_p(stm_kind(s)) ? fxfield(st->position)
                                              : string_column_at(s, fxfield(st->position));
}

void stm_unread_char(ThContext *tc, LispObj stream, int32_t c) {
    stm_check_input(tc, stream);
    LispStream *st = STM(stream);
    int64_t k = stm_kind(stream);
    if (k == STREAM_STRING_INPUT) {
        int64_t pos = fxfield(st->position);
        if (pos <= 0 || (int32_t)STR(st->buffer)->chars[pos - 1] != c)
            cond_error(tc, "UNREAD-CHAR: %c was not the last character read from %v", (int)c, stream);
        obj_set(&st->position, fx_make(pos - 1));
    } else if (stm_file_kind_p(k)) {
        if (st->unread >= 0) cond_error(tc, "UNREAD-CHAR: a character is already unread on %v", stream);
        st->unread = c;
    } else {
        stm_composite_unread(tc, stream, c);
        return;
    }
    uncount_read(stream, c);
}

int32_t stm_peek_char(ThContext *tc, LispObj stream) {
    int32_t c = stm_read_char(tc, stream);
    if (c >= 0) stm_unread_char(tc, stream, c);
    return c;
}

enum { LINE_LOCAL = 256 };

/* Appends the run to the line being assembled, spilling into a Lisp string
 * (doubling) once the C buffer is full; returns the buffer to use next. */
static uint32_t *line_room(ThContext *tc, uint32_t *buf, size_t n, size_t *cap, LispObj *spill) {
    if (n < *cap) return buf;
    LispObj nb = str_make(tc, *cap * 2, 0);
    memcpy(STR(nb)->chars, buf, n * sizeof(uint32_t));  /* fresh string: raw code points */
    *spill = nb;
    *cap *= 2;
    return STR(nb)->chars;
}

/* Counts a run of n characters read from s (and the newline if nl). */
static void count_read_run(LispObj s, size_t n, bool nl) {
    LispStream *st = STM(s);
    st->chars_read += (int64_t)n + nl;
    st->column += (int64_t)n;
    if (nl) {
        if (stm_file_kind_p(stm_kind(s))) obj_set(&st->position, fx_make(st->column));
        st->line++;
        st->column = 0;
    }
}

/* READ-LINE on a string input stream: one scan for the newline, one copy. */
static LispObj string_read_line(ThContext *tc, LispObj s, bool *missing) {
    int64_t pos = fxfield(STM(s)->position), end = fxfield(STM(s)->end), i = pos;
    const uint32_t *chars = STR(STM(s)->buffer)->chars;
    while (i < end && chars[i] != '\n') i++;
    *missing = i == end;
    if (i == pos && i == end) return NIL;
    LispObj out = str_make(tc, (size_t)(i - pos), 0);
    /* the source string is non-moving and referenced from s: re-read its address after allocating */
    memcpy(STR(out)->chars, STR(STM(s)->buffer)->chars + pos, (size_t)(i - pos) * sizeof(uint32_t));
    obj_set(&STM(s)->position, fx_make(i < end ? i + 1 : i));
    count_read_run(s, (size_t)(i - pos), i < end);
    return out;
}

LispObj stm_read_line(ThContext *tc, LispObj s, bool *missing) {
    s = through_synonym(tc, s);
    stm_check_input(tc, s);
    if (stm_kind(s) == STREAM_STRING_INPUT) return string_read_line(tc, s, missing);
    uint32_t local[LINE_LOCAL];
    uint32_t *buf = local;
    size_t n = 0, cap = LINE_LOCAL;
    LispObj spill = NIL;
    /* buf may point inside spill: this volatile copy keeps the string
     * visible to the conservative stack scan while we allocate. */
    volatile LispObj keep = NIL;
    int term = 0;
    bool file = stm_kind(s) == STREAM_FILE_INPUT || stm_kind(s) == STREAM_FILE_IO;
    for (;;) {
        buf = line_room(tc, buf, n, &cap, &spill);
        keep = spill;
        int64_t got = file ? stm_file_read_run(tc, s, buf + n, cap - n, &term) : -1;
        if (got >= 0) {
            n += (size_t)got;
            count_read_run(s, (size_t)got, term == '\n');
            if (term != 0) break;
            continue;
        }
        int32_t c = stm_read_char(tc, s);
        if (c < 0 || c == '\n') {
            term = c < 0 ? -1 : '\n';
            break;
        }
        buf[n++] = (uint32_t)c;
    }
    *missing = term < 0;
    if (term < 0 && n == 0) return NIL;
    LispObj out = str_make(tc, n, 0);
    memcpy(STR(out)->chars, buf, n * sizeof(uint32_t));
    (void)keep;
    return out;
}

bool stm_listen(ThContext *tc, LispObj s) {
    stm_check_input(tc, s);
    switch (stm_kind(s)) {
    case STREAM_STRING_INPUT: return fxfield(STM(s)->position) < fxfield(STM(s)->end);
    case STREAM_FILE_INPUT: case STREAM_FILE_IO: return stm_file_listen(tc, s);
    case STREAM_SYNONYM: return stm_listen(tc, stm_resolve_synonym(tc, s));
    case STREAM_TWO_WAY: return stm_listen(tc, STM(s)->buffer);
    case STREAM_ECHO: return STM(s)->unread >= 0 || stm_listen(tc, STM(s)->buffer);
    default:  /* concatenated: the current component; one with nothing left is done with */
        for (LispObj l; cons_p(l = STM(s)->buffer); obj_set(&STM(s)->buffer, CDR(l))) {
            if (stm_listen(tc, CAR(l))) return true;
            if (stm_interactive_p(tc, CAR(l)) || stm_would_block(tc, CAR(l))) return false;
        }
        return false;
    }
}

bool stm_would_block(ThContext *tc, LispObj s) {
    s = stm_resolve_synonym(tc, s);
    switch (stm_kind(s)) {
    case STREAM_FILE_INPUT: case STREAM_FILE_IO: return stm_file_would_block(s);
    case STREAM_TWO_WAY: case STREAM_ECHO: return STM(s)->unread < 0 && stm_would_block(tc, STM(s)->buffer);
    case STREAM_CONCATENATED:
        return cons_p(STM(s)->buffer) && stm_would_block(tc, CAR(STM(s)->buffer));
    default: return false;
    }
}

void stm_clear_input(ThContext *tc, LispObj s) {
    stm_check_input(tc, s);
    switch (stm_kind(s)) {
    case STREAM_FILE_INPUT: case STREAM_FILE_IO: stm_file_clear_input(s); break;
    case STREAM_SYNONYM: stm_clear_input(tc, stm_resolve_synonym(tc, s)); break;
    case STREAM_TWO_WAY: case STREAM_ECHO: stm_clear_input(tc, STM(s)->buffer); break;
    default: break;  /* string and concatenated streams hold nothing back */
    }
}

/* ---- Output ---- */

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
    stream = through_synonym(tc, stream);
    stm_check_output(tc, stream);
    switch (stm_kind(stream)) {
    case STREAM_STRING_OUTPUT: {
        string_reserve(tc, stream, 1);
        LispStream *st = STM(stream);
        int64_t pos = fxfield(st->position);
        STR(st->buffer)->chars[pos] = c;
        obj_set(&st->position, fx_make(pos + 1));
        break;
    }
    case STREAM_FILE_OUTPUT: case STREAM_FILE_IO: stm_file_write_char(tc, stream, c); break;
    default: stm_composite_write(tc, stream, c); return;  /* columns live in the components */
    }
    count_written(stream, c);
}

void stm_write_chars(ThContext *tc, LispObj stream, const uint32_t *chars, size_t n) {
    stm_check_output(tc, stream);
    if (stm_kind(stream) == STREAM_STRING_OUTPUT) string_reserve(tc, stream, n);
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

/* Line and column after writing n characters in one go. */
static void count_written_run(LispObj s, const uint32_t *chars, size_t n) {
    LispStream *st = STM(s);
    size_t last_nl = n;
    for (size_t i = 0; i < n; i++)
        if (chars[i] == '\n') {
            st->line++;
            last_nl = i;
        }
    st->column = last_nl == n ? st->column + (int64_t)n : (int64_t)(n - last_nl - 1);
}

void stm_write_string(ThContext *tc, LispObj stream, LispObj string, size_t start, size_t end) {
    PT_CHECK(string_p(string) && start <= end && end <= str_length(string),
             "stm_write_string: bad string or bounds");
    stream = through_synonym(tc, stream);
    stm_check_output(tc, stream);
    size_t n = end - start;
    switch (stm_kind(stream)) {
    case STREAM_STRING_OUTPUT: {
        string_reserve(tc, stream, n);
        /* after the reserve nothing allocates: raw code points copied into the buffer */
        LispStream *st = STM(stream);
        int64_t pos = fxfield(st->position);
        memcpy(&STR(st->buffer)->chars[pos], &STR(string)->chars[start], n * sizeof(uint32_t));
        obj_set(&st->position, fx_make(pos + (int64_t)n));
        count_written_run(stream, &STR(string)->chars[start], n);
        return;
    }
    case STREAM_FILE_OUTPUT: case STREAM_FILE_IO:
        /* string is non-moving and referenced from this frame: the pointer stays valid. */
        stm_file_write_chars(tc, stream, &STR(string)->chars[start], n);
        count_written_run(stream, &STR(string)->chars[start], n);
        return;
    default:
        for (size_t i = start; i < end; i++) stm_write_char(tc, stream, STR(string)->chars[i]);
    }
}

void stm_finish_output(ThContext *tc, LispObj stream) {
    stm_check_output(tc, stream);
    switch (stm_kind(stream)) {
    case STREAM_FILE_OUTPUT: case STREAM_FILE_IO:
        if (STM(stream)->file) {
            stm_file_flush(tc, STM(stream)->file);
            stm_check_io(tc, stream, "FINISH-OUTPUT");
        }
        break;
    case STREAM_SYNONYM: stm_finish_output(tc, stm_resolve_synonym(tc, stream)); break;
    case STREAM_TWO_WAY: case STREAM_ECHO: stm_finish_output(tc, STM(stream)->other); break;
    case STREAM_BROADCAST:
        for (LispObj l = STM(stream)->buffer; cons_p(l); l = CDR(l)) stm_finish_output(tc, CAR(l));
        break;
    default: break;
    }
}

void stm_clear_output(ThContext *tc, LispObj stream) {
    stm_check_output(tc, stream);
    switch (stm_kind(stream)) {
    case STREAM_FILE_OUTPUT: case STREAM_FILE_IO: stm_file_clear_output(stream); break;
    case STREAM_SYNONYM: stm_clear_output(tc, stm_resolve_synonym(tc, stream)); break;
    case STREAM_TWO_WAY: case STREAM_ECHO: stm_clear_output(tc, STM(stream)->other); break;
    case STREAM_BROADCAST:
        for (LispObj l = STM(stream)->buffer; cons_p(l); l = CDR(l)) stm_clear_output(tc, CAR(l));
        break;
    default: break;  /* string streams: what was written is the result */
    }
}

bool stm_fresh_line(ThContext *tc, LispObj stream) {
    stm_check_output(tc, stream);
    if (stm_column(stream) == 0) return false;
    stm_write_char(tc, stream, '\n');
    return true;
}

/* Column of the next character written.  Composite streams ask their
 * output component (a synonym stream its target), so fresh-line and ~T on
 * *standard-output* see what was written through the underlying stream. */
size_t stm_column(LispObj stream) {
    if (!stream_p(stream)) return 0;
    for (int guard = 0; guard < 100; guard++) {
        switch (stm_kind(stream)) {
        case STREAM_SYNONYM: {
            LispObj v = sym_value(th_current(), STM(stream)->buffer);
            if (!stream_p(v)) return 0;
            stream = v;
            continue;
        }
        case STREAM_TWO_WAY: case STREAM_ECHO: stream = STM(stream)->other; continue;
        case STREAM_BROADCAST: {
            LispObj l = STM(stream)->buffer, last = NIL;
            for (; cons_p(l); l = CDR(l)) last = CAR(l);
            if (!stream_p(last)) return 0;
            stream = last;
            continue;
        }
        default: return (size_t)STM(stream)->column;
        }
    }
    return 0;
}

void stm_describe_position(LispObj stream, char *buf, size_t cap) {
    if (!stream_p(stream)) {
        snprintf(buf, cap, "unknown position");
        return;
    }
    LispStream *st = STM(stream);
    snprintf(buf, cap, "line %lld, column %lld", (long long)st->line, (long long)st->column);
}

/* ---- Queries ---- */

LispObj stm_element_type(ThContext *tc, LispObj s) {
    switch (stm_kind(s)) {
    case STREAM_FILE_INPUT: case STREAM_FILE_OUTPUT: case STREAM_FILE_IO:
        return STM(s)->element_type == NIL ? S(CHARACTER) : STM(s)->element_type;
    case STREAM_SYNONYM: return stm_element_type(tc, stm_resolve_synonym(tc, s));
    case STREAM_TWO_WAY: case STREAM_ECHO: return stm_element_type(tc, STM(s)->buffer);
    case STREAM_BROADCAST: case STREAM_CONCATENATED: {
        /* the last component's type (broadcast, CLHS), the current one's (concatenated); T if none */
        LispObj l = STM(s)->buffer, last = NIL;
        for (; cons_p(l); l = CDR(l)) {
            last = CAR(l);
            if (stm_kind(s) == STREAM_CONCATENATED) break;
        }
        return stream_p(last) ? stm_element_type(tc, last) : T;
    }
    default: return S(CHARACTER);
    }
}

bool stm_interactive_p(ThContext *tc, LispObj s) {
    switch (stm_kind(s)) {
    case STREAM_FILE_INPUT: case STREAM_FILE_OUTPUT: case STREAM_FILE_IO:
        return (fxfield(STM(s)->end) & STMF_INTERACTIVE) != 0;
    case STREAM_SYNONYM: return stm_interactive_p(tc, stm_resolve_synonym(tc, s));
    case STREAM_TWO_WAY: case STREAM_ECHO: return stm_interactive_p(tc, STM(s)->buffer);
    default: return false;
    }
}

/* ---- Designators ---- */

static LispObj designated(ThContext *tc, LispObj var) {
    LispObj v = sym_value(tc, var);
    if (v == LISP_UNBOUND) cond_unbound_variable(tc, var);
    if (!stream_p(v)) cond_type_error(tc, v, S(STREAM));
    return v;
}

/* T designates *terminal-io*.  Should *terminal-io* hold a one-directional
 * stream, T falls back to the standard stream of the wanted direction
 * rather than failing. */
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
