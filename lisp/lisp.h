/* lisp/lisp.h — the public surface of the Lisp: value representation, object
 * layouts, constructors and accessors, and the entry points of the reader,
 * printer, compiler and VM.
 *
 * A value (LispObj) is one 64-bit word (DESIGN "Object model"):
 *   ....xx00  fixnum, 62-bit signed, value = word >> 2 (arithmetic)
 *   ....0001  cons pointer (16-byte aligned cell of two words, no header)
 *   ....0011  pointer to a headered heap object (see gc/gc.h header layout)
 *   0x0A low byte  character: code point in bits 8..31
 *   0x1A low byte  single-float: IEEE bits in the upper 32 bits
 *   0x2A low byte  markers (unbound, no-binding, ...), never user-visible
 * NIL is a real symbol object; the empty list is NIL.
 *
 * Stores into heap objects go through gc/barrier.h (gc_store), or gc_init_store
 * while the object is fresh.  The accessors below do that for you. */
#ifndef PETREL_LISP_LISP_H
#define PETREL_LISP_LISP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gc/barrier.h"
#include "gc/fatal.h"
#include "gc/gc.h"
#include "threads/threads.h"

typedef GcWord LispObj;

/* ---- Object kinds: one list gives type codes, names and boxed prefix. ----
 * X(ENUM, "type-of name", nboxed) — nboxed = leading payload words that hold
 * Lisp values (GC_BOXED_ALL: all of them). */
#define LISP_KINDS(X)                                                        \
    X(SYMBOL, "SYMBOL", GC_BOXED_ALL)                                        \
    X(STRING, "SIMPLE-STRING", 1)          /* [length][uint32 code points] */ \
    X(VECTOR, "SIMPLE-VECTOR", GC_BOXED_ALL) /* length = payload words */     \
    X(DOUBLE_FLOAT, "DOUBLE-FLOAT", 0)                                       \
    X(RATIO, "RATIO", GC_BOXED_ALL)        /* [numerator][denominator] */     \
    X(COMPLEX, "COMPLEX", GC_BOXED_ALL)    /* [real][imag] */                 \
    X(BIGNUM, "BIGNUM", 1)                 /* [signed limb count][limbs] */   \
    X(BYTES, "BYTES", 1)                   /* [length][octets]: bytecode */   \
    X(CODE, "CODE", GC_BOXED_ALL)          /* compiled lambda template */     \
    X(CLOSURE, "FUNCTION", GC_BOXED_ALL)   /* [code][captured...] */          \
    X(BUILTIN, "FUNCTION", 3)              /* [name][arity][doc][C fn] */     \
    X(PACKAGE, "PACKAGE", GC_BOXED_ALL)                                      \
    X(CELL, "CELL", GC_BOXED_ALL)          /* one mutable captured variable */ \
    X(INSTANCE, "INSTANCE", GC_BOXED_ALL)  /* [type descriptor][slots...] */  \
    X(STREAM, "STREAM", 8)                 /* see LispStream */               \
    X(HASH_TABLE, "HASH-TABLE", GC_BOXED_ALL)                                \
    X(ARRAY, "ARRAY", GC_BOXED_ALL)        /* array header: lisp/array_impl.h */ \
    X(CONDITION, "CONDITION", GC_BOXED_ALL) /* [type symbol][message][plist] */ \
    X(UVECTOR, "SIMPLE-ARRAY", 2)          /* [length][element code][raw data] */ \
    X(THREAD, "THREAD", 6)                 /* see LispThread (lisp/mt_impl.h) */  \
    X(MUTEX, "MUTEX", 2)                   /* see LispMutex */                    \
    X(WAITQUEUE, "WAITQUEUE", 1)           /* condition variable: LispWaitqueue */ \
    X(SEMAPHORE, "SEMAPHORE", 1)           /* see LispSemaphore */                \
    X(READTABLE, "READTABLE", GC_BOXED_ALL) /* see LispReadtable (reader_impl.h) */ \
    X(STD_INSTANCE, "STANDARD-OBJECT", GC_BOXED_ALL) /* [layout][slot vector]: lisp/builtins_clos.c */ \
    X(WEAK_POINTER, "WEAK-POINTER", 0)      /* [referent, not traced: gc/weak.c] (builtins_weak.c) */ \
    X(FOREIGN_POINTER, "FOREIGN-POINTER", 0) /* [raw address] (ffi/pointer.c) */

enum LispKind {
    KIND_NONE = 0,
#define X(e, n, b) KIND_##e,
    LISP_KINDS(X)
#undef X
    KIND_COUNT
};
extern const char *const lisp_kind_names[KIND_COUNT];
extern const unsigned char lisp_kind_nboxed[KIND_COUNT];

/* ---- Fixnums ---- */
#define FIXNUM_BITS 62
#define FIXNUM_MAX ((int64_t)((UINT64_C(1) << 61) - 1))
#define FIXNUM_MIN (-FIXNUM_MAX - 1)
static inline bool fx_p(LispObj x) { return (x & 3) == 0; }
static inline int64_t fx_value(LispObj x) { return (int64_t)x >> 2; }
static inline LispObj fx_make(int64_t n) { return (LispObj)((uint64_t)n << 2); }
static inline bool fx_in_range(int64_t n) { return n >= FIXNUM_MIN && n <= FIXNUM_MAX; }

/* ---- Characters, single-floats, markers ---- */
static inline bool char_p(LispObj x) { return (x & 0xff) == 0x0A; }
static inline LispObj char_make(uint32_t code) { return ((LispObj)code << 8) | 0x0A; }
static inline uint32_t char_code(LispObj x) { return (uint32_t)(x >> 8); }
#define CHAR_CODE_LIMIT 0x110000

static inline bool single_float_p(LispObj x) { return (x & 0xff) == 0x1A; }
static inline LispObj single_float_make(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    return ((LispObj)bits << 32) | 0x1A;
}
static inline float single_float_value(LispObj x) {
    uint32_t bits = (uint32_t)(x >> 32);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

#define LISP_UNBOUND ((LispObj)0x012A)     /* unbound value/function cell */
#define LISP_NO_BINDING ((LispObj)0x022A)  /* thread slot: use the global value */
#define LISP_UNSUPPLIED ((LispObj)0x032A)  /* optional/key parameter not given */
static inline bool marker_p(LispObj x) { return (x & 0xff) == 0x2A; }

/* ---- Pointers ---- */
static inline bool cons_p(LispObj x) { return (x & GC_TAG_MASK) == GC_TAG_CONS; }
static inline bool obj_p(LispObj x) { return (x & GC_TAG_MASK) == GC_TAG_OBJECT; }
static inline GcWord *obj_words(LispObj x) { return (GcWord *)(uintptr_t)(x - GC_TAG_OBJECT); }
static inline LispObj obj_from_ptr(const void *p) { return (LispObj)(uintptr_t)p | GC_TAG_OBJECT; }
static inline unsigned obj_kind(LispObj x) { return gc_header_type(obj_words(x)[0]); }
static inline uint64_t obj_nwords(LispObj x) { return gc_header_nwords(obj_words(x)[0]); }
static inline bool kind_p(LispObj x, unsigned k) { return obj_p(x) && obj_kind(x) == k; }

typedef struct LispCons { LispObj car, cdr; } LispCons;
static inline LispCons *cons_ptr(LispObj x) { return (LispCons *)(uintptr_t)(x - GC_TAG_CONS); }
static inline LispObj cons_from_ptr(LispCons *p) { return (LispObj)(uintptr_t)p | GC_TAG_CONS; }
/* x must be a cons.  Relaxed atomic loads (plain moves on x86-64): another
 * thread may store into the same cons (a Lisp-level race is no C-level
 * data race, and TSan stays quiet about correct CAS idioms). */
static inline LispObj CAR(LispObj x) { return __atomic_load_n(&cons_ptr(x)->car, __ATOMIC_RELAXED); }
static inline LispObj CDR(LispObj x) { return __atomic_load_n(&cons_ptr(x)->cdr, __ATOMIC_RELAXED); }
static inline void cons_set_car(LispObj c, LispObj v) { gc_store(&cons_ptr(c)->car, v); }
static inline void cons_set_cdr(LispObj c, LispObj v) { gc_store(&cons_ptr(c)->cdr, v); }

/* ---- Layouts of headered objects ---- */
enum SymbolFlags {
    SYMF_SPECIAL = 1,          /* proclaimed special (defvar etc.) */
    SYMF_CONSTANT = 2,         /* defconstant, keywords, T, NIL */
    SYMF_MACRO = 4,            /* function cell holds a macro expander */
    SYMF_SPECIAL_OPERATOR = 8, /* one of the 25 special operators */
    SYMF_EXTERNAL = 16,        /* external in its home package (cache) */
};
typedef struct LispSymbol {
    GcWord header;
    LispObj name;      /* simple string, immutable */
    LispObj value;     /* global value or LISP_UNBOUND */
    LispObj function;  /* function, macro expander, or LISP_UNBOUND */
    LispObj plist;
    LispObj package;   /* home package or NIL */
    LispObj flags;     /* fixnum of SymbolFlags */
    LispObj tls_index; /* fixnum; 0 = never bound dynamically */
    LispObj hash;      /* fixnum, hash of the name */
} LispSymbol;
#define SYMBOL_NWORDS 8

typedef struct LispString {
    GcWord header;
    LispObj length;    /* fixnum */
    uint32_t chars[];  /* code points */
} LispString;

typedef struct LispVector {
    GcWord header;
    LispObj items[];   /* length = header nwords */
} LispVector;

typedef struct LispDouble { GcWord header; double value; } LispDouble;
typedef struct LispRatio { GcWord header; LispObj num, den; } LispRatio;
typedef struct LispBytes { GcWord header; LispObj length; uint8_t bytes[]; } LispBytes;
typedef struct LispCell { GcWord header; LispObj value; } LispCell;

/* A compiled lambda (template); closures pair it with captured values. */
typedef struct LispCode {
    GcWord header;
    LispObj name;        /* function name for backtraces, or NIL */
    LispObj bytecode;    /* BYTES */
    LispObj constants;   /* VECTOR */
    LispObj arity;       /* fixnum: see vm.h */
    LispObj keys;        /* VECTOR of keyword symbols, or NIL */
    LispObj nlocals;     /* fixnum: frame slots */
    LispObj lambda_list; /* source lambda list (debugging, describe) */
    LispObj doc;         /* docstring or NIL */
} LispCode;
#define CODE_NWORDS 8

typedef struct LispClosure {
    GcWord header;
    LispObj code;        /* CODE */
    LispObj env[];       /* captured cells, count = nwords - 1 */
} LispClosure;

struct ThContext;
/* C function behind a builtin: args[0..nargs) are the arguments, already
 * checked against min/max.  Returns the primary value; multiple values via
 * vm_values. */
typedef LispObj (*BuiltinFn)(ThContext *tc, size_t nargs, LispObj *args);
typedef struct LispBuiltin {
    GcWord header;
    LispObj name;        /* symbol */
    LispObj arity;       /* fixnum: min | (max << 16); max 0xffff = &rest */
    LispObj doc;         /* string or NIL */
    BuiltinFn fn;        /* raw */
} LispBuiltin;
#define BUILTIN_REST 0xffff

typedef struct LispPackage {
    GcWord header;
    LispObj name;        /* string */
    LispObj nicknames;   /* list of strings */
    LispObj use_list;    /* list of packages */
    LispObj used_by;     /* list of packages */
    LispObj internals;   /* VECTOR: open-addressed symbol table */
    LispObj externals;   /* VECTOR: open-addressed symbol table */
    LispObj n_internals; /* fixnum */
    LispObj n_externals; /* fixnum */
    LispObj shadowing;   /* list of symbols */
} LispPackage;
#define PACKAGE_NWORDS 9

/* Minimal condition object of the kernel; the core-language issue replaces it
 * with define-condition classes. */
typedef struct LispCondition {
    GcWord header;
    LispObj type;        /* symbol naming the condition type */
    LispObj message;     /* string or NIL (format control) */
    LispObj args;        /* list: format arguments */
    LispObj plist;       /* slot initargs: :datum, :expected-type, :stream, ... */
} LispCondition;
#define CONDITION_NWORDS 4

/* Streams: boxed words first, then raw.  What each field holds per kind is
 * in lisp/printer_impl.h ("Use of the LispStream fields per kind"). */
enum StreamKind {
    STREAM_STRING_INPUT = 1, STREAM_STRING_OUTPUT, STREAM_FILE_INPUT, STREAM_FILE_OUTPUT,
    STREAM_FILE_IO, STREAM_BROADCAST, STREAM_CONCATENATED, STREAM_TWO_WAY, STREAM_ECHO,
    STREAM_SYNONYM,
    STREAM_KIND_LIMIT
};
typedef struct LispStream {
    GcWord header;
    LispObj kind;        /* fixnum StreamKind */
    LispObj buffer;      /* string (input source or output accumulator), or the component(s) */
    LispObj position;    /* fixnum: next index (string input) / length (output) */
    LispObj end;         /* fixnum: end index (string input) or StmFlags (files) */
    LispObj name;        /* string naming the stream (file name) or NIL */
    LispObj other;       /* second component (two-way/echo output) or a file's pathname */
    LispObj element_type; /* type specifier (file streams), NIL = character */
    LispObj aux;         /* file streams: backup namestring (:if-exists :rename...) or NIL */
    FILE *file;          /* raw: file streams */
    int64_t unread;      /* raw: pushed-back char or -1 */
    int64_t line;        /* raw: 1-based line */
    int64_t column;      /* raw: 0-based column */
    int64_t chars_read;  /* raw: characters consumed (for error positions) */
    int64_t bits;        /* raw: StmBits (closed, binary byte size, ...) */
} LispStream;
#define STREAM_NBOXED 8
#define STREAM_NWORDS 14

/* ---- Type predicates ---- */
extern LispObj lisp_nil, lisp_t;  /* written once at startup, then read-only */
#define NIL lisp_nil
#define T lisp_t
static inline bool null_p(LispObj x) { return x == NIL; }
static inline bool symbol_p(LispObj x) { return kind_p(x, KIND_SYMBOL); }
static inline bool list_p(LispObj x) { return cons_p(x) || x == NIL; }
static inline bool string_p(LispObj x) { return kind_p(x, KIND_STRING); }
static inline bool vector_p(LispObj x) { return kind_p(x, KIND_VECTOR); }
static inline bool double_float_p(LispObj x) { return kind_p(x, KIND_DOUBLE_FLOAT); }
static inline bool ratio_p(LispObj x) { return kind_p(x, KIND_RATIO); }
static inline bool package_p(LispObj x) { return kind_p(x, KIND_PACKAGE); }
static inline bool stream_p(LispObj x) { return kind_p(x, KIND_STREAM); }
static inline bool condition_p(LispObj x) { return kind_p(x, KIND_CONDITION); }
static inline bool function_p(LispObj x) { return kind_p(x, KIND_CLOSURE) || kind_p(x, KIND_BUILTIN); }
static inline bool float_p(LispObj x) { return single_float_p(x) || double_float_p(x); }
static inline bool integer_p(LispObj x) { return fx_p(x) || kind_p(x, KIND_BIGNUM); }
static inline bool rational_p(LispObj x) { return integer_p(x) || ratio_p(x); }
static inline bool real_p(LispObj x) { return rational_p(x) || float_p(x); }
static inline bool number_p(LispObj x) { return real_p(x) || kind_p(x, KIND_COMPLEX); }

static inline LispSymbol *SYM(LispObj x) { return (LispSymbol *)obj_words(x); }
/* A symbol's function cell, read with acquire: another thread may
 * redefine (or fmakunbound) it at any time, publishing a function it
 * has just built. */
static inline LispObj sym_function(LispObj s) { return __atomic_load_n(&SYM(s)->function, __ATOMIC_ACQUIRE); }
static inline LispString *STR(LispObj x) { return (LispString *)obj_words(x); }
static inline LispVector *VEC(LispObj x) { return (LispVector *)obj_words(x); }
static inline LispPackage *PKG(LispObj x) { return (LispPackage *)obj_words(x); }
static inline LispStream *STM(LispObj x) { return (LispStream *)obj_words(x); }
static inline LispCode *CODE(LispObj x) { return (LispCode *)obj_words(x); }
static inline LispClosure *CLO(LispObj x) { return (LispClosure *)obj_words(x); }
static inline LispCondition *CND(LispObj x) { return (LispCondition *)obj_words(x); }
static inline size_t str_length(LispObj s) { return (size_t)fx_value(STR(s)->length); }
static inline size_t vec_length(LispObj v) { return (size_t)obj_nwords(v); }
static inline double double_float_value(LispObj x) { return ((LispDouble *)obj_words(x))->value; }
/* Store into any boxed slot of a heap object (barrier). */
static inline void obj_set(LispObj *slot, LispObj v) { gc_store(slot, v); }

/* ---- Well-known symbols: SYM_* indices into lisp_syms (lisp/symbols.def). ---- */
enum LispSymId {
#define X(id, name, pkg) SYM_##id,
#include "lisp/symbols.def"
#undef X
    SYM__COUNT
};
extern LispObj lisp_syms[SYM__COUNT];  /* written at startup; a GC root */
#define S(id) (lisp_syms[SYM_##id])

/* Well-known packages (written at startup). */
extern LispObj pkg_common_lisp, pkg_cl_user, pkg_keyword, pkg_ext, pkg_system;
/* PETREL-FFI: made at startup (its functions come with ffi/); a core has it. */
#define LISP_FFI_PACKAGE "PETREL-FFI"

/* ---- Allocation (lisp/object.c).  Every constructor may collect; a heap
 * exhausted after a full collection signals storage-condition. ---- */
LispObj lisp_cons(ThContext *tc, LispObj car, LispObj cdr);
LispObj lisp_list(ThContext *tc, size_t n, ...);          /* n LispObj args */
LispObj lisp_list_from(ThContext *tc, size_t n, const LispObj *items);
LispObj obj_alloc(ThContext *tc, unsigned kind, uint64_t nwords); /* zeroed payload */
LispObj vec_make(ThContext *tc, size_t length, LispObj fill);
LispObj str_make(ThContext *tc, size_t length, uint32_t fill);
LispObj str_from_cstr(ThContext *tc, const char *utf8);
LispObj str_from_utf8(ThContext *tc, const char *utf8, size_t nbytes);
/* Encodes as UTF-8 into buf (NUL-terminated, truncated to cap); returns bytes needed. */
size_t str_to_utf8(LispObj s, char *buf, size_t cap);
bool str_equal_cstr(LispObj s, const char *ascii);
LispObj double_float_make(ThContext *tc, double d);
LispObj ratio_make(ThContext *tc, LispObj num, LispObj den); /* raw; see num_ for normalised */
LispObj cell_make(ThContext *tc, LispObj value);
LispObj bytes_make(ThContext *tc, size_t length);
LispObj condition_make(ThContext *tc, LispObj type, LispObj message, LispObj args, LispObj plist);
/* Integer from a C int64: a fixnum if in range, else a bignum. */
LispObj num_from_int64(ThContext *tc, int64_t n);
LispObj num_from_uint64(ThContext *tc, uint64_t n);
/* True with the value in *out when x is an integer that fits (else false,
 * whatever x is); for C code that converts to C scalars (ffi/). */
bool num_to_int64(LispObj x, int64_t *out);
bool num_to_uint64(LispObj x, uint64_t *out);
/* The double nearest to x, a real (false if x is not a real). */
bool num_real_to_double(ThContext *tc, LispObj x, double *out);

/* ---- Lists ---- */
size_t lisp_list_length(ThContext *tc, LispObj list); /* signals type-error on improper/circular */
LispObj lisp_nreverse(LispObj list);
LispObj lisp_plist_get(LispObj plist, LispObj key, LispObj dflt);

/* ---- Symbols and packages (lisp/symbol.c, lisp/package.c) ---- */
LispObj sym_make(ThContext *tc, LispObj name);  /* uninterned */
/* Finds or creates; *status gets :internal/:external/:inherited/NIL like find-symbol. */
LispObj pkg_intern(ThContext *tc, LispObj name, LispObj package, LispObj *status);
LispObj pkg_intern_cstr(ThContext *tc, const char *name, LispObj package);
LispObj pkg_find_symbol(ThContext *tc, LispObj name, LispObj package, LispObj *status);
LispObj pkg_find(ThContext *tc, LispObj designator); /* NIL if none */
LispObj pkg_find_cstr(ThContext *tc, const char *name);
LispObj pkg_make(ThContext *tc, const char *name, const char *const *nicknames);
void pkg_export(ThContext *tc, LispObj symbol, LispObj package);
void pkg_use(ThContext *tc, LispObj package, LispObj used);
void pkg_delete(ThContext *tc, LispObj package);  /* leaves the registry and use lists */
LispObj pkg_current(ThContext *tc);  /* value of *package* */
bool sym_keyword_p(LispObj x);
/* Dynamic value of a special variable in this thread (binding or global). */
LispObj sym_value(ThContext *tc, LispObj symbol);   /* LISP_UNBOUND if unbound */
/* The cell a symbol-value read or write of s uses now in this thread. */
LispObj *sym_value_slot(ThContext *tc, LispObj s);
void sym_set_value(ThContext *tc, LispObj symbol, LispObj value);
LispObj sym_value_checked(ThContext *tc, LispObj symbol); /* signals unbound-variable */
/* Binds a special for the current thread; undone by sym_unbind_to. */
void sym_bind(ThContext *tc, LispObj symbol, LispObj value);
void sym_unbind_to(ThContext *tc, size_t bind_top);
/* Flags are a fixnum word changed by atomic OR/AND (threads set different
 * flags of one symbol at once); a fixnum is no reference, so no barrier. */
static inline bool sym_flag_p(LispObj s, unsigned f) {
    return (fx_value(__atomic_load_n(&SYM(s)->flags, __ATOMIC_RELAXED)) & f) != 0;
}
void sym_set_flag(LispObj s, unsigned f);
void sym_clear_flag(LispObj s, unsigned f);
LispObj sym_gensym(ThContext *tc, const char *prefix);

/* ---- Streams (lisp/stream.c) ---- */
LispObj stm_make_string_input(ThContext *tc, LispObj string, size_t start, size_t end);
LispObj stm_make_string_output(ThContext *tc);
LispObj stm_get_output_string(ThContext *tc, LispObj stream); /* and resets it */
LispObj stm_make_file(ThContext *tc, FILE *f, bool output, const char *name);
int32_t stm_read_char(ThContext *tc, LispObj stream);  /* -1 at end of file */
void stm_unread_char(ThContext *tc, LispObj stream, int32_t c);
int32_t stm_peek_char(ThContext *tc, LispObj stream);
void stm_write_char(ThContext *tc, LispObj stream, uint32_t c);
void stm_write_cstr(ThContext *tc, LispObj stream, const char *utf8);
void stm_write_string(ThContext *tc, LispObj stream, LispObj string, size_t start, size_t end);
void stm_finish_output(ThContext *tc, LispObj stream);
size_t stm_column(LispObj stream);
/* "line L, column C" position text of an input stream, for error messages. */
void stm_describe_position(LispObj stream, char *buf, size_t cap);
/* Resolves a stream designator (NIL: *standard-output* or *standard-input*; T: terminal). */
LispObj stm_output_designator(ThContext *tc, LispObj designator);
LispObj stm_input_designator(ThContext *tc, LispObj designator);
/* Class name of a stream's kind for printing ("FILE-INPUT-STREAM", ...). */
const char *stm_kind_name(LispObj stream);
/* typep of x against one of the stream class names (string-stream, file-stream, ...). */
bool stm_typep(LispObj x, LispObj type);
/* The pathname a namestring designates (CL:PATHNAME once src/pathnames.lisp
 * is loaded; the string itself before that, while the library loads). */
LispObj stm_pathname_of(ThContext *tc, LispObj namestring);

/* ---- Reader (lisp/reader.c) ---- */
/* Reads one object.  At end of file: signals end-of-file if eof_error_p, else
 * returns eof_value.  Malformed input signals reader-error. */
LispObj rd_read(ThContext *tc, LispObj stream, bool eof_error_p, LispObj eof_value, bool recursive_p);
LispObj rd_read_from_cstr(ThContext *tc, const char *utf8); /* first form; errors signalled */
int64_t rd_name_char_code(LispObj name); /* code of the character NAME names, or -1 */
/* Expands the body of a backquote form (what `x reads as (sys:quasiquote x))
 * into code that builds the structure: the compiler's quasiquote macro. */
LispObj rd_expand_quasiquote(ThContext *tc, LispObj form);

/* ---- Printer (lisp/printer.c, lisp/format.c) ---- */
void pr_prin1(ThContext *tc, LispObj obj, LispObj stream);
void pr_princ(ThContext *tc, LispObj obj, LispObj stream);
/* write honouring the current *print-...* variables */
void pr_write(ThContext *tc, LispObj obj, LispObj stream);
LispObj pr_prin1_to_string(ThContext *tc, LispObj obj);
LispObj pr_princ_to_string(ThContext *tc, LispObj obj);
/* FORMAT: destination already resolved to a stream. */
void pr_format(ThContext *tc, LispObj stream, LispObj control, LispObj args);

/* ---- Conditions (lisp/cond.c).  Messages are built with a printf-like
 * format: %s C string, %d int, %ld int64_t, %zu size_t, %c char,
 * %v LispObj printed with prin1, %a LispObj printed with princ, %% percent. ---- */
LispObj cond_format_message(ThContext *tc, const char *fmt, va_list ap);
LispObj cond_format_message_v(ThContext *tc, const char *fmt, ...);
_Noreturn void cond_signal_error(ThContext *tc, LispObj condition);
_Noreturn void cond_error(ThContext *tc, const char *fmt, ...);            /* simple-error */
_Noreturn void cond_error_of_type(ThContext *tc, LispObj type, const char *fmt, ...);
_Noreturn void cond_type_error(ThContext *tc, LispObj datum, LispObj expected_type);
_Noreturn void cond_program_error(ThContext *tc, const char *fmt, ...);
_Noreturn void cond_reader_error(ThContext *tc, LispObj stream, const char *fmt, ...);
_Noreturn void cond_end_of_file(ThContext *tc, LispObj stream);
/* Signal with USE-VALUE/STORE-VALUE restarts; return the value a restart supplies. */
LispObj cond_unbound_variable(ThContext *tc, LispObj symbol);
LispObj cond_undefined_function(ThContext *tc, LispObj name);
_Noreturn void cond_storage_condition(ThContext *tc, const char *fmt, ...);
_Noreturn void cond_division_by_zero(ThContext *tc, LispObj op, LispObj operands);
/* True if condition's type is type or a subtype (kernel hierarchy table). */
bool cond_typep(LispObj condition, LispObj type);
bool cond_subtype_p(LispObj sub, LispObj super);
/* Message text of a condition, as princ would report it. */
LispObj cond_report_string(ThContext *tc, LispObj condition);

/* ---- Builtins: each builtins_*.c defines a table and registers it. ---- */
typedef struct BuiltinSpec {
    const char *name;        /* Lisp name, upper case */
    const char *package;     /* "CL", "EXT", "THR", "FFI" or "SYS" */
    BuiltinFn fn;
    unsigned short min_args, max_args; /* max BUILTIN_REST = any */
    const char *lambda_list; /* for documentation */
    const char *doc;
} BuiltinSpec;
void lisp_register_builtins(ThContext *tc, const BuiltinSpec *specs); /* NULL-name terminated */

/* Argument checking helpers for builtins (signal type-error on mismatch). */
int64_t arg_fixnum(ThContext *tc, LispObj x);
LispObj arg_list(ThContext *tc, LispObj x);
LispObj arg_symbol(ThContext *tc, LispObj x);
LispObj arg_string(ThContext *tc, LispObj x);
LispObj arg_string_designator(ThContext *tc, LispObj x); /* string, symbol or char → string */
LispObj arg_function_designator(ThContext *tc, LispObj x); /* → callable function */
size_t arg_index(ThContext *tc, LispObj x, size_t limit); /* 0 <= x < limit */

/* ---- Compiler and VM (lisp/compiler.c, lisp/vm.c) ---- */
LispObj cc_compile_toplevel(ThContext *tc, LispObj form); /* → zero-arg closure */
LispObj vm_eval(ThContext *tc, LispObj form);             /* compile + run */
LispObj vm_funcall(ThContext *tc, LispObj fn, size_t nargs, const LispObj *args);
LispObj vm_funcall0(ThContext *tc, LispObj fn);
LispObj vm_funcall1(ThContext *tc, LispObj fn, LispObj a);
LispObj vm_funcall2(ThContext *tc, LispObj fn, LispObj a, LispObj b);
/* Multiple values: sets the thread's value count and returns the primary. */
LispObj vm_values(ThContext *tc, size_t n, const LispObj *vals);
/* After a call: how many values, and the i-th one. */
size_t vm_nvalues(ThContext *tc);
LispObj vm_value(ThContext *tc, size_t i);
/* Runs fn(tc, data) under an error trap, for C callers (REPL, fuzzers, tests):
 * returns true with fn's value in *result if it completed, false with the
 * condition in *condition if an error was not handled inside it. */
bool vm_call_protected(ThContext *tc, LispObj (*fn)(ThContext *, void *), void *data,
                       LispObj *result, LispObj *condition);
/* A non-local exit stopped at a wall (vm_call_walled), to be resumed. */
typedef struct LispExit {
    bool pending;       /* an exit was stopped */
    size_t target;      /* its destination: a dynamic frame below the wall */
    int64_t go_index;   /* tagbody: which tag; -1 otherwise */
    LispObj values;     /* the values it carries; the holder keeps them visible to the GC */
} LispExit;
/* Runs fn(tc, data) behind a wall for non-local exits: a transfer (throw,
 * return-from, go, error unwinding) whose target lies outside is carried
 * out up to the wall (unwind-protect cleanups inside run), then stops:
 * returns NIL with it in *stopped (pending true).  For C frames that must
 * not be unwound (foreign callbacks, ffi/callback.c). */
LispObj vm_call_walled(ThContext *tc, LispObj (*fn)(ThContext *, void *), void *data, LispExit *stopped);
/* Carries out an exit a wall stopped, from C code running below the wall's
 * place (its dynamic frames are the ones it had then). */
_Noreturn void vm_resume_exit(ThContext *tc, const LispExit *exit);
/* A thread that C created, calling into Lisp (ffi/ callbacks): attaches it
 * with a VM and a Lisp thread object; detach undoes it all. */
ThContext *lisp_attach_foreign_thread(void *stack_base);
void lisp_detach_foreign_thread(ThContext *tc);
/* Loads a source file (read, compile and run each form) or a FASL file (by
 * its magic header).  Errors signalled. */
void vm_load_file(ThContext *tc, const char *path, bool verbose);

/* ---- Startup (lisp/init.c) ---- */
/* A module above lisp/ (ffi/) adds its builtins: main registers its init
 * before lisp_init, which calls it after its own builtins when it builds
 * the library from source (a core image already holds them).  At most 4;
 * written before any thread exists, read-only afterwards. */
typedef void (*LispModuleInit)(ThContext *tc);
void lisp_add_module(LispModuleInit init);
typedef struct ImgCore ImgCore;
typedef struct LispOptions {
    size_t dynamic_space_mb;
    size_t control_stack_mb;
    ImgCore *core;       /* an image opened by img_open, or NULL: load the library */
} LispOptions;
ThContext *lisp_init(const LispOptions *opts, void *stack_base);

/* ---- Core images (lisp/image.c) ---- */
/* The function an image starts instead of the REPL (NIL: none); a GC root. */
extern LispObj lisp_image_toplevel;
/* An opened, validated core file (header read; the heap not yet mapped). */
struct ImgCore {
    int fd;
    void *heap_base;
    uint64_t base;  /* where the image starts in the file: 0, or past the runtime in an executable */
    bool program;   /* an executable with a :toplevel: the command line is the program's */
    uint64_t hwm, table_off, data_off, roots_off, nroots, anchor, tls_counter;
};
/* Opens and checks path: false with the reason in err (errno ENOENT kept if
 * the file does not exist). */
bool img_open(const char *path, ImgCore *core, char *err, size_t errcap);
/* The core inside an executable that save-lisp-and-die :executable t wrote:
 * false (errno ENOENT) if path has none, false with err if it is unusable. */
bool img_open_embedded(const char *path, ImgCore *core, char *err, size_t errcap);
void img_close(ImgCore *core);
/* Maps core into the fresh heap and restores the C roots; false with err. */
bool img_load(ThContext *tc, ImgCore *core, char *err, size_t errcap);
/* Collects, then writes the whole image to path; false with err.  With
 * executable, path is this petrel binary with the image appended. */
bool img_save(ThContext *tc, const char *path, LispObj toplevel, bool executable, char *err, size_t errcap);

#endif
