/* lisp/fasl_impl.h — the FASL writer and loader (lisp/fasl.c), used by
 * compile-file and load (lisp/builtins_fasl.c).  Private to lisp/.
 *
 * A FASL file is
 *   "PETRELFASL" | u8 format version | u8 n | n bytes of the Petrel version
 *   | records ... | 'E' | u64 FNV-1a hash of every byte before it
 * and each record is 'F' followed by one serialized CODE object of no
 * arguments (a top-level form), which the loader calls in order.  Objects
 * are serialized with an object table, so eq-ness inside and across the
 * constants of one file (shared and circular structure, uninterned symbols,
 * CLHS 3.2.4.2.2) survives the round trip. */
#ifndef PETREL_LISP_FASL_IMPL_H
#define PETREL_LISP_FASL_IMPL_H

#include "lisp/lisp.h"

enum { FASL_FORMAT_VERSION = 3 };  /* 2: FT_EVAL_INIT; 3: FT_UVECTOR, FT_ARRAY */
#define FASL_MAGIC "PETRELFASL"
#define FASL_MAGIC_LEN 10

/* The writer's state.  Every Lisp value it holds is in this struct, which
 * lives on the C stack (scanned conservatively), so an error in the middle of
 * writing leaks nothing. */
typedef struct FaslOut {
    ThContext *tc;
    LispObj buf;        /* BYTES: the file so far */
    size_t len;         /* bytes used in buf */
    LispObj table;      /* VECTOR of key/id pairs: address-hashed (the GC never moves objects) */
    size_t count, cap;  /* entries in table, and its capacity in pairs */
    const char *source; /* source file name, for error messages */
} FaslOut;

void fasl_out_init(ThContext *tc, FaslOut *out, const char *source);
/* Appends one top-level CODE object; signals an error naming the object if
 * a constant cannot be dumped. */
void fasl_out_form(FaslOut *out, LispObj code);
/* Terminates the file and writes it to path (file-error on failure). */
void fasl_out_write(FaslOut *out, const char *path);

/* Does the file at path start with the FASL magic? (false if unreadable) */
bool fasl_file_p(const char *path);
/* Loads a FASL: checks the header and hash, then runs each record in order.
 * A bad file signals file-error naming it; never executes a corrupt record. */
void fasl_load_file(ThContext *tc, const char *path, bool verbose);

#endif
