/* lisp/hashtable_weak.c — weak hash tables (make-hash-table :weakness).
 *
 * A weak table's entries vector is a simple vector whose header says no
 * word is boxed, so the collector never traces keys or values through it
 * (the table object itself is traced as usual and keeps the vector).  At
 * the end of every mark the collector calls gc_weak_tables_process (the
 * gc_set_weak_hook hook), with the world stopped, which decides each entry
 * by the table's weakness:
 *   :key            the entry lives while its key does, and keeps its value;
 *   :value          while its value does, and keeps its key;
 *   :key-and-value  while both do;
 *   :key-or-value   while either does, and keeps the other.
 * "Keeps" marks the other half (and what it reaches), which may make more
 * entries of any weak table live, so the marking pass repeats until
 * nothing changes (ephemerons); then dead entries become tombstones (chains
 * stay whole) and the count drops.  Values and keys handed out while a
 * concurrent mark runs go through gc_weak_keep (hashtable.c), so an object
 * the program got from a weak table is marked in that cycle.
 *
 * The registry is a C array of the weak tables, not traced: a table that
 * dies leaves it at the next collection.  Guarded by registry_lock; the
 * hook runs in a pause, when no thread registers. */
#include "lisp/hashtable_impl.h"

#include "lisp/vm_impl.h"

#include <pthread.h>
#include <stdlib.h>

typedef struct WeakTable { LispObj table; enum HtWeakness weakness; } WeakTable;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static WeakTable *tables;           /* guarded by registry_lock */
static size_t ntables, captables;   /* guarded by registry_lock */

static const char *const weakness_names[] = {"KEY", "VALUE", "KEY-AND-VALUE", "KEY-OR-VALUE"};

int ht_weakness_code(LispObj x) {
    if (x == NIL) return HT_WEAK_NONE;
    if (!sym_keyword_p(x)) return -1;
    for (int i = 0; i < 4; i++)
        if (str_equal_cstr(SYM(x)->name, weakness_names[i])) return HT_WEAK_KEY + i;
    return -1;
}

enum HtWeakness ht_weakness_of(LispObj t) {
    int w = ht_weakness_code(HT(t)->weakness);
    return w < 0 ? HT_WEAK_NONE : (enum HtWeakness)w;
}

void ht_weak_register(LispObj t, enum HtWeakness w) {
    pthread_mutex_lock(&registry_lock);
    if (ntables == captables) {
        size_t cap = captables ? captables * 2 : 16;
        WeakTable *n = realloc(tables, cap * sizeof *n);
        PT_CHECK(n != NULL, "out of memory registering a weak hash table");
        tables = n, captables = cap;
    }
    tables[ntables++] = (WeakTable){t, w};
    pthread_mutex_unlock(&registry_lock);
}

static inline bool live_key_p(LispObj k) { return k != HT_EMPTY && k != HT_TOMBSTONE; }

/* The entry's fate: 1 lives, 0 dies, given what survives so far. */
static bool entry_lives(enum HtWeakness w, bool key_lives, bool value_lives) {
    switch (w) {
    case HT_WEAK_KEY: return key_lives;
    case HT_WEAK_VALUE: return value_lives;
    case HT_WEAK_KEY_AND_VALUE: return key_lives && value_lives;
    case HT_WEAK_KEY_OR_VALUE: return key_lives || value_lives;
    default: return true;
    }
}

/* One pass over every live table: marks the other half of each entry that
 * lives.  True if it marked anything. */
static bool keep_pass(void) {
    bool marked = false;
    for (size_t i = 0; i < ntables; i++) {
        LispObj entries = HT(tables[i].table)->entries;
        size_t n = vec_length(entries) / HT_ENTRY_WORDS;
        for (size_t j = 0; j < n; j++) {
            LispObj *s = &VEC(entries)->items[j * HT_ENTRY_WORDS];
            if (!live_key_p(s[0])) continue;
            bool kl = gc_survives(s[0]), vl = gc_survives(s[1]);
            if (!entry_lives(tables[i].weakness, kl, vl) || (kl && vl)) continue;
            gc_mark_more(kl ? s[1] : s[0]);
            marked = true;
        }
    }
    return marked;
}

/* Dead entries become tombstones; returns how many. */
static size_t remove_dead(LispObj t, enum HtWeakness w) {
    LispObj entries = HT(t)->entries;
    size_t n = vec_length(entries) / HT_ENTRY_WORDS, removed = 0;
    for (size_t j = 0; j < n; j++) {
        LispObj *s = &VEC(entries)->items[j * HT_ENTRY_WORDS];
        if (!live_key_p(s[0]) || entry_lives(w, gc_survives(s[0]), gc_survives(s[1]))) continue;
        /* the world is stopped and these words are not traced: plain
         * (atomic, for unsynchronized readers' sake) stores, no barrier */
        __atomic_store_n(&s[0], HT_TOMBSTONE, __ATOMIC_RELAXED);
        __atomic_store_n(&s[1], NIL, __ATOMIC_RELAXED);
        removed++;
    }
    if (removed) {
        int64_t c = fx_value(HT(t)->count) - (int64_t)removed;
        __atomic_store_n(&HT(t)->count, fx_make(c < 0 ? 0 : c), __ATOMIC_RELAXED);
    }
    return removed;
}

static void process(void) {
    pthread_mutex_lock(&registry_lock);
    size_t kept = 0;
    for (size_t i = 0; i < ntables; i++)  /* dead tables leave the registry */
        if (gc_survives(tables[i].table)) tables[kept++] = tables[i];
    ntables = kept;
    while (keep_pass()) {}
    /* now: every entry that lives by its table's weakness has both halves marked */
    for (size_t i = 0; i < ntables; i++) remove_dead(tables[i].table, tables[i].weakness);
    pthread_mutex_unlock(&registry_lock);
    finalize_collect_dead();  /* after every entry kept has marked what it keeps */
}

void ht_weak_init(void) { gc_set_weak_hook(process); }
