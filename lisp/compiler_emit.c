/* lisp/compiler_emit.c — writing bytecode: opcodes and operands into a
 * growable BYTES buffer, the constants table, labels with forward fix-ups,
 * and the static stack depth the rest of the compiler relies on.
 * Compile-time only; owner thread only. */
#include "lisp/compiler_impl.h"

static void ensure_room(CcFn *fs, size_t n) {
    LispBytes *b = (LispBytes *)obj_words(fs->code);
    size_t cap = (size_t)fx_value(b->length);
    if (fs->len + n <= cap) return;
    size_t ncap = cap * 2 + n;
    LispObj grown = bytes_make(fs->tc, ncap);
    memcpy(((LispBytes *)obj_words(grown))->bytes, ((LispBytes *)obj_words(fs->code))->bytes, fs->len);
    fs->code = grown;
}

static void emit_byte(CcFn *fs, unsigned v) {
    ensure_room(fs, 1);
    ((LispBytes *)obj_words(fs->code))->bytes[fs->len++] = (uint8_t)v;
}

/* The last opcode, if nothing can jump between it and here. */
static int fusable_last_op(CcFn *fs) {
    if (fs->len == 0 || fs->last_op != fs->len - 1 || fs->last_label == fs->len) return -1;
    return ((LispBytes *)obj_words(fs->code))->bytes[fs->last_op];
}

void cc_emit_op(CcFn *fs, enum VmOpcode op) {
    if (op == OP_RET && fusable_last_op(fs) == OP_SV) {  /* SV RET → RET1 */
        ((LispBytes *)obj_words(fs->code))->bytes[fs->last_op] = OP_RET1;
        return;
    }
    fs->last_op = fs->len;
    emit_byte(fs, op);
}

void cc_emit_u16(CcFn *fs, size_t v) {
    if (v > 0xffff) cc_error(fs, "form too large: operand %zu exceeds 65535", v);
    emit_byte(fs, v & 0xff);
    emit_byte(fs, (v >> 8) & 0xff);
}

void cc_emit_u32(CcFn *fs, uint32_t v) {
    for (int i = 0; i < 4; i++) emit_byte(fs, (v >> (8 * i)) & 0xff);
}

void cc_emit_op_u16(CcFn *fs, enum VmOpcode op, size_t v) {
    cc_emit_op(fs, op);
    cc_emit_u16(fs, v);
}

size_t cc_const_index(CcFn *fs, LispObj value) {
    size_t i = fs->nconsts;
    for (LispObj l = fs->consts; cons_p(l); l = CDR(l)) {
        i--;
        if (CAR(l) == value) return i;
    }
    fs->consts = lisp_cons(fs->tc, value, fs->consts);
    return fs->nconsts++;
}

/* A label is a vector [position or -1, list of fix-up offsets]. */
LispObj cc_label_new(CcFn *fs) {
    LispObj l = vec_make(fs->tc, 2, NIL);
    gc_init_store(&VEC(l)->items[0], fx_make(-1)); /* fresh label */
    return l;
}

static void patch_u32(CcFn *fs, size_t at, uint32_t v) {
    uint8_t *p = ((LispBytes *)obj_words(fs->code))->bytes + at;
    for (int i = 0; i < 4; i++) p[i] = (v >> (8 * i)) & 0xff;
}

void cc_label_place(CcFn *fs, LispObj label) {
    fs->last_label = fs->len;
    obj_set(&VEC(label)->items[0], fx_make((int64_t)fs->len));
    for (LispObj f = VEC(label)->items[1]; cons_p(f); f = CDR(f))
        patch_u32(fs, (size_t)fx_value(CAR(f)), (uint32_t)fs->len);
    obj_set(&VEC(label)->items[1], NIL);
}

void cc_emit_label_ref(CcFn *fs, LispObj label) {
    int64_t pos = fx_value(VEC(label)->items[0]);
    if (pos >= 0) {
        cc_emit_u32(fs, (uint32_t)pos);
        return;
    }
    LispObj fix = lisp_cons(fs->tc, fx_make((int64_t)fs->len), VEC(label)->items[1]);
    obj_set(&VEC(label)->items[1], fix);
    cc_emit_u32(fs, 0);
}

void cc_emit_jump(CcFn *fs, enum VmOpcode op, LispObj label) {
    cc_emit_op(fs, op);
    cc_emit_label_ref(fs, label);
}

void cc_push_depth(CcFn *fs, int delta) {
    fs->depth += delta;
    if (fs->depth > fs->max_depth) fs->max_depth = fs->depth;
}

void cc_set_depth(CcFn *fs, int depth) {
    fs->depth = depth;
    if (depth > fs->max_depth) fs->max_depth = depth;
}

LispObj cc_entry(ThContext *tc, size_t n, ...) {
    LispObj v = vec_make(tc, n, NIL);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) gc_init_store(&VEC(v)->items[i], va_arg(ap, LispObj));
    va_end(ap);
    return v;
}

int64_t cc_next_site(CcFn *fs) { return fs->unit->next_site++; }

bool cc_site_member(LispObj list, int64_t site) {
    for (; cons_p(list); list = CDR(list))
        if (CAR(list) == fx_make(site)) return true;
    return false;
}

void cc_learn(CcFn *fs, LispObj *list, int64_t site) {
    if (cc_site_member(*list, site)) return;
    *list = lisp_cons(fs->tc, fx_make(site), *list);
    fs->unit->changed = true;
}

void cc_error(CcFn *fs, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    LispObj msg = cond_format_message(fs->tc, fmt, ap);
    va_end(ap);
    LispObj c = condition_make(fs->tc, S(PROGRAM_ERROR), msg, NIL, NIL);
    cond_signal_error(fs->tc, c);
}
