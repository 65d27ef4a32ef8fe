/* lisp/compiler_impl.h — state shared by the compiler's files.
 *
 * The compiler turns a form into bytecode for lisp/vm.c.  All compile-time
 * data that outlives one C call is Lisp data (so a condition signalled in
 * the middle of compiling leaks nothing): the lexical environment is a list of
 * entry vectors, labels are vectors, the code buffer is a BYTES object.
 *
 * Whole-form recompilation: whether a variable must live in a heap cell
 * (it is captured by a closure) and whether a block/tagbody needs a dynamic
 * exit frame (it is left from a closure or across catch/unwind-protect) is
 * only known after its body is compiled.  Such facts are recorded by "site"
 * number — the n-th binding site met while compiling the top-level form —
 * and the form is compiled again until no new fact turns up. */
#ifndef PETREL_LISP_COMPILER_IMPL_H
#define PETREL_LISP_COMPILER_IMPL_H

#include "lisp/opcodes.h"
#include "lisp/vm_impl.h"

typedef struct CcUnit {
    int64_t next_site;      /* binding sites met so far in this pass */
    LispObj boxed_sites;    /* list of fixnum sites whose variable is captured */
    LispObj nlx_sites;      /* list of fixnum sites whose block/tagbody needs an exit frame */
    bool changed;           /* a new fact was learnt: compile again */
    bool file_mode;         /* compiling for compile-file: load-time-value is deferred */
    LispObj free_variables; /* file mode: undefined free variables met in this pass */
    LispObj free_functions; /* file mode: calls of functions not defined yet, this pass */
} CcUnit;


typedef struct CcFn {
    struct CcFn *parent;
    CcUnit *unit;
    ThContext *tc;
    int level;              /* nesting of lambdas: 0 = the top-level form */
    LispObj code;           /* BYTES buffer */
    size_t len;
    LispObj consts;         /* list, newest first */
    size_t nconsts;
    int depth;              /* static stack height above fp */
    int max_depth;
    LispObj captured;       /* list of entries captured from outer functions, newest first */
    size_t ncaptured;
    LispObj name;           /* for backtraces */
    size_t last_op;         /* offset of the last opcode emitted (peepholes) */
    size_t last_label;      /* offset where a label was last placed */
} CcFn;

/* File mode: remember a reference to a global variable or function that is
 * not known yet, for COMPILE-FILE's warnings (compiler_top.c). */
void cc_note_free_variable(CcFn *fs, LispObj sym);
void cc_note_free_function(CcFn *fs, LispObj name);
/* Same variable or function name: symbols by identity, (setf s) by s. */
bool cc_same_name(LispObj a, LispObj b);

/* Compilation context of one form. */
typedef struct CcCtx {
    bool tail;              /* in tail position: may TAIL_CALL (implies mv) */
    bool mv;                /* every value is wanted */
} CcCtx;

/* Lexical environment entries (Lisp vectors; slot 0 is the kind). */
enum CcEntryKind {
    ENT_VAR = 1,      /* [kind name level slot boxed site] */
    ENT_FUN,          /* same layout, function namespace */
    ENT_SPECIAL,      /* [kind name]: locally declared special */
    ENT_SMACRO,       /* [kind name expansion] */
    ENT_MACRO,        /* [kind name expander] */
    ENT_BLOCK,        /* [kind name level label depth nlx slot site exitref] */
    ENT_TAG,          /* [kind name level label depth nlx slot index exitref site] */
    ENT_LAMBDA,       /* [kind level]: a function boundary */
    ENT_DYNBIND,      /* [kind slot]: specials bound; saved height in fp[slot] */
    ENT_FRAME,        /* [kind]: a catch or unwind-protect frame */
};
enum { E_KIND, E_NAME, E_LEVEL, E_SLOT, E_BOXED, E_SITE };
enum { B_KIND, B_NAME, B_LEVEL, B_LABEL, B_DEPTH, B_NLX, B_SLOT, B_SITE_OR_INDEX, B_EXITREF, T_SITE };

/* emit.c-style helpers (compiler_emit.c) */
void cc_emit_op(CcFn *fs, enum VmOpcode op);
void cc_emit_u16(CcFn *fs, size_t v);
void cc_emit_u32(CcFn *fs, uint32_t v);
void cc_emit_op_u16(CcFn *fs, enum VmOpcode op, size_t v);
size_t cc_const_index(CcFn *fs, LispObj value);
LispObj cc_label_new(CcFn *fs);
void cc_label_place(CcFn *fs, LispObj label);
void cc_emit_label_ref(CcFn *fs, LispObj label);  /* u32 address, fixed up later */
void cc_emit_jump(CcFn *fs, enum VmOpcode op, LispObj label);
void cc_push_depth(CcFn *fs, int delta);
void cc_set_depth(CcFn *fs, int depth);
LispObj cc_entry(ThContext *tc, size_t n, ...);

/* compiler_top.c: compiles form in a compile-time environment (macro,
 * symbol-macro and special entries only) into a CODE object of no arguments.
 * file_mode: load-time-value forms become placeholder CELLs holding the CODE
 * that computes them (lisp/fasl.c dumps them as load-time evaluations). */
LispObj cc_compile_toplevel_code(ThContext *tc, LispObj form, LispObj env, bool file_mode);

/* compiler.c: the environment and body of a top-level macrolet,
 * symbol-macrolet or locally form (CLHS 3.2.3.1), for compile-file. */
LispObj cc_toplevel_env(ThContext *tc, LispObj form, LispObj env, LispObj *body);

/* compiler.c */
void cc_form(CcFn *fs, LispObj form, LispObj env, CcCtx ctx);
void cc_progn(CcFn *fs, LispObj body, LispObj env, CcCtx ctx);
LispObj cc_lambda(CcFn *parent, LispObj name, LispObj lambda_list, LispObj body, LispObj env,
                  bool block_named);  /* compiles and emits code making the closure */
LispObj cc_function(CcFn *fs, LispObj name, LispObj lambda_list, LispObj body, LispObj env, bool block_named);
void cc_init_fn(CcFn *fs, CcFn *parent, CcUnit *unit, ThContext *tc, LispObj name);
LispObj cc_bind_param(CcFn *fs, LispObj sym, int slot, LispObj specials, LispObj env, int bind_slot);
void cc_mark_special_operators(void);
bool cc_special_p(LispObj symbol, LispObj env);
LispObj cc_split_declarations(ThContext *tc, LispObj body, LispObj *specials, LispObj *doc, bool doc_allowed);
int64_t cc_next_site(CcFn *fs);
bool cc_site_member(LispObj list, int64_t site);
void cc_learn(CcFn *fs, LispObj *list, int64_t site);
void cc_emit_entry_ref(CcFn *fs, LispObj entry); /* push the slot content (cell or exit point) */
_Noreturn void cc_error(CcFn *fs, const char *fmt, ...);

#endif
