/* ffi/ffi_impl.h — what the ffi/ files share: the table of foreign types,
 * C values, the record of a foreign call in progress, and the builtin
 * tables.  Private to ffi/ and its tests. */
#ifndef PETREL_FFI_FFI_IMPL_H
#define PETREL_FFI_FFI_IMPL_H

#include <ffi.h>
#include <stddef.h>
#include <sys/types.h>

#include "ffi/ffi.h"

/* How a type's values convert between Lisp and C. */
typedef enum FfiClass {
    FC_SIGNED,    /* an integer; Lisp integer in range */
    FC_UNSIGNED,
    FC_FLOAT,     /* C float; any Lisp real */
    FC_DOUBLE,
    FC_POINTER,   /* a foreign pointer object */
    FC_STRING,    /* char *: Lisp string in (temporary UTF-8 copy), new Lisp string out, NULL = NIL */
    FC_BOOLEAN,   /* C int: NIL = 0, anything else 1; out: 0 = NIL, else T */
    FC_VOID,      /* return type only */
} FfiClass;

/* The foreign types: X(ENUM, keyword name, C type, class).  :char is
 * signed char as in CFFI; :long is the platform's long (LP64: 64 bits). */
#define FFI_TYPES(X)                                   \
    X(INT8, "INT8", int8_t, FC_SIGNED)                 \
    X(UINT8, "UINT8", uint8_t, FC_UNSIGNED)            \
    X(INT16, "INT16", int16_t, FC_SIGNED)              \
    X(UINT16, "UINT16", uint16_t, FC_UNSIGNED)         \
    X(INT32, "INT32", int32_t, FC_SIGNED)              \
    X(UINT32, "UINT32", uint32_t, FC_UNSIGNED)         \
    X(INT64, "INT64", int64_t, FC_SIGNED)              \
    X(UINT64, "UINT64", uint64_t, FC_UNSIGNED)         \
    X(CHAR, "CHAR", signed char, FC_SIGNED)            \
    X(UCHAR, "UCHAR", unsigned char, FC_UNSIGNED)      \
    X(SHORT, "SHORT", short, FC_SIGNED)                \
    X(USHORT, "USHORT", unsigned short, FC_UNSIGNED)   \
    X(INT, "INT", int, FC_SIGNED)                      \
    X(UINT, "UINT", unsigned int, FC_UNSIGNED)         \
    X(LONG, "LONG", long, FC_SIGNED)                   \
    X(ULONG, "ULONG", unsigned long, FC_UNSIGNED)      \
    X(LLONG, "LONG-LONG", long long, FC_SIGNED)        \
    X(ULLONG, "ULONG-LONG", unsigned long long, FC_UNSIGNED) \
    X(SIZE, "SIZE", size_t, FC_UNSIGNED)               \
    X(SSIZE, "SSIZE", ssize_t, FC_SIGNED)              \
    X(INTPTR, "INTPTR", intptr_t, FC_SIGNED)           \
    X(UINTPTR, "UINTPTR", uintptr_t, FC_UNSIGNED)      \
    X(PTRDIFF, "PTRDIFF", ptrdiff_t, FC_SIGNED)        \
    X(FLOAT, "FLOAT", float, FC_FLOAT)                 \
    X(DOUBLE, "DOUBLE", double, FC_DOUBLE)             \
    X(POINTER, "POINTER", void *, FC_POINTER)          \
    X(STRING, "STRING", char *, FC_STRING)             \
    X(BOOLEAN, "BOOLEAN", int, FC_BOOLEAN)             \
    X(VOID, "VOID", char, FC_VOID)

typedef enum FfiTypeId {
#define X(e, n, c, k) FT_##e,
    FFI_TYPES(X)
#undef X
    FT_COUNT
} FfiTypeId;

typedef struct FfiType {
    const char *name;   /* keyword name */
    size_t size, align; /* C layout (void: 0) */
    FfiClass cls;
} FfiType;
extern const FfiType ffi_types[FT_COUNT];

/* One C value of any foreign type; big enough for libffi's return slot. */
typedef union FfiValue {
    int8_t i8; uint8_t u8; int16_t i16; uint16_t u16; int32_t i32; uint32_t u32;
    int64_t i64; uint64_t u64; float f; double d; void *p; ffi_arg widened; ffi_sarg swidened;
} FfiValue;

/* ---- types.c ---- */
/* The type a keyword names; signals FOREIGN-ERROR (naming op) otherwise. */
FfiTypeId ffi_type_of(ThContext *tc, const char *op, LispObj keyword);
ffi_type *ffi_libffi_type(FfiTypeId t);

/* ---- convert.c: Lisp <-> C (the caller is RUNNING) ---- */
/* Converts x to t's C value in *v; a bad value signals type-error with
 * the datum and the expected type.  FC_STRING: *lisp_string gets the
 * simple string to copy (ffi_string_copy), v is left for the caller. */
void ffi_from_lisp(ThContext *tc, FfiTypeId t, LispObj x, FfiValue *v, LispObj *lisp_string);
/* The Lisp value of t's C value (libffi-widened for returns when widened). */
LispObj ffi_to_lisp(ThContext *tc, FfiTypeId t, const FfiValue *v, bool widened);
/* Reads/writes t's value at p (size ffi_types[t].size). */
void ffi_load(FfiTypeId t, const void *p, FfiValue *v);
void ffi_store(FfiTypeId t, void *p, const FfiValue *v);
/* Stores v as libffi's return slot wants it (integers widened to ffi_arg). */
void ffi_store_return(FfiTypeId t, void *ret, const FfiValue *v);
/* A malloc'd NUL-terminated UTF-8 copy of a simple string (NULL if out of
 * memory); no Lisp call, no signal. */
char *ffi_string_copy(LispObj s);
/* A simple string of x (a string), or type-error STRING. */
LispObj ffi_arg_string(ThContext *tc, LispObj x);

/* ---- pointer.c ---- */
/* x as an address: a foreign pointer, else type-error FOREIGN-POINTER. */
void *ffi_arg_pointer(ThContext *tc, LispObj x);

/* ---- library.c ---- */
/* The address of a symbol in the loaded libraries or the program, or NULL. */
void *ffi_find_symbol(ThContext *tc, const char *name);

/* ---- call.c / callback.c ---- */
/* A foreign call in progress on this thread (ThContext.ffi_call points to
 * the innermost), on the C stack of the builtin that made it. */
typedef struct FfiCall {
    struct FfiCall *outer;  /* the call this one runs inside (through a callback), or NULL */
    LispExit exit;          /* a non-local exit a callback stopped: foreign-funcall resumes it */
} FfiCall;

/* FOREIGN-ERROR (ffi.lisp: a simple-error) with a formatted message. */
#define ffi_error(tc, ...) cond_error_of_type((tc), S(FFI_FOREIGN_ERROR), __VA_ARGS__)

/* ---- builtin tables ---- */
extern const BuiltinSpec ffi_builtins_types[], ffi_builtins_pointer[], ffi_builtins_memory[],
    ffi_builtins_library[], ffi_builtins_call[], ffi_builtins_callback[];

#endif
