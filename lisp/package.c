/* lisp/package.c — packages and symbol tables (CLHS chapter 11): the
 * primitive, locked operations on a package's structure.  Name-conflict
 * checking and the restarts that resolve conflicts (CLHS 11.1.1.2.5) are in
 * lisp/src/packages.lisp, which calls the SYS::% builtins of
 * builtins_packages.c that wrap the functions here.
 *
 * A package's internal and external symbols live in open-addressed Lisp
 * vectors keyed by the name's hash (empty slot = fixnum 0), linear probing,
 * load <= 3/4.  Removal empties the slot and re-inserts the rest of its
 * cluster, so every probe chain stays unbroken (no tombstones).
 * Invariants: a symbol is in at most one of a package's two tables; a
 * symbol's SYMF_EXTERNAL flag is set iff it is in its home package's external
 * table; the shadowing list holds only symbols present in the package; a
 * deleted package has name NIL, no nicknames, and is in no use list nor
 * the registry.
 *
 * Shared state: the package registry and every package's slots and tables
 * are guarded by package_lock (recursive: interning may allocate, and
 * allocation may run code that looks symbols up).  Readers take it too.
 * A check done in Lisp and the mutation that follows it are two critical
 * sections, not one: two threads exporting conflicting symbols at once may
 * both pass the check (see packages.lisp); interning is atomic. */
#include "lisp/lisp.h"

#include <pthread.h>
#include <stdatomic.h>

static pthread_mutex_t package_lock;
static LispObj all_packages; /* list; guarded by package_lock; a GC root */

LispObj pkg_common_lisp, pkg_cl_user, pkg_keyword, pkg_ext, pkg_system;

#define EMPTY fx_make(0)

static uint64_t name_hash(LispObj name) {
    uint64_t h = 1469598103934665603u;
    size_t n = str_length(name);
    for (size_t i = 0; i < n; i++) h = (h ^ STR(name)->chars[i]) * 1099511628211u;
    return h & (((uint64_t)1 << 60) - 1);
}

static bool name_equal(LispObj a, LispObj b) {
    size_t n = str_length(a);
    return n == str_length(b) && memcmp(STR(a)->chars, STR(b)->chars, n * 4) == 0;
}

/* Which thread holds package_lock, for the _locked assertions: written only
 * by the holder (relaxed: a thread compares it with itself, and only the
 * holder can have stored its own context there); lock_depth guarded by
 * package_lock. */
static _Atomic(ThContext *) lock_owner;
static int lock_depth;
/* Interning allocates, and allocation may stop the world: a thread waiting
 * for package_lock waits in a safe region (th_mutex_lock), or a pause
 * started by the holder would wait for it forever. */
static void lock(void) {
    ThContext *tc = th_current();
    if (tc) th_mutex_lock(tc, &package_lock);
    else pthread_mutex_lock(&package_lock);
    if (lock_depth++ == 0) atomic_store_explicit(&lock_owner, th_current(), memory_order_relaxed);
}
static void unlock(void) {
    if (--lock_depth == 0) atomic_store_explicit(&lock_owner, NULL, memory_order_relaxed);
    pthread_mutex_unlock(&package_lock);
}
#define TH_ASSERT_HELD_PACKAGE() \
    PT_ASSERT(atomic_load_explicit(&lock_owner, memory_order_relaxed) == th_current())

/* Index of name's slot in table: the symbol's slot, or the empty one. */
static size_t table_probe(LispObj table, LispObj name, uint64_t h) {
    size_t cap = vec_length(table), i = h & (cap - 1);
    for (;;) {
        LispObj e = VEC(table)->items[i];
        if (e == EMPTY || (fx_value(SYM(e)->hash) == (int64_t)h && name_equal(SYM(e)->name, name)))
            return i;
        i = (i + 1) & (cap - 1);
    }
}

static LispObj table_get(LispObj table, LispObj name, uint64_t h) {
    LispObj e = VEC(table)->items[table_probe(table, name, h)];
    return e == EMPTY ? 0 : e;
}

/* Adds sym to the package's internal or external table, growing it. */
static void table_add_locked(ThContext *tc, LispObj pkg, bool external, LispObj sym) {
    TH_ASSERT_HELD_PACKAGE();
    LispObj *tslot = external ? &PKG(pkg)->externals : &PKG(pkg)->internals;
    LispObj *nslot = external ? &PKG(pkg)->n_externals : &PKG(pkg)->n_internals;
    int64_t count = fx_value(*nslot) + 1;
    if ((size_t)count * 4 > vec_length(*tslot) * 3) {
        LispObj old = *tslot, grown = vec_make(tc, vec_length(old) * 2, EMPTY);
        for (size_t i = 0; i < vec_length(old); i++) {
            LispObj e = VEC(old)->items[i];
            if (e == EMPTY) continue;
            size_t j = table_probe(grown, SYM(e)->name, (uint64_t)fx_value(SYM(e)->hash));
            gc_init_store(&VEC(grown)->items[j], e);
        }
        obj_set(tslot, grown);
    }
    size_t j = table_probe(*tslot, SYM(sym)->name, (uint64_t)fx_value(SYM(sym)->hash));
    obj_set(&VEC(*tslot)->items[j], sym);
    obj_set(nslot, fx_make(count));
}

/* Removes sym from one of pkg's tables; false if it was not there.
 * Linear probing has no tombstones: the rest of the cluster after the freed
 * slot is re-inserted so no chain that crossed it is cut. */
static bool table_remove_locked(LispObj pkg, bool external, LispObj sym) {
    TH_ASSERT_HELD_PACKAGE();
    LispObj table = external ? PKG(pkg)->externals : PKG(pkg)->internals;
    LispObj *nslot = external ? &PKG(pkg)->n_externals : &PKG(pkg)->n_internals;
    size_t cap = vec_length(table);
    size_t i = table_probe(table, SYM(sym)->name, (uint64_t)fx_value(SYM(sym)->hash));
    if (VEC(table)->items[i] != sym) return false;
    obj_set(&VEC(table)->items[i], EMPTY);
    for (size_t j = (i + 1) & (cap - 1); VEC(table)->items[j] != EMPTY; j = (j + 1) & (cap - 1)) {
        LispObj e = VEC(table)->items[j];
        obj_set(&VEC(table)->items[j], EMPTY);
        size_t k = table_probe(table, SYM(e)->name, (uint64_t)fx_value(SYM(e)->hash));
        obj_set(&VEC(table)->items[k], e);
    }
    obj_set(nslot, fx_make(fx_value(*nslot) - 1));
    return true;
}

static LispObj find_symbol_locked(LispObj name, LispObj pkg, LispObj *status) {
    uint64_t h = name_hash(name);
    LispObj s;
    if ((s = table_get(PKG(pkg)->externals, name, h))) { *status = S(EXTERNAL_KW); return s; }
    if ((s = table_get(PKG(pkg)->internals, name, h))) { *status = S(INTERNAL_KW); return s; }
    for (LispObj u = PKG(pkg)->use_list; cons_p(u); u = CDR(u)) {
        if ((s = table_get(PKG(CAR(u))->externals, name, h))) { *status = S(INHERITED_KW); return s; }
    }
    *status = NIL;
    return NIL;
}

LispObj pkg_find_symbol(ThContext *tc, LispObj name, LispObj package, LispObj *status) {
    LispObj st;
    lock();
    LispObj s = find_symbol_locked(name, package, &st);
    unlock();
    if (status) *status = st;
    return s;
}

LispObj sym_make(ThContext *tc, LispObj name) {
    LispObj s = obj_alloc(tc, KIND_SYMBOL, SYMBOL_NWORDS);
    LispSymbol *p = SYM(s);
    gc_init_store(&p->name, name);
    gc_init_store(&p->value, LISP_UNBOUND);
    gc_init_store(&p->function, LISP_UNBOUND);
    gc_init_store(&p->plist, NIL);
    gc_init_store(&p->package, NIL);
    gc_init_store(&p->flags, fx_make(0));
    gc_init_store(&p->tls_index, fx_make(0));
    gc_init_store(&p->hash, fx_make((int64_t)name_hash(name)));
    return s;
}

LispObj pkg_intern(ThContext *tc, LispObj name, LispObj package, LispObj *status) {
    LispObj st;
    lock();
    LispObj s = find_symbol_locked(name, package, &st);
    if (st == NIL) {
        s = sym_make(tc, name);
        obj_set(&SYM(s)->package, package);
        bool keyword = package == pkg_keyword;
        if (keyword) {
            sym_set_flag(s, SYMF_CONSTANT | SYMF_EXTERNAL);
            obj_set(&SYM(s)->value, s);
        }
        table_add_locked(tc, package, keyword, s);
    }
    unlock();
    if (status) *status = st;
    return s;
}

LispObj pkg_intern_cstr(ThContext *tc, const char *name, LispObj package) {
    return pkg_intern(tc, str_from_cstr(tc, name), package, NULL);
}

void pkg_export(ThContext *tc, LispObj sym, LispObj package) {
    lock();
    LispObj st;
    LispObj found = find_symbol_locked(SYM(sym)->name, package, &st);
    if (st == S(EXTERNAL_KW) && found == sym) { unlock(); return; }
    if (st != NIL && found != sym) {
        unlock();
        cond_error_of_type(tc, S(PACKAGE_ERROR), "EXPORT: %v conflicts with %v, already accessible in %a",
                           sym, found, PKG(package)->name);
    }
    if (st == S(INTERNAL_KW)) table_remove_locked(package, false, sym);
    table_add_locked(tc, package, true, sym);
    if (SYM(sym)->package == package) sym_set_flag(sym, SYMF_EXTERNAL);
    unlock();
}

void pkg_use(ThContext *tc, LispObj package, LispObj used) {
    lock();
    bool present = false;
    for (LispObj u = PKG(package)->use_list; cons_p(u); u = CDR(u)) present |= CAR(u) == used;
    if (!present) {
        obj_set(&PKG(package)->use_list, lisp_cons(tc, used, PKG(package)->use_list));
        obj_set(&PKG(used)->used_by, lisp_cons(tc, package, PKG(used)->used_by));
    }
    unlock();
}

static bool package_named_p(LispObj pkg, LispObj name) {
    if (name_equal(PKG(pkg)->name, name)) return true;
    for (LispObj n = PKG(pkg)->nicknames; cons_p(n); n = CDR(n))
        if (name_equal(CAR(n), name)) return true;
    return false;
}

LispObj pkg_find(ThContext *tc, LispObj designator) {
    if (package_p(designator)) return designator;
    LispObj name = arg_string_designator(tc, designator);
    lock();
    LispObj found = NIL;
    for (LispObj l = all_packages; cons_p(l); l = CDR(l))
        if (package_named_p(CAR(l), name)) { found = CAR(l); break; }
    unlock();
    return found;
}

LispObj pkg_find_cstr(ThContext *tc, const char *name) { return pkg_find(tc, str_from_cstr(tc, name)); }

/* A fresh registered package; the caller has checked that name and
 * nicknames (strings) are free. */
LispObj pkg_make_named(ThContext *tc, LispObj name, LispObj nicknames) {
    LispObj p = obj_alloc(tc, KIND_PACKAGE, PACKAGE_NWORDS);
    gc_init_store(&PKG(p)->name, name);
    gc_init_store(&PKG(p)->nicknames, nicknames);
    gc_init_store(&PKG(p)->use_list, NIL);
    gc_init_store(&PKG(p)->used_by, NIL);
    gc_init_store(&PKG(p)->internals, vec_make(tc, 64, EMPTY));
    gc_init_store(&PKG(p)->externals, vec_make(tc, 64, EMPTY));
    gc_init_store(&PKG(p)->n_internals, fx_make(0));
    gc_init_store(&PKG(p)->n_externals, fx_make(0));
    gc_init_store(&PKG(p)->shadowing, NIL);
    LispObj cell = lisp_cons(tc, p, NIL);
    lock();
    cons_set_cdr(cell, all_packages);
    all_packages = cell;
    unlock();
    return p;
}

LispObj pkg_make(ThContext *tc, const char *name, const char *const *nicknames) {
    LispObj nicks = NIL;
    for (size_t i = 0; nicknames && nicknames[i]; i++)
        nicks = lisp_cons(tc, str_from_cstr(tc, nicknames[i]), nicks);
    return pkg_make_named(tc, str_from_cstr(tc, name), nicks);
}

LispObj pkg_all(void) { return all_packages; }

/* A copy of the registry (list-all-packages). */
LispObj pkg_list_all(ThContext *tc) {
    lock();
    LispObj copy = NIL;
    for (LispObj l = all_packages; cons_p(l); l = CDR(l)) copy = lisp_cons(tc, CAR(l), copy);
    unlock();
    return lisp_nreverse(copy);
}

LispObj pkg_current(ThContext *tc) {
    LispObj p = sym_value(tc, S(STAR_PACKAGE));
    return package_p(p) ? p : pkg_cl_user;
}

/* Called once at startup, before any other thread exists. */
void pkg_init_registry(void) {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
    pthread_mutex_init(&package_lock, &attr);
    pthread_mutexattr_destroy(&attr);
    all_packages = 0; /* fixnum 0 until NIL exists; see init.c */
    gc_add_root_range(&all_packages, 1);
}

void pkg_set_registry_nil(void) { all_packages = NIL; }

LispObj *pkg_registry_root(void) { return &all_packages; }

/* Puts an existing symbol into pkg (startup: NIL, T and the C-known symbols). */
void pkg_add_symbol(ThContext *tc, LispObj sym, LispObj pkg, bool external) {
    lock();
    LispObj st;
    find_symbol_locked(SYM(sym)->name, pkg, &st);
    if (st == NIL) table_add_locked(tc, pkg, external, sym);
    unlock();
    if (SYM(sym)->package == NIL || SYM(sym)->package == 0) obj_set(&SYM(sym)->package, pkg);
    if (external && SYM(sym)->package == pkg) sym_set_flag(sym, SYMF_EXTERNAL);
}

/* ---------------------------------------------------------------- chapter 11
 * Primitive structure changes for packages.lisp.  None of them checks for
 * name conflicts: the Lisp caller has done that (and offered restarts). */

static void set_external_flag(LispObj sym, LispObj pkg, bool external) {
    if (SYM(sym)->package != pkg) return;
    if (external) sym_set_flag(sym, SYMF_EXTERNAL);
    else sym_clear_flag(sym, SYMF_EXTERNAL);
}

static LispObj list_without(ThContext *tc, LispObj list, LispObj item) {
    LispObj result = NIL;
    for (LispObj l = list; cons_p(l); l = CDR(l))
        if (CAR(l) != item) result = lisp_cons(tc, CAR(l), result);
    return lisp_nreverse(result);
}

static bool memq(LispObj item, LispObj list) {
    for (; cons_p(list); list = CDR(list))
        if (CAR(list) == item) return true;
    return false;
}

/* Makes sym present in pkg (internal or external), replacing whatever
 * symbol of that name was present; a homeless sym gets pkg as home if
 * adopt (IMPORT does that, SHADOWING-IMPORT does not). */
void pkg_add_present(ThContext *tc, LispObj pkg, LispObj sym, bool external, bool adopt) {
    lock();
    LispObj st, old = find_symbol_locked(SYM(sym)->name, pkg, &st);
    if (st == S(INTERNAL_KW) || st == S(EXTERNAL_KW)) {
        table_remove_locked(pkg, st == S(EXTERNAL_KW), old);
        if (old != sym) {
            obj_set(&PKG(pkg)->shadowing, list_without(tc, PKG(pkg)->shadowing, old));
            if (SYM(old)->package == pkg) {
                set_external_flag(old, pkg, false);
                obj_set(&SYM(old)->package, NIL);
            }
        }
    }
    table_add_locked(tc, pkg, external, sym);
    if (adopt && SYM(sym)->package == NIL) obj_set(&SYM(sym)->package, pkg);
    set_external_flag(sym, pkg, external);
    unlock();
}

/* Removes sym from pkg if present (also from its shadowing list); a symbol
 * whose home was pkg becomes homeless.  True if it was present. */
bool pkg_remove_present(ThContext *tc, LispObj pkg, LispObj sym) {
    lock();
    bool was = table_remove_locked(pkg, true, sym) || table_remove_locked(pkg, false, sym);
    if (was) {
        obj_set(&PKG(pkg)->shadowing, list_without(tc, PKG(pkg)->shadowing, sym));
        if (SYM(sym)->package == pkg) {
            set_external_flag(sym, pkg, false);
            obj_set(&SYM(sym)->package, NIL);
        }
    }
    unlock();
    return was;
}

/* Moves a present sym between pkg's internal and external tables. */
void pkg_set_external(ThContext *tc, LispObj pkg, LispObj sym, bool external) {
    lock();
    if (table_remove_locked(pkg, !external, sym)) table_add_locked(tc, pkg, external, sym);
    set_external_flag(sym, pkg, external);
    unlock();
}

void pkg_add_shadowing(ThContext *tc, LispObj pkg, LispObj sym) {
    lock();
    if (!memq(sym, PKG(pkg)->shadowing))
        obj_set(&PKG(pkg)->shadowing, lisp_cons(tc, sym, PKG(pkg)->shadowing));
    unlock();
}

void pkg_unuse(ThContext *tc, LispObj pkg, LispObj used) {
    lock();
    obj_set(&PKG(pkg)->use_list, list_without(tc, PKG(pkg)->use_list, used));
    obj_set(&PKG(used)->used_by, list_without(tc, PKG(used)->used_by, pkg));
    unlock();
}

/* A live package other than except named (or nicknamed) by one of names
 * (list of strings); NIL if none. */
LispObj pkg_find_any(ThContext *tc, LispObj names, LispObj except) {
    lock();
    LispObj found = NIL;
    for (LispObj l = all_packages; cons_p(l) && found == NIL; l = CDR(l)) {
        if (CAR(l) == except) continue;
        for (LispObj n = names; cons_p(n); n = CDR(n))
            if (package_named_p(CAR(l), CAR(n))) { found = CAR(l); break; }
    }
    unlock();
    return found;
}

void pkg_rename(ThContext *tc, LispObj pkg, LispObj name, LispObj nicknames) {
    lock();
    obj_set(&PKG(pkg)->name, name);
    obj_set(&PKG(pkg)->nicknames, nicknames);
    unlock();
}

static LispObj table_symbols(ThContext *tc, LispObj table, LispObj acc) {
    for (size_t i = 0; i < vec_length(table); i++)
        if (VEC(table)->items[i] != EMPTY) acc = lisp_cons(tc, VEC(table)->items[i], acc);
    return acc;
}

/* Inherited symbols of pkg: externals of used packages not shadowed by a
 * present symbol (nor by an earlier used package's symbol of that name). */
static LispObj inherited_symbols_locked(ThContext *tc, LispObj pkg, LispObj acc) {
    for (LispObj u = PKG(pkg)->use_list; cons_p(u); u = CDR(u)) {
        LispObj table = PKG(CAR(u))->externals;
        for (size_t i = 0; i < vec_length(table); i++) {
            LispObj e = VEC(table)->items[i], st;
            if (e == EMPTY) continue;
            if (find_symbol_locked(SYM(e)->name, pkg, &st) == e && st == S(INHERITED_KW))
                acc = lisp_cons(tc, e, acc);
        }
    }
    return acc;
}

/* A snapshot list of pkg's symbols of the asked kinds (so callers may
 * change the package while they walk it). */
LispObj pkg_symbols(ThContext *tc, LispObj pkg, bool internal, bool external, bool inherited) {
    lock();
    LispObj acc = NIL;
    if (internal) acc = table_symbols(tc, PKG(pkg)->internals, acc);
    if (external) acc = table_symbols(tc, PKG(pkg)->externals, acc);
    if (inherited) acc = inherited_symbols_locked(tc, pkg, acc);
    unlock();
    return acc;
}

/* DELETE-PACKAGE after the Lisp side has dealt with users: pkg leaves the
 * registry and every use list, the symbols whose home it was become
 * homeless, and its name goes (package-name then answers NIL). */
void pkg_delete(ThContext *tc, LispObj pkg) {
    lock();
    all_packages = list_without(tc, all_packages, pkg);
    for (LispObj u = PKG(pkg)->use_list; cons_p(u); u = CDR(u))
        obj_set(&PKG(CAR(u))->used_by, list_without(tc, PKG(CAR(u))->used_by, pkg));
    for (LispObj u = PKG(pkg)->used_by; cons_p(u); u = CDR(u))
        obj_set(&PKG(CAR(u))->use_list, list_without(tc, PKG(CAR(u))->use_list, pkg));
    obj_set(&PKG(pkg)->use_list, NIL);
    obj_set(&PKG(pkg)->used_by, NIL);
    LispObj present = table_symbols(tc, PKG(pkg)->externals, table_symbols(tc, PKG(pkg)->internals, NIL));
    for (LispObj l = present; cons_p(l); l = CDR(l)) {
        if (SYM(CAR(l))->package != pkg) continue;
        set_external_flag(CAR(l), pkg, false);
        obj_set(&SYM(CAR(l))->package, NIL);
    }
    obj_set(&PKG(pkg)->name, NIL);
    obj_set(&PKG(pkg)->nicknames, NIL);
    obj_set(&PKG(pkg)->shadowing, NIL);
    unlock();
}
