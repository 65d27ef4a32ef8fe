/* lisp/index_list.h — a growable array of indices: what a mark-end
 * presort leaves for pause 2 to check (finalize.c, hashtable_weak.c).
 * Push fails only when out of memory; the caller then leaves the rest to
 * the pause. */
#ifndef PETREL_LISP_INDEX_LIST_H
#define PETREL_LISP_INDEX_LIST_H

#include <stdbool.h>
#include <stdlib.h>

typedef struct IndexList { size_t *at, n, cap; } IndexList;

static inline bool index_list_push(IndexList *l, size_t i) {
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        size_t *a = realloc(l->at, cap * sizeof *a);
        if (!a) return false;
        l->at = a, l->cap = cap;
    }
    l->at[l->n++] = i;
    return true;
}

#endif
