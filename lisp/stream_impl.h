/* lisp/stream_impl.h — private declarations of the stream layer shared by
 * stream.c (the generic character layer and string streams),
 * stream_composite.c (broadcast, concatenated, two-way, echo, synonym),
 * stream_file.c (file streams: OPEN, CLOSE, bytes, positions), and the
 * builtins over them (builtins_io.c, builtins_streams.c, builtins_files.c).
 * Nothing outside these files includes it.
 *
 * Gray streams hook (planned, not implemented: no CLOS yet).  Every
 * operation enters the layer through one dispatch on the stream's kind
 * (stm_read_char, stm_write_char, stm_read_byte, stm_close, ...).  A
 * user-defined stream class will be one more kind, STREAM_USER, whose
 * `buffer` word holds the CLOS instance; each dispatch's STREAM_USER case
 * calls the matching generic function (stream-read-char, stream-write-char,
 * stream-line-column, stream-read-byte, close ...) on it, and streamp /
 * input-stream-p answer through the instance's class.  The kernel's own
 * kinds stay C, so the printer's and reader's per-character path never goes
 * through generic dispatch. */
#ifndef PETREL_LISP_STREAM_IMPL_H
#define PETREL_LISP_STREAM_IMPL_H

#include "lisp/printer_impl.h"

/* Raw `bits` of a stream. */
enum StmBits {
    STMB_CLOSED = 1,          /* CLOSE was called: every operation but a few queries signals */
    STMB_BINARY = 2,          /* element type is an integer type: byte I/O only */
    STMB_SIGNED = 4,          /* (signed-byte n) */
    STMB_CREATED = 8,         /* OPEN created the file: CLOSE :abort t deletes it */
    STMB_DELETE_BACKUP = 16,  /* :rename-and-delete: CLOSE deletes the backup in aux */
    STMB_LATIN1 = 32,         /* external format :latin-1 (else UTF-8) */
    STMB_LAST_WRITE = 64,     /* :io file: the last operation was a write (stdio needs a seek between) */
    STMB_NO_FCLOSE = 128,     /* the FILE belongs to C (stdin/stdout/stderr): flush, never fclose */
    STMB_SIZE_SHIFT = 8,      /* bits 8..15: byte size in bits (binary streams) */
};

static inline int64_t stm_kind(LispObj s) { return fx_value(STM(s)->kind); }
static inline bool stm_closed_p(LispObj s) { return (STM(s)->bits & STMB_CLOSED) != 0; }
static inline unsigned stm_byte_size(LispObj s) { return (unsigned)((STM(s)->bits >> STMB_SIZE_SHIFT) & 0xff); }
static inline bool stm_file_kind_p(int64_t k) {
    return k == STREAM_FILE_INPUT || k == STREAM_FILE_OUTPUT || k == STREAM_FILE_IO;
}

/* stream.c */
LispObj stm_alloc(ThContext *tc, enum StreamKind kind);
/* stream-error with :stream s and a message (printf-like, as cond_error). */
_Noreturn void stm_error(ThContext *tc, LispObj s, const char *fmt, ...);
/* The end of a chain of synonym streams (symbol values); type-error if one is not a stream. */
LispObj stm_resolve_synonym(ThContext *tc, LispObj s);
/* READ-LINE's loop: the characters up to a newline or end of file in a
 * fresh string; NIL at end of file when nothing was read.  *missing gets
 * true when the line ended at end of file. */
LispObj stm_read_line(ThContext *tc, LispObj s, bool *missing);
bool stm_listen(ThContext *tc, LispObj s);          /* a character is available now */
/* True if reading s now could block (a pipe or terminal with nothing
 * buffered or ready); false at end of file or when data is there. */
bool stm_would_block(ThContext *tc, LispObj s);
void stm_clear_input(ThContext *tc, LispObj s);
/* CLEAR-OUTPUT: drops output buffered and not yet sent (file streams). */
void stm_clear_output(ThContext *tc, LispObj s);
LispObj stm_element_type(ThContext *tc, LispObj s);
bool stm_interactive_p(ThContext *tc, LispObj s);

/* stream_composite.c: the per-kind parts of the generic operations. */
LispObj stm_make_composite(ThContext *tc, enum StreamKind kind, LispObj a, LispObj b);
int32_t stm_composite_read(ThContext *tc, LispObj s);
void stm_composite_unread(ThContext *tc, LispObj s, int32_t c);
void stm_composite_write(ThContext *tc, LispObj s, uint32_t c);
bool stm_composite_input_p(LispObj s);
bool stm_composite_output_p(LispObj s);

/* stream_file.c */
int32_t stm_file_read_char(ThContext *tc, LispObj s);
/* Fast path of READ-LINE on a plain UTF-8 character file: up to cap
 * characters into buf, stopping after a newline; *term gets '\n', -1 (end
 * of file) or 0 (buf full).  Returns the count, or -1 when the stream needs
 * the general path (unread character, binary, Latin-1, terminal).  Does
 * not count lines and columns. */
int64_t stm_file_read_run(ThContext *tc, LispObj s, uint32_t *buf, size_t cap, int *term);
/* fflush in a safe region (a full pipe must not hold up a collection). */
int stm_file_flush(ThContext *tc, FILE *f);
void stm_file_write_char(ThContext *tc, LispObj s, uint32_t c);
/* n characters (no allocation, so chars may point into a Lisp string). */
void stm_file_write_chars(ThContext *tc, LispObj s, const uint32_t *chars, size_t n);
/* read-byte: false at end of file; *out gets the integer. */
bool stm_read_byte(ThContext *tc, LispObj s, LispObj *out);
void stm_write_byte(ThContext *tc, LispObj s, LispObj integer);
void stm_close(ThContext *tc, LispObj s, bool abort);
/* file-position: current position (element index) or -1 if unknown. */
int64_t stm_file_position(ThContext *tc, LispObj s);
/* Sets the position; pos -1 = end of file.  False if it cannot. */
bool stm_set_file_position(ThContext *tc, LispObj s, int64_t pos);
int64_t stm_file_length(ThContext *tc, LispObj s);
/* Bytes the characters would take in the stream's external format. */
size_t stm_encoded_length(LispObj s, const uint32_t *chars, size_t n);
bool stm_file_listen(ThContext *tc, LispObj s);
bool stm_file_would_block(LispObj s);
/* Signals file-error if the stream's FILE has its error flag set (what = operator). */
void stm_check_io(ThContext *tc, LispObj s, const char *what);
void stm_file_clear_input(LispObj s);
void stm_file_clear_output(LispObj s);
/* file-error with :pathname pathname: "OP: what path: strerror(err)". */
_Noreturn void stm_file_error(ThContext *tc, LispObj pathname, const char *op, const char *what,
                              const char *path, int err);
/* OPEN's system part, arguments already defaulted (see builtins_files.c). */
LispObj stm_open_file(ThContext *tc, const char *path, LispObj pathname, LispObj direction,
                      LispObj element_type, LispObj if_exists, LispObj if_does_not_exist,
                      LispObj external_format);
LispObj stm_external_format(LispObj s);

/* builtins tables */
extern const BuiltinSpec builtins_streams[];
extern const BuiltinSpec builtins_files[];

#endif
