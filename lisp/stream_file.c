/* lisp/stream_file.c — file streams over C stdio (CLHS 21.1.1.1.3, 21.2
 * OPEN, CLOSE, FILE-POSITION, FILE-LENGTH, READ-BYTE, WRITE-BYTE).
 *
 * A file stream owns its FILE (opened here with open(2) + fdopen, O_CLOEXEC)
 * unless STMB_NO_FCLOSE says C owns it (standard streams, LOAD's and
 * COMPILE-FILE's input).  CLOSE fcloses it and sets `file` to NULL, so no
 * descriptor outlives the close.  A stream that becomes garbage without a
 * CLOSE keeps its descriptor until exit: finalizers arrive with the FFI
 * issue, and will close it then.
 *
 * Characters: external format UTF-8 (the default) or Latin-1.  Malformed
 * UTF-8 on input decodes as U+FFFD REPLACEMENT CHARACTER, one per bad
 * sequence, never an error, so that one stray byte cannot stop a LOAD.
 * Bytes: (unsigned-byte n) / (signed-byte n), n a multiple of 8 up to 56
 * (unsigned) or 64 (signed), stored little-endian, n/8 octets per element.
 * :io streams read and write one FILE: stdio needs a seek (or flush) between
 * a write and a read, recorded in STMB_LAST_WRITE.
 *
 * OPEN's :if-exists (CLHS OPEN) on an existing file: :error, and
 * :new-version (Unix has no file versions; SBCL does the same), signal
 * file-error; NIL returns NIL; :supersede truncates the file; :rename
 * renames it to NAME.bak first and keeps
 * the backup; :rename-and-delete renames it and deletes the backup at CLOSE;
 * :overwrite and :append write into it (from its start, from its end).
 * CLOSE :abort t deletes a file the stream created and puts a renamed
 * original back; a file truncated by :supersede cannot be restored.
 * No state of its own; a stream is used by one thread at a time (stream.c). */
#include "lisp/stream_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void stm_file_error(ThContext *tc, LispObj pathname, const char *op, const char *what, const char *path,
                    int err) {
    LispObj sysmsg = str_from_cstr(tc, strerror(err));
    LispObj lpath = str_from_cstr(tc, path);
    LispObj msg = cond_format_message_v(tc, "%s: %s %a: %a", op, what, lpath, sysmsg);
    LispObj plist = lisp_list(tc, 2, pkg_intern_cstr(tc, "PATHNAME", pkg_keyword),
                              pathname == NIL ? lpath : pathname);
    cond_signal_error(tc, condition_make(tc, S(FILE_ERROR), msg, NIL, plist));
}

static void check_character(ThContext *tc, LispObj s) {
    if (STM(s)->bits & STMB_BINARY)
        stm_error(tc, s, "%v is a binary stream (element type %v): use READ-BYTE/WRITE-BYTE", s,
                  STM(s)->element_type);
}

/* A FILE whose error flag is set: the failed read or write becomes a
 * file-error naming the file and the system's message (errno of the failed
 * call; stdio keeps it).  The flag is cleared so that the stream stays usable. */
void stm_check_io(ThContext *tc, LispObj s, const char *what) {
    LispStream *st = STM(s);
    if (!st->file || !ferror(st->file)) return;
    int err = errno ? errno : EIO;
    clearerr(st->file);
    char path[4096] = "?";
    if (string_p(st->name)) str_to_utf8(st->name, path, sizeof path);
    stm_file_error(tc, st->other, what, "I/O error on", path, err);
}

static void check_binary(ThContext *tc, LispObj s) {
    if (!(STM(s)->bits & STMB_BINARY))
        stm_error(tc, s, "%v is a character stream: use READ-CHAR/WRITE-CHAR", s);
}

/* An :io stream switching between reading and writing (C11 7.21.5.3). */
static void switch_to(LispObj s, bool write) {
    LispStream *st = STM(s);
    if (stm_kind(s) != STREAM_FILE_IO || !st->file) return;
    bool was_write = (st->bits & STMB_LAST_WRITE) != 0;
    if (was_write == write) return;
    fseek(st->file, 0, SEEK_CUR);
    if (write) st->bits |= STMB_LAST_WRITE;
    else st->bits &= ~(int64_t)STMB_LAST_WRITE;
}

/* ---- Blocking reads wait in a safe region ----
 * A read that would block (a terminal, a pipe, a socket with nothing in the
 * FILE's buffer) first waits for input inside th_enter_safe/th_leave_safe,
 * so a thread waiting for input never delays a collection (issue 5); the
 * read itself then finds data.  Regular files are always readable. */
static bool buffered_input_p(FILE *f);
static bool fd_readable_now(FILE *f);

static void wait_until_readable(ThContext *tc, FILE *f) {
    if (buffered_input_p(f) || fd_readable_now(f)) return;
    int fd = fileno(f);
    th_enter_safe(tc);  /* no Lisp value is touched until th_leave_safe */
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (poll(&p, 1, -1) < 0 && errno == EINTR) {
    }
    th_leave_safe(tc);
}

/* Flushing may block on a full pipe or a slow terminal: it runs in a safe
 * region (it touches only the FILE's C buffer). */
int stm_file_flush(ThContext *tc, FILE *f) {
    th_enter_safe(tc);
    int rc = fflush(f);
    th_leave_safe(tc);
    return rc;
}

/* ---- Characters ---- */

/* One UTF-8 sequence from f; malformed input gives U+FFFD (see above). */
static int32_t utf8_getc(FILE *f) {
    int b = getc(f);
    if (b == EOF) return -1;
    if (b < 0x80) return b;
    int more = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : -1;
    if (more < 0 || b > 0xF4) return 0xFFFD;
    int32_t c = b & (0x3F >> more);
    for (int i = 0; i < more; i++) {
        int n = getc(f);
        if (n == EOF) return 0xFFFD;
        if ((n & 0xC0) != 0x80) { ungetc(n, f); return 0xFFFD; }
        c = (c << 6) | (n & 0x3F);
    }
    return c < CHAR_CODE_LIMIT ? c : 0xFFFD;
}

int32_t stm_file_read_char(ThContext *tc, LispObj s) {
    LispStream *st = STM(s);
    if (st->unread >= 0) {
        int32_t c = (int32_t)st->unread;
        st->unread = -1;
        return c;
    }
    check_character(tc, s);
    if (!st->file) return -1;
    switch_to(s, false);
    /* A prompt written without a newline must be visible before we block. */
    if ((fx_value(st->end) & STMF_INTERACTIVE) && st->column == 0) stm_file_flush(tc, stdout);
    wait_until_readable(tc, st->file);
    int32_t c;
    if (st->bits & STMB_LATIN1) {
        int b = getc(st->file);
        c = b == EOF ? -1 : b;
    } else {
        c = utf8_getc(st->file);
    }
    if (c < 0) stm_check_io(tc, s, "READ-CHAR");
    return c;
}

int64_t stm_file_read_run(ThContext *tc, LispObj s, uint32_t *buf, size_t cap, int *term) {
    LispStream *st = STM(s);
    if (st->unread >= 0 || !st->file || (st->bits & (STMB_BINARY | STMB_LATIN1)) ||
        (fx_value(st->end) & STMF_INTERACTIVE))
        return -1;
    switch_to(s, false);
    FILE *f = st->file;
    wait_until_readable(tc, f);
    size_t n = 0;
    *term = 0;
    flockfile(f);
    while (n < cap) {
        int b = getc_unlocked(f);
        if (b == EOF) {
            if (ferror(f)) {  /* let READ-CHAR's path report it */
                funlockfile(f);
                return n ? (int64_t)n : -1;
            }
            *term = -1;
            break;
        }
        if (b == '\n') { *term = '\n'; break; }
        if (b < 0x80) {
            buf[n++] = (uint32_t)b;
        } else {
            ungetc(b, f);
            buf[n++] = (uint32_t)utf8_getc(f);
        }
    }
    funlockfile(f);
    return (int64_t)n;
}

static void utf8_putc(FILE *f, uint32_t c) {
    if (c < 0x80) {
        putc((int)c, f);
    } else if (c < 0x800) {
        putc(0xC0 | (c >> 6), f);
        putc(0x80 | (c & 0x3F), f);
    } else if (c < 0x10000) {
        putc(0xE0 | (c >> 12), f);
        putc(0x80 | ((c >> 6) & 0x3F), f);
        putc(0x80 | (c & 0x3F), f);
    } else {
        putc(0xF0 | (c >> 18), f);
        putc(0x80 | ((c >> 12) & 0x3F), f);
        putc(0x80 | ((c >> 6) & 0x3F), f);
        putc(0x80 | (c & 0x3F), f);
    }
}

void stm_file_write_char(ThContext *tc, LispObj s, uint32_t c) {
    LispStream *st = STM(s);
    check_character(tc, s);
    if (!st->file) return;
    switch_to(s, true);
    st->unread = -1;
    if (st->bits & STMB_LATIN1) {
        if (c > 0xFF) stm_error(tc, s, "the character U+%04X cannot be encoded in Latin-1 on %v", (unsigned)c, s);
        putc((int)c, st->file);
    } else {
        utf8_putc(st->file, c);
    }
    if (c == '\n' && (fx_value(st->end) & STMF_INTERACTIVE)) stm_file_flush(tc, st->file);
    if (ferror(st->file)) stm_check_io(tc, s, "WRITE-CHAR");
}

void stm_file_write_chars(ThContext *tc, LispObj s, const uint32_t *chars, size_t n) {
    LispStream *st = STM(s);
    if ((st->bits & (STMB_BINARY | STMB_LATIN1)) || !st->file) {
        for (size_t i = 0; i < n; i++) stm_file_write_char(tc, s, chars[i]);
        return;
    }
    switch_to(s, true);
    st->unread = -1;
    bool flush = false;
    FILE *f = st->file;
    flockfile(f);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = chars[i];
        if (c < 0x80) putc_unlocked((int)c, f);
        else utf8_putc(f, c);
        flush |= c == '\n';
    }
    funlockfile(f);
    if (flush && (fx_value(st->end) & STMF_INTERACTIVE)) stm_file_flush(tc, f);
    stm_check_io(tc, s, "WRITE-STRING");
}

static size_t utf8_length(uint32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

size_t stm_encoded_length(LispObj s, const uint32_t *chars, size_t n) {
    if (STM(s)->bits & STMB_LATIN1) return n;
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += utf8_length(chars[i]);
    return total;
}

/* ---- Bytes ---- */

bool stm_read_byte(ThContext *tc, LispObj s, LispObj *out) {
    stm_check_input(tc, s);
    s = stm_resolve_synonym(tc, s);
    if (stm_kind(s) == STREAM_TWO_WAY || stm_kind(s) == STREAM_ECHO) {
        bool ok = stm_read_byte(tc, STM(s)->buffer, out);
        if (ok && stm_kind(s) == STREAM_ECHO) stm_write_byte(tc, STM(s)->other, *out);
        return ok;
    }
    if (stm_kind(s) == STREAM_CONCATENATED) {
        for (LispObj l; cons_p(l = STM(s)->buffer); obj_set(&STM(s)->buffer, CDR(l)))
            if (stm_read_byte(tc, CAR(l), out)) return true;
        return false;
    }
    if (!stm_file_kind_p(stm_kind(s))) stm_error(tc, s, "READ-BYTE: %v is not a binary stream", s);
    check_binary(tc, s);
    LispStream *st = STM(s);
    if (!st->file) return false;
    switch_to(s, false);
    unsigned n = stm_byte_size(s) / 8;
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) {
        wait_until_readable(tc, st->file);
        int b = getc(st->file);
        if (b == EOF) {
            stm_check_io(tc, s, "READ-BYTE");
            return false;  /* a partial element at the end is dropped */
        }
        v |= (uint64_t)b << (8 * i);
    }
    int64_t value = (int64_t)v;
    if ((st->bits & STMB_SIGNED) && n < 8 && (v >> (8 * n - 1)) & 1) value = (int64_t)(v - (UINT64_C(1) << (8 * n)));
    *out = num_from_int64(tc, value);
    return true;
}

static bool byte_in_range(LispObj x, unsigned bits, bool is_signed, int64_t *v) {
    if (!fx_p(x)) return false;
    *v = fx_value(x);
    if (is_signed) return bits >= 62 || (*v >= -(INT64_C(1) << (bits - 1)) && *v < (INT64_C(1) << (bits - 1)));
    return *v >= 0 && (bits >= 62 || *v < (INT64_C(1) << bits));
}

void stm_write_byte(ThContext *tc, LispObj s, LispObj integer) {
    stm_check_output(tc, s);
    s = stm_resolve_synonym(tc, s);
    if (stm_kind(s) == STREAM_TWO_WAY || stm_kind(s) == STREAM_ECHO) {
        stm_write_byte(tc, STM(s)->other, integer);
        return;
    }
    if (stm_kind(s) == STREAM_BROADCAST) {
        for (LispObj l = STM(s)->buffer; cons_p(l); l = CDR(l)) stm_write_byte(tc, CAR(l), integer);
        return;
    }
    if (!stm_file_kind_p(stm_kind(s))) stm_error(tc, s, "WRITE-BYTE: %v is not a binary stream", s);
    check_binary(tc, s);
    int64_t v;
    if (!byte_in_range(integer, stm_byte_size(s), (STM(s)->bits & STMB_SIGNED) != 0, &v))
        cond_type_error(tc, integer, STM(s)->element_type);
    if (!STM(s)->file) return;
    switch_to(s, true);
    unsigned n = stm_byte_size(s) / 8;
    for (unsigned i = 0; i < n; i++) putc((int)(((uint64_t)v >> (8 * i)) & 0xFF), STM(s)->file);
    stm_check_io(tc, s, "WRITE-BYTE");
}

/* ---- Closing ---- */

static void unlink_quietly(LispObj namestring) {
    char path[4096];
    if (string_p(namestring) && str_to_utf8(namestring, path, sizeof path) < sizeof path) unlink(path);
}

void stm_close(ThContext *tc, LispObj s, bool abort) {
    LispStream *st = STM(s);
    if (st->bits & STMB_CLOSED) return;
    st->bits |= STMB_CLOSED;
    if (!stm_file_kind_p(stm_kind(s)) || !st->file) return;
    FILE *f = st->file;
    st->file = NULL;
    int rc = 0, err = 0;
    if (st->bits & STMB_NO_FCLOSE) {
        fflush(f);
    } else {
        rc = fclose(f);
        err = errno;
    }
    char path[4096], backup[4096];
    bool named = string_p(st->name) && str_to_utf8(st->name, path, sizeof path) < sizeof path;
    bool have_backup = string_p(st->aux) && str_to_utf8(st->aux, backup, sizeof backup) < sizeof backup;
    if (abort && named && (st->bits & STMB_CREATED)) unlink(path);
    if (abort && named && have_backup) rename(backup, path);
    if (!abort && (st->bits & STMB_DELETE_BACKUP)) unlink_quietly(st->aux);
    if (rc != 0 && !abort) stm_file_error(tc, st->other, "CLOSE", "error writing", named ? path : "?", err);
}

/* ---- Positions and lengths ---- */

int64_t stm_file_position(ThContext *tc, LispObj s) {
    LispStream *st = STM(s);
    if (!st->file) return -1;
    long pos = ftell(st->file);
    if (pos < 0) return -1;  /* a pipe or terminal */
    if (st->bits & STMB_BINARY) return pos / (stm_byte_size(s) / 8);
    if (st->unread >= 0) {
        uint32_t c = (uint32_t)st->unread;
        pos -= (long)stm_encoded_length(s, &c, 1);
    }
    return pos;
}

bool stm_set_file_position(ThContext *tc, LispObj s, int64_t pos) {
    LispStream *st = STM(s);
    if (!st->file) return false;
    int64_t bytes = pos;
    if (pos >= 0 && (st->bits & STMB_BINARY)) bytes = pos * (stm_byte_size(s) / 8);
    int rc = pos < 0 ? fseek(st->file, 0, SEEK_END) : fseek(st->file, (long)bytes, SEEK_SET);
    if (rc != 0) return false;
    st->unread = -1;
    st->bits &= ~(int64_t)STMB_LAST_WRITE;
    return true;
}

int64_t stm_file_length(ThContext *tc, LispObj s) {
    LispStream *st = STM(s);
    if (!st->file) return -1;
    if (stm_kind(s) == STREAM_FILE_OUTPUT || (st->bits & STMB_LAST_WRITE)) fflush(st->file);
    struct stat sb;
    if (fstat(fileno(st->file), &sb) != 0 || !S_ISREG(sb.st_mode)) return -1;
    int64_t n = (int64_t)sb.st_size;
    return (st->bits & STMB_BINARY) ? n / (stm_byte_size(s) / 8) : n;
}

/* ---- listen / clear-input ---- */

/* Bytes already read into the FILE's buffer (glibc's stdio layout; gnulib's
 * freadahead does the same). */
static bool buffered_input_p(FILE *f) {
#ifdef __GLIBC__
    return f->_IO_read_ptr < f->_IO_read_end;
#else
    (void)f;
    return false;
#endif
}

static bool fd_readable_now(FILE *f) {
    struct pollfd p = {.fd = fileno(f), .events = POLLIN};
    return poll(&p, 1, 0) > 0;
}

bool stm_file_would_block(LispObj s) {
    LispStream *st = STM(s);
    if (st->unread >= 0 || !st->file) return false;
    return !buffered_input_p(st->file) && !fd_readable_now(st->file);
}

bool stm_file_listen(ThContext *tc, LispObj s) {
    LispStream *st = STM(s);
    if (st->unread >= 0) return true;
    if (!st->file || (st->bits & STMB_BINARY)) return false;
    if (!buffered_input_p(st->file) && !fd_readable_now(st->file)) return false;
    /* something is there (or end of file): peek a character */
    int32_t c = stm_file_read_char(tc, s);
    if (c < 0) return false;
    st->unread = c;
    return true;
}

void stm_file_clear_input(LispObj s) {
    LispStream *st = STM(s);
    st->unread = -1;
    if (!st->file || !(fx_value(st->end) & STMF_INTERACTIVE)) return;
    while (buffered_input_p(st->file) || fd_readable_now(st->file)) {
        if (getc(st->file) == EOF) {
            clearerr(st->file);
            break;
        }
    }
}

void stm_file_clear_output(LispObj s) {
    FILE *f = STM(s)->file;
    if (f && ((STM(s)->bits & STMB_LAST_WRITE) || stm_kind(s) == STREAM_FILE_OUTPUT)) __fpurge(f);
}

LispObj stm_external_format(LispObj s) {
    return pkg_intern_cstr(th_current(), (STM(s)->bits & STMB_LATIN1) ? "LATIN-1" : "UTF-8", pkg_keyword);
}

/* ---- OPEN ---- */

static bool kw_is(LispObj x, const char *name) {
    return symbol_p(x) && SYM(x)->package == pkg_keyword && str_equal_cstr(SYM(x)->name, name);
}

/* Byte size and signedness from a canonical element type (OPEN in
 * src/streams.lisp canonicalises): CHARACTER, or (UNSIGNED-BYTE n) /
 * (SIGNED-BYTE n) with n a multiple of 8.  Returns the StmBits. */
static int64_t element_bits(ThContext *tc, LispObj type) {
    if (type == S(CHARACTER)) return 0;
    if (cons_p(type) && symbol_p(CAR(type)) && cons_p(CDR(type)) && fx_p(CAR(CDR(type)))) {
        bool is_signed = str_equal_cstr(SYM(CAR(type))->name, "SIGNED-BYTE");
        bool is_unsigned = str_equal_cstr(SYM(CAR(type))->name, "UNSIGNED-BYTE");
        int64_t n = fx_value(CAR(CDR(type)));
        if ((is_signed || is_unsigned) && n > 0 && n % 8 == 0 && n <= (is_signed ? 64 : 56))
            return STMB_BINARY | (is_signed ? STMB_SIGNED : 0) | (n << STMB_SIZE_SHIFT);
    }
    cond_error(tc, "OPEN: unsupported :element-type %v (character, or (unsigned-byte n) for n up to 56 "
                   "and (signed-byte n) for n up to 64)", type);
}

static int64_t format_bits(ThContext *tc, LispObj ef) {
    LispObj name = cons_p(ef) ? CAR(ef) : ef;
    if (kw_is(name, "DEFAULT") || kw_is(name, "UTF-8") || kw_is(name, "UTF8")) return 0;
    if (kw_is(name, "LATIN-1") || kw_is(name, "LATIN1") || kw_is(name, "ISO-8859-1")) return STMB_LATIN1;
    cond_error(tc, "OPEN: unsupported :external-format %v (:utf-8, :latin-1 or :default)", ef);
}

typedef struct OpenPlan {
    int flags;          /* open(2) flags */
    bool created;       /* the file does not exist yet */
    bool append;        /* position at the end */
    bool rename;        /* move the existing file to NAME.bak first */
    bool delete_backup; /* ... and delete the backup at CLOSE */
} OpenPlan;

/* What :if-exists / :if-does-not-exist mean for this file; false = return NIL. */
static bool plan_open(ThContext *tc, const char *path, LispObj pathname, LispObj dir, LispObj if_exists,
                      LispObj if_dne, OpenPlan *pl) {
    struct stat sb;
    bool exists = stat(path, &sb) == 0;
    if (!exists && errno != ENOENT) stm_file_error(tc, pathname, "OPEN", "cannot open", path, errno);
    bool output = kw_is(dir, "OUTPUT") || kw_is(dir, "IO");
    pl->flags = O_CLOEXEC | (kw_is(dir, "OUTPUT") ? O_WRONLY : kw_is(dir, "IO") ? O_RDWR : O_RDONLY);
    if (!exists) {
        if (if_dne == NIL) return false;
        if (kw_is(if_dne, "ERROR")) stm_file_error(tc, pathname, "OPEN", "cannot open", path, ENOENT);
        if (!kw_is(if_dne, "CREATE")) cond_error(tc, "OPEN: bad :if-does-not-exist %v", if_dne);
        pl->flags |= O_CREAT | O_EXCL;
        pl->created = true;
        return true;
    }
    if (S_ISDIR(sb.st_mode) && !kw_is(dir, "PROBE"))
        stm_file_error(tc, pathname, "OPEN", "cannot open", path, EISDIR);
    if (!output) return true;
    if (if_exists == NIL) return false;
    if (kw_is(if_exists, "ERROR") || kw_is(if_exists, "NEW-VERSION"))
        stm_file_error(tc, pathname, "OPEN", "cannot create", path, EEXIST);
    if (kw_is(if_exists, "SUPERSEDE")) pl->flags |= O_TRUNC;
    else if (kw_is(if_exists, "APPEND")) pl->append = true;
    else if (kw_is(if_exists, "RENAME") || kw_is(if_exists, "RENAME-AND-DELETE")) {
        pl->rename = true;
        pl->delete_backup = kw_is(if_exists, "RENAME-AND-DELETE");
        pl->flags |= O_CREAT | O_EXCL;
        pl->created = true;
    } else if (!kw_is(if_exists, "OVERWRITE"))
        cond_error(tc, "OPEN: bad :if-exists %v", if_exists);
    return true;
}

/* The stream object, made before anything is opened so that an allocation
 * failure cannot leak a descriptor; its FILE is filled in by stm_open_file. */
static LispObj new_file_stream(ThContext *tc, LispObj dir, const char *path, LispObj pathname,
                               LispObj element_type) {
    LispObj name = str_from_cstr(tc, path);
    enum StreamKind kind = kw_is(dir, "OUTPUT") ? STREAM_FILE_OUTPUT
                           : kw_is(dir, "IO")   ? STREAM_FILE_IO
                                                : STREAM_FILE_INPUT;
    LispObj s = stm_alloc(tc, kind);
    gc_init_store(&STM(s)->name, name);
    gc_init_store(&STM(s)->other, pathname);
    gc_init_store(&STM(s)->element_type, element_type);
    return s;
}

/* Opens path per the plan: a FILE (NULL for :probe, after checking the open). */
static FILE *open_planned(ThContext *tc, const char *path, LispObj pathname, LispObj direction,
                          const OpenPlan *pl, const char *bak) {
    if (pl->rename && rename(path, bak) != 0) stm_file_error(tc, pathname, "OPEN", "cannot rename", path, errno);
    int fd = open(path, pl->flags, 0666);
    int err = errno;
    if (fd < 0 && pl->rename) rename(bak, path);  /* put the original back */
    if (fd < 0) stm_file_error(tc, pathname, "OPEN", "cannot open", path, err);
    if (kw_is(direction, "PROBE")) {
        close(fd);
        return NULL;
    }
    const char *mode = kw_is(direction, "OUTPUT") ? "wb" : kw_is(direction, "IO") ? "r+b" : "rb";
    FILE *f = fdopen(fd, mode);
    if (!f) {
        err = errno;
        close(fd);
        stm_file_error(tc, pathname, "OPEN", "cannot open", path, err);
    }
    if (pl->append) fseek(f, 0, SEEK_END);
    return f;
}

LispObj stm_open_file(ThContext *tc, const char *path, LispObj pathname, LispObj direction,
                      LispObj element_type, LispObj if_exists, LispObj if_does_not_exist,
                      LispObj external_format) {
    int64_t bits = element_bits(tc, element_type) | format_bits(tc, external_format);
    OpenPlan pl = {0};
    if (!plan_open(tc, path, pathname, direction, if_exists, if_does_not_exist, &pl)) return NIL;
    char bak[4200];
    snprintf(bak, sizeof bak, "%s.bak", path);
    LispObj s = new_file_stream(tc, direction, path, pathname, element_type);
    obj_set(&STM(s)->aux, pl.rename ? str_from_cstr(tc, bak) : NIL);
    /* now: nothing below allocates before the FILE is in the stream */
    FILE *f = open_planned(tc, path, pathname, direction, &pl, bak);
    if (pl.created) bits |= STMB_CREATED;
    if (pl.delete_backup) bits |= STMB_DELETE_BACKUP;
    if (!f) bits |= STMB_CLOSED;  /* :probe */
    STM(s)->file = f;
    STM(s)->bits = bits;
    obj_set(&STM(s)->end, fx_make((f && isatty(fileno(f))) ? STMF_INTERACTIVE : 0));
    return s;
}
