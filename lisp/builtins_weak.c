/* lisp/builtins_weak.c — PETREL-EXT weak pointers: MAKE-WEAK-POINTER,
 * WEAK-POINTER-VALUE, WEAK-POINTER-P.  A weak pointer is a one-word object
 * whose word is outside its boxed prefix, so the collector does not trace
 * it; gc/weak.c clears it (to LISP_UNBOUND, an immediate no reference can
 * equal) at the end of the mark that finds its referent dead.  Reads go
 * through gc_weak_read: during a concurrent mark the value read is kept
 * alive for that cycle. */
#include "lisp/vm_impl.h"

#include "gc/barrier.h"

static GcWord *referent_word(LispObj wp) { return &obj_words(wp)[1]; }

static void check_weak_pointer(ThContext *tc, LispObj x) {
    if (!kind_p(x, KIND_WEAK_POINTER)) cond_type_error(tc, x, S(EXT_WEAK_POINTER));
}

static LispObj ext_make_weak_pointer(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj wp = obj_alloc(tc, KIND_WEAK_POINTER, 1);
    /* unpublished, and the word is not traced: an init store; args[0] stays
     * alive on the VM stack until the registration below */
    gc_init_store(referent_word(wp), args[0]);
    gc_weak_register(wp, referent_word(wp), LISP_UNBOUND);
    return wp;
}

static LispObj ext_weak_pointer_value(ThContext *tc, size_t nargs, LispObj *args) {
    check_weak_pointer(tc, args[0]);
    LispObj v = gc_weak_read(referent_word(args[0]));
    LispObj vals[2] = {v == LISP_UNBOUND ? NIL : v, v == LISP_UNBOUND ? NIL : T};
    return vm_values(tc, 2, vals);
}

static LispObj ext_weak_pointer_p(ThContext *tc, size_t nargs, LispObj *args) {
    return kind_p(args[0], KIND_WEAK_POINTER) ? T : NIL;
}

/* A weak pointer mapped in from a core image: the registry starts empty. */
void weak_pointer_restored(GcWord *w) {
    LispObj wp = (LispObj)(uintptr_t)w + GC_TAG_OBJECT;
    gc_weak_register(wp, referent_word(wp), LISP_UNBOUND);
}

const BuiltinSpec builtins_weak[] = {
    {"MAKE-WEAK-POINTER", "EXT", ext_make_weak_pointer, 1, 1, "object",
     "A weak pointer to OBJECT: it does not keep OBJECT alive. Once a collection finds OBJECT otherwise "
     "unreachable, the weak pointer is broken."},
    {"WEAK-POINTER-VALUE", "EXT", ext_weak_pointer_value, 1, 1, "weak-pointer",
     "Two values: the object WEAK-POINTER refers to and T, or NIL and NIL once it is broken."},
    {"WEAK-POINTER-P", "EXT", ext_weak_pointer_p, 1, 1, "object", "True if OBJECT is a weak pointer."},
    {0},
};
