/* lisp/builtins_struct.c — structure instances (DEFSTRUCT, CLHS 8.1): the
 * layouts that describe them, the primitives the DEFSTRUCT expansion
 * (lisp/src/defstruct.lisp) calls, COPY-STRUCTURE, and the hooks typep,
 * subtypep, type-of, the printer (#S) and the reader (#S) use.
 *
 * An instance is a KIND_INSTANCE object [layout][slot 0]...[slot n-1].  A
 * layout is a simple vector (fields LAYOUT_*) kept on the structure name's
 * plist under SYS::STRUCTURE-LAYOUT.  Its parent is the layout of the
 * :include'd structure, so "is x of type name" walks the parent chain.
 *
 * Invariants: an instance's slot count equals its layout's LAYOUT_NSLOTS;
 * a layout is never shrunk or reshaped once instances exist — redefining a
 * structure with the same parent and slots reuses (and updates) the layout,
 * anything else makes a fresh layout, so old instances keep their old one.
 * Layouts are mutated only by %DEFINE-STRUCTURE-LAYOUT (barrier stores); the
 * hooks read them without locks (a redefinition racing with use is the
 * program's problem, as in other Lisps).  No C state of its own. */
#include "lisp/vm_impl.h"

/* Fields of a layout vector. */
enum {
    LAYOUT_NAME,        /* the structure name (symbol) */
    LAYOUT_PARENT,      /* layout of the :include'd structure, or NIL */
    LAYOUT_NSLOTS,      /* fixnum: slots including inherited ones */
    LAYOUT_SLOT_NAMES,  /* list of slot names (symbols), inherited first */
    LAYOUT_SLOT_KEYS,   /* simple vector of the slot names as keywords (#S) */
    LAYOUT_PRINTER,     /* function, or NIL for the default #S printing */
    LAYOUT_PRINT_KIND,  /* fixnum: 2 = :print-object (obj stream), 3 = :print-function */
    LAYOUT_CONSTRUCTOR, /* name of the standard keyword constructor, or NIL */
    LAYOUT__COUNT
};

static LispObj layout_field(LispObj layout, int field) { return VEC(layout)->items[field]; }

static bool layout_p(LispObj x) {
    return vector_p(x) && vec_length(x) == LAYOUT__COUNT && symbol_p(layout_field(x, LAYOUT_NAME));
}

/* The layout of a structure name, or NIL. */
static LispObj name_layout(LispObj name) {
    if (!symbol_p(name)) return NIL;
    LispObj l = lisp_plist_get(SYM(name)->plist, S(DS_STRUCTURE_LAYOUT), NIL);
    return layout_p(l) ? l : NIL;
}

/* The layout of an instance, or NIL if x is not a structure instance. */
static LispObj instance_layout(LispObj x) {
    if (!kind_p(x, KIND_INSTANCE) || obj_nwords(x) < 1) return NIL;
    LispObj l = obj_words(x)[1];
    return layout_p(l) ? l : NIL;
}

static LispObj *instance_slots(LispObj x) { return &obj_words(x)[2]; }

/* Does layout (or an ancestor) describe the current definition of name?  An
 * instance made before an incompatible redefinition has an obsolete layout
 * and is no longer of the type (its accessors would read the wrong slots). */
static bool layout_includes(LispObj layout, LispObj name) {
    for (; layout != NIL; layout = layout_field(layout, LAYOUT_PARENT))
        if (layout_field(layout, LAYOUT_NAME) == name) return layout == name_layout(name);
    return false;
}

/* ---------------------------------------------------------------- hooks */

bool lisp_structure_typep(LispObj object, LispObj type_name) {
    LispObj layout = instance_layout(object);
    if (layout == NIL) return false;
    return type_name == S(DS_STRUCTURE_OBJECT) || layout_includes(layout, type_name);
}

bool lisp_structure_type_p(LispObj type_name) {
    return type_name == S(DS_STRUCTURE_OBJECT) || name_layout(type_name) != NIL;
}

bool lisp_structure_subtype_p(LispObj sub, LispObj super) {
    LispObj layout = name_layout(sub);
    if (layout == NIL) return sub == super && sub == S(DS_STRUCTURE_OBJECT);
    return super == S(DS_STRUCTURE_OBJECT) || layout_includes(layout, super);
}

LispObj lisp_structure_name(LispObj instance) {
    LispObj layout = instance_layout(instance);
    return layout == NIL ? NIL : layout_field(layout, LAYOUT_NAME);
}

size_t lisp_structure_slot_count(LispObj instance) {
    LispObj layout = instance_layout(instance);
    return layout == NIL ? 0 : (size_t)fx_value(layout_field(layout, LAYOUT_NSLOTS));
}

LispObj lisp_structure_slot_key(LispObj instance, size_t i) {
    return VEC(layout_field(instance_layout(instance), LAYOUT_SLOT_KEYS))->items[i];
}

LispObj lisp_structure_slot(LispObj instance, size_t i) { return instance_slots(instance)[i]; }

LispObj lisp_structure_printer(LispObj instance, bool *print_object_p) {
    LispObj layout = instance_layout(instance);
    if (layout == NIL) return NIL;
    *print_object_p = fx_value(layout_field(layout, LAYOUT_PRINT_KIND)) == 2;
    return layout_field(layout, LAYOUT_PRINTER);
}

LispObj lisp_structure_constructor(LispObj name) {
    LispObj layout = name_layout(name);
    return layout == NIL ? NIL : layout_field(layout, LAYOUT_CONSTRUCTOR);
}

/* ---------------------------------------------------------------- layouts */

/* Sets key's value on symbol's plist (the plist is shared Lisp data: barrier). */
static void plist_put(ThContext *tc, LispObj symbol, LispObj key, LispObj value) {
    for (LispObj l = SYM(symbol)->plist; cons_p(l) && cons_p(CDR(l)); l = CDR(CDR(l))) {
        if (CAR(l) == key) {
            cons_set_car(CDR(l), value);
            return;
        }
    }
    LispObj plist = lisp_cons(tc, key, lisp_cons(tc, value, SYM(symbol)->plist));
    obj_set(&SYM(symbol)->plist, plist);
}

static bool same_slots(LispObj a, LispObj b) {
    for (; cons_p(a) && cons_p(b); a = CDR(a), b = CDR(b))
        if (CAR(a) != CAR(b)) return false;
    return a == NIL && b == NIL;
}

static LispObj slot_keys(ThContext *tc, LispObj slot_names, size_t n) {
    LispObj keys = vec_make(tc, n, NIL);
    for (size_t i = 0; i < n; i++, slot_names = CDR(slot_names)) {
        LispObj key = pkg_intern(tc, SYM(CAR(slot_names))->name, pkg_keyword, NULL);
        obj_set(&VEC(keys)->items[i], key);
    }
    return keys;
}

/* %DEFINE-STRUCTURE-LAYOUT name parent-name slot-names printer print-kind
 * constructor → layout, and a second value true if an incompatible layout
 * was replaced. */
static LispObj sys_define_structure_layout(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    LispObj name = arg_symbol(tc, args[0]);
    LispObj parent = args[1] == NIL ? NIL : name_layout(args[1]);
    if (args[1] != NIL && parent == NIL)
        cond_error(tc, "DEFSTRUCT %v: %v is not a structure type", name, args[1]);
    size_t n = lisp_list_length(tc, args[2]);
    LispObj old = name_layout(name);
    bool reuse = old != NIL && layout_field(old, LAYOUT_PARENT) == parent &&
                 same_slots(layout_field(old, LAYOUT_SLOT_NAMES), args[2]);
    LispObj layout = reuse ? old : vec_make(tc, LAYOUT__COUNT, NIL);
    LispObj *f = VEC(layout)->items;
    obj_set(&f[LAYOUT_NAME], name);
    obj_set(&f[LAYOUT_PARENT], parent);
    obj_set(&f[LAYOUT_NSLOTS], fx_make((int64_t)n));
    obj_set(&f[LAYOUT_SLOT_NAMES], args[2]);
    if (!reuse) obj_set(&f[LAYOUT_SLOT_KEYS], slot_keys(tc, args[2], n));
    /* No printer of its own: print like the included structure (CLHS: the
     * print-object method is inherited). */
    bool inherit = args[3] == NIL && parent != NIL;
    obj_set(&f[LAYOUT_PRINTER], inherit ? layout_field(parent, LAYOUT_PRINTER) : args[3]);
    obj_set(&f[LAYOUT_PRINT_KIND], inherit ? layout_field(parent, LAYOUT_PRINT_KIND)
                                   : fx_p(args[4]) ? args[4] : fx_make(0));
    obj_set(&f[LAYOUT_CONSTRUCTOR], args[5]);
    if (!reuse) plist_put(tc, name, S(DS_STRUCTURE_LAYOUT), layout);
    LispObj vals[2] = {layout, (old != NIL && !reuse) ? T : NIL};
    return vm_values(tc, 2, vals);
}

/* ---------------------------------------------------------------- instances */

/* %MAKE-STRUCTURE name &rest slot-values → a fresh instance. */
static LispObj sys_make_structure(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj layout = name_layout(args[0]);
    if (layout == NIL) cond_error(tc, "%v is not a structure type", args[0]);
    size_t n = (size_t)fx_value(layout_field(layout, LAYOUT_NSLOTS));
    if (nargs - 1 != n)
        cond_program_error(tc, "%%MAKE-STRUCTURE: %v has %zu slots, got %zu values", args[0], n, nargs - 1);
    LispObj x = obj_alloc(tc, KIND_INSTANCE, 1 + n);
    /* x is fresh and unpublished: initialising stores need no barrier. */
    gc_init_store(&obj_words(x)[1], layout);
    for (size_t i = 0; i < n; i++) gc_init_store(&instance_slots(x)[i], args[1 + i]);
    return x;
}

static size_t checked_slot(ThContext *tc, LispObj x, LispObj name, LispObj index) {
    if (!lisp_structure_typep(x, name)) cond_type_error(tc, x, name);
    return arg_index(tc, index, lisp_structure_slot_count(x));
}

/* %STRUCTURE-REF instance name index: slot index of an instance of name. */
static LispObj sys_structure_ref(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    /* acquire: another thread may have just stored (or CASed) a fresh object here */
    return __atomic_load_n(&instance_slots(args[0])[checked_slot(tc, args[0], args[1], args[2])], __ATOMIC_ACQUIRE);
}

/* %STRUCTURE-SET instance name index value → value. */
static LispObj sys_structure_set(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    obj_set(&instance_slots(args[0])[checked_slot(tc, args[0], args[1], args[2])], args[3]);
    return args[3];
}

static LispObj sys_structure_typep(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return lisp_structure_typep(args[0], args[1]) ? T : NIL;
}

static LispObj sys_structure_layout(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return name_layout(args[0]);
}

static LispObj sys_structure_name(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return lisp_structure_name(args[0]);
}

static LispObj cl_copy_structure(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    LispObj src = args[0];
    if (instance_layout(src) == NIL) cond_type_error(tc, src, S(DS_STRUCTURE_OBJECT));
    size_t n = obj_nwords(src);
    LispObj x = obj_alloc(tc, KIND_INSTANCE, n);
    /* x is fresh and unpublished: initialising stores need no barrier. */
    for (size_t i = 1; i <= n; i++) gc_init_store(&obj_words(x)[i], obj_words(src)[i]);
    return x;
}

const BuiltinSpec builtins_struct[] = {
    {"COPY-STRUCTURE", "CL", cl_copy_structure, 1, 1, "structure",
     "A fresh instance of STRUCTURE's type with the same slot values (shallow copy)."},
    {"%DEFINE-STRUCTURE-LAYOUT", "SYS", sys_define_structure_layout, 6, 6,
     "name parent slot-names printer print-kind constructor",
     "Defines or updates the layout of structure NAME; second value true if an incompatible one was replaced."},
    {"%MAKE-STRUCTURE", "SYS", sys_make_structure, 1, BUILTIN_REST, "name &rest slot-values",
     "A fresh instance of structure NAME with the given slot values."},
    {"%STRUCTURE-REF", "SYS", sys_structure_ref, 3, 3, "instance name index",
     "Slot INDEX of INSTANCE, which must be of structure type NAME."},
    {"%STRUCTURE-SET", "SYS", sys_structure_set, 4, 4, "instance name index value",
     "Stores VALUE in slot INDEX of INSTANCE, which must be of structure type NAME."},
    {"%STRUCTURE-TYPEP", "SYS", sys_structure_typep, 2, 2, "object name",
     "True if OBJECT is a structure instance of type NAME or a type that includes it."},
    {"%STRUCTURE-LAYOUT", "SYS", sys_structure_layout, 1, 1, "name",
     "The layout of structure NAME, or NIL."},
    {"%STRUCTURE-NAME", "SYS", sys_structure_name, 1, 1, "object",
     "The structure name of OBJECT, or NIL if it is not a structure instance."},
    {0},
};
