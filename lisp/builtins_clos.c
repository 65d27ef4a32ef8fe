/* lisp/builtins_clos.c — the object model under CLOS (CLHS chapter 7): the
 * KIND_STD_INSTANCE objects, CLASS-OF for every Lisp object, and the hooks
 * TYPEP, TYPE-OF and the printer use.  The metaobjects, DEFCLASS, generic
 * functions and method combination are Lisp (lisp/src/clos*.lisp).
 *
 * A standard instance is [layout][slot vector].  A layout is a simple
 * vector #(class local-slot-names); a class's current layout is in its own
 * slots.  An instance whose layout is not its class's current one is
 * obsolete and is updated (by Lisp) on its next slot access, so the slot
 * vector is a separate object that can be replaced.
 *
 * Class metaobjects are standard instances too; every metaclass Petrel has
 * (standard-class, built-in-class, structure-class, condition classes)
 * keeps the slots CLASS_SLOT_* first and in this order (src/clos.lisp
 * defines them so).  A class is found from its name through the name's plist
 * (SYS::%CLASS), so FIND-CLASS and TYPEP need no lock.
 *
 * Generic functions are closures made by the dispatcher lambdas of
 * src/clos-generic.lisp; SYS::*%GF-CODES* lists one closure of each, and a
 * closure with the same code is a generic function whose metaobject is its
 * first captured value.  No C state of its own. */
#include "lisp/vm_impl.h"
#include "lisp/array_impl.h"
#include "lisp/builtins_impl.h"

enum { CLASS_SLOT_NAME = 0, CLASS_SLOT_CPL = 3, CLASS_SLOT_LAYOUT = 6 };
enum { LAYOUT_CLASS = 0 };

static bool std_instance_p(LispObj x) { return kind_p(x, KIND_STD_INSTANCE); }
static LispObj std_layout(LispObj x) { return obj_words(x)[1]; }
static LispObj std_slots(LispObj x) { return obj_words(x)[2]; }

/* Slot i of a metaobject (a class, a generic function or a method), or NIL
 * if c is not a standard instance with that many slots. */
static LispObj class_slot(LispObj c, int i) {
    if (!std_instance_p(c)) return NIL;
    LispObj v = std_slots(c);
    return vector_p(v) && vec_length(v) > (size_t)i ? VEC(v)->items[i] : NIL;
}

static LispObj class_named(LispObj name) {
    return symbol_p(name) ? lisp_plist_get(SYM(name)->plist, S(CLOS_CLASS_KEY), NIL) : NIL;
}

/* The generic function metaobject behind a closure, or NIL. */
static LispObj closure_gf(LispObj f) {
    if (!kind_p(f, KIND_CLOSURE) || obj_nwords(f) < 2) return NIL;
    /* the global value: the list is never bound dynamically */
    LispObj codes = SYM(S(CLOS_GF_CODES))->value;
    for (LispObj l = codes; cons_p(l); l = CDR(l)) {
        if (!kind_p(CAR(l), KIND_CLOSURE) || CLO(CAR(l))->code != CLO(f)->code) continue;
        LispObj gf = CLO(f)->env[0];
        if (kind_p(gf, KIND_CELL)) gf = ((LispCell *)obj_words(gf))->value;
        return std_instance_p(gf) ? gf : NIL;
    }
    return NIL;
}

static LispObj stream_class_name(LispObj x) {
    static const int ids[] = {SYM_TY_FILE_STREAM, SYM_TY_STRING_STREAM, SYM_TY_BROADCAST_STREAM,
                              SYM_TY_SYNONYM_STREAM, SYM_TY_TWO_WAY_STREAM, SYM_TY_ECHO_STREAM,
                              SYM_TY_CONCATENATED_STREAM};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
        if (stm_typep(x, lisp_syms[ids[i]])) return lisp_syms[ids[i]];
    return S(STREAM);
}

static LispObj array_class_name(LispObj x) {
    if (arr_string_p(x)) return S(STRING);
    if (arr_bit_vector_p(x)) return S(TY_BIT_VECTOR);
    if (arr_vector_p(x)) return S(VECTOR);
    return S(ARRAY);
}

/* The name of the class x belongs to when x is not a standard instance. */
static LispObj builtin_class_name(LispObj x) {
    if (fx_p(x) || kind_p(x, KIND_BIGNUM)) return S(INTEGER);
    if (char_p(x)) return S(CHARACTER);
    if (single_float_p(x)) return S(SINGLE_FLOAT);
    if (cons_p(x)) return S(CONS_TYPE);
    if (x == NIL) return S(NULL);
    if (!obj_p(x)) return T;
    switch (obj_kind(x)) {
    case KIND_SYMBOL: return S(SYMBOL);
    case KIND_DOUBLE_FLOAT: return S(DOUBLE_FLOAT);
    case KIND_RATIO: return S(RATIO);
    case KIND_COMPLEX: return S(COMPLEX);
    case KIND_STRING: case KIND_VECTOR: case KIND_UVECTOR: case KIND_ARRAY: return array_class_name(x);
    case KIND_CLOSURE: case KIND_BUILTIN: return S(FUNCTION);
    case KIND_PACKAGE: return S(PACKAGE);
    case KIND_STREAM: return stream_class_name(x);
    case KIND_HASH_TABLE: return S(HASH_TABLE);
    case KIND_READTABLE: return S(TY_READTABLE);
    case KIND_CONDITION: return CND(x)->type;
    case KIND_INSTANCE: {
        LispObj name = lisp_structure_name(x);
        return name == NIL ? T : name;
    }
    default: return T;
    }
}

/* CLASS-OF without running Lisp: NIL when x's class is not made yet (a
 * structure or condition type whose class the Lisp side makes lazily). */
static LispObj class_of_quick(LispObj x) {
    if (std_instance_p(x)) return VEC(std_layout(x))->items[LAYOUT_CLASS];
    LispObj gf = closure_gf(x);
    if (gf != NIL) return VEC(std_layout(gf))->items[LAYOUT_CLASS];
    return class_named(builtin_class_name(x));
}

LispObj clos_class_of(ThContext *tc, LispObj x) {
    LispObj c = class_of_quick(x);
    if (c != NIL) return c;
    LispObj fallback = sym_function(S(CLOS_CLASS_OF_FALLBACK));
    if (fallback == LISP_UNBOUND) return NIL;
    return vm_funcall1(tc, fallback, x);
}

static bool class_in_cpl(LispObj c, LispObj class) {
    for (LispObj l = class_slot(c, CLASS_SLOT_CPL); cons_p(l); l = CDR(l))
        if (CAR(l) == class) return true;
    return false;
}

/* Is x an instance of class (class in the precedence list of x's class)?
 * Without running Lisp: a structure or condition whose class is not made
 * yet is an instance of no class (right for standard classes). */
bool clos_instance_of_p(LispObj x, LispObj class) {
    LispObj c = class_of_quick(x);
    return c != NIL && class_in_cpl(c, class);
}

/* The same for any class object as a type specifier: x's class is made if
 * need be (src/clos.lisp makes structure and condition classes lazily). */
bool clos_typep_class(ThContext *tc, LispObj x, LispObj class) {
    LispObj c = clos_class_of(tc, x);
    return c != NIL && class_in_cpl(c, class);
}

bool clos_class_p(LispObj x) { return std_instance_p(x) && symbol_p(class_slot(x, CLASS_SLOT_NAME)); }

/* typep against a class name: sets *known when name names a class. */
bool clos_typep_name(LispObj x, LispObj name, bool *known) {
    LispObj c = class_named(name);
    *known = c != NIL;
    return *known && clos_instance_of_p(x, c);
}

LispObj clos_type_of(LispObj x) {
    LispObj c = VEC(std_layout(x))->items[LAYOUT_CLASS];
    LispObj name = class_slot(c, CLASS_SLOT_NAME);
    return name != NIL && class_named(name) == c ? name : c;
}

bool clos_gf_name(LispObj f, LispObj *name) {
    LispObj gf = closure_gf(f);
    if (gf == NIL) return false;
    *name = class_slot(gf, CLASS_SLOT_NAME);  /* a generic function's name is its slot 0 too */
    return true;
}

/* ---------------------------------------------------------------- dispatch cache */

/* Slots of a generic function metaobject (+GF-SLOTS+ in src/clos-generic.lisp). */
enum { GF_SLOT_CACHE = 4, GF_SLOT_EPOCH = 5, GF_SLOT_NREQ = 7, GF_SLOT_EQLS = 8, GF_SLOT_REQUIRED_ONLY = 10 };

enum { GF_KEY_MAX = 8 };  /* more required arguments: the Lisp side looks up */

static bool fixnum_member(int64_t i, LispObj list) {
    for (; cons_p(list); list = CDR(list))
        if (CAR(list) == fx_make(i)) return true;
    return false;
}

/* The EQL specializer (eql object) at position i of the first method that
 * has one matching arg, as %DISPATCH-KEY in src/clos-generic.lisp picks it. */
static LispObj eql_key(LispObj methods, int64_t i, LispObj arg) {
    for (; cons_p(methods); methods = CDR(methods)) {
        LispObj specs = class_slot(CAR(methods), 1);
        for (int64_t k = 0; k < i && cons_p(specs); k++) specs = CDR(specs);
        if (!cons_p(specs)) continue;
        LispObj s = CAR(specs);
        if (cons_p(s) && cons_p(CDR(s)) && bi_eql(arg, CAR(CDR(s)))) return s;
    }
    return NIL;
}

/* The dispatch key of args (see %DISPATCH-KEY) into key[], or false when
 * a class is not made yet. */
static bool dispatch_key(LispObj *s, LispObj args, int64_t nreq, LispObj *key) {
    LispObj eqls = s[GF_SLOT_EQLS];
    for (int64_t i = 0; i < nreq; i++, args = CDR(args)) {
        LispObj k = NIL;
        if (eqls != NIL && fixnum_member(i, eqls)) k = eql_key(s[2], i, CAR(args));
        if (k == NIL) k = class_of_quick(CAR(args));
        if (k == NIL) return false;
        key[i] = k;
    }
    return true;
}

static bool key_matches(LispObj cached, const LispObj *key, int64_t nreq, bool bare) {
    if (bare) return cached == key[0];  /* one argument, no EQL specializers: the class itself */
    for (int64_t i = 0; i < nreq; i++, cached = CDR(cached))
        if (!cons_p(cached) || CAR(cached) != key[i]) return false;
    return true;
}

/* %GF-LOOKUP gf args → the cached effective method for args, or NIL when
 * the Lisp side must decide (a miss, a stale cache, a wrong argument
 * count, more than GF_KEY_MAX required arguments, a class not made yet).  Reads only: the cache is
 * replaced, never mutated, by Lisp, so a racing update is seen whole. */
static LispObj sys_gf_lookup(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    LispObj gf = args[0], list = args[1];
    if (!std_instance_p(gf)) return NIL;
    LispObj slots = std_slots(gf);
    if (!vector_p(slots) || vec_length(slots) <= GF_SLOT_REQUIRED_ONLY) return NIL;
    LispObj *s = VEC(slots)->items;
    if (s[GF_SLOT_EPOCH] != SYM(S(CLOS_EPOCH))->value || !fx_p(s[GF_SLOT_NREQ])) return NIL;
    int64_t nreq = fx_value(s[GF_SLOT_NREQ]), n = 0;
    LispObj l = list;
    for (; cons_p(l) && n <= nreq; l = CDR(l)) n++;
    if (n < nreq || (s[GF_SLOT_REQUIRED_ONLY] != NIL && n != nreq) || nreq == 0 || nreq > GF_KEY_MAX)
        return NIL;
    LispObj key[GF_KEY_MAX];
    if (!dispatch_key(s, list, nreq, key)) return NIL;
    bool bare = nreq == 1 && s[GF_SLOT_EQLS] == NIL;
    for (LispObj e = s[GF_SLOT_CACHE]; cons_p(e); e = CDR(e))
        if (cons_p(CAR(e)) && key_matches(CAR(CAR(e)), key, nreq, bare)) return CDR(CAR(e));
    return NIL;
}

/* ---------------------------------------------------------------- builtins */

/* A layout is a simple vector #(class slot-names ...): every reader relies on that. */
static LispObj check_layout(ThContext *tc, LispObj l) {
    if (!vector_p(l) || vec_length(l) < 2 || !vector_p(VEC(l)->items[1]))
        cond_error(tc, "%v is not a standard instance layout", l);
    return l;
}

static LispObj check_std(ThContext *tc, LispObj x) {
    if (!std_instance_p(x)) cond_type_error(tc, x, S(TY_STANDARD_OBJECT));
    return x;
}

/* %MAKE-STD-INSTANCE layout slot-vector → a fresh instance. */
static LispObj sys_make_std_instance(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    check_layout(tc, args[0]);
    if (!vector_p(args[1])) cond_type_error(tc, args[1], S(SIMPLE_VECTOR));
    LispObj x = obj_alloc(tc, KIND_STD_INSTANCE, 2);
    /* x is fresh and unpublished: initialising stores need no barrier. */
    gc_init_store(&obj_words(x)[1], args[0]);
    gc_init_store(&obj_words(x)[2], args[1]);
    return x;
}

static LispObj sys_std_instance_p(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return std_instance_p(args[0]) ? T : NIL;
}

static LispObj sys_std_instance_layout(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return std_layout(check_std(tc, args[0]));
}

static LispObj sys_std_instance_slots(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return std_slots(check_std(tc, args[0]));
}

static LispObj sys_set_std_instance_layout(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    check_layout(tc, args[1]);
    obj_set(&obj_words(check_std(tc, args[0]))[1], args[1]);
    return args[1];
}

static LispObj sys_set_std_instance_slots(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    if (!vector_p(args[1])) cond_type_error(tc, args[1], S(SIMPLE_VECTOR));
    obj_set(&obj_words(check_std(tc, args[0]))[2], args[1]);
    return args[1];
}

static LispObj sys_closure_gf(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return closure_gf(args[0]);
}

static LispObj sys_builtin_class_name(ThContext *tc, size_t nargs, LispObj *args) {
    (void)tc, (void)nargs;
    return builtin_class_name(args[0]);
}

/* %UNBOUND-SLOT-ERROR instance slot-name: signals UNBOUND-SLOT (CLHS slot-unbound). */
static LispObj sys_unbound_slot_error(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    LispObj msg = cond_format_message_v(tc, "The slot %v is unbound in the object %v.", args[1], args[0]);
    cond_signal_error(tc, condition_make(tc, S(UNBOUND_SLOT), msg, NIL,
                                         lisp_list(tc, 4, S(NAME_KW), args[1], S(CND_INSTANCE_KW), args[0])));
}

/* The index of a bound-or-not local slot of a current instance, or -1 when
 * the Lisp side must decide (not a standard instance, an obsolete layout,
 * a class slot, a missing slot). */
static int64_t fast_slot_index(LispObj x, LispObj name) {
    if (!std_instance_p(x)) return -1;
    LispObj layout = std_layout(x);
    if (class_slot(VEC(layout)->items[LAYOUT_CLASS], CLASS_SLOT_LAYOUT) != layout) return -1;
    LispObj names = VEC(layout)->items[1];
    size_t n = vec_length(names) < vec_length(std_slots(x)) ? vec_length(names) : vec_length(std_slots(x));
    for (size_t i = 0; i < n; i++)
        if (VEC(names)->items[i] == name) return (int64_t)i;
    return -1;
}

static LispObj cl_slot_value(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    int64_t i = fast_slot_index(args[0], args[1]);
    if (i >= 0) {
        LispObj v = VEC(std_slots(args[0]))->items[i];
        if (v != S(CLOS_UNBOUND_SLOT)) return v;
    }
    return vm_funcall2(tc, sym_function(S(CLOS_SLOT_VALUE_SLOW)), args[0], args[1]);
}

/* %SET-SLOT-VALUE object slot-name value → value (what SETF of SLOT-VALUE calls). */
static LispObj sys_set_slot_value(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    int64_t i = fast_slot_index(args[0], args[1]);
    if (i >= 0) {
        obj_set(&VEC(std_slots(args[0]))->items[i], args[2]);
        return args[2];
    }
    LispObj rest[3] = {args[0], args[1], args[2]};
    return vm_funcall(tc, sym_function(S(CLOS_SET_SLOT_VALUE_SLOW)), 3, rest);
}

static LispObj cl_class_of(ThContext *tc, size_t nargs, LispObj *args) {
    (void)nargs;
    return clos_class_of(tc, args[0]);
}

const BuiltinSpec builtins_clos[] = {
    {"CLASS-OF", "CL", cl_class_of, 1, 1, "object", "Returns the class of which OBJECT is a direct instance."},
    {"SLOT-VALUE", "CL", cl_slot_value, 2, 2, "object slot-name", "The value of the slot named SLOT-NAME in OBJECT."},
    {"%SET-SLOT-VALUE", "SYS", sys_set_slot_value, 3, 3, "object slot-name value",
     "Stores VALUE in the slot named SLOT-NAME of OBJECT; what (SETF SLOT-VALUE) calls."},
    {"%MAKE-STD-INSTANCE", "SYS", sys_make_std_instance, 2, 2, "layout slots", "A fresh standard instance."},
    {"%STD-INSTANCE-P", "SYS", sys_std_instance_p, 1, 1, "object", "True for a standard instance."},
    {"%STD-INSTANCE-LAYOUT", "SYS", sys_std_instance_layout, 1, 1, "instance", NULL},
    {"%STD-INSTANCE-SLOTS", "SYS", sys_std_instance_slots, 1, 1, "instance", NULL},
    {"%SET-STD-INSTANCE-LAYOUT", "SYS", sys_set_std_instance_layout, 2, 2, "instance layout", NULL},
    {"%SET-STD-INSTANCE-SLOTS", "SYS", sys_set_std_instance_slots, 2, 2, "instance slots", NULL},
    {"%GF-LOOKUP", "SYS", sys_gf_lookup, 2, 2, "gf args", "The cached effective method for ARGS, or NIL."},
    {"%CLOSURE-GF", "SYS", sys_closure_gf, 1, 1, "function", "The generic function object behind FUNCTION, or NIL."},
    {"%UNBOUND-SLOT-ERROR", "SYS", sys_unbound_slot_error, 2, 2, "instance slot-name",
     "Signals UNBOUND-SLOT for SLOT-NAME of INSTANCE."},
    {"%BUILTIN-CLASS-NAME", "SYS", sys_builtin_class_name, 1, 1, "object",
     "The name of the class of a non-standard object."},
    {NULL, NULL, NULL, 0, 0, NULL, NULL},
};
