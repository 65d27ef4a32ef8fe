/* lisp/compiler_macro.c — macro lambda lists (CLHS 3.4.4) and
 * destructuring-bind (3.4.5): turns a pattern into LET* bindings that take a
 * list apart, with the argument-count and keyword checks the spec asks for
 * (errors are program-errors naming the macro).  defmacro, macrolet and
 * destructuring-bind all use this. */
#include "lisp/compiler_impl.h"

typedef struct Destructure {
    ThContext *tc;
    LispObj bindings;   /* reversed list of (var form) */
    LispObj name;       /* for messages */
    LispObj env_var;    /* &environment variable or NIL */
    LispObj whole_form; /* what &whole at the top binds */
} Destructure;

static LispObj sys(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_system); }

static void add(Destructure *d, LispObj var, LispObj form) {
    d->bindings = lisp_cons(d->tc, lisp_list(d->tc, 2, var, form), d->bindings);
}

static LispObj gensym(Destructure *d, const char *prefix) { return sym_gensym(d->tc, prefix); }

static void pattern(Destructure *d, LispObj pat, LispObj list_var, bool top);

/* Binds var (a symbol or a nested pattern) to form. */
static void bind_target(Destructure *d, LispObj target, LispObj form) {
    if (symbol_p(target) && target != NIL) {
        add(d, target, form);
        return;
    }
    if (target == NIL) return;
    if (!cons_p(target)) cond_program_error(d->tc, "%v: bad destructuring pattern element %v", d->name, target);
    LispObj tmp = gensym(d, "SUB");
    add(d, tmp, form);
    pattern(d, target, tmp, false);
}

static bool lambda_keyword_p(LispObj x) {
    return x == S(AND_OPTIONAL) || x == S(AND_REST) || x == S(AND_BODY) || x == S(AND_KEY) || x == S(AND_AUX) ||
           x == S(AND_WHOLE) || x == S(AND_ENVIRONMENT) || x == S(AND_ALLOW_OTHER_KEYS);
}

/* One (var init svar) spec, split. */
static void spec_parts(Destructure *d, LispObj spec, LispObj *var, LispObj *init, LispObj *svar) {
    *init = NIL;
    *svar = NIL;
    *var = spec;
    if (cons_p(spec)) {
        *var = CAR(spec);
        if (cons_p(CDR(spec))) {
            *init = CAR(CDR(spec));
            if (cons_p(CDR(CDR(spec)))) *svar = CAR(CDR(CDR(spec)));
        }
    }
}

static void pattern(Destructure *d, LispObj pat, LispObj list_var, bool top) {
    ThContext *tc = d->tc;
    LispObj cur = list_var, keys = NIL, rest_var = NIL;
    int64_t nreq = 0, nopt = 0;
    bool rest = false, key = false, allow = false;
    enum { REQ, OPT, REST, KEY, AUX } state = REQ;
    LispObj p = pat;
    if (cons_p(p) && CAR(p) == S(AND_WHOLE)) {
        if (!cons_p(CDR(p))) cond_program_error(tc, "%v: &WHOLE needs a variable", d->name);
        bind_target(d, CAR(CDR(p)), top ? d->whole_form : list_var);
        p = CDR(CDR(p));
    }
    LispObj walker = gensym(d, "REST");
    add(d, walker, cur);
    cur = walker;
    LispObj check_at = walker;          /* the list as given, for the count check */
    LispObj check_mark = d->bindings;   /* the check goes right after this binding */
    for (; cons_p(p); p = CDR(p)) {
        LispObj x = CAR(p);
        if (x == S(AND_ENVIRONMENT)) {
            if (!top || !cons_p(CDR(p))) cond_program_error(tc, "%v: misplaced &ENVIRONMENT", d->name);
            p = CDR(p);
            d->env_var = CAR(p);
            continue;
        }
        if (x == S(AND_OPTIONAL)) { state = OPT; continue; }
        if (x == S(AND_REST) || x == S(AND_BODY)) {
            if (!cons_p(CDR(p))) cond_program_error(tc, "%v: %v needs a variable", d->name, x);
            p = CDR(p);
            rest = true;
            rest_var = CAR(p);
            bind_target(d, rest_var, cur);
            state = REST;
            continue;
        }
        if (x == S(AND_KEY)) { state = KEY; key = true; continue; }
        if (x == S(AND_ALLOW_OTHER_KEYS)) { allow = true; continue; }
        if (x == S(AND_AUX)) { state = AUX; continue; }
        if (x == S(AND_WHOLE)) cond_program_error(tc, "%v: misplaced &WHOLE", d->name);
        if (lambda_keyword_p(x)) cond_program_error(tc, "%v: misplaced %v", d->name, x);
        LispObj var, init, svar;
        switch (state) {
        case REQ: {
            LispObj next = gensym(d, "REST");
            bind_target(d, x, lisp_list(tc, 2, S(CAR), cur));
            add(d, next, lisp_list(tc, 2, S(CDR), cur));
            cur = next;
            nreq++;
            break;
        }
        case OPT: {
            spec_parts(d, x, &var, &init, &svar);
            if (svar != NIL) add(d, svar, lisp_list(tc, 2, S(NOT), lisp_list(tc, 2, S(NULL), cur)));
            bind_target(d, var, lisp_list(tc, 4, S(IF), cur, lisp_list(tc, 2, S(CAR), cur), init));
            LispObj next = gensym(d, "REST");
            add(d, next, lisp_list(tc, 2, S(CDR), cur));
            cur = next;
            nopt++;
            break;
        }
        case KEY: {
            spec_parts(d, x, &var, &init, &svar);
            LispObj kw;
            if (cons_p(var)) {
                kw = CAR(var);
                var = cons_p(CDR(var)) ? CAR(CDR(var)) : NIL;
            } else {
                kw = pkg_intern(tc, SYM(arg_symbol(tc, var))->name, pkg_keyword, NULL);
            }
            keys = lisp_cons(tc, kw, keys);
            LispObj tmp = gensym(d, "KEY");
            LispObj marker = lisp_list(tc, 2, S(QUOTE), sys(tc, "%NO-VALUE"));
            add(d, tmp, lisp_list(tc, 4, S(GETF_FN), cur, lisp_list(tc, 2, S(QUOTE), kw), marker));
            LispObj missing = lisp_list(tc, 3, S(EQ), tmp, marker);
            if (svar != NIL) add(d, svar, lisp_list(tc, 2, S(NOT), missing));
            bind_target(d, var, lisp_list(tc, 4, S(IF), missing, init, tmp));
            break;
        }
        case AUX:
            spec_parts(d, x, &var, &init, &svar);
            bind_target(d, var, init);
            break;
        case REST:
            cond_program_error(tc, "%v: unexpected %v after the &REST variable", d->name, x);
        }
    }
    if (p != NIL) {  /* dotted pattern: (a b . rest) */
        if (rest) cond_program_error(tc, "%v: both &REST and a dotted tail", d->name);
        bind_target(d, p, cur);
        rest = true;
    }
    LispObj max = rest || key ? NIL : fx_make(nreq + nopt);
    LispObj check = lisp_list(tc, 5, sys(tc, "%CHECK-ARG-COUNT"), check_at, fx_make(nreq), max,
                              lisp_list(tc, 2, S(QUOTE), d->name));
    /* Splice the count check in before anything takes the list apart. */
    LispObj entry = lisp_cons(tc, lisp_list(tc, 2, gensym(d, "CHECK"), check), check_mark);
    if (d->bindings == check_mark) {
        d->bindings = entry;
    } else {
        LispObj l = d->bindings;
        while (CDR(l) != check_mark) l = CDR(l);
        cons_set_cdr(l, entry);
    }
    if (key && !allow) {
        LispObj kcheck = lisp_list(tc, 4, sys(tc, "%CHECK-KEYS"), cur, lisp_list(tc, 2, S(QUOTE), keys),
                                   lisp_list(tc, 2, S(QUOTE), d->name));
        add(d, gensym(d, "CHECK"), kcheck);
    }
}

/* (sys:%destructure pattern list-form name) → list of LET* bindings. */
static LispObj sys_destructure(ThContext *tc, size_t nargs, LispObj *args) {
    Destructure d = {tc, NIL, args[2], NIL, args[1]};
    LispObj whole = sym_gensym(tc, "WHOLE");
    add(&d, whole, args[1]);
    pattern(&d, args[0], whole, false);
    return lisp_nreverse(d.bindings);
}

/* (sys:%make-macro-function name lambda-list body) → a lambda expression
 * taking (form env). */
static LispObj sys_make_macro_function(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj name = args[0], ll = args[1], body = args[2];
    LispObj form = sym_gensym(tc, "FORM"), env = sym_gensym(tc, "ENV");
    Destructure d = {tc, NIL, name, NIL, form};
    LispObj args_var = sym_gensym(tc, "ARGS");
    add(&d, args_var, lisp_list(tc, 2, S(CDR), form));
    /* &whole in a macro lambda list names the entire form */
    if (cons_p(ll) && CAR(ll) == S(AND_WHOLE) && cons_p(CDR(ll))) {
        add(&d, CAR(CDR(ll)), form);
        ll = CDR(CDR(ll));
    }
    pattern(&d, ll, args_var, true);
    if (d.env_var != NIL) add(&d, d.env_var, env);
    LispObj specials, doc;
    LispObj rest = cc_split_declarations(tc, body, &specials, &doc, true);
    LispObj decls = NIL;
    for (LispObj l = body; l != rest; l = CDR(l))
        if (cons_p(CAR(l))) decls = lisp_cons(tc, CAR(l), decls);
    decls = lisp_nreverse(decls);
    LispObj block = lisp_cons(tc, S(BLOCK), lisp_cons(tc, name, rest));
    LispObj let_body = decls;
    LispObj tail = lisp_list(tc, 1, block);
    if (let_body == NIL) let_body = tail;
    else {
        LispObj l = let_body;
        while (CDR(l) != NIL) l = CDR(l);
        cons_set_cdr(l, tail);
    }
    LispObj let = lisp_cons(tc, S(LET_STAR), lisp_cons(tc, lisp_nreverse(d.bindings), let_body));
    LispObj ignorable = lisp_list(tc, 2, S(DECLARE), lisp_list(tc, 2, S(IGNORABLE), env));
    /* The docstring goes first, so the expander's code keeps it (DOCUMENTATION). */
    if (doc != NIL) return lisp_list(tc, 5, S(LAMBDA), lisp_list(tc, 2, form, env), doc, ignorable, let);
    return lisp_list(tc, 4, S(LAMBDA), lisp_list(tc, 2, form, env), ignorable, let);
}

static LispObj sys_check_arg_count(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj list = args[0], min = args[1], max = args[2], name = args[3];
    int64_t n = 0;
    LispObj l = list;
    for (; cons_p(l); l = CDR(l)) n++;
    if (l != NIL && max != NIL) cond_program_error(tc, "%v: the form %v is a dotted list", name, list);
    if (n < fx_value(min))
        cond_program_error(tc, "%v: too few elements in %v (at least %ld wanted)", name, list, (long)fx_value(min));
    if (max != NIL && n > fx_value(max))
        cond_program_error(tc, "%v: too many elements in %v (at most %ld wanted)", name, list, (long)fx_value(max));
    return NIL;
}

static LispObj sys_check_keys(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj plist = args[0], keys = args[1], name = args[2];
    bool allow = false;
    for (LispObj l = plist; cons_p(l) && cons_p(CDR(l)); l = CDR(CDR(l)))
        if (CAR(l) == S(ALLOW_OTHER_KEYS_KW) && CAR(CDR(l)) != NIL) allow = true;
    for (LispObj l = plist; l != NIL; l = CDR(CDR(l))) {
        if (!cons_p(l) || !cons_p(CDR(l))) cond_program_error(tc, "%v: odd number of keyword arguments in %v", name, plist);
        bool known = CAR(l) == S(ALLOW_OTHER_KEYS_KW);
        for (LispObj k = keys; cons_p(k) && !known; k = CDR(k)) known = CAR(k) == CAR(l);
        if (!known && !allow) cond_program_error(tc, "%v: unknown keyword %v", name, CAR(l));
    }
    return NIL;
}

/* (getf plist indicator default) — also a CL function; defined here so the
 * destructurer does not depend on the list builtins. */
static LispObj sys_getf(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj dflt = nargs > 2 ? args[2] : NIL;
    for (LispObj l = args[0]; cons_p(l); l = CDR(l)) {
        if (!cons_p(CDR(l))) cond_program_error(tc, "GETF: malformed property list %v", args[0]);
        if (CAR(l) == args[1]) return CAR(CDR(l));
        l = CDR(l);
    }
    return dflt;
}

const BuiltinSpec builtins_macro[] = {
    {"%DESTRUCTURE", "SYS", sys_destructure, 3, 3, "pattern form name", "LET* bindings destructuring FORM."},
    {"%MAKE-MACRO-FUNCTION", "SYS", sys_make_macro_function, 3, 3, "name lambda-list body", "Macro expander lambda."},
    {"%CHECK-ARG-COUNT", "SYS", sys_check_arg_count, 4, 4, "list min max name", NULL},
    {"%CHECK-KEYS", "SYS", sys_check_keys, 3, 3, "plist keys name", NULL},
    {"%GETF", "SYS", sys_getf, 2, 3, "plist indicator &optional default", NULL},
    {0},
};
