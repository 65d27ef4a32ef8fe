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
 * Before pause 2 of a concurrent cycle, a mark worker presorts the tables
 * (presort_tables, the collector's mark-end hook, while mutators run): an
 * entry whose key and value are both marked then lives through the cycle
 * (marks only grow), and so does any entry a mutator stores meanwhile (its
 * halves were reachable at the snapshot or are new), so pause 2 looks only
 * at the others: the candidates, as indices into the entries vector each
 * table had then (a rehash moves every entry: such a table is checked
 * whole).  A 1M-entry table made every final pause 44-48 ms before.
 *
 * The registry is a C array of the weak tables, not traced: a table that
 * dies leaves it at the next collection.  Guarded by registry_lock; the
 * hook runs in a pause, when no thread registers. */
#include "lisp/hashtable_impl.h"
#include "lisp/index_list.h"

#include "lisp/vm_impl.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct WeakTable { LispObj table; enum HtWeakness weakness; } WeakTable;

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static WeakTable *tables;           /* guarded by registry_lock */
static size_t ntables, captables;   /* guarded by registry_lock */

/* The presort of mark epoch presort_epoch (0: none), guarded by
 * registry_lock: for tables[0 .. npresorted), the entries vector each had
 * (0: not presorted), its candidate slots below `scanned`, and `scanned`
 * (a pause that stopped the presort leaves the slots from there). */
typedef struct Presorted { LispObj entries; IndexList cand; size_t scanned; } Presorted;
static Presorted *presorted;
static size_t npresorted, cappresorted;
static uint64_t presort_epoch;
static uint64_t pause_checks;  /* registry_lock: entries examined in pauses (tests) */

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

/* Whether a live entry needs the pause: not both halves marked (by the
 * marks so far, as `survives` tells). */
static bool unsettled(LispObj k, LispObj v, bool (*survives)(GcWord)) {
    return !(survives(k) && survives(v));
}

/* The mark-end hook (a mark worker; mutators run, so every read is atomic). */
static void presort_tables(uint64_t epoch) {
    pthread_mutex_lock(&registry_lock);
    presort_epoch = 0;
    if (cappresorted < ntables) {
        Presorted *p = realloc(presorted, ntables * sizeof *p);
        if (p) {
            memset(p + cappresorted, 0, (ntables - cappresorted) * sizeof *p);
            presorted = p, cappresorted = ntables;
        }
    }
    size_t i = 0, seen = 0;
    for (; i < ntables && i < cappresorted; i++) {
        Presorted *ps = &presorted[i];
        ps->entries = 0;
        ps->cand.n = 0;
        if (!gc_marked_now(tables[i].table)) continue;  /* maybe dead: the pause decides */
        LispObj entries = __atomic_load_n(&HT(tables[i].table)->entries, __ATOMIC_ACQUIRE);
        size_t n = vec_length(entries) / HT_ENTRY_WORDS, j = 0;
        for (; j < n; j++, seen++) {
            if ((seen & 4095) == 0 && gc_mark_end_hook_stopping()) break;
            LispObj *s = &VEC(entries)->items[j * HT_ENTRY_WORDS];
            LispObj k = __atomic_load_n(&s[0], __ATOMIC_ACQUIRE), v = __atomic_load_n(&s[1], __ATOMIC_ACQUIRE);
            if (live_key_p(k) && unsettled(k, v, gc_marked_now) && !index_list_push(&ps->cand, j)) break;
        }
        ps->entries = entries;
        ps->scanned = j;
        if (j < n) {  /* stopped: the rest of this table and the others are the pause's */
            i++;
            break;
        }
    }
    npresorted = i;
    presort_epoch = epoch;
    pthread_mutex_unlock(&registry_lock);
    finalize_presort(epoch);
}

/* Pause 2, first step: each live table's work list (presorted[i].cand),
 * the entries not settled: the presort's candidates when it ran in this
 * mark on the same entries vector, plus, for the slots it did not reach
 * (all of them without a presort), the unsettled ones found now.  Settled
 * entries live and keep both halves, so no later step looks at them.  A
 * table whose list cannot grow (out of memory) is marked `entries == 0`
 * and checked whole.  Returns false when the lists cannot be made at all. */
static bool make_work_lists(void) {
    bool valid = presort_epoch && presort_epoch == gc_mark_epoch();
    if (cappresorted < ntables) {
        Presorted *p = realloc(presorted, ntables * sizeof *p);
        if (!p) return false;
        memset(p + cappresorted, 0, (ntables - cappresorted) * sizeof *p);
        presorted = p, cappresorted = ntables;
    }
    for (size_t i = 0; i < ntables; i++) {
        Presorted *ps = &presorted[i];
        LispObj entries = HT(tables[i].table)->entries;
        size_t from = 0, n = vec_length(entries) / HT_ENTRY_WORDS;
        if (valid && i < npresorted && ps->entries == entries) from = ps->scanned;
        else ps->cand.n = 0;
        ps->entries = entries;
        pause_checks += n - from;
        for (size_t j = from; j < n; j++) {
            LispObj *s = &VEC(entries)->items[j * HT_ENTRY_WORDS];
            if (live_key_p(s[0]) && unsettled(s[0], s[1], gc_survives) && !index_list_push(&ps->cand, j)) {
                ps->entries = 0;
                break;
            }
        }
    }
    return true;
}

/* The slots of table i still to look at: its work list, or (without one)
 * every slot, with *all set and NULL returned. */
static const size_t *slots_to_check(size_t i, bool lists, size_t *count, bool *all) {
    LispObj entries = HT(tables[i].table)->entries;
    *all = !lists || presorted[i].entries != entries;
    *count = *all ? vec_length(entries) / HT_ENTRY_WORDS : presorted[i].cand.n;
    return *all ? NULL : presorted[i].cand.at;
}

/* One pass over every live table: marks the other half of each entry that
 * lives.  True if it marked anything. */
static bool keep_pass(bool lists) {
    bool marked = false;
    for (size_t i = 0; i < ntables; i++) {
        LispObj entries = HT(tables[i].table)->entries;
        size_t n;
        bool all;
        const size_t *slots = slots_to_check(i, lists, &n, &all);
        for (size_t k = 0; k < n; k++) {
            LispObj *s = &VEC(entries)->items[(all ? k : slots[k]) * HT_ENTRY_WORDS];
            if (!live_key_p(s[0])) continue;
            bool kl = gc_survives(s[0]), vl = gc_survives(s[1]);
            if (!entry_lives(tables[i].weakness, kl, vl) || (kl && vl)) continue;
            gc_mark_more(kl ? s[1] : s[0]);
            marked = true;
        }
    }
    return marked;
}

/* Dead entries of table i become tombstones; returns how many. */
static size_t remove_dead(size_t i, bool lists) {
    LispObj t = tables[i].table, entries = HT(t)->entries;
    enum HtWeakness w = tables[i].weakness;
    size_t n, removed = 0;
    bool all;
    const size_t *slots = slots_to_check(i, lists, &n, &all);
    for (size_t k = 0; k < n; k++) {
        LispObj *s = &VEC(entries)->items[(all ? k : slots[k]) * HT_ENTRY_WORDS];
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
    size_t kept = 0, still_presorted = 0;
    for (size_t i = 0; i < ntables; i++) {  /* dead tables leave the registry; presorts move along */
        if (!gc_survives(tables[i].table)) continue;
        if (i < cappresorted) {
            Presorted p = presorted[kept];  /* a swap: each list stays owned once */
            presorted[kept] = presorted[i], presorted[i] = p;
            if (i < npresorted) still_presorted++;
        }
        tables[kept++] = tables[i];
    }
    ntables = kept;
    npresorted = still_presorted;
    bool lists = make_work_lists();
    while (keep_pass(lists)) {}
    /* now: every entry that lives by its table's weakness has both halves marked */
    for (size_t i = 0; i < ntables; i++) remove_dead(i, lists);
    presort_epoch = 0;  /* used: the next mark presorts again */
    npresorted = 0;
    pthread_mutex_unlock(&registry_lock);
    finalize_collect_dead();  /* after every entry kept has marked what it keeps */
}

uint64_t ht_weak_pause_checks(void) {
    pthread_mutex_lock(&registry_lock);
    uint64_t n = pause_checks;
    pthread_mutex_unlock(&registry_lock);
    return n;
}

void ht_weak_init(void) {
    gc_set_weak_hook(process);
    gc_set_mark_end_hook(presort_tables);
}
