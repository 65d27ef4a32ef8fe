/* lisp/vm.c — the bytecode VM: the dispatch loop, calls and returns, argument
 * binding, and non-local transfers of control.
 *
 * Invariants (see vm_impl.h for the stacks):
 *  - Lisp calls do not recurse in C: CALL pushes a frame record and jumps.
 *    C recursion happens only when C code calls Lisp (vm_funcall), and each
 *    such entry pushes a DYN_BOUNDARY frame with a jmp_buf.
 *  - vs->sp is exact whenever the loop may allocate, signal or call out
 *    (SAVE()), so the collector scans exactly the live part of the stack.
 *  - A transfer (throw, return-from, go, error unwinding) is carried out by
 *    the run loop owning the innermost dynamic frames; when it reaches its own
 *    boundary it pops it and longjmps to the next boundary below.
 * Owner thread only: every structure here belongs to one ThContext. */
#include "lisp/vm_impl.h"

#include <stdlib.h>
#include <sys/mman.h>

#include "lisp/opcodes.h"
#include "threads/safepoint.h"

/* ---- stacks ---- */

/* One thread's VM roots, in a pause (threads/ calls this for every context). */
static void scan_vm_roots(GcMarker *mk, ThContext *tc) {
    VmState *vs = tc->vm;
    gc_mark_words(mk, vs->stack, vs->sp);
    gc_mark_words(mk, vs->mv, vs->mv + (vs->nvals < VM_MV_LIMIT ? vs->nvals : VM_MV_LIMIT));
    for (size_t i = 0; i < vs->nframes; i++) gc_mark_word(mk, vs->frames[i].closure);
    for (size_t i = 0; i < vs->ndyn; i++) {
        gc_mark_word(mk, vs->dyn[i].tag);
        gc_mark_word(mk, vs->dyn[i].closure);
    }
    gc_mark_word(mk, vs->pending.values);
    gc_mark_word(mk, vs->pending_values);
    gc_mark_word(mk, vs->last_backtrace);
}

void vm_init_thread(ThContext *tc, size_t control_stack_bytes) {
    VmState *vs = calloc(1, sizeof *vs);
    if (!vs) pt_fatal("out of memory for the VM state");
    size_t slots = control_stack_bytes / sizeof(LispObj);
    if (slots < 65536) slots = 65536;
    void *mem = mmap(NULL, slots * sizeof(LispObj), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) pt_fatal("cannot map a %zu-byte VM stack", slots * sizeof(LispObj));
    vs->stack = mem;
    vs->stack_end = vs->stack + slots;
    vs->sp = vs->stack;
    vs->stack_soft_limit = slots - slots / 8;  /* the rest is the reserve for handlers */
    vs->frames_cap = 1024;
    vs->frames = malloc(vs->frames_cap * sizeof *vs->frames);
    vs->frames_soft_limit = slots / 4;
    vs->dyn_cap = 256;
    vs->dyn = malloc(vs->dyn_cap * sizeof *vs->dyn);
    if (!vs->frames || !vs->dyn) pt_fatal("out of memory for VM frames");
    vs->nvals = 1;
    vs->pending.values = 0;
    vs->pending_values = 0;
    vs->last_backtrace = 0;
    tc->vm = vs;
}

void vm_register_root_scanner(void) { th_set_vm_root_scanner(scan_vm_roots); }

/* The thread is leaving: its VM holds nothing any more. */
void vm_free_thread(ThContext *tc) {
    VmState *vs = tc->vm;
    if (!vs) return;
    tc->vm = NULL;  /* running, so no pause is scanning it now; the next one will not */
    munmap(vs->stack, (size_t)(vs->stack_end - vs->stack) * sizeof(LispObj));
    free(vs->frames);
    free(vs->dyn);
    free(vs);
}

static _Noreturn void stack_exhausted(ThContext *tc, const char *which) {
    VmState *vs = tc->vm;
    vs->stack_exhausted = true;
    cond_storage_condition(tc, "control stack exhausted (%s): infinite recursion? Use --control-stack-size to raise the limit.", which);
}

/* Called when the stack is past its soft limit: signal once; a handler then
 * runs in the reserve.  Past the reserve, unwind to the top level. */
static void check_stack_room(ThContext *tc, LispObj *sp, size_t need) {
    VmState *vs = tc->vm;
    size_t used = (size_t)(sp - vs->stack) + need;
    if (used < vs->stack_soft_limit && vs->nframes < vs->frames_soft_limit) return;
    if (!vs->stack_exhausted) stack_exhausted(tc, "VM stack");
    if (sp + need + 64 >= vs->stack_end || vs->nframes >= vs->frames_soft_limit + vs->frames_soft_limit / 8) {
        vs->stack_exhausted = false;
        fputs("petrel: control stack exhausted inside the reserve; returning to top level\n", stderr);
        vm_throw(tc, S(TOPLEVEL_TAG), NIL);
    }
}

void vm_check_c_stack(ThContext *tc) {
    char here;
    VmState *vs = tc->vm;
    if (vs->c_stack_limit && &here < vs->c_stack_limit) {
        if (&here < vs->c_stack_limit - 256 * 1024) {
            fputs("petrel: C stack exhausted inside the reserve; returning to top level\n", stderr);
            vm_throw(tc, S(TOPLEVEL_TAG), NIL);
        }
        if (!vs->stack_exhausted) stack_exhausted(tc, "C stack");
    }
}

static VmFrame *push_frame(ThContext *tc) {
    VmState *vs = tc->vm;
    if (vs->nframes == vs->frames_cap) {
        size_t cap = vs->frames_cap * 2;
        VmFrame *f = realloc(vs->frames, cap * sizeof *f);
        if (!f) pt_fatal("out of memory growing VM frames to %zu", cap);
        vs->frames = f;
        vs->frames_cap = cap;
    }
    return &vs->frames[vs->nframes++];
}

static size_t push_dyn(ThContext *tc, enum DynKind kind, LispObj tag, LispObj *sp, const uint8_t *pc,
                       LispObj *fp, LispObj closure, jmp_buf *jb) {
    VmState *vs = tc->vm;
    if (vs->ndyn == vs->dyn_cap) {
        size_t cap = vs->dyn_cap * 2;
        DynFrame *d = realloc(vs->dyn, cap * sizeof *d);
        if (!d) pt_fatal("out of memory growing dynamic frames to %zu", cap);
        vs->dyn = d;
        vs->dyn_cap = cap;
    }
    if (vs->ndyn > 1000000) cond_storage_condition(tc, "too many nested dynamic frames (catch/unwind-protect/block)");
    DynFrame *d = &vs->dyn[vs->ndyn];
    *d = (DynFrame){kind, tag, vs->nframes, (size_t)(sp - vs->stack), tc->bind_top, pc, fp, closure, jb};
    return vs->ndyn++;
}

/* ---- values ---- */

LispObj vm_values(ThContext *tc, size_t n, const LispObj *vals) {
    VmState *vs = tc->vm;
    if (n > VM_MV_LIMIT) cond_program_error(tc, "VALUES: %zu values exceed multiple-values-limit (%d)", n, VM_MV_LIMIT);
    for (size_t i = 0; i < n; i++) vs->mv[i] = vals[i];
    vs->nvals = n;
    return n ? vals[0] : NIL;
}

size_t vm_nvalues(ThContext *tc) { return tc->vm->nvals; }

LispObj vm_value(ThContext *tc, size_t i) {
    VmState *vs = tc->vm;
    return i < vs->nvals ? vs->mv[i] : NIL;
}

/* The current values as a list; primary is the value on the stack top. */
static LispObj values_list(ThContext *tc, LispObj primary) {
    VmState *vs = tc->vm;
    if (vs->nvals == 1) return lisp_cons(tc, primary, NIL);
    return lisp_list_from(tc, vs->nvals, vs->mv);
}

static LispObj set_values_from_list(ThContext *tc, LispObj list) {
    VmState *vs = tc->vm;
    size_t n = 0;
    for (LispObj l = list; cons_p(l); l = CDR(l)) {
        if (n == VM_MV_LIMIT) cond_program_error(tc, "too many values (limit %d)", VM_MV_LIMIT);
        vs->mv[n++] = CAR(l);
    }
    vs->nvals = n;
    return n ? vs->mv[0] : NIL;
}

/* ---- functions ---- */

LispObj vm_function_name(LispObj fn) {
    if (kind_p(fn, KIND_BUILTIN)) return ((LispBuiltin *)obj_words(fn))->name;
    if (kind_p(fn, KIND_CLOSURE)) return CODE(CLO(fn)->code)->name;
    return NIL;
}

static _Noreturn void not_a_function(ThContext *tc, LispObj x) {
    cond_type_error(tc, x, S(FUNCTION_DESIGNATOR));
}

/* Checks the count against a builtin's arity. */
static void check_builtin_args(ThContext *tc, LispObj fn, size_t nargs) {
    LispBuiltin *b = (LispBuiltin *)obj_words(fn);
    int64_t ar = fx_value(b->arity);
    size_t min = (size_t)(ar & 0xffff), max = (size_t)((ar >> 16) & 0xffff);
    if (nargs < min || (max != BUILTIN_REST && nargs > max))
        cond_program_error(tc, "%v: called with %zu argument%s, but wants %s %zu", b->name, nargs,
                           nargs == 1 ? "" : "s", nargs < min ? "at least" : "at most",
                           nargs < min ? min : max);
}

/* For messages: anonymous functions are named LAMBDA. */
static LispObj code_name(LispObj code) {
    LispObj name = CODE(code)->name;
    return name == NIL ? S(LAMBDA) : name;
}

/* Lays out nargs arguments at fp[0..] as the callee's slots:
 * [required][optional][rest][keys][other locals] — absent optionals and keys
 * get LISP_UNSUPPLIED (the prologue code fills defaults).  Returns new sp. */
static LispObj *bind_args_general(ThContext *tc, LispObj code, LispObj *fp, size_t nargs) {
    VmState *vs = tc->vm;
    LispObj ar = CODE(code)->arity;
    unsigned nreq = arity_nreq(ar), nopt = arity_nopt(ar), flags = arity_flags(ar), nkeys = arity_nkeys(ar);
    size_t nlocals = code_nlocals(code), nfixed = nreq + nopt;
    if (nargs < nreq)
        cond_program_error(tc, "%v: too few arguments (%zu given, at least %u wanted)", code_name(code), nargs, nreq);
    if (nargs > nfixed && !(flags & (ARITY_REST | ARITY_KEY)))
        cond_program_error(tc, "%v: too many arguments (%zu given, at most %zu wanted)", code_name(code), nargs, nfixed);
    check_stack_room(tc, fp, code_max_depth(code) + nargs + 16);
    vs->sp = fp + (nargs > nlocals ? nargs : nlocals);
    LispObj extra = NIL;
    if (nargs > nfixed) extra = lisp_list_from(tc, nargs - nfixed, fp + nfixed);
    for (size_t i = nargs; i < nfixed; i++) fp[i] = LISP_UNSUPPLIED;
    size_t slot = nfixed;
    if (flags & ARITY_REST) fp[slot++] = extra;
    if (flags & ARITY_KEY) {
        LispObj keys = CODE(code)->keys;
        for (unsigned k = 0; k < nkeys; k++) fp[slot + k] = LISP_UNSUPPLIED;
        bool allow = (flags & ARITY_ALLOW_OTHER) != 0;
        /* An odd tail (checked below) must stop the scan: CDR of NIL is no cons. */
        for (LispObj l = extra; cons_p(l) && cons_p(CDR(l)); l = CDR(CDR(l)))
            if (CAR(l) == S(ALLOW_OTHER_KEYS_KW) && CAR(CDR(l)) != NIL) allow = true;
        for (LispObj l = extra; l != NIL; l = CDR(CDR(l))) {
            if (!cons_p(CDR(l)))
                cond_program_error(tc, "%v: odd number of keyword arguments", code_name(code));
            LispObj key = CAR(l);
            unsigned k = 0;
            while (k < nkeys && VEC(keys)->items[k] != key) k++;
            if (k < nkeys) {
                if (fp[slot + k] == LISP_UNSUPPLIED) fp[slot + k] = CAR(CDR(l));
            } else if (!allow && key != S(ALLOW_OTHER_KEYS_KW)) {
                cond_program_error(tc, "%v: unknown keyword argument %v", code_name(code), key);
            }
        }
        slot += nkeys;
    }
    for (size_t i = slot; i < nlocals; i++) fp[i] = NIL;
    return fp + nlocals;
}

static inline LispObj *bind_args(ThContext *tc, LispObj code, LispObj *fp, size_t nargs) {
    LispObj ar = CODE(code)->arity;
    size_t nlocals = code_nlocals(code);
    if ((fx_value(ar) & ~(int64_t)0xffff) == 0 && nargs == arity_nreq(ar)) {
        if ((size_t)(fp - tc->vm->stack) + code_max_depth(code) + 64 >= tc->vm->stack_soft_limit ||
            tc->vm->nframes >= tc->vm->frames_soft_limit)
            check_stack_room(tc, fp, code_max_depth(code) + 64);
        for (size_t i = nargs; i < nlocals; i++) fp[i] = NIL;
        return fp + nlocals;
    }
    return bind_args_general(tc, code, fp, nargs);
}

static inline const uint8_t *code_start(LispObj code) {
    return ((LispBytes *)obj_words(CODE(code)->bytecode))->bytes;
}

/* ---- transfers ---- */

typedef struct RunRegs {
    LispObj closure;
    LispObj *fp;
    LispObj *sp;
    const uint8_t *pc;
    bool returned;      /* the boundary itself was the target (C catch) */
    LispObj result;
} RunRegs;

static _Noreturn void longjmp_to_boundary(ThContext *tc) {
    VmState *vs = tc->vm;
    for (size_t i = vs->ndyn; i-- > 0;)
        if (vs->dyn[i].kind == DYN_BOUNDARY) longjmp(*vs->dyn[i].jb, 1);
    pt_fatal("non-local transfer with no VM boundary to land in");
}

/* Starts the transfer in vs->pending from C code (or the loop). */
static _Noreturn void start_transfer(ThContext *tc, size_t target, LispObj values, int64_t go_index) {
    VmState *vs = tc->vm;
    vs->pending.target = target;
    vs->pending.values = values;
    vs->pending.go_index = go_index;
    longjmp_to_boundary(tc);
}

static void restore_to_frame(ThContext *tc, DynFrame *d, RunRegs *r) {
    VmState *vs = tc->vm;
    vs->nframes = d->frame_depth;
    sym_unbind_to(tc, d->bind_top);
    r->sp = vs->stack + d->sp;
    r->fp = d->fp;
    r->closure = d->closure;
    r->pc = d->pc;
    if (vs->stack_exhausted && (size_t)(r->sp - vs->stack) < vs->stack_soft_limit / 2 &&
        vs->nframes < vs->frames_soft_limit / 2)
        vs->stack_exhausted = false;
}

/* Carries out vs->pending for the frames above boundary `mine` (which belong
 * to the calling run loop).  Returns with r set to continue running, or
 * longjmps to the next boundary down. */
static void process_transfer(ThContext *tc, size_t mine, RunRegs *r) {
    VmState *vs = tc->vm;
    for (;;) {
        size_t top = vs->ndyn - 1;
        DynFrame *d = &vs->dyn[top];
        if (top == vs->pending.target) {
            LispObj values = vs->pending.values;
            vs->pending.values = 0;
            if (d->kind == DYN_BOUNDARY) {  /* a C catch: vm_catch_call returns */
                r->returned = true;
                r->result = set_values_from_list(tc, values);
                return;
            }
            restore_to_frame(tc, d, r);
            if (d->kind == DYN_NLX && vs->pending.go_index >= 0) {
                *r->sp++ = fx_make(vs->pending.go_index);  /* tagbody: frame stays */
                return;
            }
            if (d->kind == DYN_NLX) obj_set(&((LispCell *)obj_words(d->tag))->value, NIL);
            vs->ndyn--;
            *r->sp++ = set_values_from_list(tc, values);
            return;
        }
        if (top == mine) {
            vs->ndyn--;
            PT_ASSERT(d->kind == DYN_BOUNDARY);
            longjmp_to_boundary(tc);
        }
        vs->ndyn--;
        if (d->kind == DYN_NLX) obj_set(&((LispCell *)obj_words(d->tag))->value, NIL);
        if (d->kind == DYN_UWP) {
            restore_to_frame(tc, d, r);
            LispObj record = lisp_list(tc, 3, fx_make((int64_t)vs->pending.target),
                                       fx_make(vs->pending.go_index), vs->pending.values);
            vs->pending.values = 0;
            *r->sp++ = record;
            *r->sp++ = fx_make(1);  /* marker: unwinding */
            return;
        }
        sym_unbind_to(tc, d->bind_top);
    }
}

/* Unwinds to the innermost top level without allocating: for when even the
 * storage-condition cannot be made. */
void vm_emergency_unwind(ThContext *tc) {
    VmState *vs = tc->vm;
    for (size_t i = vs->ndyn; i-- > 0;)
        if (vs->dyn[i].kind == DYN_BOUNDARY && vs->dyn[i].tag == S(TOPLEVEL_TAG))
            start_transfer(tc, i, NIL, -1);
    pt_fatal("heap exhausted while reporting heap exhaustion, with no top level to return to");
}

bool vm_catch_exists(ThContext *tc, LispObj tag) {
    VmState *vs = tc->vm;
    for (size_t i = vs->ndyn; i-- > 0;)
        if ((vs->dyn[i].kind == DYN_CATCH || vs->dyn[i].kind == DYN_BOUNDARY) && vs->dyn[i].tag == tag && tag)
            return true;
    return false;
}

void vm_throw(ThContext *tc, LispObj tag, LispObj value) {
    VmState *vs = tc->vm;
    for (size_t i = vs->ndyn; i-- > 0;) {
        DynFrame *d = &vs->dyn[i];
        if ((d->kind == DYN_CATCH || d->kind == DYN_BOUNDARY) && d->tag == tag && tag) {
            /* Exactly one value: the value registers may still hold an
             * earlier form's values (or a declining handler's). */
            start_transfer(tc, i, lisp_cons(tc, value, NIL), -1);
        }
    }
    cond_error_of_type(tc, S(CONTROL_ERROR), "THROW: there is no catch for the tag %v", tag);
}

/* ---- the run loop ---- */

static LispObj run_loop(ThContext *tc, size_t mine, RunRegs *r);

/* Runs closure (already set up at fp with pc) until its frame returns to C. */
static LispObj vm_run(ThContext *tc, LispObj closure, LispObj *fp, LispObj *sp, const uint8_t *pc) {
    VmState *vs = tc->vm;
    jmp_buf jb;
    RunRegs r = {closure, fp, sp, pc, false, NIL};
    size_t mine = push_dyn(tc, DYN_BOUNDARY, 0, sp, NULL, fp, closure, &jb);
    vs->run_depth++;
    if (setjmp(jb)) {
        process_transfer(tc, mine, &r);
    }
    LispObj result = run_loop(tc, mine, &r);
    vs->run_depth--;
    return result;
}

/* A C frame in the dynamic frames: a catch of tag (0: catches nothing) whose
 * cleanup runs whenever control leaves it, normally or by a transfer. */
static LispObj c_frame(ThContext *tc, LispObj tag, LispObj (*fn)(ThContext *, void *), void *data,
                       void (*cleanup)(ThContext *, void *), void *cleanup_data, bool *thrown, LispExit *stopped) {
    VmState *vs = tc->vm;
    jmp_buf jb;
    size_t saved_frames = vs->nframes, saved_bind = tc->bind_top;
    LispObj *saved_sp = vs->sp;
    volatile size_t mine = push_dyn(tc, DYN_BOUNDARY, tag, vs->sp, NULL, NULL, NIL, &jb);
    int saved_depth = vs->run_depth;
    if (setjmp(jb)) {
        vs->run_depth = saved_depth;
        vs->ndyn = mine;
        vs->nframes = saved_frames;
        vs->sp = saved_sp;
        sym_unbind_to(tc, saved_bind);
        if (cleanup) cleanup(tc, cleanup_data);
        if (vs->pending.target != mine && stopped) {
            /* a wall (vm_call_walled): the transfer stops here, kept for vm_resume_exit */
            PT_ASSERT(vs->pending.target < mine);
            *stopped = (LispExit){true, vs->pending.target, vs->pending.go_index, vs->pending.values};
            vs->pending.values = 0;
            *thrown = false;
            vm_values(tc, 0, NULL);
            return NIL;
        }
        if (vs->pending.target != mine) longjmp_to_boundary(tc);
        LispObj values = vs->pending.values;
        vs->pending.values = 0;
        if (vs->stack_exhausted && (size_t)(vs->sp - vs->stack) < vs->stack_soft_limit / 2) vs->stack_exhausted = false;
        *thrown = true;
        return set_values_from_list(tc, values);
    }
    LispObj result = fn(tc, data);
    PT_ASSERT(vs->ndyn == mine + 1);
    vs->ndyn = mine;
    sym_unbind_to(tc, saved_bind);
    if (cleanup) cleanup(tc, cleanup_data);
    *thrown = false;
    return result;
}

LispObj vm_catch_call(ThContext *tc, LispObj tag, LispObj (*fn)(ThContext *, void *), void *data,
                      bool *thrown) {
    return c_frame(tc, tag, fn, data, NULL, NULL, thrown, NULL);
}

LispObj vm_call_walled(ThContext *tc, LispObj (*fn)(ThContext *, void *), void *data, LispExit *stopped) {
    bool thrown;
    *stopped = (LispExit){false, 0, -1, NIL};
    return c_frame(tc, 0, fn, data, NULL, NULL, &thrown, stopped);
}

void vm_resume_exit(ThContext *tc, const LispExit *exit) {
    PT_CHECK(exit->pending && exit->target < tc->vm->ndyn, "vm_resume_exit: no exit to resume here");
    start_transfer(tc, exit->target, exit->values, exit->go_index);
}

LispObj vm_protect_call(ThContext *tc, LispObj (*fn)(ThContext *, void *), void *data,
                        void (*cleanup)(ThContext *, void *), void *cleanup_data) {
    bool thrown;
    return c_frame(tc, 0, fn, data, cleanup, cleanup_data, &thrown, NULL);
}

/* Calls fn with args from C. */
LispObj vm_funcall(ThContext *tc, LispObj fn, size_t nargs, const LispObj *args) {
    VmState *vs = tc->vm;
    vm_check_c_stack(tc);
    if (symbol_p(fn)) fn = arg_function_designator(tc, fn);
    LispObj *base = vs->sp;
    check_stack_room(tc, base, nargs + 2);
    base[0] = fn;
    for (size_t i = 0; i < nargs; i++) base[1 + i] = args[i];
    vs->sp = base + 1 + nargs;
    LispObj result;
    if (kind_p(fn, KIND_BUILTIN)) {
        check_builtin_args(tc, fn, nargs);
        VmFrame *f = push_frame(tc);
        *f = (VmFrame){NULL, NULL, fn, base + 1, (uint32_t)nargs, NULL, NULL, NULL};
        vs->nvals = 1;
        result = ((LispBuiltin *)obj_words(fn))->fn(tc, nargs, base + 1);
        vs->nframes--;
    } else if (kind_p(fn, KIND_CLOSURE)) {
        LispObj code = CLO(fn)->code;
        VmFrame *f = push_frame(tc);
        *f = (VmFrame){NULL, NULL, fn, base + 1, (uint32_t)nargs, NULL, NULL, NULL};
        LispObj *fp = base + 1;
        LispObj *sp = bind_args(tc, code, fp, nargs);
        vs->sp = sp;
        result = vm_run(tc, fn, fp, sp, code_start(code));
    } else {
        not_a_function(tc, fn);
    }
    vs->sp = base;
    return result;
}

LispObj vm_funcall0(ThContext *tc, LispObj fn) { return vm_funcall(tc, fn, 0, NULL); }
LispObj vm_funcall1(ThContext *tc, LispObj fn, LispObj a) { return vm_funcall(tc, fn, 1, &a); }
LispObj vm_funcall2(ThContext *tc, LispObj fn, LispObj a, LispObj b) {
    LispObj args[2] = {a, b};
    return vm_funcall(tc, fn, 2, args);
}

LispObj vm_fdefinition(ThContext *tc, LispObj name) {
    if (symbol_p(name)) {
        LispObj f = sym_function(name);
        if (f == LISP_UNBOUND || sym_flag_p(name, SYMF_MACRO | SYMF_SPECIAL_OPERATOR))
            f = cond_undefined_function(tc, name);
        return f;
    }
    if (cons_p(name) && CAR(name) == S(SETF) && cons_p(CDR(name)) && symbol_p(CAR(CDR(name))) &&
        CDR(CDR(name)) == NIL) {
        LispObj f = lisp_plist_get(SYM(CAR(CDR(name)))->plist, S(SETF_FUNCTION), LISP_UNBOUND);
        if (f == LISP_UNBOUND) f = cond_undefined_function(tc, name);
        return f;
    }
    cond_type_error(tc, name, S(FUNCTION_DESIGNATOR));
}

/* ---- the dispatch loop ---- */

#if defined(__GNUC__)
#define VM_THREADED 1
#define CASE(name) case OP_##name: L_##name:
#define NEXT() do { op = *pc++; goto *dispatch_table[op]; } while (0)
#else
#define VM_THREADED 0
#define CASE(name) case OP_##name:
#define NEXT() break
#endif

#define U16(p) ((unsigned)(p)[0] | ((unsigned)(p)[1] << 8))
#define U32(p) ((uint32_t)(p)[0] | ((uint32_t)(p)[1] << 8) | ((uint32_t)(p)[2] << 16) | ((uint32_t)(p)[3] << 24))

/* Generic arithmetic for the inline opcodes' slow paths lives in the
 * builtins; we call them through their symbols' function cells. */
/* The slow path of the inline arithmetic ops.  Out of line and cold: inlined,
 * GCC loads both operands with one 16-byte load ahead of the fixnum test,
 * which stalls on the two 8-byte pushes just before (store forwarding
 * fails; measured 10% of bench/binary-trees.lisp on one instruction). */
__attribute__((noinline, cold)) static LispObj call_generic2(ThContext *tc, LispObj sym, LispObj a, LispObj b) {
    return vm_funcall2(tc, sym_function(sym), a, b);
}

static LispObj run_loop(ThContext *tc, size_t mine, RunRegs *r) {
    VmState *vs = tc->vm;
    LispObj closure, *fp, *sp, *consts, *env;
    const uint8_t *pc;
    const uint8_t *code_base;
    size_t nargs;
    LispObj fn;
    bool tail;

#define SAVE() (vs->sp = sp)
/* A safepoint: the VM stack is saved first, so a pause scans it exactly. */
#define POLL()                                       \
    do {                                             \
        if (th_poll_pending(tc)) {                   \
            SAVE();                                  \
            th_poll_slow(tc);                        \
        }                                            \
    } while (0)
#define LOAD_REGS()                                                      \
    do {                                                                 \
        closure = r->closure; fp = r->fp; sp = r->sp; pc = r->pc;        \
        LispObj code_ = CLO(closure)->code;                              \
        consts = VEC(CODE(code_)->constants)->items;                     \
        env = CLO(closure)->env;                                         \
        code_base = code_start(code_);                                   \
    } while (0)
#define ENTER(clo)                                                       \
    do {                                                                 \
        closure = (clo);                                                 \
        LispObj code_ = CLO(closure)->code;                              \
        consts = VEC(CODE(code_)->constants)->items;                     \
        env = CLO(closure)->env;                                         \
        code_base = code_start(code_);                                   \
        pc = code_base;                                                  \
    } while (0)
#define TRANSFER()                                                       \
    do {                                                                 \
        SAVE();                                                          \
        process_transfer(tc, mine, r);                                   \
        if (r->returned) pt_fatal("C catch landed inside a run loop");   \
        LOAD_REGS();                                                     \
        goto dispatch;                                                   \
    } while (0)

#if VM_THREADED
    /* Threaded dispatch: each instruction jumps straight to the next one's
     * code (one indirect branch per instruction, better predicted). */
    static void *const dispatch_table[OP__COUNT] = {
#define X(name, nbytes, doc) [OP_##name] = &&L_##name,
        VM_OPCODES(X)
#undef X
    };
#endif
    if (r->returned) pt_fatal("run loop entered with a finished transfer");
    LOAD_REGS();

dispatch:
    for (;;) {
        uint8_t op = *pc++;
#if VM_THREADED
        goto *dispatch_table[op];
#endif
        switch (op) {
        CASE(CONST) *sp++ = consts[U16(pc)]; pc += 2; NEXT();
        CASE(NIL) *sp++ = NIL; NEXT();
        CASE(T) *sp++ = T; NEXT();
        CASE(POP) sp--; NEXT();
        CASE(LOCAL) *sp++ = fp[U16(pc)]; pc += 2; NEXT();
        CASE(SET_LOCAL) fp[U16(pc)] = sp[-1]; pc += 2; NEXT();
        CASE(LOCAL_CELL) *sp++ = ((LispCell *)obj_words(fp[U16(pc)]))->value; pc += 2; NEXT();
        CASE(SET_LOCAL_CELL) obj_set(&((LispCell *)obj_words(fp[U16(pc)]))->value, sp[-1]); pc += 2; NEXT();
        CASE(MAKE_CELL) {
            unsigned i = U16(pc); pc += 2;
            SAVE();
            fp[i] = cell_make(tc, fp[i]);
            NEXT();
        }
        CASE(ENV) *sp++ = env[U16(pc)]; pc += 2; NEXT();
        CASE(ENV_CELL) *sp++ = ((LispCell *)obj_words(env[U16(pc)]))->value; pc += 2; NEXT();
        CASE(SET_ENV_CELL) obj_set(&((LispCell *)obj_words(env[U16(pc)]))->value, sp[-1]); pc += 2; NEXT();
        CASE(GLOBAL) {
            LispObj s = consts[U16(pc)]; pc += 2;
            LispObj v = sym_value(tc, s);
            if (v == LISP_UNBOUND) { SAVE(); v = cond_unbound_variable(tc, s); }
            *sp++ = v;
            NEXT();
        }
        CASE(SET_GLOBAL) {
            LispObj s = consts[U16(pc)]; pc += 2;
            if (sym_flag_p(s, SYMF_CONSTANT)) {
                SAVE();
                cond_error_of_type(tc, S(PROGRAM_ERROR), "SETQ: %v is a constant and cannot be set", s);
            }
            sym_set_value(tc, s, sp[-1]);
            NEXT();
        }
        CASE(FDEF) {
            LispObj name = consts[U16(pc)]; pc += 2;
            /* acquire: another thread may have just defined it (defun publishes with release) */
            LispObj f = symbol_p(name) ? __atomic_load_n(&SYM(name)->function, __ATOMIC_ACQUIRE) : LISP_UNBOUND;
            if (f == LISP_UNBOUND || !symbol_p(name) || sym_flag_p(name, SYMF_MACRO | SYMF_SPECIAL_OPERATOR)) {
                SAVE();
                f = vm_fdefinition(tc, name);
            }
            *sp++ = f;
            NEXT();
        }
        CASE(BIND) {
            LispObj s = consts[U16(pc)]; pc += 2;
            SAVE();
            sym_bind(tc, s, *--sp);
            NEXT();
        }
        CASE(SAVE_BIND) fp[U16(pc)] = fx_make((int64_t)tc->bind_top); pc += 2; NEXT();
        CASE(UNBIND_TO) sym_unbind_to(tc, (size_t)fx_value(fp[U16(pc)])); pc += 2; NEXT();
        CASE(JUMP) pc = code_base + U32(pc); POLL(); NEXT();
        CASE(JUMP_NIL) if (*--sp == NIL) pc = code_base + U32(pc); else pc += 4; NEXT();
        CASE(JUMP_NOT_NIL) if (*--sp != NIL) pc = code_base + U32(pc); else pc += 4; NEXT();
        CASE(JUMP_SUPPLIED)
            if (fp[U16(pc)] != LISP_UNSUPPLIED) pc = code_base + U32(pc + 2); else pc += 6;
            NEXT();
        CASE(SET_SP) sp = fp + U16(pc); pc += 2; NEXT();
        CASE(SET_SP_KEEP) { LispObj top = sp[-1]; sp = fp + U16(pc); pc += 2; *sp++ = top; NEXT(); }
        CASE(CALL)
        CASE(TAIL_CALL)
            nargs = U16(pc); pc += 2;
            fn = sp[-(long)nargs - 1];
            tail = op == OP_TAIL_CALL;
            POLL();
        call_common:
            if (kind_p(fn, KIND_CLOSURE)) {
                LispObj code = CLO(fn)->code;
                LispObj *args = sp - nargs;
                if (tail) {
                    /* Reuse this frame: slide callee and args down to fp[-1]. */
                    memmove(fp - 1, args - 1, (nargs + 1) * sizeof(LispObj));
                    args = fp;
                    VmFrame *f = &vs->frames[vs->nframes - 1];
                    f->closure = fn;
                    f->args = args;
                    f->nargs = (uint32_t)nargs;
                } else {
                    VmFrame *f = push_frame(tc);
                    *f = (VmFrame){pc, fp, fn, args, (uint32_t)nargs, consts, env, code_base};
                }
                sp = args + nargs;
                SAVE();
                sp = bind_args(tc, code, args, nargs);
                fp = args;
                ENTER(fn);
                NEXT();
            }
            if (kind_p(fn, KIND_BUILTIN)) {
                SAVE();
                check_builtin_args(tc, fn, nargs);
                LispObj *args = sp - nargs;
                VmFrame *f = push_frame(tc);
                *f = (VmFrame){pc, fp, fn, args, (uint32_t)nargs, consts, env, code_base};
                vs->nvals = 1;
                LispObj result = ((LispBuiltin *)obj_words(fn))->fn(tc, nargs, args);
                vs->nframes--;
                sp = args - 1;
                *sp++ = result;
                if (tail) goto do_return;
                NEXT();
            }
            SAVE();
            fn = symbol_p(fn) ? arg_function_designator(tc, fn) : (not_a_function(tc, fn), NIL);
            sp[-(long)nargs - 1] = fn;
            goto call_common;
        CASE(MV_CALL) {
            /* stack: fn, then nlists value lists; spread them as arguments. */
            size_t nlists = U16(pc); pc += 2;
            LispObj lists[256];
            LispObj *base = sp - nlists;
            PT_CHECK(nlists <= 256, "MV_CALL with %zu forms", nlists);
            memcpy(lists, base, nlists * sizeof(LispObj));
            nargs = 0;
            for (size_t i = 0; i < nlists; i++)
                for (LispObj l = lists[i]; cons_p(l); l = CDR(l)) nargs++;
            SAVE();
            check_stack_room(tc, base, nargs + 8);
            sp = base;
            for (size_t i = 0; i < nlists; i++)
                for (LispObj l = lists[i]; cons_p(l); l = CDR(l)) *sp++ = CAR(l);
            fn = base[-1];
            tail = false;
            POLL();
            goto call_common;
        }
        CASE(RET1)
            vs->nvals = 1;
            goto do_return;
        CASE(RET)
        do_return: {
            LispObj result = sp[-1];
            VmFrame *f = &vs->frames[--vs->nframes];
            if (f->ret_pc == NULL) {
                vs->sp = fp - 1;
                PT_ASSERT(vs->ndyn == mine + 1);
                vs->ndyn = mine;
                return result;
            }
            sp = fp - 1;
            fp = f->fp;
            pc = f->ret_pc;
            *sp++ = result;
            closure = fp[-1];  /* the caller's closure is fp[-1] of its frame */
            consts = f->ret_consts;
            env = f->ret_env;
            code_base = f->ret_code_base;
            NEXT();
        }
        CASE(SV) vs->nvals = 1; NEXT();
        CASE(MV_LIST) {
            SAVE();
            LispObj l = values_list(tc, sp[-1]);
            sp[-1] = l;
            NEXT();
        }
        CASE(MV_RESTORE) sp[-1] = set_values_from_list(tc, sp[-1]); NEXT();
        CASE(MV_LOCALS) {
            unsigned slot = U16(pc), n = U16(pc + 2); pc += 4;
            LispObj primary = *--sp;
            if (vs->nvals == 1) {
                fp[slot] = primary;
                for (unsigned i = 1; i < n; i++) fp[slot + i] = NIL;
            } else {
                for (unsigned i = 0; i < n; i++) fp[slot + i] = i < vs->nvals ? vs->mv[i] : NIL;
            }
            NEXT();
        }
        CASE(CLOSURE) {
            LispObj code = consts[U16(pc)];
            unsigned n = U16(pc + 2); pc += 4;
            SAVE();
            LispObj c = obj_alloc(tc, KIND_CLOSURE, 1 + n);
            gc_init_store(&CLO(c)->code, code);
            for (unsigned i = 0; i < n; i++) gc_init_store(&CLO(c)->env[i], sp[-(long)n + i]);
            sp -= n;
            *sp++ = c;
            NEXT();
        }
        CASE(CATCH) {
            LispObj tag = *--sp;
            SAVE();
            push_dyn(tc, DYN_CATCH, tag, sp, code_base + U32(pc), fp, closure, NULL);
            pc += 4;
            NEXT();
        }
        CASE(UNCATCH) PT_ASSERT(vs->dyn[vs->ndyn - 1].kind == DYN_CATCH); vs->ndyn--; NEXT();
        CASE(THROW) {
            LispObj value = *--sp, tag = *--sp;
            SAVE();
            size_t i = vs->ndyn;
            while (i-- > 0)
                if ((vs->dyn[i].kind == DYN_CATCH || vs->dyn[i].kind == DYN_BOUNDARY) && vs->dyn[i].tag == tag && tag) break;
            if (i == (size_t)-1)
                cond_error_of_type(tc, S(CONTROL_ERROR), "THROW: there is no catch for the tag %v", tag);
            vs->pending.values = values_list(tc, value);
            vs->pending.target = i;
            vs->pending.go_index = -1;
            TRANSFER();
        }
        CASE(UWP) {
            SAVE();
            push_dyn(tc, DYN_UWP, 0, sp, code_base + U32(pc), fp, closure, NULL);
            pc += 4;
            NEXT();
        }
        CASE(UWP_NORMAL) {
            PT_ASSERT(vs->dyn[vs->ndyn - 1].kind == DYN_UWP);
            vs->ndyn--;
            SAVE();
            LispObj l = values_list(tc, sp[-1]);
            sp[-1] = l;
            *sp++ = fx_make(0);  /* marker: normal exit */
            NEXT();
        }
        CASE(UWP_END) {
            LispObj marker = *--sp, saved = *--sp;
            if (marker == fx_make(0)) {
                *sp++ = set_values_from_list(tc, saved);
                NEXT();
            }
            vs->pending.target = (size_t)fx_value(CAR(saved));
            vs->pending.go_index = fx_value(CAR(CDR(saved)));
            vs->pending.values = CAR(CDR(CDR(saved)));
            TRANSFER();
        }
        CASE(NLX_ENTER) {
            unsigned slot = U16(pc);
            SAVE();
            LispObj exit_point = cell_make(tc, fx_make((int64_t)vs->ndyn));
            fp[slot] = exit_point;
            push_dyn(tc, DYN_NLX, exit_point, sp, code_base + U32(pc + 2), fp, closure, NULL);
            pc += 6;
            NEXT();
        }
        CASE(NLX_LEAVE) {
            LispObj exit_point = fp[U16(pc)]; pc += 2;
            PT_ASSERT(vs->dyn[vs->ndyn - 1].kind == DYN_NLX && vs->dyn[vs->ndyn - 1].tag == exit_point);
            vs->ndyn--;
            obj_set(&((LispCell *)obj_words(exit_point))->value, NIL);
            NEXT();
        }
        CASE(NLX_RETURN)
        CASE(NLX_GO) {
            int64_t go_index = op == OP_NLX_GO ? (int64_t)U16(pc) : -1;
            if (op == OP_NLX_GO) pc += 2;
            LispObj exit_point = *--sp;
            LispObj value = op == OP_NLX_RETURN ? *--sp : NIL;
            SAVE();
            LispObj idx = ((LispCell *)obj_words(exit_point))->value;
            if (idx == NIL)
                cond_error_of_type(tc, S(CONTROL_ERROR), "%s: the block or tagbody has already been exited",
                                   op == OP_NLX_GO ? "GO" : "RETURN-FROM");
            vs->pending.values = op == OP_NLX_RETURN ? values_list(tc, value) : NIL;
            vs->pending.target = (size_t)fx_value(idx);
            vs->pending.go_index = go_index;
            TRANSFER();
        }
        CASE(JUMP_TABLE) {
            unsigned n = U16(pc);
            int64_t i = fx_value(*--sp);
            PT_ASSERT(i >= 0 && i < (int64_t)n);
            (void)n;
            pc = code_base + U32(pc + 2 + 4 * i);
            NEXT();
        }
        CASE(PROGV) {
            LispObj values = *--sp, symbols = *--sp;
            SAVE();
            for (; cons_p(symbols); symbols = CDR(symbols)) {
                LispObj s = CAR(symbols);
                if (!symbol_p(s)) cond_type_error(tc, s, S(SYMBOL));
                sym_bind(tc, s, cons_p(values) ? CAR(values) : LISP_UNBOUND);
                if (cons_p(values)) values = CDR(values);
            }
            NEXT();
        }
        CASE(CAR) {
            LispObj x = sp[-1];
            if (cons_p(x)) sp[-1] = CAR(x);
            else if (x != NIL) { SAVE(); cond_type_error(tc, x, S(LIST_TYPE)); }
            NEXT();
        }
        CASE(CDR) {
            LispObj x = sp[-1];
            if (cons_p(x)) sp[-1] = CDR(x);
            else if (x != NIL) { SAVE(); cond_type_error(tc, x, S(LIST_TYPE)); }
            NEXT();
        }
        CASE(CONS) {
            SAVE();
            LispObj c = lisp_cons(tc, sp[-2], sp[-1]);
            sp -= 1;
            sp[-1] = c;
            NEXT();
        }
        CASE(EQ) sp[-2] = sp[-2] == sp[-1] ? T : NIL; sp--; NEXT();
        CASE(NOT) sp[-1] = sp[-1] == NIL ? T : NIL; NEXT();
#define ARITH(OPC, SYMID, BUILTIN_OVF)                                     \
        CASE(OPC) {                                                        \
            LispObj a = sp[-2], b = sp[-1];                                \
            int64_t res;                                                   \
            if (fx_p(a) && fx_p(b) && !BUILTIN_OVF(fx_value(a), fx_value(b), &res) && fx_in_range(res)) { \
                sp[-2] = fx_make(res);                                     \
            } else {                                                       \
                SAVE();                                                    \
                sp[-2] = call_generic2(tc, S(SYMID), a, b);                \
            }                                                              \
            sp--;                                                          \
            NEXT();                                                         \
        }
        ARITH(ADD, PLUS, __builtin_add_overflow)
        ARITH(SUB, MINUS, __builtin_sub_overflow)
#undef ARITH
#define COMPARE(OPC, SYMID, CMP)                                           \
        CASE(OPC) {                                                        \
            LispObj a = sp[-2], b = sp[-1];                                \
            if (fx_p(a) && fx_p(b)) sp[-2] = ((int64_t)a CMP (int64_t)b) ? T : NIL; \
            else { SAVE(); sp[-2] = call_generic2(tc, S(SYMID), a, b); }   \
            sp--;                                                          \
            NEXT();                                                         \
        }
        COMPARE(LT, NUM_LT, <)
        COMPARE(GT, NUM_GT, >)
        COMPARE(LE, NUM_LE, <=)
        COMPARE(GE, NUM_GE, >=)
        COMPARE(NUM_EQ, NUM_EQ, ==)
#undef COMPARE
        CASE(ADD1) {
            LispObj a = sp[-1];
            if (fx_p(a) && fx_value(a) < FIXNUM_MAX) sp[-1] = a + fx_make(1);
            else { SAVE(); sp[-1] = call_generic2(tc, S(PLUS), a, fx_make(1)); }
            NEXT();
        }
        CASE(SUB1) {
            LispObj a = sp[-1];
            if (fx_p(a) && fx_value(a) > FIXNUM_MIN) sp[-1] = a - fx_make(1);
            else { SAVE(); sp[-1] = call_generic2(tc, S(MINUS), a, fx_make(1)); }
            NEXT();
        }
        default:
            pt_fatal("bad opcode %u at offset %ld", op, (long)(pc - 1 - code_base));
        }
    }
}

/* ---- backtraces ---- */

/* Arguments are printed short: a frame may hold a huge or circular list (and
 * the backtrace may be printed because the heap is exhausted). */
static void bind_short_printing(ThContext *tc) {
    sym_bind(tc, S(STAR_PRINT_LENGTH), fx_make(8));
    sym_bind(tc, S(STAR_PRINT_LEVEL), fx_make(3));
    sym_bind(tc, S(STAR_PRINT_CIRCLE), NIL);
    sym_bind(tc, S(STAR_PRINT_READABLY), NIL);
}

LispObj vm_backtrace_string(ThContext *tc, size_t max_frames) {
    VmState *vs = tc->vm;
    size_t saved_bind = tc->bind_top;
    bind_short_printing(tc);
    LispObj out = stm_make_string_output(tc);
    size_t shown = 0;
    for (size_t i = vs->nframes; i-- > 0 && shown < max_frames; shown++) {
        VmFrame *f = &vs->frames[i];
        char buf[32];
        snprintf(buf, sizeof buf, "%3zu: (", shown);
        stm_write_cstr(tc, out, buf);
        LispObj name = vm_function_name(f->closure);
        if (name == NIL) stm_write_cstr(tc, out, "LAMBDA");
        else pr_prin1(tc, name, out);
        size_t n = f->nargs < 8 ? f->nargs : 8;
        for (size_t a = 0; a < n; a++) {
            stm_write_char(tc, out, ' ');
            LispObj v = f->args[a];
            if (kind_p(v, KIND_CELL)) v = ((LispCell *)obj_words(v))->value; /* a captured parameter */
            if (marker_p(v)) stm_write_cstr(tc, out, "#<unsupplied>");
            else pr_prin1(tc, v, out);
        }
        if (f->nargs > n) stm_write_cstr(tc, out, " ...");
        stm_write_cstr(tc, out, ")\n");
    }
    if (vs->nframes > max_frames) stm_write_cstr(tc, out, "  ... more frames\n");
    sym_unbind_to(tc, saved_bind);
    return stm_get_output_string(tc, out);
}
