/* lisp/hashtable_impl.h — hash tables (CLHS chapter 18): the layout of a
 * KIND_HASH_TABLE object and the ht_ operations behind the chapter-18
 * builtins (builtins_hash.c) and the printer.  Private to lisp/. */
#ifndef PETREL_LISP_HASHTABLE_IMPL_H
#define PETREL_LISP_HASHTABLE_IMPL_H

#include "lisp/lisp.h"

/* Every word is a Lisp value (the kind is all boxed).  entries is a simple
 * vector of HT_ENTRY_WORDS words per slot: key, value, hash (a fixnum).  A
 * key word of HT_EMPTY ends a probe chain; HT_TOMBSTONE marks a removed
 * entry (probes go on past it).  Both are markers, never seen by users. */
typedef struct LispHashTable {
    GcWord header;
    LispObj test;             /* symbol: EQ, EQL, EQUAL or EQUALP */
    LispObj count;            /* fixnum: live entries */
    LispObj used;             /* fixnum: live entries + tombstones */
    LispObj entries;          /* VECTOR: HT_ENTRY_WORDS * nslots words, nslots a power of 2 */
    LispObj size;             /* fixnum: used slots allowed before the table is rebuilt */
    LispObj rehash_size;      /* (integer 1 *) or (float (1.0) *), as given */
    LispObj rehash_threshold; /* (real 0 1), as given */
    LispObj synchronized;     /* a recursive MUTEX (EXT :synchronized), or NIL */
    LispObj weakness;         /* NIL, :KEY, :VALUE, :KEY-AND-VALUE or :KEY-OR-VALUE (hashtable_weak.c) */
} LispHashTable;
#define HASH_TABLE_NWORDS 9
enum { HT_ENTRY_WORDS = 3 };

#define HT_EMPTY ((LispObj)0x48012A)
#define HT_TOMBSTONE ((LispObj)0x48022A)

static inline LispHashTable *HT(LispObj x) { return (LispHashTable *)obj_words(x); }
static inline bool ht_p(LispObj x) { return kind_p(x, KIND_HASH_TABLE); }

/* Weak tables (hashtable_weak.c): what an entry's life depends on. */
enum HtWeakness { HT_WEAK_NONE, HT_WEAK_KEY, HT_WEAK_VALUE, HT_WEAK_KEY_AND_VALUE, HT_WEAK_KEY_OR_VALUE };
/* The weakness of a :weakness argument (NIL included), or -1. */
int ht_weakness_code(LispObj designator);
enum HtWeakness ht_weakness_of(LispObj table);
void ht_weak_register(LispObj table, enum HtWeakness w);
void ht_weak_init(void);  /* at startup: the collector's weak hook */
uint64_t ht_weak_pause_checks(void);  /* weak-table entries examined in pauses so far */

/* test: one of the symbols EQ EQL EQUAL EQUALP; the other arguments already
 * checked (rehash_threshold a real in [0,1], weakness a keyword
 * ht_weakness_code accepts, or NIL). */
LispObj ht_make(ThContext *tc, LispObj test, size_t size, LispObj rehash_size,
                LispObj rehash_threshold, bool synchronized, LispObj weakness);
/* A synchronized table's lock (no-ops for others): held by every ht_
 * operation, and by MAPHASH across its whole traversal. */
void ht_lock(ThContext *tc, LispObj table);
void ht_unlock(LispObj table);
/* The value under key, or LISP_UNBOUND when there is none. */
LispObj ht_get(ThContext *tc, LispObj table, LispObj key);
void ht_put(ThContext *tc, LispObj table, LispObj key, LispObj value);
bool ht_remove(ThContext *tc, LispObj table, LispObj key);
void ht_clear(ThContext *tc, LispObj table);
/* Iteration by slot position: from *pos on, the next live entry; false at
 * the end.  Removing the entry just returned, or setting its value, keeps
 * the iteration valid (CLHS 18.1.2 / 3.6). */
bool ht_next(LispObj table, size_t *pos, LispObj *key, LispObj *value);
/* Entries the table holds before it grows (HASH-TABLE-SIZE). */
size_t ht_capacity(LispObj table);

/* Hash codes, non-negative and fixnum-sized.  ht_sxhash agrees with EQUAL,
 * ht_equalp_hash with EQUALP; both look at a bounded part of a structure. */
uint64_t ht_sxhash(LispObj x);
uint64_t ht_equalp_hash(LispObj x);

#endif
