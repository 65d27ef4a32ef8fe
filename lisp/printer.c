/* lisp/printer.c — the Lisp printer: prin1, princ, write (CLHS 22.1).
 *
 * One walk, driven by a Printer record that captures the *print-...*
 * variables once (PrOptions) so the walk does not look up specials per
 * object.  Each kind of object has its own small printer, chosen through a
 * table indexed by the object kind.
 *
 * Termination guarantees, whatever the data:
 *  - *print-circle* true: a pre-pass counts how often each cons, vector and
 *    uninterned symbol is reached; those reached twice get #n= labels on first
 *    print and #n# afterwards, so every object is printed at most once.  The
 *    table is an open-addressed Lisp vector keyed by the object (the GC does
 *    not move objects).  Being a heap object, it is reclaimed by the collector
 *    even when a signal unwinds the printer: nothing to free, nothing leaked.
 *  - *print-circle* false: a budget of PRINT_BUDGET elements per top-level
 *    print and a nesting limit of PRINT_MAX_DEPTH stop circular data with
 *    "..." instead of looping forever.
 * The nesting limit also bounds C recursion (the walk recurses on CARs and
 * vector items, iterates on CDRs).
 * No global mutable state; any thread. */
#include "lisp/lisp.h"
#include "lisp/printer_impl.h"
#include "lisp/array_impl.h"
#include "lisp/vm_impl.h"
#include "lisp/hashtable_impl.h"
#include "lisp/num_impl.h"

#include <stdlib.h>

enum {
    PRINT_MAX_DEPTH = 10000,
    CIRCLE_INITIAL = 64,   /* table slots (pairs) */
};
#define PRINT_BUDGET 10000000u

typedef struct Printer {
    ThContext *tc;
    LispObj stream;
    PrOptions o;
    LispObj circle;        /* VECTOR [key, count/label]*, or NIL */
    size_t circle_used;    /* keys in the table */
    int64_t next_label;
    uint64_t budget;       /* elements left (only when circle is NIL) */
    LispObj shared;        /* (circle . next-label) bound to *print-circle-state*, or NIL */
} Printer;

static void print_object(Printer *p, LispObj x, int depth);

/* ---- Small output helpers ---- */

static void put(Printer *p, uint32_t c) { stm_write_char(p->tc, p->stream, c); }
static void puts_(Printer *p, const char *s) { stm_write_cstr(p->tc, p->stream, s); }
static bool escaping(const Printer *p) { return p->o.escape || p->o.readably; }

/* "#<...>" objects cannot be read back: *print-readably* makes that an
 * error, whose :object is x (CLHS print-not-readable). */
static void check_readable(Printer *p, const char *what, LispObj x) {
    if (!p->o.readably) return;
    LispObj msg = cond_format_message_v(p->tc, "cannot print a %s readably", what);
    LispObj plist = lisp_list(p->tc, 2, pkg_intern_cstr(p->tc, "OBJECT", pkg_keyword), x);
    cond_signal_error(p->tc, condition_make(p->tc, S(PRINT_NOT_READABLE), msg, NIL, plist));
}

static void put_address(Printer *p, LispObj x) {
    char buf[32];
    snprintf(buf, sizeof buf, " {%llX}", (unsigned long long)(x & ~(LispObj)GC_TAG_MASK));
    puts_(p, buf);
}

/* ---- Options ---- */

static bool flag_value(ThContext *tc, LispObj sym, bool dflt) {
    LispObj v = sym_value(tc, sym);
    return v == LISP_UNBOUND ? dflt : v != NIL;
}

static int64_t limit_value(ThContext *tc, LispObj sym) {
    LispObj v = sym_value(tc, sym);
    return (fx_p(v) && fx_value(v) >= 0) ? fx_value(v) : -1;
}

static int base_value(ThContext *tc, LispObj sym) {
    LispObj v = sym_value(tc, sym);
    return (fx_p(v) && fx_value(v) >= 2 && fx_value(v) <= 36) ? (int)fx_value(v) : 10;
}

void pr_options_from_specials(ThContext *tc, PrOptions *o) {
    o->escape = flag_value(tc, S(STAR_PRINT_ESCAPE), true);
    o->readably = flag_value(tc, S(STAR_PRINT_READABLY), false);
    o->radix = flag_value(tc, S(STAR_PRINT_RADIX), false);
    o->circle = flag_value(tc, S(STAR_PRINT_CIRCLE), false);
    o->pretty = flag_value(tc, S(STAR_PRINT_PRETTY), false);
    o->gensym = flag_value(tc, S(STAR_PRINT_GENSYM), true);
    o->array = flag_value(tc, S(STAR_PRINT_ARRAY), true);
    o->base = base_value(tc, S(STAR_PRINT_BASE));
    o->read_base = base_value(tc, S(STAR_READ_BASE));
    LispObj c = sym_value(tc, S(STAR_PRINT_CASE));
    o->print_case = (c == S(DOWNCASE_KW) || c == S(CAPITALIZE_KW)) ? c : S(UPCASE_KW);
    o->level = limit_value(tc, S(STAR_PRINT_LEVEL));
    o->length = limit_value(tc, S(STAR_PRINT_LENGTH));
}

/* ---- *print-circle* table ---- */

static bool circle_candidate(const Printer *p, LispObj x) {
    if (cons_p(x) || string_p(x) || vector_p(x)) return true;  /* SBCL labels "" and #() too */
    if (kind_p(x, KIND_INSTANCE)) return true;
    return symbol_p(x) && __atomic_load_n(&SYM(x)->package, __ATOMIC_ACQUIRE) == NIL && escaping(p) &&
           (p->o.gensym || p->o.readably);
}

static size_t circle_cap(const Printer *p) { return vec_length(p->circle) / 2; }

/* Slot index (key position) of x, or of the empty slot where it belongs. */
static size_t circle_slot(const Printer *p, LispObj x) {
    size_t mask = circle_cap(p) - 1;
    size_t i = (size_t)(((x >> 4) * UINT64_C(0x9E3779B97F4A7C15)) >> 20) & mask;
    const LispObj *items = VEC(p->circle)->items;
    while (items[2 * i] != 0 && items[2 * i] != x) i = (i + 1) & mask;
    return 2 * i;
}

/* Doubles the table; the new vector is fresh, so its slots are init-stored. */
static void circle_grow(Printer *p) {
    LispObj old = p->circle;
    size_t oldcap = vec_length(old) / 2;
    p->circle = vec_make(p->tc, oldcap * 4, fx_make(0));
    for (size_t i = 0; i < oldcap; i++) {
        LispObj key = VEC(old)->items[2 * i];
        if (key == 0) continue;
        size_t s = circle_slot(p, key);
        gc_init_store(&VEC(p->circle)->items[s], key);
        gc_init_store(&VEC(p->circle)->items[s + 1], VEC(old)->items[2 * i + 1]);
    }
}

/* Records a visit; true if x had been seen before (it is now "shared"). */
static bool circle_visit(Printer *p, LispObj x) {
    size_t s = circle_slot(p, x);
    LispObj *items = VEC(p->circle)->items;
    if (items[s] == x) {
        obj_set(&items[s + 1], fx_make(2));
        return true;
    }
    obj_set(&items[s], x);
    obj_set(&items[s + 1], fx_make(1));
    if (++p->circle_used * 2 > circle_cap(p)) circle_grow(p);
    return false;
}

/* Only what will be printed counts: nothing past *print-length* elements or
 * inside a container at *print-level* (printed as "..." and "#"). */
static bool scan_cut(const Printer *p, LispObj x, int depth, size_t i) {
    if (p->o.readably) return false;
    if (p->o.length >= 0 && i >= (size_t)p->o.length) return true;
    return p->o.level >= 0 && depth >= p->o.level && !string_p(x) && !symbol_p(x);
}

static void circle_scan(Printer *p, LispObj x, int depth) {
    for (size_t n = 0; circle_candidate(p, x) && depth < PRINT_MAX_DEPTH && !scan_cut(p, x, depth, 0) &&
                       !circle_visit(p, x); n++) {
        if (vector_p(x)) {
            for (size_t i = 0; i < vec_length(x) && !scan_cut(p, x, 0, i); i++)
                circle_scan(p, VEC(x)->items[i], depth + 1);
            return;
        }
        if (kind_p(x, KIND_INSTANCE)) {
            for (size_t i = 0; i < lisp_structure_slot_count(x) && !scan_cut(p, x, 0, i); i++)
                circle_scan(p, lisp_structure_slot(x, i), depth + 1);
            return;
        }
        if (!cons_p(x)) return;
        circle_scan(p, CAR(x), depth + 1);
        x = CDR(x);
        if (cons_p(x) && scan_cut(p, x, 0, n + 1)) return;  /* a dotted tail always prints */
    }
}

/* 0: not shared; -1: shared, no label yet; n > 0: label n already printed. */
static int64_t circle_state(const Printer *p, LispObj x) {
    if (p->circle == NIL || !circle_candidate(p, x)) return 0;
    size_t s = circle_slot(p, x);
    const LispObj *items = VEC(p->circle)->items;
    if (items[s] != x) return 0;
    int64_t v = fx_value(items[s + 1]);
    return v == 1 ? 0 : v == 2 ? -1 : -v;
}

/* Prints #n# and returns true if x was already labelled; prints #n= first
 * if x is shared and this is its first appearance. */
static bool circle_label(Printer *p, LispObj x) {
    int64_t st = circle_state(p, x);
    if (st == 0) return false;
    char buf[32];
    if (st > 0) {
        snprintf(buf, sizeof buf, "#%lld#", (long long)st);
        puts_(p, buf);
        return true;
    }
    int64_t n = ++p->next_label;
    obj_set(&VEC(p->circle)->items[circle_slot(p, x) + 1], fx_make(-n));
    snprintf(buf, sizeof buf, "#%lld=", (long long)n);
    puts_(p, buf);
    return false;
}

/* ---- Integers, ratios, complexes ---- */

static char digit_char(unsigned d) { return (char)(d < 10 ? '0' + d : 'A' + d - 10); }

/* Digits of |n| in base into buf (reversed order fixed up); returns length. */
static size_t u64_digits(uint64_t n, int base, char *buf) {
    char tmp[72];
    size_t k = 0;
    do { tmp[k++] = digit_char((unsigned)(n % (unsigned)base)); n /= (unsigned)base; } while (n);
    for (size_t i = 0; i < k; i++) buf[i] = tmp[k - 1 - i];
    buf[k] = 0;
    return k;
}

/* Bignum digits: GMP's mpn_get_str through bignum.c. */
static LispObj bignum_to_string(ThContext *tc, LispObj b, int base) {
    return int_to_string(tc, b, (unsigned)base);
}

LispObj pr_integer_to_string(ThContext *tc, LispObj x, int base) {
    if (!fx_p(x)) return bignum_to_string(tc, x, base);
    char buf[80];
    int64_t v = fx_value(x);
    buf[0] = '-';
    u64_digits(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, base, buf + (v < 0));
    return str_from_cstr(tc, buf);
}

static void write_integer_digits(Printer *p, LispObj x) {
    if (fx_p(x)) {
        char buf[80];
        int64_t v = fx_value(x);
        buf[0] = '-';
        u64_digits(v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v, p->o.base, buf + (v < 0));
        puts_(p, buf);
        return;
    }
    LispObj s = bignum_to_string(p->tc, x, p->o.base);
    stm_write_string(p->tc, p->stream, s, 0, str_length(s));
}

/* #b #o #x #NNr before a rational when *print-radix* (decimal integers get a
 * trailing point instead, ratios #10r). */
static void radix_prefix(Printer *p, bool integer) {
    if (!p->o.radix || (p->o.base == 10 && integer)) return;
    static const char *const marks[37] = { [2] = "#b", [8] = "#o", [16] = "#x" };
    if (marks[p->o.base]) { puts_(p, marks[p->o.base]); return; }
    char buf[8];
    snprintf(buf, sizeof buf, "#%dr", p->o.base);
    puts_(p, buf);
}

static void print_integer(Printer *p, LispObj x, int depth) {
    radix_prefix(p, true);
    write_integer_digits(p, x);
    if (p->o.radix && p->o.base == 10) put(p, '.');
}

static void print_ratio(Printer *p, LispObj x, int depth) {
    LispRatio *r = (LispRatio *)obj_words(x);
    radix_prefix(p, false);
    write_integer_digits(p, r->num);
    put(p, '/');
    write_integer_digits(p, r->den);
}

static void print_float(Printer *p, LispObj x, int depth) {
    char buf[96];
    pr_float_to_cstr(p->tc, x, buf, sizeof buf);
    puts_(p, buf);
}

static void print_complex(Printer *p, LispObj x, int depth) {
    LispObj *w = obj_words(x);
    puts_(p, "#C(");
    print_object(p, w[1], depth + 1);
    put(p, ' ');
    print_object(p, w[2], depth + 1);
    put(p, ')');
}

/* ---- Characters and strings ---- */

static const struct { uint32_t code; const char *name; } char_names[] = {
    {0, "Nul"}, {8, "Backspace"}, {9, "Tab"}, {10, "Newline"}, {12, "Page"},
    {13, "Return"}, {32, "Space"}, {127, "Rubout"},
};

const char *pr_char_name(uint32_t code) {
    for (size_t i = 0; i < sizeof char_names / sizeof char_names[0]; i++)
        if (char_names[i].code == code) return char_names[i].name;
    return NULL;
}

static bool graphic_p(uint32_t c) {
    return (c >= 32 && c < 127) || (c >= 160 && (c < 0xD800 || c > 0xDFFF) && c < CHAR_CODE_LIMIT);
}

static void print_character(Printer *p, LispObj x, int depth) {
    uint32_t c = char_code(x);
    if (!escaping(p)) { put(p, c); return; }
    puts_(p, "#\\");
    const char *name = pr_char_name(c);
    if (name) { puts_(p, name); return; }
    if (graphic_p(c)) { put(p, c); return; }
    char buf[16];
    snprintf(buf, sizeof buf, "U+%04X", (unsigned)c);
    puts_(p, buf);
}

static void print_string(Printer *p, LispObj x, int depth) {
    size_t n = str_length(x);
    if (!escaping(p)) { stm_write_string(p->tc, p->stream, x, 0, n); return; }
    put(p, '"');
    for (size_t i = 0; i < n; i++) {
        uint32_t c = STR(x)->chars[i];
        if (c == '"' || c == '\\') put(p, '\\');
        put(p, c);
    }
    put(p, '"');
}

/* ---- Symbols (CLHS 22.1.3.3) ---- */

/* Case is ASCII-only, the same choice the reader makes (rd_char_upcase):
 * a non-ASCII name reads back unchanged, so it needs no escape. */
static bool lower_p(uint32_t c) { return c >= 'a' && c <= 'z'; }
static bool upper_p(uint32_t c) { return c >= 'A' && c <= 'Z'; }
static bool alnum_p(uint32_t c) { return c < 128 && ((c | 32) - 'a' < 26 || c - '0' < 10); }

static int digit_weight(uint32_t c) {
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if ((c | 32) >= 'a' && (c | 32) <= 'z') return (int)((c | 32) - 'a' + 10);
    return 99;
}

/* CLHS 2.3.1.1: would this token be a potential number in base? */
static bool potential_number_p(const uint32_t *s, size_t n, int base) {
    bool dot = false, digit = false;
    for (size_t i = 0; i < n; i++) dot |= s[i] == '.';
    for (size_t i = 0; i < n; i++) {
        uint32_t c = s[i];
        bool letter = c < 128 && (c | 32) - 'a' < 26;
        if (digit_weight(c) < (dot ? 10 : base)) { digit = true; continue; }
        if (c == '+' || c == '-' || c == '/' || c == '.' || c == '^' || c == '_') continue;
        if (!letter) return false;
        /* a letter is a number marker only if no letter is next to it */
        bool prev = i > 0 && s[i - 1] < 128 && (s[i - 1] | 32) - 'a' < 26 && digit_weight(s[i - 1]) >= (dot ? 10 : base);
        bool next = i + 1 < n && s[i + 1] < 128 && (s[i + 1] | 32) - 'a' < 26 && digit_weight(s[i + 1]) >= (dot ? 10 : base);
        if (prev || next) return false;
    }
    uint32_t first = s[0], last = s[n - 1];
    bool good_start = digit_weight(first) < (dot ? 10 : base) || first == '+' || first == '-' ||
                      first == '.' || first == '^' || first == '_';
    return digit && good_start && last != '+' && last != '-';
}

/* Characters that end or change a token when read with the standard syntax. */
static bool special_in_token(uint32_t c) {
    return c <= ' ' || c == 127 || strchr("()'\";`,|\\:", (int)c) != NULL;
}

/* True if the name must be written |...| to read back as the same name. */
static bool needs_bars(const Printer *p, LispObj name) {
    size_t n = str_length(name);
    const uint32_t *s = STR(name)->chars;
    if (n == 0 || s[0] == '#') return true;
    bool all_dots = true;
    for (size_t i = 0; i < n; i++) {
        if (special_in_token(s[i]) || lower_p(s[i])) return true;
        all_dots &= s[i] == '.';
    }
    return all_dots || potential_number_p(s, n, p->o.base) || potential_number_p(s, n, p->o.read_base);
}

static uint32_t cased(const Printer *p, uint32_t c, bool word_start) {
    if (!upper_p(c) || p->o.print_case == S(UPCASE_KW)) return c;
    return (p->o.print_case == S(CAPITALIZE_KW) && word_start) ? c : c + 32;
}

static void write_name(Printer *p, LispObj name, bool escape) {
    size_t n = str_length(name);
    if (escape && needs_bars(p, name)) {
        put(p, '|');
        for (size_t i = 0; i < n; i++) {
            uint32_t c = STR(name)->chars[i];
            if (c == '|' || c == '\\') put(p, '\\');
            put(p, c);
        }
        put(p, '|');
        return;
    }
    bool word_start = true;
    for (size_t i = 0; i < n; i++) {
        uint32_t c = STR(name)->chars[i];
        put(p, cased(p, c, word_start));
        word_start = !alnum_p(c);
    }
}

static bool accessible_p(Printer *p, LispObj sym) {
    LispObj status = NIL;
    LispObj cur = pkg_current(p->tc);
    return package_p(cur) && pkg_find_symbol(p->tc, SYM(sym)->name, cur, &status) == sym && status != NIL;
}

static bool external_p(Printer *p, LispObj sym, LispObj home) {
    if (sym_flag_p(sym, SYMF_EXTERNAL)) return true;
    LispObj status = NIL;
    pkg_find_symbol(p->tc, SYM(sym)->name, home, &status);
    return status == S(EXTERNAL_KW);
}

/* The home package and its name are read once each: another thread may
 * unintern the symbol or delete the package while it prints (then it
 * prints as it was, or as uninterned), never a half-changed state. */
static void print_symbol(Printer *p, LispObj x, int depth) {
    if (!escaping(p)) { write_name(p, SYM(x)->name, false); return; }
    LispObj home = __atomic_load_n(&SYM(x)->package, __ATOMIC_ACQUIRE);
    LispObj pname = package_p(home) ? __atomic_load_n(&PKG(home)->name, __ATOMIC_ACQUIRE) : NIL;
    if (home == NIL || !string_p(pname)) {
        if (p->o.gensym || p->o.readably) puts_(p, "#:");
    } else if (home == pkg_keyword) {
        put(p, ':');
    } else if (!accessible_p(p, x)) {
        write_name(p, pname, true);
        puts_(p, external_p(p, x, home) ? ":" : "::");
    }
    write_name(p, SYM(x)->name, true);
}

/* ---- Lists and vectors ---- */

/* Reader-macro abbreviations for two-element forms: 'x #'x `x ,x ,@x ,.x */
static const char *abbreviation(LispObj x) {
    if (!cons_p(CDR(x)) || CDR(CDR(x)) != NIL) return NULL;
    LispObj op = CAR(x);
    if (op == S(QUOTE)) return "'";
    if (op == S(FUNCTION)) return "#'";
    if (op == S(QUASIQUOTE)) return "`";
    if (op == S(UNQUOTE)) return ",";
    if (op == S(UNQUOTE_SPLICING)) return ",@";
    if (op == S(UNQUOTE_NSPLICING)) return ",.";
    return NULL;
}

/* True if printing must stop here: *print-level* reached ("#"), or the
 * nesting guard ("..."). */
static bool too_deep(Printer *p, int depth) {
    if (p->o.level >= 0 && !p->o.readably && depth >= p->o.level) { put(p, '#'); return true; }
    if (depth >= PRINT_MAX_DEPTH) { puts_(p, "..."); return true; }
    return false;
}

/* Spends one element of the no-*print-circle* budget; false when exhausted. */
static bool spend(Printer *p) {
    if (p->circle != NIL) return true;
    if (p->budget == 0) return false;
    p->budget--;
    return true;
}

static bool length_reached(const Printer *p, int64_t i) {
    return p->o.length >= 0 && !p->o.readably && i >= p->o.length;
}

static void print_list(Printer *p, LispObj x, int depth) {
    const char *abbrev = abbreviation(x);
    if (abbrev && circle_state(p, CDR(x)) == 0) {
        puts_(p, abbrev);
        /* depth + 1: #1=(quote #1#) must still hit the nesting guard */
        print_object(p, CAR(CDR(x)), depth + 1);
        return;
    }
    if (too_deep(p, depth)) return;
    put(p, '(');
    for (int64_t i = 0;; i++) {
        if (length_reached(p, i) || !spend(p)) { puts_(p, "..."); break; }
        print_object(p, CAR(x), depth + 1);
        x = CDR(x);
        if (x == NIL) break;
        if (!cons_p(x) || circle_state(p, x) != 0) {
            puts_(p, " . ");
            print_object(p, x, depth + 1);
            break;
        }
        put(p, ' ');
    }
    put(p, ')');
}

static void print_vector(Printer *p, LispObj x, int depth) {
    size_t n = vec_length(x);
    if (!p->o.array && !p->o.readably) {
        char buf[48];
        snprintf(buf, sizeof buf, "#<SIMPLE-VECTOR %zu", n);
        puts_(p, buf);
        put_address(p, x);
        put(p, '>');
        return;
    }
    if (too_deep(p, depth)) return;
    puts_(p, "#(");
    for (size_t i = 0; i < n; i++) {
        if (i > 0) put(p, ' ');
        if (length_reached(p, (int64_t)i) || !spend(p)) { puts_(p, "..."); break; }
        print_object(p, VEC(x)->items[i], depth + 1);
    }
    put(p, ')');
}

/* ---- Arrays of the array layer (CLHS 22.1.3.6-7) ---- */

/* #<(SIMPLE-ARRAY ...) {address}>: *print-array* false. */
static void print_array_unreadably(Printer *p, LispObj x, int depth) {
    check_readable(p, "array", x);
    LispObj type_of = pkg_intern_cstr(p->tc, "TYPE-OF", pkg_common_lisp);
    LispObj type = vm_funcall1(p->tc, vm_fdefinition(p->tc, type_of), x);
    puts_(p, "#<");
    print_object(p, type, depth + 1);
    put_address(p, x);
    put(p, '>');
}

static void print_bits(Printer *p, LispObj x, size_t n) {
    puts_(p, "#*");
    for (size_t i = 0; i < n; i++) put(p, arr_row_ref(p->tc, x, i) == fx_make(1) ? '1' : '0');
}

/* The elements [*index, *index + the sub-array size) of axis on, nested. */
static void print_axis(Printer *p, LispObj x, size_t axis, size_t *index, int depth) {
    size_t rank = arr_rank(x);
    if (axis == rank) {
        print_object(p, arr_row_ref(p->tc, x, (*index)++), depth);
        return;
    }
    size_t n = axis == 0 && rank == 1 ? arr_vector_length(x) : arr_dimension(x, axis), sub = 1;
    for (size_t k = axis + 1; k < rank; k++) sub *= arr_dimension(x, k);
    if (too_deep(p, depth)) return;
    put(p, '(');
    for (size_t i = 0; i < n; i++) {
        if (i > 0) put(p, ' ');
        if (length_reached(p, (int64_t)i) || !spend(p)) { puts_(p, "..."); break; }
        size_t start = *index;
        print_axis(p, x, axis + 1, index, depth + 1);
        *index = start + sub;
    }
    put(p, ')');
}

/* *print-readably* and an element type #( and #nA cannot say: with
 * *read-eval*, #.(MAKE-ARRAY '<dims> :ELEMENT-TYPE '<type>
 * :INITIAL-CONTENTS '<nested lists>), else print-not-readable. */
static void print_array_by_eval(Printer *p, LispObj x, int depth) {
    LispObj re = sym_value(p->tc, S(STAR_READ_EVAL));
    if (re == NIL || re == LISP_UNBOUND) check_readable(p, "specialised array", x);
    LispObj dims = NIL;
    for (size_t k = arr_rank(x); k-- > 0;) dims = lisp_cons(p->tc, fx_make((int64_t)arr_dimension(x, k)), dims);
    puts_(p, "#.(MAKE-ARRAY '");
    print_object(p, dims, depth + 1);
    puts_(p, " :ELEMENT-TYPE '");
    print_object(p, arr_etype_spec(p->tc, arr_etype(x)), depth + 1);
    puts_(p, " :INITIAL-CONTENTS '");
    size_t index = 0;
    print_axis(p, x, 0, &index, depth);
    put(p, ')');
}

static void print_array(Printer *p, LispObj x, int depth) {
    size_t rank = arr_rank(x);
    if (arr_string_p(x)) { print_string(p, arr_simple_string(p->tc, x), depth); return; }
    if (!p->o.array && !p->o.readably) { print_array_unreadably(p, x, depth); return; }
    enum ArrEtype et = arr_etype(x);
    if (p->o.readably && et != ET_T && (rank != 1 || et != ET_BIT)) { print_array_by_eval(p, x, depth); return; }
    if (rank == 1 && et == ET_BIT) { print_bits(p, x, arr_vector_length(x)); return; }
    size_t index = 0;
    if (rank == 1) {
        put(p, '#');
    } else {
        char buf[32];
        snprintf(buf, sizeof buf, "#%zuA", rank);
        puts_(p, buf);
    }
    print_axis(p, x, 0, &index, depth);
}

/* ---- Unreadable objects: #<...> ---- */

static void print_package(Printer *p, LispObj x, int depth) {
    check_readable(p, "package", x);
    if (PKG(x)->name == NIL) {  /* DELETE-PACKAGE clears the name */
        puts_(p, "#<PACKAGE (deleted)>");
        return;
    }
    puts_(p, "#<PACKAGE \"");
    stm_write_string(p->tc, p->stream, PKG(x)->name, 0, str_length(PKG(x)->name));
    puts_(p, "\">");
}

static void print_function(Printer *p, LispObj x, int depth) {
    check_readable(p, "function", x);
    LispObj name = NIL, lambda_list = NIL;
    if (clos_gf_name(x, &name)) {  /* a generic function (src/clos-generic.lisp) */
        puts_(p, "#<STANDARD-GENERIC-FUNCTION ");
        print_object(p, name, depth + 1);
        put_address(p, x);
        put(p, '>');
        return;
    }
    if (kind_p(x, KIND_BUILTIN)) {
        name = ((LispBuiltin *)obj_words(x))->name;
    } else if (kind_p(CLO(x)->code, KIND_CODE)) {
        name = CODE(CLO(x)->code)->name;
        lambda_list = CODE(CLO(x)->code)->lambda_list;
    }
    puts_(p, "#<FUNCTION ");
    if (name != NIL) {
        print_object(p, name, depth + 1);
    } else {
        puts_(p, "(LAMBDA ");
        if (lambda_list == NIL) puts_(p, "()");
        else print_object(p, lambda_list, depth + 1);
        put(p, ')');
        put_address(p, x);
    }
    put(p, '>');
}

static void print_stream(Printer *p, LispObj x, int depth) {
    check_readable(p, "stream", x);
    puts_(p, "#<");
    puts_(p, stm_kind_name(x));
    if (string_p(STM(x)->name)) {
        put(p, ' ');
        print_string(p, STM(x)->name, depth);
    }
    put_address(p, x);
    put(p, '>');
}

/* Calls PRINT-OBJECT on x with prin1/princ's escaping in the specials
 * (CLHS 22.1.3.12: the method sees them). */
static void call_print_object(Printer *p, LispObj fn, LispObj x) {
    LispObj args[2] = {x, p->stream};
    size_t mark = p->tc->bind_top;
    sym_bind(p->tc, S(STAR_PRINT_ESCAPE), p->o.escape ? T : NIL);
    sym_bind(p->tc, S(STAR_PRINT_READABLY), p->o.readably ? T : NIL);
    vm_funcall(p->tc, fn, 2, args);
    sym_unbind_to(p->tc, mark);
}

/* Does a user PRINT-OBJECT method cover this condition?  src/clos-objects.lisp
 * lists the condition types that have one (the default method binds the
 * list to NIL around the standard printing). */
static bool condition_print_object_p(Printer *p, LispObj x) {
    LispObj types = sym_value(p->tc, S(CLOS_CONDITION_PRINTERS));
    for (LispObj l = types; cons_p(l); l = CDR(l))
        if (cond_typep(x, CAR(l))) return true;
    return false;
}

static void print_condition(Printer *p, LispObj x, int depth) {
    LispObj po = sym_function(S(CLOS_PRINT_OBJECT));
    if (po != LISP_UNBOUND && function_p(po) && condition_print_object_p(p, x)) {
        call_print_object(p, po, x);
        return;
    }
    LispObj report = cond_report_string(p->tc, x);
    if (!escaping(p)) {
        stm_write_string(p->tc, p->stream, report, 0, str_length(report));
        return;
    }
    check_readable(p, "condition", x);
    puts_(p, "#<");
    print_object(p, CND(x)->type, depth + 1);
    put(p, ' ');
    print_string(p, report, depth);
    put(p, '>');
}

static void print_code(Printer *p, LispObj x, int depth) {
    check_readable(p, "code object", x);
    puts_(p, "#<CODE ");
    print_object(p, CODE(x)->name, depth + 1);
    put_address(p, x);
    put(p, '>');
}

/* A structure instance (CLHS 22.1.3.12): its :print-object/:print-function
 * if it has one, else #S(NAME :SLOT value ...), which is readable and obeys
 * *print-level* and *print-length* like a list (slots count as elements). */
static void print_instance(Printer *p, LispObj x, int depth) {
    LispObj name = lisp_structure_name(x);
    if (name == NIL) {
        check_readable(p, "instance", x);
        puts_(p, "#<INSTANCE");
        put_address(p, x);
        put(p, '>');
        return;
    }
    bool print_object_p = false;
    LispObj fn = lisp_structure_printer(x, &print_object_p);
    if (fn != NIL) {
        LispObj args[3] = {x, p->stream, fx_make(depth)};
        /* the method sees prin1/princ's escaping in the specials (CLHS 22.1.3.12) */
        size_t mark = p->tc->bind_top;
        sym_bind(p->tc, S(STAR_PRINT_ESCAPE), p->o.escape ? T : NIL);
        sym_bind(p->tc, S(STAR_PRINT_READABLY), p->o.readably ? T : NIL);
        vm_funcall(p->tc, fn, print_object_p ? 2 : 3, args);
        sym_unbind_to(p->tc, mark);
        return;
    }
    if (too_deep(p, depth)) return;
    puts_(p, "#S(");
    print_object(p, name, depth + 1);
    size_t n = lisp_structure_slot_count(x);
    for (size_t i = 0; i < n; i++) {
        if (length_reached(p, (int64_t)i) || !spend(p)) { puts_(p, " ..."); break; }
        put(p, ' ');
        if (!escaping(p)) put(p, ':'); /* princ too shows keywords, as SBCL does */
        print_object(p, lisp_structure_slot_key(x, i), depth + 1);
        put(p, ' ');
        print_object(p, lisp_structure_slot(x, i), depth + 1);
    }
    put(p, ')');
}

/* A standard instance (CLOS): the generic function PRINT-OBJECT once
 * src/clos*.lisp defines it, else #<CLASS-NAME {address}>. */
static void print_std_instance(Printer *p, LispObj x, int depth) {
    LispObj fn = sym_function(S(CLOS_PRINT_OBJECT));
    if (fn != LISP_UNBOUND && function_p(fn)) {
        call_print_object(p, fn, x);
        return;
    }
    check_readable(p, "instance", x);
    puts_(p, "#<");
    print_object(p, clos_type_of(x), depth + 1);
    put_address(p, x);
    put(p, '>');
}

/* #<HASH-TABLE :TEST EQL :COUNT n {address}> */
static void print_hash_table(Printer *p, LispObj x, int depth) {
    char buf[32];
    check_readable(p, "hash table", x);
    puts_(p, "#<HASH-TABLE :TEST ");
    print_object(p, HT(x)->test, depth + 1);
    snprintf(buf, sizeof buf, " :COUNT %lld", (long long)fx_value(HT(x)->count));
    puts_(p, buf);
    put_address(p, x);
    put(p, '>');
}

/* Anything else: #<KIND [detail] {address}>; threads, locks and the like
 * say who they are (mt_print_detail: "name" state/owner). */
static void print_opaque(Printer *p, LispObj x, int depth) {
    unsigned k = obj_kind(x);
    const char *name = k < KIND_COUNT ? lisp_kind_names[k] : "UNKNOWN-OBJECT";
    check_readable(p, name, x);
    puts_(p, "#<");
    puts_(p, name);
    LispObj detail = mt_print_detail(p->tc, x);
    if (string_p(detail)) {
        put(p, ' ');
        stm_write_string(p->tc, p->stream, detail, 0, str_length(detail));
    }
    put_address(p, x);
    put(p, '>');
}

/* #<FOREIGN-POINTER #x7F0012345678>: the address it holds (ffi/pointer.c). */
static void print_foreign_pointer(Printer *p, LispObj x, int depth) {
    check_readable(p, "FOREIGN-POINTER", x);
    char buf[48];
    snprintf(buf, sizeof buf, "#<FOREIGN-POINTER #x%llX>", (unsigned long long)obj_words(x)[1]);
    puts_(p, buf);
}

typedef void (*KindPrinter)(Printer *p, LispObj x, int depth);
static const KindPrinter kind_printers[KIND_COUNT] = {
    [KIND_SYMBOL] = print_symbol,       [KIND_STRING] = print_string,
    [KIND_VECTOR] = print_vector,       [KIND_DOUBLE_FLOAT] = print_float,
    [KIND_RATIO] = print_ratio,         [KIND_COMPLEX] = print_complex,
    [KIND_BIGNUM] = print_integer,      [KIND_CODE] = print_code,
    [KIND_CLOSURE] = print_function,    [KIND_BUILTIN] = print_function,
    [KIND_PACKAGE] = print_package,     [KIND_INSTANCE] = print_instance,
    [KIND_STREAM] = print_stream,       [KIND_CONDITION] = print_condition,
    [KIND_HASH_TABLE] = print_hash_table, [KIND_ARRAY] = print_array,
    [KIND_UVECTOR] = print_array,       [KIND_STD_INSTANCE] = print_std_instance,
    [KIND_FOREIGN_POINTER] = print_foreign_pointer,
};

static void print_marker(Printer *p, LispObj x) {
    const char *name = x == LISP_UNBOUND ? "#<UNBOUND>"
                     : x == LISP_NO_BINDING ? "#<NO-BINDING>"
                     : x == LISP_UNSUPPLIED ? "#<UNSUPPLIED>" : "#<MARKER>";
    check_readable(p, "marker", x);
    puts_(p, name);
}

/* *print-pretty*: the pprint dispatch table (lisp/src/pprint.lisp) gets the
 * object first; SYS::%PPRINT-OBJECT returns NIL when no entry takes it.  The
 * Lisp side sees this walk's depth (*print-depth*) and labels
 * (*print-circle-state*) so nested printing continues them. */
static bool pretty_dispatch(Printer *p, LispObj x, int depth) {
    LispObj fn = sym_function(S(PP_PRINT_OBJECT_HOOK));
    if (fn == LISP_UNBOUND) return false;
    if (p->shared != NIL) cons_set_cdr(p->shared, fx_make(p->next_label));
    size_t mark = p->tc->bind_top;
    sym_bind(p->tc, S(PR_DEPTH), fx_make(depth));
    sym_bind(p->tc, S(PR_LABELLED), x);   /* its #n= is out: the logical block must not label it again */
    sym_bind(p->tc, S(STAR_PRINT_ESCAPE), p->o.escape ? T : NIL);    /* princ, ~A: nested prints too */
    sym_bind(p->tc, S(STAR_PRINT_READABLY), p->o.readably ? T : NIL);
    LispObj r = vm_funcall2(p->tc, fn, x, p->stream);
    sym_unbind_to(p->tc, mark);
    if (p->shared != NIL) p->next_label = fx_value(CDR(p->shared));
    return r != NIL;
}

static void print_object(Printer *p, LispObj x, int depth) {
    if (p->o.pretty && (fx_p(x) || char_p(x) || single_float_p(x)) && pretty_dispatch(p, x, depth)) return;
    if (fx_p(x)) { print_integer(p, x, depth); return; }
    /* Nested vectors and lists recurse in C: a deep (or, without
     * *print-circle*, circular) object must end in a storage-condition, not
     * a C stack overflow. */
    if ((depth & 15) == 0) vm_check_c_stack(p->tc);
    if (char_p(x)) { print_character(p, x, depth); return; }
    if (single_float_p(x)) { print_float(p, x, depth); return; }
    if (marker_p(x)) { print_marker(p, x); return; }
    if (circle_label(p, x)) return;
    if (p->o.pretty && pretty_dispatch(p, x, depth)) return;
    if (cons_p(x)) { print_list(p, x, depth); return; }
    if (obj_p(x)) {
        unsigned k = obj_kind(x);
        KindPrinter f = k < KIND_COUNT ? kind_printers[k] : NULL;
        (f ? f : print_opaque)(p, x, depth);
        return;
    }
    char buf[48];
    snprintf(buf, sizeof buf, "#<IMMEDIATE #x%llX>", (unsigned long long)x);
    puts_(p, buf);
}

/* ---- Entry points ---- */

/* Nested prints (from print functions and the pretty printer) continue the
 * enclosing print's depth and #n= labels instead of starting afresh. */
void pr_print_with(ThContext *tc, LispObj obj, LispObj stream, const PrOptions *opts) {
    Printer p = {
        .tc = tc, .stream = stm_output_designator(tc, stream), .o = *opts,
        .circle = NIL, .budget = PRINT_BUDGET, .shared = NIL,
    };
    if (p.o.readably) p.o.escape = true;
    LispObj d = sym_value(tc, S(PR_DEPTH));
    int depth = fx_p(d) && fx_value(d) > 0 && fx_value(d) < PRINT_MAX_DEPTH ? (int)fx_value(d) : 0;
    size_t mark = tc->bind_top;
    if (p.o.circle) {
        LispObj shared = sym_value(tc, S(PR_CIRCLE_STATE));
        if (cons_p(shared)) {
            p.circle = CAR(shared);
            p.next_label = fx_value(CDR(shared));
        } else {
            p.circle = vec_make(tc, 2 * CIRCLE_INITIAL, fx_make(0));
            circle_scan(&p, obj, depth);
            shared = lisp_cons(tc, p.circle, fx_make(0));
            sym_bind(tc, S(PR_CIRCLE_STATE), shared);
        }
        p.shared = shared;
    }
    print_object(&p, obj, depth);
    if (p.shared != NIL) cons_set_cdr(p.shared, fx_make(p.next_label));
    sym_unbind_to(tc, mark);
}

void pr_write(ThContext *tc, LispObj obj, LispObj stream) {
    PrOptions o;
    pr_options_from_specials(tc, &o);
    pr_print_with(tc, obj, stream, &o);
}

void pr_prin1(ThContext *tc, LispObj obj, LispObj stream) {
    PrOptions o;
    pr_options_from_specials(tc, &o);
    o.escape = true;
    pr_print_with(tc, obj, stream, &o);
}

void pr_princ(ThContext *tc, LispObj obj, LispObj stream) {
    PrOptions o;
    pr_options_from_specials(tc, &o);
    o.escape = false;
    o.readably = false;
    pr_print_with(tc, obj, stream, &o);
}

LispObj pr_prin1_to_string(ThContext *tc, LispObj obj) {
    LispObj s = stm_make_string_output(tc);
    pr_prin1(tc, obj, s);
    return stm_get_output_string(tc, s);
}

LispObj pr_princ_to_string(ThContext *tc, LispObj obj) {
    LispObj s = stm_make_string_output(tc);
    pr_princ(tc, obj, s);
    return stm_get_output_string(tc, s);
}

/* True if x is shared structure in the *print-circle* labelling of the
 * print in progress (the pretty printer's PPRINT-POP asks it of tails). */
bool pr_circle_shared_p(ThContext *tc, LispObj x) {
    LispObj shared = sym_value(tc, S(PR_CIRCLE_STATE));
    if (!cons_p(shared) || !flag_value(tc, S(STAR_PRINT_CIRCLE), false)) return false;
    Printer p = { .tc = tc, .circle = CAR(shared), .o = { .escape = true, .gensym = true } };
    return circle_state(&p, x) != 0;
}

/* A *print-circle* labelling for obj, for a logical block printed outside
 * any print (FORMAT's ~<...~:>, a direct PPRINT-LOGICAL-BLOCK): the state
 * to bind to *print-circle-state*. */
LispObj pr_circle_begin(ThContext *tc, LispObj obj) {
    Printer p = { .tc = tc, .circle = NIL, .shared = NIL };
    pr_options_from_specials(tc, &p.o);
    p.circle = vec_make(tc, 2 * CIRCLE_INITIAL, fx_make(0));
    LispObj d = sym_value(tc, S(PR_DEPTH));
    circle_scan(&p, obj, fx_p(d) && fx_value(d) > 0 && fx_value(d) < PRINT_MAX_DEPTH ? (int)fx_value(d) : 0);
    return lisp_cons(tc, p.circle, fx_make(0));
}

/* Prints x's #n= (first time) or #n# (already printed) under the bound
 * labelling; true if it printed #n#, so x itself must not be printed. */
bool pr_circle_label(ThContext *tc, LispObj x, LispObj stream) {
    LispObj shared = sym_value(tc, S(PR_CIRCLE_STATE));
    if (!cons_p(shared)) return false;
    Printer p = { .tc = tc, .stream = stm_output_designator(tc, stream), .circle = CAR(shared),
                  .next_label = fx_value(CDR(shared)), .shared = shared };
    pr_options_from_specials(tc, &p.o);
    bool done = circle_label(&p, x);
    cons_set_cdr(shared, fx_make(p.next_label));
    return done;
}
