/* lisp/hashtable.c — hash tables (CLHS chapter 18): open addressing with
 * linear probing in a Lisp simple vector, and the hash functions behind
 * EQ, EQL, EQUAL (SXHASH) and EQUALP tables.
 *
 * Layout (hashtable_impl.h): entries holds key, value and hash per slot; the
 * number of slots is a power of two.  Invariants:
 *  - count = live entries, used = live entries + tombstones, used <= size <
 *    nslots, so every probe chain ends at an HT_EMPTY slot;
 *  - a live entry sits on the probe path from (hash & mask) to its slot with
 *    no HT_EMPTY between; removal writes HT_TOMBSTONE (or HT_EMPTY when the
 *    next slot is empty, which ends no chain that did not end there anyway),
 *    so chains stay unbroken and an iteration by position stays valid when
 *    the current entry is removed (CLHS 18.1.2, 3.6);
 *  - only inserting a new key when used = size rebuilds the vector (grown by
 *    rehash-size, or at the same size when tombstones fill half of it); the
 *    rebuild reuses the stored hashes and calls no Lisp code.
 * EQ and EQL tables hash other objects by address.  Petrel's collector never
 * moves objects (DESIGN "Memory"), so an address is stable for the object's
 * life and no table needs rehashing after a collection.
 * The key tests (bi_eql, bi_equal, bi_equalp) run no user code and do not
 * allocate, so the entries vector cannot change during a probe.
 *
 * Threads (stress/threads/SPEC.md): a :synchronized table holds a recursive
 * MUTEX object in its synchronized slot, and every ht_ operation takes it
 * (ht_lock; builtins_hash.c holds it across MAPHASH), so such tables are
 * linearizable.  An unsynchronized table used from several threads at once
 * may lose or duplicate entries but never touches memory outside its
 * vectors: each operation reads the entries vector once and indexes only
 * that vector, a probe is bounded by the slot count, and an insertion that
 * finds no free slot (counts corrupted by a race) rebuilds and retries. */
#include "lisp/hashtable_impl.h"

#include "lisp/builtins_impl.h"
#include "lisp/array_impl.h"
#include "lisp/mt_impl.h"
#include "lisp/vm_impl.h"

#include <math.h>

/* ---------------------------------------------------------------- hashing */

static inline uint64_t mix(uint64_t x) { /* splitmix64's finaliser */
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}
static inline uint64_t combine(uint64_t h, uint64_t v) {
    return mix(h ^ (v + UINT64_C(0x9e3779b97f4a7c15) + (h << 6) + (h >> 2)));
}

/* Tags keep kinds with equal payload words apart. */
enum { TAG_DOUBLE = 1, TAG_RATIO, TAG_COMPLEX, TAG_BIGNUM, TAG_STRING, TAG_CONS, TAG_SYMBOL,
       TAG_CHAR, TAG_NUMBER, TAG_ARRAY, TAG_INSTANCE, TAG_KIND };

/* Compound keys are hashed down to this depth and this many elements: equal
 * objects have the same shape, so they use the budget alike, and circular
 * structure terminates (CLHS SXHASH, point 5). */
enum { HASH_DEPTH = 4, HASH_BUDGET = 16 };

/* EQL: numbers by value and representation, everything else by identity. */
static uint64_t eql_hash(LispObj x) {
    if (!obj_p(x)) return mix(x);
    GcWord *w = obj_words(x);
    switch (obj_kind(x)) {
    case KIND_DOUBLE_FLOAT: {
        uint64_t bits;
        memcpy(&bits, &w[1], sizeof bits);
        return combine(TAG_DOUBLE, bits);
    }
    case KIND_RATIO: return combine(combine(TAG_RATIO, eql_hash(w[1])), eql_hash(w[2]));
    case KIND_COMPLEX: return combine(combine(TAG_COMPLEX, eql_hash(w[1])), eql_hash(w[2]));
    case KIND_BIGNUM: {
        uint64_t h = TAG_BIGNUM;
        for (uint64_t i = 1; i <= obj_nwords(x); i++) h = combine(h, w[i]);
        return h;
    }
    default: return mix(x); /* the address: stable, the collector does not move objects */
    }
}

static uint64_t string_hash(LispObj s, bool fold_case) {
    uint64_t h = UINT64_C(1469598103934665603);
    size_t n = str_length(s);
    for (size_t i = 0; i < n; i++) {
        uint32_t c = STR(s)->chars[i];
        h = (h ^ (fold_case ? bi_char_upcase(c) : c)) * UINT64_C(1099511628211);
    }
    return combine(TAG_STRING, h);
}

/* A non-simple string hashes like the simple string of its characters;
 * a bit vector by its active bits. */
static uint64_t vector_equal_hash(LispObj x) {
    size_t off = 0, n = arr_vector_length(x);
    LispObj s = arr_resolve_quiet(x, &off);
    if (s == NIL) return combine(TAG_KIND, KIND_ARRAY);
    bool str = string_p(s);
    uint64_t h = str ? UINT64_C(1469598103934665603) : TAG_ARRAY;
    for (size_t i = 0; i < n; i++) {
        double d;
        LispObj e = arr_storage_peek(s, off + i, &d);
        if (str) h = (h ^ char_code(e)) * UINT64_C(1099511628211);
        else h = combine(h, (uint64_t)e);
    }
    return str ? combine(TAG_STRING, h) : h;
}

static uint64_t equal_rec(LispObj x, int depth, int *budget) {
    if (cons_p(x)) {
        uint64_t h = TAG_CONS;
        for (; cons_p(x) && *budget > 0; x = CDR(x)) {
            (*budget)--;
            h = combine(h, depth < HASH_DEPTH ? equal_rec(CAR(x), depth + 1, budget) : TAG_CONS);
        }
        return cons_p(x) ? h : combine(h, equal_rec(x, depth + 1, budget));
    }
    if (string_p(x)) return string_hash(x, false);
    if (symbol_p(x)) return combine(TAG_SYMBOL, (uint64_t)fx_value(SYM(x)->hash));
    /* EQUAL compares strings and bit vectors by their active elements. */
    if (arr_string_p(x) || arr_bit_vector_p(x)) return vector_equal_hash(x);
    if (kind_p(x, KIND_INSTANCE) && lisp_structure_typep(x, S(TY_PATHNAME))) {
        /* EQUAL compares pathnames by components (builtins_pred.c) */
        uint64_t h = combine(TAG_INSTANCE, obj_words(x)[1]);
        for (size_t i = 0; i < lisp_structure_slot_count(x); i++)
            h = combine(h, depth < HASH_DEPTH ? equal_rec(lisp_structure_slot(x, i), depth + 1, budget)
                                              : TAG_INSTANCE);
        return h;
    }
    return eql_hash(x);
}

uint64_t ht_sxhash(LispObj x) {
    int budget = HASH_BUDGET;
    return equal_rec(x, 0, &budget) & (uint64_t)FIXNUM_MAX;
}

/* A real as a double: exact whenever the real equals some float, so = numbers
 * of different types map to the same double. */
static double real_double(LispObj x) {
    if (fx_p(x)) return (double)fx_value(x);
    if (single_float_p(x)) return (double)single_float_value(x);
    if (double_float_p(x)) return double_float_value(x);
    if (ratio_p(x)) {
        LispRatio *r = (LispRatio *)obj_words(x);
        return real_double(r->num) / real_double(r->den);
    }
    if (kind_p(x, KIND_BIGNUM)) { /* [signed limb count][limbs], least significant first */
        GcWord *w = obj_words(x);
        int64_t n = fx_value(w[1]);
        size_t nl = (size_t)(n < 0 ? -n : n);
        double d = 0;
        for (size_t i = nl; i-- > 0;) d = d * 18446744073709551616.0 + (double)w[2 + i];
        return n < 0 ? -d : d;
    }
    return 0;
}

/* EQUALP compares numbers with =: 1, 1.0 and 1d0 must hash alike. */
static uint64_t number_equalp_hash(LispObj x) {
    if (kind_p(x, KIND_COMPLEX)) {
        GcWord *w = obj_words(x);
        if (real_double(w[2]) == 0) return number_equalp_hash(w[1]); /* = to its real part */
        return combine(combine(TAG_COMPLEX, number_equalp_hash(w[1])), number_equalp_hash(w[2]));
    }
    double d = real_double(x);
    if (d == 0) d = 0; /* -0.0 = 0.0 */
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    return combine(TAG_NUMBER, bits);
}

static uint64_t equalp_rec(LispObj x, int depth, int *budget);

/* Arrays: EQUALP compares them element by element (a string with a
 * vector of characters included), vectors up to their fill pointers. */
static uint64_t array_equalp_hash(LispObj x, int depth, int *budget) {
    size_t off = 0, n = arr_rank(x) == 1 ? arr_vector_length(x) : arr_total_size(x);
    uint64_t h = combine(TAG_ARRAY, n);
    LispObj s = arr_resolve_quiet(x, &off);
    if (s == NIL) return h;
    for (size_t i = 0; i < n && *budget > 0; i++) {
        (*budget)--;
        double d;
        LispObj e = arr_storage_peek(s, off + i, &d);
        uint64_t eh;
        if (e == LISP_UNBOUND) { /* a raw double: hash it as number_equalp_hash would */
            if (d == 0) d = 0;
            uint64_t bits;
            memcpy(&bits, &d, sizeof bits);
            eh = combine(TAG_NUMBER, bits);
        } else {
            eh = depth < HASH_DEPTH ? equalp_rec(e, depth + 1, budget) : TAG_ARRAY;
        }
        h = combine(h, eh);
    }
    return h;
}

static uint64_t instance_equalp_hash(LispObj x, int depth, int *budget) {
    if (lisp_structure_name(x) == NIL) return combine(TAG_KIND, KIND_INSTANCE);
    uint64_t h = combine(TAG_INSTANCE, obj_words(x)[1]); /* the layout: same type, same word */
    size_t n = lisp_structure_slot_count(x);
    for (size_t i = 0; i < n && *budget > 0; i++) {
        (*budget)--;
        h = combine(h, depth < HASH_DEPTH ? equalp_rec(lisp_structure_slot(x, i), depth + 1, budget)
                                          : TAG_INSTANCE);
    }
    return h;
}

static uint64_t equalp_rec(LispObj x, int depth, int *budget) {
    if (char_p(x)) return combine(TAG_CHAR, bi_char_upcase(char_code(x)));
    if (number_p(x)) return number_equalp_hash(x);
    if (cons_p(x)) {
        uint64_t h = TAG_CONS;
        for (; cons_p(x) && *budget > 0; x = CDR(x)) {
            (*budget)--;
            h = combine(h, depth < HASH_DEPTH ? equalp_rec(CAR(x), depth + 1, budget) : TAG_CONS);
        }
        return cons_p(x) ? h : combine(h, equalp_rec(x, depth + 1, budget));
    }
    if (arr_array_p(x)) return array_equalp_hash(x, depth, budget);
    if (kind_p(x, KIND_INSTANCE)) return instance_equalp_hash(x, depth, budget);
    /* EQUALP looks inside hash tables (CLHS EQUALP); one code stays correct. */
    if (ht_p(x)) return combine(TAG_KIND, obj_kind(x));
    return equal_rec(x, depth, budget);
}

uint64_t ht_equalp_hash(LispObj x) {
    int budget = HASH_BUDGET;
    return equalp_rec(x, 0, &budget) & (uint64_t)FIXNUM_MAX;
}

/* ---------------------------------------------------------------- tests */

enum HtTest { TEST_EQ, TEST_EQL, TEST_EQUAL, TEST_EQUALP };

static enum HtTest table_test(LispObj t) {
    LispObj s = HT(t)->test;
    return s == S(EQ) ? TEST_EQ : s == S(EQL) ? TEST_EQL : s == S(EQUAL) ? TEST_EQUAL : TEST_EQUALP;
}

static uint64_t key_hash(enum HtTest test, LispObj key) {
    switch (test) {
    case TEST_EQ: return mix(key) & (uint64_t)FIXNUM_MAX;
    case TEST_EQL: return eql_hash(key) & (uint64_t)FIXNUM_MAX;
    case TEST_EQUAL: return ht_sxhash(key);
    default: return ht_equalp_hash(key);
    }
}

static bool same_key(ThContext *tc, enum HtTest test, LispObj a, LispObj b) {
    switch (test) {
    case TEST_EQ: return a == b;
    case TEST_EQL: return bi_eql(a, b);
    case TEST_EQUAL: return bi_equal(tc, a, b);
    default: return bi_equalp(tc, a, b);
    }
}

/* ---------------------------------------------------------------- slots */

static inline LispObj *slot_words(LispObj entries, size_t i) {
    return &VEC(entries)->items[i * HT_ENTRY_WORDS];
}
static inline size_t slot_count(LispObj entries) { return vec_length(entries) / HT_ENTRY_WORDS; }
static inline bool live_key_p(LispObj k) { return k != HT_EMPTY && k != HT_TOMBSTONE; }

/* An entry word, read once (another thread misusing an unsynchronized
 * table may be writing it: a word read twice could be a live key the first
 * time and a marker the second). */
static inline LispObj word(const LispObj *w) { return __atomic_load_n(w, __ATOMIC_RELAXED); }

/* A whole entry, or false if another thread (misusing an unsynchronized
 * table) changed it while it was read: the key is read before and after the
 * value and hash, and writers store the value and hash before the key, so
 * an entry that reads back the same key is one that was stored whole.
 * (A slot reused for the same key holds a value stored under that key.) */
static bool read_entry(const LispObj *s, LispObj *k, LispObj *v, LispObj *h) {
    *k = __atomic_load_n(&s[0], __ATOMIC_ACQUIRE);
    if (!live_key_p(*k)) return false;
    *v = __atomic_load_n(&s[1], __ATOMIC_ACQUIRE);
    *h = __atomic_load_n(&s[2], __ATOMIC_ACQUIRE);
    return __atomic_load_n(&s[0], __ATOMIC_ACQUIRE) == *k && !marker_p(*v) && fx_p(*h);
}

/* The entries vector, read with acquire: a rebuild by another thread
 * publishes a vector it filled just before (pairs with obj_set's release). */
static inline LispObj entries_of(LispObj t) { return __atomic_load_n(&HT(t)->entries, __ATOMIC_ACQUIRE); }

/* rehash-threshold as the load the table keeps: a hint, held within
 * [1/4, 3/4] so linear probing stays short and memory bounded. */
static double table_load(LispObj threshold) {
    double th = real_double(threshold);
    return th < 0.25 ? 0.25 : th > 0.75 ? 0.75 : th;
}

/* Smallest power-of-two slot count whose load limit admits n entries. */
static size_t slots_for(ThContext *tc, size_t n, double load) {
    size_t slots = 8;
    while ((double)slots * load < (double)n) {
        if (slots >= ((size_t)1 << 40))
            cond_storage_condition(tc, "hash table of %zu entries is too large", n);
        slots <<= 1;
    }
    return slots;
}

/* Index of key's slot, or -1.  *free gets the first slot on the probe path
 * an insertion may take (a tombstone or the empty slot ending the chain). */
static int64_t probe(ThContext *tc, LispObj t, LispObj key, uint64_t h, int64_t *free, LispObj *entries_out) {
    enum HtTest test = table_test(t);
    LispObj entries = entries_of(t), hf = fx_make((int64_t)h);
    *entries_out = entries;
    size_t mask = slot_count(entries) - 1, i = h & mask;
    *free = -1;
    for (size_t n = 0; n <= mask; n++, i = (i + 1) & mask) {
        LispObj *s = slot_words(entries, i);
        LispObj k = __atomic_load_n(&s[0], __ATOMIC_ACQUIRE);
        if (k == HT_EMPTY) {
            if (*free < 0) *free = (int64_t)i;
            return -1;
        }
        if (k == HT_TOMBSTONE) {
            if (*free < 0) *free = (int64_t)i;
            continue;
        }
        if (word(&s[2]) == hf && same_key(tc, test, key, k)) return (int64_t)i;
    }
    return -1;
}

/* Moves the live entries into a fresh vector sized for target entries. */
static void rebuild(ThContext *tc, LispObj t, size_t target) {
    double load = table_load(HT(t)->rehash_threshold);
    size_t slots = slots_for(tc, target, load);
    LispObj fresh = vec_make(tc, slots * HT_ENTRY_WORDS, HT_EMPTY);
    LispObj old = entries_of(t);
    size_t n = slot_count(old), mask = slots - 1;
    size_t placed = 0;
    for (size_t i = 0; i < n; i++) {
        LispObj *s = slot_words(old, i);
        LispObj k, v, h;
        /* A misused table may hold more live keys than its count said: an
         * entry that finds the fresh vector full is dropped, never looped on. */
        if (!read_entry(s, &k, &v, &h) || placed >= slots - slots / 4) continue;  /* keep empty slots */
        size_t j = (uint64_t)fx_value(h) & mask;
        while (slot_words(fresh, j)[0] != HT_EMPTY) j = (j + 1) & mask;
        LispObj *d = slot_words(fresh, j);
        /* fresh is not yet reachable from anything: init stores suffice. */
        gc_init_store(&d[0], k);
        gc_init_store(&d[1], v);
        gc_init_store(&d[2], h);
        placed++;
    }
    obj_set(&HT(t)->entries, fresh);
    /* exact again: what the fresh vector holds (a misused table's count may have drifted) */
    obj_set(&HT(t)->count, fx_make((int64_t)placed));
    obj_set(&HT(t)->used, fx_make((int64_t)placed));
    obj_set(&HT(t)->size, fx_make((int64_t)((double)slots * load)));
}

/* Entries to rebuild for when an insertion finds used = size. */
static size_t grown_size(LispObj t) {
    size_t size = (size_t)fx_value(word(&HT(t)->size)), count = (size_t)fx_value(word(&HT(t)->count));
    if (count + 1 <= size / 2) return size; /* tombstones fill half: clean at the same size */
    LispObj rs = HT(t)->rehash_size;
    double target = fx_p(rs) ? (double)size + (double)fx_value(rs) : (double)size * real_double(rs);
    if (!(target >= (double)size + 1)) target = (double)size + 1;
    return target > 1e15 ? (size_t)1e15 : (size_t)target;
}

/* ---------------------------------------------------------------- operations */

LispObj ht_make(ThContext *tc, LispObj test, size_t size, LispObj rehash_size,
                LispObj rehash_threshold, bool synchronized) {
    enum { INITIAL_LIMIT = 1 << 20 }; /* :size is a hint: grow past this on demand */
    double load = table_load(rehash_threshold);
    size_t slots = slots_for(tc, size < INITIAL_LIMIT ? size : INITIAL_LIMIT, load);
    LispObj entries = vec_make(tc, slots * HT_ENTRY_WORDS, HT_EMPTY);
    LispObj lock = synchronized ? mt_make_internal_mutex(tc, true) : NIL;
    LispObj t = obj_alloc(tc, KIND_HASH_TABLE, HASH_TABLE_NWORDS);
    LispHashTable *h = HT(t);
    gc_init_store(&h->test, test);
    gc_init_store(&h->count, fx_make(0));
    gc_init_store(&h->used, fx_make(0));
    gc_init_store(&h->entries, entries);
    gc_init_store(&h->size, fx_make((int64_t)((double)slots * load)));
    gc_init_store(&h->rehash_size, rehash_size);
    gc_init_store(&h->rehash_threshold, rehash_threshold);
    gc_init_store(&h->synchronized, lock);
    gc_init_store(&h->weakness, NIL);
    return t;
}

/* ---------------------------------------------------------------- locking */

void ht_lock(ThContext *tc, LispObj t) {
    LispObj m = HT(t)->synchronized;
    if (m != NIL) th_mutex_lock(tc, &MTX(m)->mutex);
}

void ht_unlock(LispObj t) {
    LispObj m = HT(t)->synchronized;
    if (m != NIL) pthread_mutex_unlock(&MTX(m)->mutex);
}

/* ---------------------------------------------------------------- access */

static LispObj get_locked(ThContext *tc, LispObj t, LispObj key) {
    int64_t free;
    LispObj entries;
    int64_t i = probe(tc, t, key, key_hash(table_test(t), key), &free, &entries);
    if (i < 0) return LISP_UNBOUND;
    LispObj k, v, h;
    /* misuse: the entry was removed (or its slot reused) while we looked */
    if (!read_entry(slot_words(entries, (size_t)i), &k, &v, &h) || !same_key(tc, table_test(t), key, k))
        return LISP_UNBOUND;
    return v;
}

static void put_locked(ThContext *tc, LispObj t, LispObj key, LispObj value) {
    uint64_t h = key_hash(table_test(t), key);
    int64_t free;
    LispObj entries;
    int64_t i = probe(tc, t, key, h, &free, &entries);
    if (i >= 0) {
        obj_set(&slot_words(entries, (size_t)i)[1], value);
        return;
    }
    bool reuse = free >= 0 && word(&slot_words(entries, (size_t)free)[0]) == HT_TOMBSTONE;
    /* One rebuild leaves a quarter of the slots empty, so free >= 0 after it
     * unless threads misusing the table fill the fresh vector at once: then
     * a few more tries, and at last the put is lost (SPEC.md allows that;
     * growing on a racy count could grow without bound). */
    for (int tries = 0; free < 0 || (tries == 0 && !reuse && fx_value(word(&HT(t)->used)) >= fx_value(word(&HT(t)->size)));
         tries++) {
        if (tries == 8) return;
        rebuild(tc, t, grown_size(t));
        probe(tc, t, key, h, &free, &entries); /* now: no tombstones, free is the chain's empty end */
        reuse = false;
    }
    LispObj *s = slot_words(entries, (size_t)free);
    /* value and hash first, the key last (a release store): a reader that
     * finds the key (acquire) finds the entry complete */
    obj_set(&s[1], value);
    obj_set(&s[2], fx_make((int64_t)h));
    obj_set(&s[0], key);
    obj_set(&HT(t)->count, fx_make(fx_value(word(&HT(t)->count)) + 1));
    if (!reuse) obj_set(&HT(t)->used, fx_make(fx_value(word(&HT(t)->used)) + 1));
}

static bool remove_locked(ThContext *tc, LispObj t, LispObj key) {
    int64_t free;
    LispObj entries;
    int64_t i = probe(tc, t, key, key_hash(table_test(t), key), &free, &entries);
    if (i < 0) return false;
    size_t mask = slot_count(entries) - 1;
    bool chain_ends = word(&slot_words(entries, ((size_t)i + 1) & mask)[0]) == HT_EMPTY;
    LispObj *s = slot_words(entries, (size_t)i);
    obj_set(&s[0], chain_ends ? HT_EMPTY : HT_TOMBSTONE);
    obj_set(&s[1], NIL);
    obj_set(&s[2], fx_make(0));
    obj_set(&HT(t)->count, fx_make(fx_value(word(&HT(t)->count)) - 1));
    if (chain_ends) obj_set(&HT(t)->used, fx_make(fx_value(word(&HT(t)->used)) - 1));
    return true;
}

/* A synchronized table's lock is released however the operation ends (a
 * rebuild may signal heap exhaustion). */
typedef struct HtOp { LispObj t, key, value; int which; bool removed; LispObj result; } HtOp;

static LispObj run_op(ThContext *tc, void *data) {
    HtOp *op = data;
    switch (op->which) {
    case 0: op->result = get_locked(tc, op->t, op->key); break;
    case 1: put_locked(tc, op->t, op->key, op->value); break;
    default: op->removed = remove_locked(tc, op->t, op->key); break;
    }
    return NIL;
}

static void unlock_op(ThContext *tc, void *data) {
    (void)tc;
    ht_unlock(((HtOp *)data)->t);
}

static void locked_op(ThContext *tc, HtOp *op) {
    if (HT(op->t)->synchronized == NIL) {
        run_op(tc, op);
        return;
    }
    ht_lock(tc, op->t);
    vm_protect_call(tc, run_op, op, unlock_op, op);
}

LispObj ht_get(ThContext *tc, LispObj t, LispObj key) {
    HtOp op = {.t = t, .key = key, .which = 0};
    locked_op(tc, &op);
    return op.result;
}

void ht_put(ThContext *tc, LispObj t, LispObj key, LispObj value) {
    HtOp op = {.t = t, .key = key, .value = value, .which = 1};
    locked_op(tc, &op);
}

bool ht_remove(ThContext *tc, LispObj t, LispObj key) {
    HtOp op = {.t = t, .key = key, .which = 2};
    locked_op(tc, &op);
    return op.removed;
}

void ht_clear(ThContext *tc, LispObj t) {
    ht_lock(tc, t);  /* nothing here allocates or signals */
    LispObj entries = entries_of(t);
    size_t n = vec_length(entries);
    for (size_t i = 0; i < n; i++) obj_set(&VEC(entries)->items[i], HT_EMPTY);
    obj_set(&HT(t)->count, fx_make(0));
    obj_set(&HT(t)->used, fx_make(0));
    ht_unlock(t);
}

bool ht_next(LispObj t, size_t *pos, LispObj *key, LispObj *value) {
    LispObj entries = entries_of(t);
    size_t n = slot_count(entries);
    for (size_t i = *pos; i < n; i++) {
        LispObj k, v, h;
        if (!read_entry(slot_words(entries, i), &k, &v, &h)) continue;  /* empty, or changing under misuse */
        *key = k;
        *value = v;
        *pos = i + 1;
        return true;
    }
    *pos = n;
    return false;
}

size_t ht_capacity(LispObj t) { return (size_t)fx_value(HT(t)->size); }
