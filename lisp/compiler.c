/* lisp/compiler.c — the bytecode compiler: forms, variables, function calls
 * and the 25 special operators (CLHS 3.1.2.1.2.1).  Lambda lists are in
 * compiler_lambda.c, the top level and macro expansion in compiler_top.c.
 *
 * Every form compiles to code that leaves exactly one value on the stack
 * (depth + 1); in a context that wants multiple values (ctx.mv) the VM's
 * value registers are right as well.  See compiler_impl.h for the
 * recompilation scheme that decides cells and exit frames. */
#include "lisp/compiler_impl.h"

static const CcCtx VALUE = {false, false};

static LispObj ent(LispObj e, int i) { return VEC(e)->items[i]; }
static int64_t ent_int(LispObj e, int i) { return fx_value(VEC(e)->items[i]); }

/* ---- environment lookup ---- */

/* Finds the innermost entry of kind (or kind2) named name; NIL if none. */
/* Names are symbols or function names (setf symbol), which are fresh lists. */
bool cc_same_name(LispObj a, LispObj b) {
    if (a == b) return true;
    return cons_p(a) && cons_p(b) && CAR(a) == S(SETF) && CAR(b) == S(SETF) && cons_p(CDR(a)) &&
           cons_p(CDR(b)) && CAR(CDR(a)) == CAR(CDR(b));
}

static LispObj env_find(LispObj env, int kind, int kind2, LispObj name) {
    for (; cons_p(env); env = CDR(env)) {
        LispObj e = CAR(env);
        int64_t k = ent_int(e, E_KIND);
        if ((k == kind || k == kind2) && cc_same_name(ent(e, E_NAME), name)) return e;
    }
    return NIL;
}

bool cc_special_p(LispObj sym, LispObj env) {
    for (; cons_p(env); env = CDR(env)) {
        LispObj e = CAR(env);
        int64_t k = ent_int(e, E_KIND);
        if ((k == ENT_VAR || k == ENT_SMACRO || k == ENT_SPECIAL) && ent(e, E_NAME) == sym)
            return k == ENT_SPECIAL;
    }
    return sym_flag_p(sym, SYMF_SPECIAL);
}

/* Index of entry e in fs's captured list, capturing it (and through every
 * function in between) if needed. */
static size_t capture_index(CcFn *fs, LispObj e) {
    size_t i = fs->ncaptured;
    for (LispObj l = fs->captured; cons_p(l); l = CDR(l)) {
        i--;
        if (CAR(l) == e) return i;
    }
    if (fs->parent && fs->parent->level > ent_int(e, E_LEVEL)) capture_index(fs->parent, e);
    fs->captured = lisp_cons(fs->tc, e, fs->captured);
    return fs->ncaptured++;
}

/* Pushes the slot content of a variable/function/exit-point entry: the value
 * for an unboxed local, else the cell or exit point itself. */
void cc_emit_entry_ref(CcFn *fs, LispObj e) {
    if (ent_int(e, E_LEVEL) == fs->level) cc_emit_op_u16(fs, OP_LOCAL, (size_t)ent_int(e, E_SLOT));
    else cc_emit_op_u16(fs, OP_ENV, capture_index(fs, e));
    cc_push_depth(fs, 1);
}

/* Marks a lexical variable entry as captured when used from an inner function. */
static bool var_boxed(CcFn *fs, LispObj e) {
    if (ent_int(e, E_LEVEL) != fs->level && ent(e, E_BOXED) == NIL)
        cc_learn(fs, &fs->unit->boxed_sites, ent_int(e, E_SITE));
    return ent(e, E_BOXED) != NIL || ent_int(e, E_LEVEL) != fs->level;
}

static void emit_var_read(CcFn *fs, LispObj e) {
    bool boxed = var_boxed(fs, e);
    size_t slot = (size_t)ent_int(e, E_SLOT);
    if (ent_int(e, E_LEVEL) == fs->level)
        cc_emit_op_u16(fs, boxed ? OP_LOCAL_CELL : OP_LOCAL, slot);
    else
        cc_emit_op_u16(fs, OP_ENV_CELL, capture_index(fs, e));
    cc_push_depth(fs, 1);
}

static void emit_var_write(CcFn *fs, LispObj e) {  /* value on top stays */
    bool boxed = var_boxed(fs, e);
    size_t slot = (size_t)ent_int(e, E_SLOT);
    if (ent_int(e, E_LEVEL) == fs->level)
        cc_emit_op_u16(fs, boxed ? OP_SET_LOCAL_CELL : OP_SET_LOCAL, slot);
    else
        cc_emit_op_u16(fs, OP_SET_ENV_CELL, capture_index(fs, e));
}

static void emit_const(CcFn *fs, LispObj v) {
    if (v == NIL) cc_emit_op(fs, OP_NIL);
    else if (v == T) cc_emit_op(fs, OP_T);
    else cc_emit_op_u16(fs, OP_CONST, cc_const_index(fs, v));
    cc_push_depth(fs, 1);
}

static void finish_single(CcFn *fs, CcCtx ctx) {
    if (ctx.mv) cc_emit_op(fs, OP_SV);
}

/* ---- variables ---- */

/* The expansion of sym's global symbol macro (define-symbol-macro), or
 * LISP_UNBOUND; a local special declaration hides it. */
static LispObj global_symbol_macro(LispObj sym, LispObj spec) {
    return spec != NIL ? LISP_UNBOUND : lisp_plist_get(SYM(sym)->plist, S(SYMBOL_MACRO), LISP_UNBOUND);
}

static void comp_symbol(CcFn *fs, LispObj sym, LispObj env, CcCtx ctx) {
    if (sym_keyword_p(sym) || sym == NIL || sym == T) {
        emit_const(fs, sym);
        finish_single(fs, ctx);
        return;
    }
    LispObj e = env_find(env, ENT_VAR, ENT_SMACRO, sym);
    LispObj spec = env_find(env, ENT_SPECIAL, ENT_SPECIAL, sym);
    if (e != NIL && (spec == NIL || env_find(env, ENT_VAR, ENT_SPECIAL, sym) == e)) {
        if (ent_int(e, E_KIND) == ENT_SMACRO) {
            cc_form(fs, ent(e, 2), env, ctx);
            return;
        }
        emit_var_read(fs, e);
    } else {
        LispObj expansion = global_symbol_macro(sym, spec);
        if (expansion != LISP_UNBOUND) {
            cc_form(fs, expansion, env, ctx);
            return;
        }
        if (sym_flag_p(sym, SYMF_CONSTANT) && SYM(sym)->value != LISP_UNBOUND) {
            emit_const(fs, SYM(sym)->value);
        } else {
            if (spec == NIL) cc_note_free_variable(fs, sym);
            cc_emit_op_u16(fs, OP_GLOBAL, cc_const_index(fs, sym));
            cc_push_depth(fs, 1);
        }
    }
    finish_single(fs, ctx);
}

static void comp_setq_one(CcFn *fs, LispObj sym, LispObj value, LispObj env) {
    if (!symbol_p(sym)) cc_error(fs, "SETQ: %v is not a symbol", sym);
    LispObj e = env_find(env, ENT_VAR, ENT_SMACRO, sym);
    LispObj spec = env_find(env, ENT_SPECIAL, ENT_SPECIAL, sym);
    bool lexical = e != NIL && (spec == NIL || env_find(env, ENT_VAR, ENT_SPECIAL, sym) == e);
    /* A symbol macro, local or global (define-symbol-macro), is setf of its expansion. */
    LispObj global = lexical ? LISP_UNBOUND : global_symbol_macro(sym, spec);
    if ((lexical && ent_int(e, E_KIND) == ENT_SMACRO) || global != LISP_UNBOUND) {
        LispObj setf = lisp_list(fs->tc, 3, S(SETF), lexical ? ent(e, 2) : global, value);
        cc_form(fs, setf, env, VALUE);
        return;
    }
    if (!lexical && (sym_flag_p(sym, SYMF_CONSTANT) || sym == NIL || sym == T))
        cc_error(fs, "SETQ: %v is a constant and cannot be assigned", sym);
    cc_form(fs, value, env, VALUE);
    if (lexical) {
        emit_var_write(fs, e);
    } else {
        if (spec == NIL) cc_note_free_variable(fs, sym);
        cc_emit_op_u16(fs, OP_SET_GLOBAL, cc_const_index(fs, sym));
    }
}

static void comp_setq(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (args == NIL) {
        emit_const(fs, NIL);
        finish_single(fs, ctx);
        return;
    }
    for (LispObj l = args; l != NIL; l = CDR(CDR(l))) {
        if (!cons_p(l) || !cons_p(CDR(l))) cc_error(fs, "SETQ: odd number of arguments in %v", args);
        comp_setq_one(fs, CAR(l), CAR(CDR(l)), env);
        if (CDR(CDR(l)) != NIL) {
            cc_emit_op(fs, OP_POP);
            cc_push_depth(fs, -1);
        }
    }
    finish_single(fs, ctx);
}

/* ---- progn, if, quote, function ---- */

void cc_progn(CcFn *fs, LispObj body, LispObj env, CcCtx ctx) {
    if (body == NIL) {
        emit_const(fs, NIL);
        finish_single(fs, ctx);
        return;
    }
    for (; cons_p(body); body = CDR(body)) {
        if (CDR(body) == NIL) {
            cc_form(fs, CAR(body), env, ctx);
            return;
        }
        cc_form(fs, CAR(body), env, VALUE);
        cc_emit_op(fs, OP_POP);
        cc_push_depth(fs, -1);
    }
    cc_error(fs, "malformed body (dotted list): %v", body);
}

/* (not x) and (null x) as a test flip the jump instead of computing NOT. */
static LispObj strip_not(LispObj test, LispObj env, bool *negated) {
    *negated = false;
    while (cons_p(test) && (CAR(test) == S(NOT) || CAR(test) == S(NULL)) && cons_p(CDR(test)) &&
           CDR(CDR(test)) == NIL && env_find(env, ENT_FUN, ENT_MACRO, CAR(test)) == NIL) {
        *negated = !*negated;
        test = CAR(CDR(test));
    }
    return test;
}

static void comp_if(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    size_t n = lisp_list_length(fs->tc, args);
    if (n < 2 || n > 3) cc_error(fs, "IF: wants 2 or 3 arguments, got %zu", n);
    LispObj lelse = cc_label_new(fs), lend = cc_label_new(fs);
    bool negated;
    cc_form(fs, strip_not(CAR(args), env, &negated), env, VALUE);
    cc_emit_jump(fs, negated ? OP_JUMP_NOT_NIL : OP_JUMP_NIL, lelse);
    cc_push_depth(fs, -1);
    int d = fs->depth;
    cc_form(fs, CAR(CDR(args)), env, ctx);
    if (ctx.tail) cc_emit_op(fs, OP_RET);  /* no jump to a return */
    else cc_emit_jump(fs, OP_JUMP, lend);
    cc_label_place(fs, lelse);
    cc_set_depth(fs, d);
    cc_form(fs, n == 3 ? CAR(CDR(CDR(args))) : NIL, env, ctx);
    cc_label_place(fs, lend);
}

static bool lambda_form_p(LispObj x) { return cons_p(x) && CAR(x) == S(LAMBDA); }

static void comp_function(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args) || CDR(args) != NIL) cc_error(fs, "FUNCTION: wants exactly one argument");
    LispObj x = CAR(args);
    if (lambda_form_p(x)) {
        if (!cons_p(CDR(x))) cc_error(fs, "malformed lambda expression %v", x);
        cc_lambda(fs, NIL, CAR(CDR(x)), CDR(CDR(x)), env, false);
    } else if (cons_p(x) && CAR(x) == S(NAMED_LAMBDA)) {
        /* (sys:named-lambda name lambda-list . body): body in (block name) */
        if (!cons_p(CDR(x)) || !cons_p(CDR(CDR(x)))) cc_error(fs, "malformed named lambda %v", x);
        cc_lambda(fs, CAR(CDR(x)), CAR(CDR(CDR(x))), CDR(CDR(CDR(x))), env, true);
    } else if (symbol_p(x)) {
        LispObj e = env_find(env, ENT_FUN, ENT_MACRO, x);
        if (e != NIL && ent_int(e, E_KIND) == ENT_FUN) {
            emit_var_read(fs, e);
        } else {
            if (e == NIL && sym_flag_p(x, SYMF_SPECIAL_OPERATOR | SYMF_MACRO) && sym_function(x) == LISP_UNBOUND)
                cc_error(fs, "FUNCTION: %v names a special operator or macro, not a function", x);
            cc_note_free_function(fs, x);
            cc_emit_op_u16(fs, OP_FDEF, cc_const_index(fs, x));
            cc_push_depth(fs, 1);
        }
    } else if (cons_p(x) && CAR(x) == S(SETF) && cons_p(CDR(x)) && symbol_p(CAR(CDR(x))) && CDR(CDR(x)) == NIL) {
        LispObj e = env_find(env, ENT_FUN, ENT_FUN, x);
        if (e != NIL) {
            emit_var_read(fs, e);  /* a local (flet ((setf foo) ...)) */
        } else {
            cc_note_free_function(fs, x);
            cc_emit_op_u16(fs, OP_FDEF, cc_const_index(fs, x));
            cc_push_depth(fs, 1);
        }
    } else {
        cc_error(fs, "FUNCTION: %v is not a function name or lambda expression", x);
    }
    finish_single(fs, ctx);
}

/* ---- let, let*, progv ---- */

/* Binding of one variable in slot; env extended and returned. */
LispObj cc_bind_param(CcFn *fs, LispObj sym, int slot, LispObj specials, LispObj env, int bind_slot) {
    if (!symbol_p(sym) || sym == NIL || sym == T || sym_keyword_p(sym))
        cc_error(fs, "cannot bind %v as a variable", sym);
    if (sym_flag_p(sym, SYMF_CONSTANT)) cc_error(fs, "cannot bind the constant %v", sym);
    bool special = sym_flag_p(sym, SYMF_SPECIAL);
    for (LispObj l = specials; cons_p(l); l = CDR(l)) special |= CAR(l) == sym;
    if (special) {
        PT_CHECK(bind_slot >= 0, "special binding without a saved height");
        cc_emit_op_u16(fs, OP_LOCAL, (size_t)slot);
        cc_emit_op_u16(fs, OP_BIND, cc_const_index(fs, sym));
        return lisp_cons(fs->tc, cc_entry(fs->tc, 2, fx_make(ENT_SPECIAL), sym), env);
    }
    int64_t site = cc_next_site(fs);
    bool boxed = cc_site_member(fs->unit->boxed_sites, site);
    if (boxed) cc_emit_op_u16(fs, OP_MAKE_CELL, (size_t)slot);
    LispObj e = cc_entry(fs->tc, 6, fx_make(ENT_VAR), sym, fx_make(fs->level), fx_make(slot),
                         boxed ? T : NIL, fx_make(site));
    return lisp_cons(fs->tc, e, env);
}

static bool binds_special_p(LispObj bindings, LispObj specials) {
    for (LispObj l = bindings; cons_p(l); l = CDR(l)) {
        LispObj b = CAR(l), sym = cons_p(b) ? CAR(b) : b;
        if (!symbol_p(sym)) continue;
        if (sym_flag_p(sym, SYMF_SPECIAL)) return true;
        for (LispObj s = specials; cons_p(s); s = CDR(s))
            if (CAR(s) == sym) return true;
    }
    return false;
}

/* Adds free special declarations (not bound here) to env. */
static LispObj declare_specials(CcFn *fs, LispObj specials, LispObj env) {
    for (LispObj l = specials; cons_p(l); l = CDR(l))
        env = lisp_cons(fs->tc, cc_entry(fs->tc, 2, fx_make(ENT_SPECIAL), CAR(l)), env);
    return env;
}

static void parse_binding(CcFn *fs, LispObj b, LispObj *sym, LispObj *init) {
    if (symbol_p(b)) {
        *sym = b;
        *init = NIL;
        return;
    }
    if (!cons_p(b) || !symbol_p(CAR(b)) || (CDR(b) != NIL && (!cons_p(CDR(b)) || CDR(CDR(b)) != NIL)))
        cc_error(fs, "malformed binding %v", b);
    *sym = CAR(b);
    *init = cons_p(CDR(b)) ? CAR(CDR(b)) : NIL;
}

static void comp_let(CcFn *fs, LispObj args, LispObj env, CcCtx ctx, bool sequential) {
    if (!cons_p(args)) cc_error(fs, "%s: missing bindings", sequential ? "LET*" : "LET");
    ThContext *tc = fs->tc;
    LispObj bindings = CAR(args), specials, doc;
    lisp_list_length(tc, bindings);
    LispObj body = cc_split_declarations(tc, CDR(args), &specials, &doc, false);
    int d0 = fs->depth, bind_slot = -1;
    bool dyn = binds_special_p(bindings, specials);
    if (dyn) {
        emit_const(fs, NIL);
        bind_slot = d0;
        cc_emit_op_u16(fs, OP_SAVE_BIND, (size_t)bind_slot);
    }
    LispObj inner = env;
    int base = fs->depth, i = 0;
    for (LispObj l = bindings; cons_p(l); l = CDR(l), i++) {
        LispObj sym, init;
        parse_binding(fs, CAR(l), &sym, &init);
        cc_form(fs, init, sequential ? inner : env, VALUE);
        if (sequential) inner = cc_bind_param(fs, sym, base + i, specials, inner, bind_slot);
    }
    if (!sequential) {
        i = 0;
        for (LispObj l = bindings; cons_p(l); l = CDR(l), i++) {
            LispObj sym, init;
            parse_binding(fs, CAR(l), &sym, &init);
            inner = cc_bind_param(fs, sym, base + i, specials, inner, bind_slot);
        }
    }
    if (dyn) inner = lisp_cons(tc, cc_entry(tc, 2, fx_make(ENT_DYNBIND), fx_make(bind_slot)), inner);
    inner = declare_specials(fs, specials, inner);
    CcCtx bctx = ctx;
    if (dyn) bctx.tail = false;
    cc_progn(fs, body, inner, bctx);
    if (dyn) cc_emit_op_u16(fs, OP_UNBIND_TO, (size_t)bind_slot);
    cc_emit_op_u16(fs, OP_SET_SP_KEEP, (size_t)d0);
    cc_set_depth(fs, d0 + 1);
}

static void comp_progv(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args) || !cons_p(CDR(args))) cc_error(fs, "PROGV: wants symbols, values and a body");
    int d0 = fs->depth;
    emit_const(fs, NIL);
    cc_emit_op_u16(fs, OP_SAVE_BIND, (size_t)d0);
    cc_form(fs, CAR(args), env, VALUE);
    cc_form(fs, CAR(CDR(args)), env, VALUE);
    cc_emit_op(fs, OP_PROGV);
    cc_push_depth(fs, -2);
    LispObj inner = lisp_cons(fs->tc, cc_entry(fs->tc, 2, fx_make(ENT_DYNBIND), fx_make(d0)), env);
    cc_progn(fs, CDR(CDR(args)), inner, (CcCtx){false, ctx.mv});
    cc_emit_op_u16(fs, OP_UNBIND_TO, (size_t)d0);
    cc_emit_op_u16(fs, OP_SET_SP_KEEP, (size_t)d0);
    cc_set_depth(fs, d0 + 1);
}

static void comp_locally(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    LispObj specials, doc;
    LispObj body = cc_split_declarations(fs->tc, args, &specials, &doc, false);
    cc_progn(fs, body, declare_specials(fs, specials, env), ctx);
}

/* ---- block / return-from ---- */

/* How leaving to entry `target` from here must happen: returns true if a
 * dynamic exit (NLX) is needed; *unbind_slot gets the outermost special
 * binding height to restore (or -1). */
static bool exit_path(LispObj env, LispObj target, int64_t *unbind_slot) {
    *unbind_slot = -1;
    for (; cons_p(env); env = CDR(env)) {
        LispObj e = CAR(env);
        if (e == target) return false;
        int64_t k = ent_int(e, E_KIND);
        if (k == ENT_LAMBDA || k == ENT_FRAME) return true;
        if (k == ENT_DYNBIND) *unbind_slot = ent_int(e, 1);
    }
    return true;
}

static void comp_block(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args) || !symbol_p(CAR(args))) cc_error(fs, "BLOCK: the name must be a symbol");
    ThContext *tc = fs->tc;
    int64_t site = cc_next_site(fs);
    bool nlx = cc_site_member(fs->unit->nlx_sites, site);
    int d0 = fs->depth;
    LispObj lexit = cc_label_new(fs);
    if (nlx) {
        emit_const(fs, NIL);
        cc_emit_op_u16(fs, OP_NLX_ENTER, (size_t)d0);
        cc_emit_label_ref(fs, lexit);
    }
    LispObj exitref = cc_entry(tc, 6, fx_make(ENT_VAR), NIL, fx_make(fs->level), fx_make(d0), NIL, fx_make(-1));
    LispObj e = cc_entry(tc, 9, fx_make(ENT_BLOCK), CAR(args), fx_make(fs->level), lexit,
                         fx_make(d0), nlx ? T : NIL, fx_make(d0), fx_make(site), exitref);
    LispObj inner = lisp_cons(tc, e, env);
    if (nlx) inner = lisp_cons(tc, cc_entry(tc, 1, fx_make(ENT_FRAME)), inner);
    cc_progn(fs, CDR(args), inner, nlx ? (CcCtx){false, true} : (CcCtx){ctx.tail, true});
    if (nlx) cc_emit_op_u16(fs, OP_NLX_LEAVE, (size_t)d0);
    cc_label_place(fs, lexit);
    if (nlx || fs->depth != d0 + 1) cc_emit_op_u16(fs, OP_SET_SP_KEEP, (size_t)d0);
    cc_set_depth(fs, d0 + 1);
}

static void comp_return_from(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args) || !symbol_p(CAR(args)) || (CDR(args) != NIL && CDR(CDR(args)) != NIL))
        cc_error(fs, "RETURN-FROM: wants a block name and at most one value form");
    LispObj name = CAR(args), value = cons_p(CDR(args)) ? CAR(CDR(args)) : NIL;
    LispObj e = env_find(env, ENT_BLOCK, ENT_BLOCK, name);
    if (e == NIL) cc_error(fs, "RETURN-FROM: no block named %v is visible", name);
    int d = fs->depth;
    int64_t unbind;
    bool need_nlx = exit_path(env, e, &unbind);
    cc_form(fs, value, env, (CcCtx){false, true});
    if (need_nlx) {
        if (ent(e, B_NLX) == NIL) cc_learn(fs, &fs->unit->nlx_sites, ent_int(e, B_SITE_OR_INDEX));
        cc_emit_entry_ref(fs, ent(e, B_EXITREF));
        cc_emit_op(fs, OP_NLX_RETURN);
    } else {
        if (unbind >= 0) cc_emit_op_u16(fs, OP_UNBIND_TO, (size_t)unbind);
        cc_emit_op_u16(fs, OP_SET_SP_KEEP, (size_t)ent_int(e, B_DEPTH));
        cc_emit_jump(fs, OP_JUMP, ent(e, B_LABEL));
    }
    cc_set_depth(fs, d + 1);
    (void)ctx;
}

/* ---- tagbody / go ---- */

static bool tag_p(LispObj x) { return symbol_p(x) || fx_p(x); }

static void comp_tagbody(CcFn *fs, LispObj body, LispObj env, CcCtx ctx) {
    ThContext *tc = fs->tc;
    int64_t site = cc_next_site(fs);
    bool nlx = cc_site_member(fs->unit->nlx_sites, site);
    int d0 = fs->depth;
    LispObj ldispatch = cc_label_new(fs), lend = cc_label_new(fs);
    if (nlx) {
        emit_const(fs, NIL);
        cc_emit_op_u16(fs, OP_NLX_ENTER, (size_t)d0);
        cc_emit_label_ref(fs, ldispatch);
    }
    int dbody = fs->depth;
    LispObj inner = env, labels = NIL;
    LispObj exitref = cc_entry(tc, 6, fx_make(ENT_VAR), NIL, fx_make(fs->level), fx_make(d0), NIL, fx_make(-1));
    int64_t index = 0;
    for (LispObj l = body; cons_p(l); l = CDR(l)) {
        if (!tag_p(CAR(l))) continue;
        LispObj label = cc_label_new(fs);
        labels = lisp_cons(tc, label, labels);
        LispObj e = cc_entry(tc, 10, fx_make(ENT_TAG), CAR(l), fx_make(fs->level), label, fx_make(dbody),
                             nlx ? T : NIL, fx_make(d0), fx_make(index++), exitref, fx_make(site));
        inner = lisp_cons(tc, e, inner);
    }
    if (nlx) inner = lisp_cons(tc, cc_entry(tc, 1, fx_make(ENT_FRAME)), inner);
    labels = lisp_nreverse(labels);
    LispObj lab = labels;
    for (LispObj l = body; cons_p(l); l = CDR(l)) {
        if (tag_p(CAR(l))) {
            cc_label_place(fs, CAR(lab));
            lab = CDR(lab);
            continue;
        }
        cc_form(fs, CAR(l), inner, VALUE);
        cc_emit_op(fs, OP_POP);
        cc_push_depth(fs, -1);
    }
    if (nlx) {
        cc_emit_op_u16(fs, OP_NLX_LEAVE, (size_t)d0);
        cc_emit_op_u16(fs, OP_SET_SP, (size_t)d0);
        cc_set_depth(fs, d0);
        emit_const(fs, NIL);
        cc_emit_jump(fs, OP_JUMP, lend);
        cc_label_place(fs, ldispatch);
        cc_emit_op_u16(fs, OP_JUMP_TABLE, (size_t)index);
        for (LispObj l = labels; cons_p(l); l = CDR(l)) cc_emit_label_ref(fs, CAR(l));
        cc_label_place(fs, lend);
    } else {
        emit_const(fs, NIL);
    }
    cc_set_depth(fs, d0 + 1);
    finish_single(fs, ctx);
}

static void comp_go(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args) || CDR(args) != NIL || !tag_p(CAR(args))) cc_error(fs, "GO: wants exactly one tag");
    LispObj tag = CAR(args), e = NIL;
    for (LispObj l = env; cons_p(l); l = CDR(l)) {
        LispObj x = CAR(l);
        /* tags are symbols or integers, compared with EQL: fixnums are immediate */
        if (ent_int(x, E_KIND) == ENT_TAG && ent(x, E_NAME) == tag) {
            e = x;
            break;
        }
    }
    if (e == NIL) cc_error(fs, "GO: no tag %v is visible", tag);
    int d = fs->depth;
    int64_t unbind;
    if (exit_path(env, e, &unbind)) {
        if (ent(e, B_NLX) == NIL) cc_learn(fs, &fs->unit->nlx_sites, ent_int(e, T_SITE));
        cc_emit_entry_ref(fs, ent(e, B_EXITREF));
        cc_emit_op_u16(fs, OP_NLX_GO, (size_t)ent_int(e, B_SITE_OR_INDEX));
    } else {
        if (unbind >= 0) cc_emit_op_u16(fs, OP_UNBIND_TO, (size_t)unbind);
        cc_emit_op_u16(fs, OP_SET_SP, (size_t)ent_int(e, B_DEPTH));
        cc_emit_jump(fs, OP_JUMP, ent(e, B_LABEL));
    }
    cc_set_depth(fs, d + 1);
    (void)ctx;
}

/* ---- catch, throw, unwind-protect ---- */

static void comp_catch(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args)) cc_error(fs, "CATCH: missing tag form");
    int d0 = fs->depth;
    LispObj land = cc_label_new(fs);
    cc_form(fs, CAR(args), env, VALUE);
    cc_emit_jump(fs, OP_CATCH, land);
    cc_push_depth(fs, -1);
    LispObj inner = lisp_cons(fs->tc, cc_entry(fs->tc, 1, fx_make(ENT_FRAME)), env);
    cc_progn(fs, CDR(args), inner, (CcCtx){false, true});
    cc_emit_op(fs, OP_UNCATCH);
    cc_label_place(fs, land);
    cc_set_depth(fs, d0 + 1);
    (void)ctx;
}

static void comp_throw(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args) || !cons_p(CDR(args)) || CDR(CDR(args)) != NIL)
        cc_error(fs, "THROW: wants a tag form and a result form");
    int d = fs->depth;
    cc_form(fs, CAR(args), env, VALUE);
    cc_form(fs, CAR(CDR(args)), env, (CcCtx){false, true});
    cc_emit_op(fs, OP_THROW);
    cc_set_depth(fs, d + 1);
    (void)ctx;
}

static void comp_unwind_protect(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args)) cc_error(fs, "UNWIND-PROTECT: missing protected form");
    int d0 = fs->depth;
    LispObj cleanup = cc_label_new(fs);
    cc_emit_jump(fs, OP_UWP, cleanup);
    LispObj inner = lisp_cons(fs->tc, cc_entry(fs->tc, 1, fx_make(ENT_FRAME)), env);
    cc_form(fs, CAR(args), inner, (CcCtx){false, true});
    cc_emit_op(fs, OP_UWP_NORMAL);
    cc_label_place(fs, cleanup);
    cc_set_depth(fs, d0 + 2);
    for (LispObj l = CDR(args); cons_p(l); l = CDR(l)) {
        cc_form(fs, CAR(l), env, VALUE);
        cc_emit_op(fs, OP_POP);
        cc_push_depth(fs, -1);
    }
    cc_emit_op(fs, OP_UWP_END);
    cc_set_depth(fs, d0 + 1);
    (void)ctx;
}

/* ---- multiple values ---- */

static void comp_mv_call(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args)) cc_error(fs, "MULTIPLE-VALUE-CALL: missing function form");
    int d0 = fs->depth;
    cc_form(fs, CAR(args), env, VALUE);
    size_t n = 0;
    for (LispObj l = CDR(args); cons_p(l); l = CDR(l), n++) {
        cc_form(fs, CAR(l), env, (CcCtx){false, true});
        cc_emit_op(fs, OP_MV_LIST);
    }
    if (n > 256) cc_error(fs, "MULTIPLE-VALUE-CALL: more than 256 value forms");
    cc_emit_op_u16(fs, OP_MV_CALL, n);
    cc_set_depth(fs, d0 + 1);
    (void)ctx;
}

static void comp_mv_prog1(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args)) cc_error(fs, "MULTIPLE-VALUE-PROG1: missing first form");
    cc_form(fs, CAR(args), env, (CcCtx){false, true});
    cc_emit_op(fs, OP_MV_LIST);
    for (LispObj l = CDR(args); cons_p(l); l = CDR(l)) {
        cc_form(fs, CAR(l), env, VALUE);
        cc_emit_op(fs, OP_POP);
        cc_push_depth(fs, -1);
    }
    cc_emit_op(fs, OP_MV_RESTORE);
    (void)ctx;
}

/* (sys:%mv-bind (vars...) values-form body...) — multiple-value-bind's core. */
static void comp_mv_bind(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    ThContext *tc = fs->tc;
    if (!cons_p(args) || !cons_p(CDR(args))) cc_error(fs, "MULTIPLE-VALUE-BIND: wants variables and a values form");
    LispObj vars = CAR(args), specials, doc;
    size_t n = lisp_list_length(tc, vars);
    LispObj body = cc_split_declarations(tc, CDR(CDR(args)), &specials, &doc, false);
    int d0 = fs->depth, bind_slot = -1;
    bool dyn = binds_special_p(vars, specials);
    if (dyn) {
        emit_const(fs, NIL);
        bind_slot = d0;
        cc_emit_op_u16(fs, OP_SAVE_BIND, (size_t)bind_slot);
    }
    int base = fs->depth;
    for (size_t i = 0; i < n; i++) emit_const(fs, NIL);
    cc_form(fs, CAR(CDR(args)), env, (CcCtx){false, true});
    cc_emit_op(fs, OP_MV_LOCALS);
    cc_emit_u16(fs, (size_t)base);
    cc_emit_u16(fs, n);
    cc_push_depth(fs, -1);
    LispObj inner = env;
    int i = 0;
    for (LispObj l = vars; cons_p(l); l = CDR(l), i++) inner = cc_bind_param(fs, CAR(l), base + i, specials, inner, bind_slot);
    if (dyn) inner = lisp_cons(tc, cc_entry(tc, 2, fx_make(ENT_DYNBIND), fx_make(bind_slot)), inner);
    inner = declare_specials(fs, specials, inner);
    cc_progn(fs, body, inner, dyn ? (CcCtx){false, ctx.mv} : ctx);
    if (dyn) cc_emit_op_u16(fs, OP_UNBIND_TO, (size_t)bind_slot);
    cc_emit_op_u16(fs, OP_SET_SP_KEEP, (size_t)d0);
    cc_set_depth(fs, d0 + 1);
}

/* ---- flet, labels, macrolet, symbol-macrolet ---- */

static LispObj fun_entry(CcFn *fs, LispObj name, int slot) {
    int64_t site = cc_next_site(fs);
    bool boxed = cc_site_member(fs->unit->boxed_sites, site);
    return cc_entry(fs->tc, 6, fx_make(ENT_FUN), name, fx_make(fs->level), fx_make(slot), boxed ? T : NIL,
                    fx_make(site));
}

static void check_fdef(CcFn *fs, LispObj def) {
    if (!cons_p(def) || !cons_p(CDR(def))) cc_error(fs, "malformed local function definition %v", def);
}

static void comp_flet(CcFn *fs, LispObj args, LispObj env, CcCtx ctx, bool labels) {
    ThContext *tc = fs->tc;
    if (!cons_p(args)) cc_error(fs, "%s: missing definitions", labels ? "LABELS" : "FLET");
    LispObj defs = CAR(args), inner = env;
    lisp_list_length(tc, defs);
    int d0 = fs->depth, i = 0;
    if (labels) {
        for (LispObj l = defs; cons_p(l); l = CDR(l), i++) {
            check_fdef(fs, CAR(l));
            emit_const(fs, NIL);
            LispObj e = fun_entry(fs, CAR(CAR(l)), d0 + i);
            if (ent(e, E_BOXED) != NIL) cc_emit_op_u16(fs, OP_MAKE_CELL, (size_t)(d0 + i));
            inner = lisp_cons(tc, e, inner);
        }
        for (LispObj l = defs; cons_p(l); l = CDR(l)) {
            LispObj def = CAR(l);
            cc_lambda(fs, CAR(def), CAR(CDR(def)), CDR(CDR(def)), inner, true);
            emit_var_write(fs, env_find(inner, ENT_FUN, ENT_FUN, CAR(def)));
            cc_emit_op(fs, OP_POP);
            cc_push_depth(fs, -1);
        }
    } else {
        for (LispObj l = defs; cons_p(l); l = CDR(l)) {
            LispObj def = CAR(l);
            check_fdef(fs, def);
            cc_lambda(fs, CAR(def), CAR(CDR(def)), CDR(CDR(def)), env, true);
        }
        for (LispObj l = defs; cons_p(l); l = CDR(l), i++) {
            LispObj e = fun_entry(fs, CAR(CAR(l)), d0 + i);
            if (ent(e, E_BOXED) != NIL) cc_emit_op_u16(fs, OP_MAKE_CELL, (size_t)(d0 + i));
            inner = lisp_cons(tc, e, inner);
        }
    }
    LispObj specials, doc;
    LispObj body = cc_split_declarations(tc, CDR(args), &specials, &doc, false);
    cc_progn(fs, body, declare_specials(fs, specials, inner), ctx.tail ? (CcCtx){false, true} : ctx);
    cc_emit_op_u16(fs, OP_SET_SP_KEEP, (size_t)d0);
    cc_set_depth(fs, d0 + 1);
}

static void comp_macrolet(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    ThContext *tc = fs->tc;
    if (!cons_p(args)) cc_error(fs, "MACROLET: missing definitions");
    LispObj inner = env;
    for (LispObj l = CAR(args); cons_p(l); l = CDR(l)) {
        LispObj def = CAR(l);
        if (!cons_p(def) || !symbol_p(CAR(def)) || !cons_p(CDR(def)))
            cc_error(fs, "MACROLET: malformed definition %v", def);
        /* (sys:%make-macro-function name lambda-list body) → a lambda form */
        LispObj maker = pkg_intern_cstr(tc, "%MAKE-MACRO-FUNCTION", pkg_system);
        LispObj lam = vm_funcall(tc, maker, 3, (LispObj[]){CAR(def), CAR(CDR(def)), CDR(CDR(def))});
        LispObj fn = vm_eval(tc, lisp_list(tc, 2, S(FUNCTION), lam));
        inner = lisp_cons(tc, cc_entry(tc, 3, fx_make(ENT_MACRO), CAR(def), fn), inner);
    }
    comp_locally(fs, CDR(args), inner, ctx);
}

static void comp_symbol_macrolet(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    ThContext *tc = fs->tc;
    if (!cons_p(args)) cc_error(fs, "SYMBOL-MACROLET: missing definitions");
    LispObj inner = env;
    for (LispObj l = CAR(args); cons_p(l); l = CDR(l)) {
        LispObj def = CAR(l);
        if (!cons_p(def) || !symbol_p(CAR(def)) || !cons_p(CDR(def)) || CDR(CDR(def)) != NIL)
            cc_error(fs, "SYMBOL-MACROLET: malformed definition %v", def);
        if (sym_flag_p(CAR(def), SYMF_SPECIAL | SYMF_CONSTANT))
            cc_error(fs, "SYMBOL-MACROLET: %v names a special variable or constant", CAR(def));
        inner = lisp_cons(tc, cc_entry(tc, 3, fx_make(ENT_SMACRO), CAR(def), CAR(CDR(def))), inner);
    }
    comp_locally(fs, CDR(args), inner, ctx);
}

LispObj cc_toplevel_env(ThContext *tc, LispObj form, LispObj env, LispObj *body) {
    LispObj op = CAR(form), args = CDR(form), specials, doc;
    if (op != S(LOCALLY)) {
        if (!cons_p(args)) cond_program_error(tc, "%v: missing definitions", op);
        for (LispObj l = CAR(args); cons_p(l); l = CDR(l)) {
            LispObj def = CAR(l);
            if (!cons_p(def) || !symbol_p(CAR(def)) || !cons_p(CDR(def)))
                cond_program_error(tc, "%v: malformed definition %v", op, def);
            LispObj entry;
            if (op == S(MACROLET)) {
                LispObj maker = pkg_intern_cstr(tc, "%MAKE-MACRO-FUNCTION", pkg_system);
                LispObj lam = vm_funcall(tc, maker, 3, (LispObj[]){CAR(def), CAR(CDR(def)), CDR(CDR(def))});
                LispObj fn = vm_eval(tc, lisp_list(tc, 2, S(FUNCTION), lam));
                entry = cc_entry(tc, 3, fx_make(ENT_MACRO), CAR(def), fn);
            } else {
                entry = cc_entry(tc, 3, fx_make(ENT_SMACRO), CAR(def), CAR(CDR(def)));
            }
            env = lisp_cons(tc, entry, env);
        }
        args = CDR(args);
    }
    *body = cc_split_declarations(tc, args, &specials, &doc, false);
    for (LispObj l = specials; cons_p(l); l = CDR(l))
        env = lisp_cons(tc, cc_entry(tc, 2, fx_make(ENT_SPECIAL), CAR(l)), env);
    return env;
}

/* ---- eval-when, load-time-value, the, quote ---- */

static void comp_eval_when(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args)) cc_error(fs, "EVAL-WHEN: missing situations");
    bool exec = false;
    for (LispObj l = CAR(args); cons_p(l); l = CDR(l))
        exec |= CAR(l) == S(EXECUTE_KW) || CAR(l) == S(EVAL);
    cc_progn(fs, exec ? CDR(args) : NIL, env, ctx);
}

static void comp_load_time_value(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args)) cc_error(fs, "LOAD-TIME-VALUE: missing form");
    if (fs->unit->file_mode) {  /* evaluated when the FASL is loaded (fasl.c) */
        LispObj code = cc_compile_toplevel_code(fs->tc, CAR(args), NIL, true);
        emit_const(fs, cell_make(fs->tc, code));
    } else {
        emit_const(fs, vm_eval(fs->tc, CAR(args)));
    }
    finish_single(fs, ctx);
}

static void comp_quote(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    if (!cons_p(args) || CDR(args) != NIL) cc_error(fs, "QUOTE: wants exactly one argument");
    emit_const(fs, CAR(args));
    finish_single(fs, ctx);
}

/* THE in safe code checks its values (CLHS 3.5 / THE): one value through
 * sys:%the-check; when every value is wanted, all of them through
 * sys:%the-check-values.  T and * need no check. */
static void comp_the(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    ThContext *tc = fs->tc;
    if (!cons_p(args) || !cons_p(CDR(args)) || CDR(CDR(args)) != NIL)
        cc_error(fs, "THE: wants a type and a form");
    LispObj type = CAR(args), form = CAR(CDR(args));
    if (type == T || type == S(STAR)) {
        cc_form(fs, form, env, ctx);
        return;
    }
    LispObj qtype = lisp_list(tc, 2, S(QUOTE), type);
    if (!ctx.mv && !(cons_p(type) && CAR(type) == S(VALUES))) {
        cc_form(fs, lisp_list(tc, 3, S(TY_THE_CHECK), form, qtype), env, ctx);
        return;
    }
    LispObj fn = lisp_list(tc, 2, S(FUNCTION), S(TY_THE_CHECK_VALUES));
    cc_form(fs, lisp_list(tc, 4, S(MULTIPLE_VALUE_CALL), fn, qtype, form), env, ctx);
}

/* ---- calls ---- */

typedef struct Inline { int sym; int nargs; enum VmOpcode op; } Inline;
static const Inline inlines[] = {
    {SYM_CAR, 1, OP_CAR},     {SYM_CDR, 1, OP_CDR},    {SYM_CONS, 2, OP_CONS},  {SYM_EQ, 2, OP_EQ},
    {SYM_NOT, 1, OP_NOT},     {SYM_NULL, 1, OP_NOT},   {SYM_PLUS, 2, OP_ADD},   {SYM_MINUS, 2, OP_SUB},
    {SYM_NUM_LT, 2, OP_LT},   {SYM_NUM_GT, 2, OP_GT},  {SYM_NUM_LE, 2, OP_LE},  {SYM_NUM_GE, 2, OP_GE},
    {SYM_NUM_EQ, 2, OP_NUM_EQ}, {SYM_ONE_PLUS, 1, OP_ADD1}, {SYM_ONE_MINUS, 1, OP_SUB1},
};

/* (+ x 1), (+ 1 x), (- x 1) → (1+ x) / (1- x). */
static bool comp_increment(CcFn *fs, LispObj op, LispObj args, size_t nargs, LispObj env, CcCtx ctx) {
    if (nargs != 2 || (op != S(PLUS) && op != S(MINUS))) return false;
    LispObj a = CAR(args), b = CAR(CDR(args)), one = fx_make(1);
    if (b != one && !(op == S(PLUS) && a == one)) return false;
    if (env_find(env, ENT_FUN, ENT_MACRO, op) != NIL) return false;
    cc_form(fs, b == one ? a : b, env, VALUE);
    cc_emit_op(fs, op == S(PLUS) ? OP_ADD1 : OP_SUB1);
    finish_single(fs, ctx);
    return true;
}

/* (+ a b c ...) and (- a b c ...) fold left into the binary ops, as the
 * generic functions would compute them: (+ (+ a b) c) ... */
static bool comp_nary_arith(CcFn *fs, LispObj op, LispObj args, size_t nargs, LispObj env, CcCtx ctx) {
    if (nargs < 3 || (op != S(PLUS) && op != S(MINUS))) return false;
    if (env_find(env, ENT_FUN, ENT_MACRO, op) != NIL) return false;
    cc_form(fs, CAR(args), env, VALUE);
    for (LispObj l = CDR(args); cons_p(l); l = CDR(l)) {
        cc_form(fs, CAR(l), env, VALUE);
        cc_emit_op(fs, op == S(PLUS) ? OP_ADD : OP_SUB);
        cc_push_depth(fs, -1);
    }
    finish_single(fs, ctx);
    return true;
}

static bool comp_inline(CcFn *fs, LispObj op, LispObj args, size_t nargs, LispObj env, CcCtx ctx) {
    if (comp_increment(fs, op, args, nargs, env, ctx)) return true;
    if (comp_nary_arith(fs, op, args, nargs, env, ctx)) return true;
    for (size_t i = 0; i < sizeof inlines / sizeof inlines[0]; i++) {
        if (lisp_syms[inlines[i].sym] != op || (size_t)inlines[i].nargs != nargs) continue;
        if (env_find(env, ENT_FUN, ENT_MACRO, op) != NIL) return false;
        for (LispObj l = args; cons_p(l); l = CDR(l)) cc_form(fs, CAR(l), env, VALUE);
        cc_emit_op(fs, inlines[i].op);
        cc_push_depth(fs, 1 - (int)nargs);
        finish_single(fs, ctx);
        return true;
    }
    return false;
}

static void comp_call(CcFn *fs, LispObj op, LispObj args, LispObj env, CcCtx ctx) {
    size_t nargs = lisp_list_length(fs->tc, args);
    if (symbol_p(op) && comp_inline(fs, op, args, nargs, env, ctx)) return;
    int d0 = fs->depth;
    if (symbol_p(op)) {
        LispObj e = env_find(env, ENT_FUN, ENT_FUN, op);
        if (e != NIL) {
            emit_var_read(fs, e);
        } else {
            cc_note_free_function(fs, op);
            cc_emit_op_u16(fs, OP_FDEF, cc_const_index(fs, op));
            cc_push_depth(fs, 1);
        }
    } else if (lambda_form_p(op)) {
        comp_function(fs, lisp_list(fs->tc, 1, op), env, VALUE);
    } else {
        cc_error(fs, "illegal function call: %v is not a function name", op);
    }
    if (nargs > 0xffff) cc_error(fs, "too many arguments in a call (%zu)", nargs);
    for (LispObj l = args; cons_p(l); l = CDR(l)) cc_form(fs, CAR(l), env, VALUE);
    cc_emit_op_u16(fs, ctx.tail ? OP_TAIL_CALL : OP_CALL, nargs);
    cc_set_depth(fs, d0 + 1);
}

static void comp_funcall(CcFn *fs, LispObj args, LispObj env, CcCtx ctx) {
    size_t nargs = lisp_list_length(fs->tc, args);
    if (nargs == 0) cc_error(fs, "FUNCALL: missing function argument");
    int d0 = fs->depth;
    for (LispObj l = args; cons_p(l); l = CDR(l)) cc_form(fs, CAR(l), env, VALUE);
    cc_emit_op_u16(fs, ctx.tail ? OP_TAIL_CALL : OP_CALL, nargs - 1);
    cc_set_depth(fs, d0 + 1);
}

/* ---- dispatch ---- */

typedef void (*SpecialCompiler)(CcFn *, LispObj, LispObj, CcCtx);
static void comp_progn_form(CcFn *fs, LispObj a, LispObj e, CcCtx c) { cc_progn(fs, a, e, c); }
static void comp_let_form(CcFn *fs, LispObj a, LispObj e, CcCtx c) { comp_let(fs, a, e, c, false); }
static void comp_let_star(CcFn *fs, LispObj a, LispObj e, CcCtx c) { comp_let(fs, a, e, c, true); }
static void comp_flet_form(CcFn *fs, LispObj a, LispObj e, CcCtx c) { comp_flet(fs, a, e, c, false); }
static void comp_labels(CcFn *fs, LispObj a, LispObj e, CcCtx c) { comp_flet(fs, a, e, c, true); }

static const struct { int sym; SpecialCompiler fn; } specials_table[] = {
    {SYM_BLOCK, comp_block}, {SYM_CATCH, comp_catch}, {SYM_EVAL_WHEN, comp_eval_when},
    {SYM_FLET, comp_flet_form}, {SYM_FUNCTION, comp_function}, {SYM_GO, comp_go}, {SYM_IF, comp_if},
    {SYM_LABELS, comp_labels}, {SYM_LET, comp_let_form}, {SYM_LET_STAR, comp_let_star},
    {SYM_LOAD_TIME_VALUE, comp_load_time_value}, {SYM_LOCALLY, comp_locally}, {SYM_MACROLET, comp_macrolet},
    {SYM_MULTIPLE_VALUE_CALL, comp_mv_call}, {SYM_MULTIPLE_VALUE_PROG1, comp_mv_prog1},
    {SYM_PROGN, comp_progn_form}, {SYM_PROGV, comp_progv}, {SYM_QUOTE, comp_quote},
    {SYM_RETURN_FROM, comp_return_from}, {SYM_SETQ, comp_setq}, {SYM_SYMBOL_MACROLET, comp_symbol_macrolet},
    {SYM_TAGBODY, comp_tagbody}, {SYM_THE, comp_the}, {SYM_THROW, comp_throw},
    {SYM_UNWIND_PROTECT, comp_unwind_protect}, {SYM_MV_BIND, comp_mv_bind}, {SYM_FUNCALL, comp_funcall},
};

void cc_mark_special_operators(void) {
    for (size_t i = 0; i < sizeof specials_table / sizeof specials_table[0]; i++)
        if (specials_table[i].sym != SYM_FUNCALL && specials_table[i].sym != SYM_MV_BIND)
            sym_set_flag(lisp_syms[specials_table[i].sym], SYMF_SPECIAL_OPERATOR);
}

static bool comp_special(CcFn *fs, LispObj op, LispObj args, LispObj env, CcCtx ctx) {
    if (op == S(FUNCALL) && env_find(env, ENT_FUN, ENT_MACRO, op) != NIL) return false;
    for (size_t i = 0; i < sizeof specials_table / sizeof specials_table[0]; i++) {
        if (lisp_syms[specials_table[i].sym] == op) {
            specials_table[i].fn(fs, args, env, ctx);
            return true;
        }
    }
    return false;
}

void cc_form(CcFn *fs, LispObj form, LispObj env, CcCtx ctx) {
    ThContext *tc = fs->tc;
    vm_check_c_stack(tc);
    int d0 = fs->depth;
    for (;;) {
        if (symbol_p(form)) {
            comp_symbol(fs, form, env, ctx);
            break;
        }
        if (!cons_p(form)) {
            emit_const(fs, form);
            finish_single(fs, ctx);
            break;
        }
        LispObj op = CAR(form), args = CDR(form);
        if (symbol_p(op) && comp_special(fs, op, args, env, ctx)) break;
        bool expanded;
        LispObj expansion = cc_macroexpand_1(tc, form, env, &expanded);
        if (expanded) {
            form = expansion;
            continue;
        }
        comp_call(fs, op, args, env, ctx);
        break;
    }
    PT_ASSERT(fs->depth == d0 + 1);
    if (fs->depth != d0 + 1) pt_fatal("compiler stack depth mismatch compiling %d -> %d", d0, fs->depth);
}
