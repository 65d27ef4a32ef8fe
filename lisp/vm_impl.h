/* lisp/vm_impl.h — the VM's per-thread state, shared by vm.c, compiler.c,
 * cond.c and the REPL.  Private to lisp/.
 *
 * Three stacks per thread, all owner-thread only:
 *  - the value stack: Lisp values only (arguments, locals, temporaries),
 *    scanned precisely by the collector from stack to sp;
 *  - frame records: one per active Lisp call (return pc, frame pointer,
 *    closure) — the closure is also in the value stack below the arguments;
 *  - dynamic frames: catch, unwind-protect, block/tagbody exit points and
 *    C boundaries (one per entry into the VM from C, holding a jmp_buf).
 * A non-local exit walks dynamic frames from the top; crossing a C boundary
 * longjmps to the run loop below it (DESIGN: setjmp per C→VM entry only). */
#ifndef PETREL_LISP_VM_IMPL_H
#define PETREL_LISP_VM_IMPL_H

#include <setjmp.h>

#include "lisp/lisp.h"

enum { VM_MV_LIMIT = 1024 };  /* multiple-values-limit */

typedef struct VmFrame {
    const uint8_t *ret_pc;  /* NULL: return to the C caller of vm_run */
    LispObj *fp;            /* caller's frame pointer */
    LispObj closure;        /* the function running in this frame (backtraces) */
    LispObj *args;          /* this call's arguments (for backtraces) */
    uint32_t nargs;
    /* The caller's registers, so a return needs no pointer chasing.  They
     * point into objects the caller's closure (fp[-1]) keeps alive. */
    LispObj *ret_consts, *ret_env;
    const uint8_t *ret_code_base;
} VmFrame;

enum DynKind { DYN_BOUNDARY = 1, DYN_CATCH, DYN_UWP, DYN_NLX };

typedef struct DynFrame {
    enum DynKind kind;
    LispObj tag;            /* catch tag, or the exit point (NLX) */
    size_t frame_depth;     /* frame records in use when established */
    size_t sp;              /* value stack height (index) to restore */
    size_t bind_top;        /* special binding stack height to restore */
    const uint8_t *pc;      /* landing: after catch / cleanup / exit dispatch */
    LispObj *fp;            /* frame pointer of the establishing function */
    LispObj closure;        /* its closure */
    jmp_buf *jb;            /* DYN_BOUNDARY: the run loop's jmp_buf */
} DynFrame;

/* A transfer of control in progress (throw, return-from, go, error unwind). */
typedef struct VmTransfer {
    size_t target;          /* index of the destination dynamic frame */
    LispObj values;         /* list of the values being carried */
    int64_t go_index;       /* tagbody: which tag; -1 otherwise */
} VmTransfer;

typedef struct VmState {
    LispObj *stack, *stack_end;   /* value stack [stack, stack_end) */
    LispObj *sp;                  /* top, saved whenever the run loop may GC */
    size_t stack_soft_limit;      /* slots usable before stack exhaustion */
    VmFrame *frames;
    size_t nframes, frames_cap, frames_soft_limit;
    DynFrame *dyn;
    size_t ndyn, dyn_cap;
    bool stack_exhausted;         /* in the reserve zone: re-armed when unwound */
    size_t nvals;                 /* current multiple values count */
    LispObj mv[VM_MV_LIMIT];      /* values when nvals != 1 */
    VmTransfer pending;           /* the transfer a longjmp carries */
    LispObj pending_values;       /* GC root for pending.values */
    char *c_stack_limit;          /* below this the C stack is exhausted */
    LispObj last_backtrace;       /* string captured when the debugger was entered */
    int run_depth;                /* nested run loops */
    bool reporting_exhaustion;    /* a heap-exhaustion condition is being made */
    void *reader;                 /* RdState of the read whose user macro function runs
                                     (readtable.c), or NULL */
} VmState;

static inline VmState *VM(ThContext *tc) { return tc->vm; }

/* Arity word of a CODE object. */
enum {
    ARITY_REST = 1 << 0,
    ARITY_KEY = 1 << 1,
    ARITY_ALLOW_OTHER = 1 << 2,
};
static inline LispObj arity_make(unsigned nreq, unsigned nopt, unsigned flags, unsigned nkeys) {
    return fx_make((int64_t)nreq | ((int64_t)nopt << 16) | ((int64_t)flags << 32) | ((int64_t)nkeys << 40));
}
static inline unsigned arity_nreq(LispObj a) { return (unsigned)(fx_value(a) & 0xffff); }
static inline unsigned arity_nopt(LispObj a) { return (unsigned)((fx_value(a) >> 16) & 0xffff); }
static inline unsigned arity_flags(LispObj a) { return (unsigned)((fx_value(a) >> 32) & 0xff); }
static inline unsigned arity_nkeys(LispObj a) { return (unsigned)((fx_value(a) >> 40) & 0xffff); }

/* CODE nlocals word: slots filled at entry, and the deepest stack the body uses. */
static inline LispObj code_frame_word(size_t nlocals, size_t max_depth) {
    return fx_make((int64_t)nlocals | ((int64_t)max_depth << 24));
}
static inline size_t code_nlocals(LispObj code) { return (size_t)(fx_value(CODE(code)->nlocals) & 0xffffff); }
static inline size_t code_max_depth(LispObj code) { return (size_t)(fx_value(CODE(code)->nlocals) >> 24); }

void vm_init_thread(ThContext *tc, size_t control_stack_bytes);
void vm_free_thread(ThContext *tc);
/* PETREL-THREADS (builtins_threads.c): the interrupt runner, and the main
 * thread's Lisp object (made at every startup: contexts are not in cores). */
void mt_init(void);
void mt_init_main_thread(ThContext *tc);
/* What the printer shows after the kind of a thread, mutex, wait queue or
 * semaphore ("name" and state); NIL for other objects. */
LispObj mt_print_detail(ThContext *tc, LispObj x);
/* A weak pointer restored from a core image registers with the collector
 * again (builtins_weak.c; w is the object's first word). */
void weak_pointer_restored(GcWord *w);
/* Finalizers (finalize.c): the root scanner at startup; in the collector's
 * weak hook, the registrations whose objects died go to the pending queue. */
void finalize_init(void);
void finalize_collect_dead(void);
void finalize_presort(uint64_t epoch);  /* the mark-end hook's part for finalizers */

/* Makes threads/ scan every context's VM (once, at startup). */
void vm_register_root_scanner(void);
void vm_register_builtins(ThContext *tc);
/* Establishes a dynamic frame of the given kind for C callers (catch tags). */
LispObj vm_catch_call(ThContext *tc, LispObj tag, LispObj (*fn)(ThContext *, void *), void *data,
                      bool *thrown);
/* Runs fn; cleanup runs however control leaves (C unwind-protect). */
LispObj vm_protect_call(ThContext *tc, LispObj (*fn)(ThContext *, void *), void *data,
                        void (*cleanup)(ThContext *, void *), void *cleanup_data);
/* Transfers control to the innermost catch of tag with value as its only
 * value (whatever the value registers hold); control-error if none. */
_Noreturn void vm_throw(ThContext *tc, LispObj tag, LispObj value);
bool vm_catch_exists(ThContext *tc, LispObj tag);
_Noreturn void vm_emergency_unwind(ThContext *tc);
/* Backtrace of the Lisp frames, innermost first, as a string. */
LispObj vm_backtrace_string(ThContext *tc, size_t max_frames);
/* Checks the C stack; signals storage-condition when nearly exhausted. */
void vm_check_c_stack(ThContext *tc);
/* Function name → function (signals undefined-function). */
LispObj vm_fdefinition(ThContext *tc, LispObj name);
LispObj vm_function_name(LispObj fn);
/* Macro expansion (compiler.c). */
LispObj cc_macroexpand_1(ThContext *tc, LispObj form, LispObj env, bool *expanded);
LispObj cc_macroexpand(ThContext *tc, LispObj form, LispObj env, bool *expanded);
LispObj cc_macro_function(ThContext *tc, LispObj symbol, LispObj env);
/* cond.c */
void cond_init_hierarchy(ThContext *tc);
void cond_define_type(ThContext *tc, LispObj type, LispObj parents);
void cond_signal(ThContext *tc, LispObj condition);
_Noreturn void cond_invoke_debugger(ThContext *tc, LispObj condition);
bool cond_type_known_p(LispObj sym);
/* builtins_struct.c — structure instances (KIND_INSTANCE), for typep/subtypep */
bool lisp_structure_typep(LispObj object, LispObj type_name);
bool lisp_structure_type_p(LispObj type_name);           /* names a defstruct type */
bool lisp_structure_subtype_p(LispObj sub, LispObj super);
LispObj lisp_structure_name(LispObj instance);  /* type-of: structure name, NIL if not an instance */
/* For the printer and the #S reader (instance must be a structure instance): */
size_t lisp_structure_slot_count(LispObj instance);
LispObj lisp_structure_slot_key(LispObj instance, size_t i);  /* slot name as a keyword */
LispObj lisp_structure_slot(LispObj instance, size_t i);
LispObj lisp_structure_printer(LispObj instance, bool *print_object_p); /* NIL: print as #S */
LispObj lisp_structure_constructor(LispObj name);  /* standard keyword constructor or NIL */
/* builtins_clos.c — standard instances and classes, for typep/type-of/printer */
LispObj clos_class_of(ThContext *tc, LispObj x);
bool clos_instance_of_p(LispObj x, LispObj class);
bool clos_typep_class(ThContext *tc, LispObj x, LispObj class);
bool clos_class_p(LispObj x);
bool clos_typep_name(LispObj x, LispObj name, bool *known);
LispObj clos_type_of(LispObj x);  /* x a standard instance */
bool clos_gf_name(LispObj f, LispObj *name);  /* true with its name if f is a generic function */
/* types.c — the type system, for the compiler (THE) and builtins */
bool lisp_typep(ThContext *tc, LispObj object, LispObj type_spec);
/* package.c */
void pkg_init_registry(void);
void pkg_set_registry_nil(void);
LispObj *pkg_registry_root(void);  /* &all_packages, for core images */
void pkg_add_symbol(ThContext *tc, LispObj sym, LispObj pkg, bool external);
LispObj pkg_all(void);
/* package.c primitives behind the chapter-11 builtins (builtins_packages.c) */
void pkg_add_present(ThContext *tc, LispObj pkg, LispObj sym, bool external, bool adopt);
bool pkg_remove_present(ThContext *tc, LispObj pkg, LispObj sym);
void pkg_set_external(ThContext *tc, LispObj pkg, LispObj sym, bool external);
void pkg_add_shadowing(ThContext *tc, LispObj pkg, LispObj sym);
void pkg_unuse(ThContext *tc, LispObj pkg, LispObj used);
LispObj pkg_find_any(ThContext *tc, LispObj names, LispObj except);
LispObj pkg_make_named(ThContext *tc, LispObj name, LispObj nicknames);
void pkg_rename(ThContext *tc, LispObj pkg, LispObj name, LispObj nicknames);
LispObj pkg_symbols(ThContext *tc, LispObj pkg, bool internal, bool external, bool inherited);
LispObj pkg_list_all(ThContext *tc);
#endif
