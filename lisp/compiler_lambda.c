/* lisp/compiler_lambda.c — compiling a lambda: ordinary lambda lists
 * (CLHS 3.4.1: &optional, &rest, &key with keyword names and supplied-p,
 * &allow-other-keys, &aux), declarations, docstrings, and the code that
 * makes the closure in the enclosing function.
 *
 * Frame layout (vm.c bind_args fills the first part):
 *   [required][optional][rest][keys][supplied-p vars][saved binding height]
 * Absent optionals/keys arrive as LISP_UNSUPPLIED and the prologue compiled
 * here evaluates their init forms left to right, each seeing the parameters
 * before it. */
#include "lisp/compiler_impl.h"

typedef struct Param {
    LispObj var, init, svar, keyword;
    int slot, svar_slot;
} Param;

typedef struct LambdaList {
    LispObj req, opt, key, aux;  /* lists of parameter vectors */
    LispObj rest;                /* symbol or NIL */
    bool has_rest, has_key, allow_other;
    size_t nreq, nopt, nkey, naux;
} LambdaList;

/* Parameters are kept as Lisp vectors [var init svar keyword] while parsing. */
static LispObj param(ThContext *tc, LispObj var, LispObj init, LispObj svar, LispObj keyword) {
    return cc_entry(tc, 4, var, init, svar, keyword);
}

static void check_var(CcFn *fs, LispObj v, LispObj ll) {
    if (!symbol_p(v) || v == NIL || v == T || sym_keyword_p(v) || sym_flag_p(v, SYMF_CONSTANT))
        cc_error(fs, "lambda list %v: %v cannot be a parameter", ll, v);
    if (v == S(AND_OPTIONAL) || v == S(AND_REST) || v == S(AND_KEY) || v == S(AND_AUX) ||
        v == S(AND_ALLOW_OTHER_KEYS) || v == S(AND_BODY) || v == S(AND_WHOLE) || v == S(AND_ENVIRONMENT))
        cc_error(fs, "lambda list %v: misplaced %v", ll, v);
}

static LispObj keyword_of(ThContext *tc, LispObj sym) {
    return pkg_intern(tc, SYM(sym)->name, pkg_keyword, NULL);
}

/* One &optional / &key / &aux specifier. */
static LispObj parse_spec(CcFn *fs, LispObj spec, int section, LispObj ll) {
    ThContext *tc = fs->tc;
    LispObj var = spec, init = NIL, svar = NIL, keyword = NIL;
    if (cons_p(spec)) {
        size_t n = lisp_list_length(tc, spec);
        if (n > (section == 3 ? 2u : 3u)) cc_error(fs, "lambda list %v: malformed parameter %v", ll, spec);
        var = CAR(spec);
        if (n > 1) init = CAR(CDR(spec));
        if (n > 2) svar = CAR(CDR(CDR(spec)));
    }
    if (section == 2) {
        if (cons_p(var)) {
            if (!cons_p(CDR(var)) || CDR(CDR(var)) != NIL || !symbol_p(CAR(var)))
                cc_error(fs, "lambda list %v: malformed keyword parameter %v", ll, spec);
            keyword = CAR(var);
            var = CAR(CDR(var));
        } else if (symbol_p(var)) {
            keyword = keyword_of(tc, var);
        }
    }
    check_var(fs, var, ll);
    if (svar != NIL) check_var(fs, svar, ll);
    return param(tc, var, init, svar, keyword);
}

static void parse_lambda_list(CcFn *fs, LispObj ll, LambdaList *out) {
    ThContext *tc = fs->tc;
    *out = (LambdaList){NIL, NIL, NIL, NIL, NIL, false, false, false, 0, 0, 0, 0};
    int section = 0; /* 0 req, 1 opt, 2 key, 3 aux, 4 rest (expects one var), 5 after rest */
    lisp_list_length(tc, ll);
    for (LispObj l = ll; cons_p(l); l = CDR(l)) {
        LispObj x = CAR(l);
        if (x == S(AND_OPTIONAL)) {
            if (section >= 1) cc_error(fs, "lambda list %v: misplaced &OPTIONAL", ll);
            section = 1;
        } else if (x == S(AND_REST) || x == S(AND_BODY)) {
            if (section >= 2 || out->has_rest) cc_error(fs, "lambda list %v: misplaced %v", ll, x);
            if (!cons_p(CDR(l))) cc_error(fs, "lambda list %v: %v needs a variable", ll, x);
            l = CDR(l);
            check_var(fs, CAR(l), ll);
            out->rest = CAR(l);
            out->has_rest = true;
            section = 5;
        } else if (x == S(AND_KEY)) {
            if (section >= 2 && section != 5) cc_error(fs, "lambda list %v: misplaced &KEY", ll);
            section = 2;
            out->has_key = true;
        } else if (x == S(AND_ALLOW_OTHER_KEYS)) {
            if (section != 2) cc_error(fs, "lambda list %v: &ALLOW-OTHER-KEYS must follow &KEY", ll);
            out->allow_other = true;
            section = 6;
        } else if (x == S(AND_AUX)) {
            if (section == 3) cc_error(fs, "lambda list %v: repeated &AUX", ll);
            section = 3;
        } else if (x == S(AND_WHOLE) || x == S(AND_ENVIRONMENT)) {
            cc_error(fs, "lambda list %v: %v is allowed only in macro lambda lists", ll, x);
        } else if (section == 0) {
            check_var(fs, x, ll);
            out->req = lisp_cons(tc, param(tc, x, NIL, NIL, NIL), out->req);
            out->nreq++;
        } else if (section == 1) {
            out->opt = lisp_cons(tc, parse_spec(fs, x, 1, ll), out->opt);
            out->nopt++;
        } else if (section == 2) {
            out->key = lisp_cons(tc, parse_spec(fs, x, 2, ll), out->key);
            out->nkey++;
        } else if (section == 3) {
            out->aux = lisp_cons(tc, parse_spec(fs, x, 3, ll), out->aux);
            out->naux++;
        } else {
            cc_error(fs, "lambda list %v: unexpected %v", ll, x);
        }
    }
    out->req = lisp_nreverse(out->req);
    out->opt = lisp_nreverse(out->opt);
    out->key = lisp_nreverse(out->key);
    out->aux = lisp_nreverse(out->aux);
    if (out->nreq + out->nopt > 0xffff || out->nkey > 0xffff) cc_error(fs, "lambda list %v: too many parameters", ll);
}

LispObj cc_split_declarations(ThContext *tc, LispObj body, LispObj *specials, LispObj *doc, bool doc_allowed) {
    *specials = NIL;
    *doc = NIL;
    for (; cons_p(body); body = CDR(body)) {
        LispObj x = CAR(body);
        if (string_p(x) && doc_allowed && *doc == NIL && CDR(body) != NIL) {
            *doc = x;
            continue;
        }
        if (!cons_p(x) || CAR(x) != S(DECLARE)) break;
        for (LispObj d = CDR(x); cons_p(d); d = CDR(d)) {
            LispObj spec = CAR(d);
            if (!cons_p(spec)) cond_program_error(tc, "malformed declaration %v", spec);
            if (CAR(spec) != S(SPECIAL)) continue;
            for (LispObj v = CDR(spec); cons_p(v); v = CDR(v)) {
                if (!symbol_p(CAR(v))) cond_program_error(tc, "SPECIAL declaration of non-symbol %v", CAR(v));
                *specials = lisp_cons(tc, CAR(v), *specials);
            }
        }
    }
    return body;
}

static bool special_param_p(LispObj sym, LispObj specials) {
    if (sym_flag_p(sym, SYMF_SPECIAL)) return true;
    for (; cons_p(specials); specials = CDR(specials))
        if (CAR(specials) == sym) return true;
    return false;
}

static bool any_special(const LambdaList *ll, LispObj specials) {
    LispObj lists[4] = {ll->req, ll->opt, ll->key, ll->aux};
    for (int i = 0; i < 4; i++)
        for (LispObj l = lists[i]; cons_p(l); l = CDR(l)) {
            LispObj p = CAR(l);
            if (special_param_p(VEC(p)->items[0], specials)) return true;
            if (VEC(p)->items[2] != NIL && special_param_p(VEC(p)->items[2], specials)) return true;
        }
    return ll->has_rest && special_param_p(ll->rest, specials);
}

/* Binding of a parameter whose value is in slot (see compiler.c bind_var). */
LispObj cc_bind_param(CcFn *fs, LispObj sym, int slot, LispObj specials, LispObj env, int bind_slot);

static void emit_set_slot(CcFn *fs, int slot, bool value) {
    cc_emit_op(fs, value ? OP_T : OP_NIL);
    cc_emit_op_u16(fs, OP_SET_LOCAL, (size_t)slot);
    cc_emit_op(fs, OP_POP);
}

/* Prologue for an &optional or &key parameter in slot: default and supplied-p. */
static LispObj emit_defaulted(CcFn *fs, LispObj p, int slot, int svar_slot, LispObj specials, LispObj env,
                              int bind_slot) {
    LispObj var = VEC(p)->items[0], init = VEC(p)->items[1], svar = VEC(p)->items[2];
    LispObj lsup = cc_label_new(fs), lend = cc_label_new(fs);
    cc_emit_op(fs, OP_JUMP_SUPPLIED);
    cc_emit_u16(fs, (size_t)slot);
    cc_emit_label_ref(fs, lsup);
    cc_form(fs, init, env, (CcCtx){false, false});
    cc_emit_op_u16(fs, OP_SET_LOCAL, (size_t)slot);
    cc_emit_op(fs, OP_POP);
    cc_push_depth(fs, -1);
    if (svar != NIL) emit_set_slot(fs, svar_slot, false);
    cc_emit_jump(fs, OP_JUMP, lend);
    cc_label_place(fs, lsup);
    if (svar != NIL) emit_set_slot(fs, svar_slot, true);
    cc_label_place(fs, lend);
    env = cc_bind_param(fs, var, slot, specials, env, bind_slot);
    if (svar != NIL) env = cc_bind_param(fs, svar, svar_slot, specials, env, bind_slot);
    return env;
}

static LispObj vector_of_keywords(ThContext *tc, const LambdaList *ll) {
    if (!ll->has_key) return NIL;
    LispObj v = vec_make(tc, ll->nkey, NIL);
    size_t i = 0;
    for (LispObj l = ll->key; cons_p(l); l = CDR(l)) gc_init_store(&VEC(v)->items[i++], VEC(CAR(l))->items[3]);
    return v;
}

static LispObj finish_code(CcFn *fs, LispObj name, LispObj lambda_list, LispObj doc, const LambdaList *ll,
                           size_t nlocals) {
    ThContext *tc = fs->tc;
    LispObj bytes = bytes_make(tc, fs->len);
    memcpy(((LispBytes *)obj_words(bytes))->bytes, ((LispBytes *)obj_words(fs->code))->bytes, fs->len);
    LispObj consts = vec_make(tc, fs->nconsts, NIL);
    size_t i = fs->nconsts;
    for (LispObj l = fs->consts; cons_p(l); l = CDR(l)) gc_init_store(&VEC(consts)->items[--i], CAR(l));
    unsigned flags = (ll->has_rest ? ARITY_REST : 0) | (ll->has_key ? ARITY_KEY : 0) |
                     (ll->allow_other ? ARITY_ALLOW_OTHER : 0);
    LispObj code = obj_alloc(tc, KIND_CODE, CODE_NWORDS);
    LispCode *c = CODE(code);
    gc_init_store(&c->name, name);
    gc_init_store(&c->bytecode, bytes);
    gc_init_store(&c->constants, consts);
    gc_init_store(&c->arity, arity_make((unsigned)ll->nreq, (unsigned)ll->nopt, flags, (unsigned)ll->nkey));
    gc_init_store(&c->keys, vector_of_keywords(tc, ll));
    gc_init_store(&c->nlocals, code_frame_word(nlocals, (size_t)fs->max_depth));
    gc_init_store(&c->lambda_list, lambda_list);
    gc_init_store(&c->doc, doc);
    return code;
}

static LispObj block_name_of(LispObj name) {
    if (cons_p(name) && cons_p(CDR(name))) return CAR(CDR(name)); /* (setf foo) → foo */
    return name;
}

/* Compiles a function body into fs (fresh) and returns its CODE object. */
LispObj cc_function(CcFn *fs, LispObj name, LispObj lambda_list, LispObj body, LispObj env, bool block_named) {
    ThContext *tc = fs->tc;
    LambdaList ll;
    parse_lambda_list(fs, lambda_list, &ll);
    LispObj specials, doc;
    body = cc_split_declarations(tc, body, &specials, &doc, true);
    size_t nsvars = 0;
    for (LispObj l = ll.opt; cons_p(l); l = CDR(l)) nsvars += VEC(CAR(l))->items[2] != NIL;
    for (LispObj l = ll.key; cons_p(l); l = CDR(l)) nsvars += VEC(CAR(l))->items[2] != NIL;
    bool dyn = any_special(&ll, specials);
    size_t nargslots = ll.nreq + ll.nopt + (ll.has_rest ? 1 : 0) + ll.nkey;
    size_t nlocals = nargslots + nsvars + (dyn ? 1 : 0);
    int bind_slot = dyn ? (int)(nlocals - 1) : -1;
    cc_set_depth(fs, (int)nlocals);
    if (dyn) cc_emit_op_u16(fs, OP_SAVE_BIND, (size_t)bind_slot);
    env = lisp_cons(tc, cc_entry(tc, 2, fx_make(ENT_LAMBDA), fx_make(fs->level)), env);
    int slot = 0, svar_slot = (int)nargslots;
    for (LispObj l = ll.req; cons_p(l); l = CDR(l))
        env = cc_bind_param(fs, VEC(CAR(l))->items[0], slot++, specials, env, bind_slot);
    for (LispObj l = ll.opt; cons_p(l); l = CDR(l)) {
        bool sv = VEC(CAR(l))->items[2] != NIL;
        env = emit_defaulted(fs, CAR(l), slot++, sv ? svar_slot : -1, specials, env, bind_slot);
        svar_slot += sv;
    }
    if (ll.has_rest) env = cc_bind_param(fs, ll.rest, slot++, specials, env, bind_slot);
    for (LispObj l = ll.key; cons_p(l); l = CDR(l)) {
        bool sv = VEC(CAR(l))->items[2] != NIL;
        env = emit_defaulted(fs, CAR(l), slot++, sv ? svar_slot : -1, specials, env, bind_slot);
        svar_slot += sv;
    }
    for (LispObj l = ll.aux; cons_p(l); l = CDR(l)) {
        int s = fs->depth;
        cc_form(fs, VEC(CAR(l))->items[1], env, (CcCtx){false, false});
        env = cc_bind_param(fs, VEC(CAR(l))->items[0], s, specials, env, bind_slot);
    }
    if (dyn) env = lisp_cons(tc, cc_entry(tc, 2, fx_make(ENT_DYNBIND), fx_make(bind_slot)), env);
    for (LispObj l = specials; cons_p(l); l = CDR(l))
        env = lisp_cons(tc, cc_entry(tc, 2, fx_make(ENT_SPECIAL), CAR(l)), env);
    if (block_named && name != NIL)
        body = lisp_list(tc, 1, lisp_cons(tc, S(BLOCK), lisp_cons(tc, block_name_of(name), body)));
    cc_progn(fs, body, env, (CcCtx){!dyn, true});
    if (dyn) cc_emit_op_u16(fs, OP_UNBIND_TO, (size_t)bind_slot);
    cc_emit_op(fs, OP_RET);
    return finish_code(fs, name, lambda_list, doc, &ll, nlocals);
}

void cc_init_fn(CcFn *fs, CcFn *parent, CcUnit *unit, ThContext *tc, LispObj name) {
    *fs = (CcFn){parent, unit, tc, parent ? parent->level + 1 : 0, bytes_make(tc, 256), 0, NIL, 0, 0, 0, NIL, 0, name,
                 (size_t)-1, (size_t)-1};
}

LispObj cc_lambda(CcFn *parent, LispObj name, LispObj lambda_list, LispObj body, LispObj env, bool block_named) {
    CcFn fs;
    cc_init_fn(&fs, parent, parent->unit, parent->tc, name);
    LispObj code = cc_function(&fs, name, lambda_list, body, env, block_named);
    /* Push what the closure captures, in index order, then make it. */
    LispObj caps = lisp_nreverse(fs.captured);
    size_t n = 0;
    for (LispObj l = caps; cons_p(l); l = CDR(l), n++) cc_emit_entry_ref(parent, CAR(l));
    cc_emit_op(parent, OP_CLOSURE);
    cc_emit_u16(parent, cc_const_index(parent, code));
    cc_emit_u16(parent, n);
    cc_push_depth(parent, 1 - (int)n);
    return code;
}
