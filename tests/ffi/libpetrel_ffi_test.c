/* tests/ffi/libpetrel_ffi_test.c — the C side of tests/e2e/test_ffi.py:
 * identity functions of every scalar type (round trips at the limits),
 * strings both ways, a structure, callbacks called N times, from a thread
 * this library creates, and a call that sleeps (the collector must not
 * wait for it); and for stress/ffi (leak tests), the bytes malloc has
 * handed out. */
#include <malloc.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define ID(name, type) type pft_id_##name(type x) { return x; }
ID(int8, int8_t) ID(uint8, uint8_t) ID(int16, int16_t) ID(uint16, uint16_t)
ID(int32, int32_t) ID(uint32, uint32_t) ID(int64, int64_t) ID(uint64, uint64_t)
ID(char, signed char) ID(uchar, unsigned char) ID(short, short) ID(ushort, unsigned short)
ID(int, int) ID(uint, unsigned int) ID(long, long) ID(ulong, unsigned long)
ID(llong, long long) ID(ullong, unsigned long long) ID(size, size_t) ID(ssize, ssize_t)
ID(float, float) ID(double, double) ID(pointer, void *)

int pft_bool_not(int b) { return !b; }

/* Many arguments of mixed types: registers and stack. */
double pft_mixed(int8_t a, uint16_t b, int32_t c, int64_t d, float e, double f, uint8_t g, double h,
                 long i, float j) {
    return a + b + c + (double)d + e + f + g + h + (double)i + j;
}

/* strings */
size_t pft_utf8_length(const char *s) { return s ? strlen(s) : (size_t)-1; }
const char *pft_greeting(void) { return "h\xc3\xa9llo w\xc3\xb6rld \xe2\x82\xac \xf0\x9f\x90\xa6"; }
const char *pft_null_string(void) { return NULL; }
int pft_string_equal(const char *a, const char *b) { return a && b && !strcmp(a, b); }

/* A structure with padding: 1 + 7 pad + 8 + 2 + 2 pad + 4 = 24 bytes. */
struct pft_mixed { char c; double d; short s; int i; };
size_t pft_mixed_size(void) { return sizeof(struct pft_mixed); }
size_t pft_mixed_offset(int slot) {
    switch (slot) {
    case 0: return offsetof(struct pft_mixed, c);
    case 1: return offsetof(struct pft_mixed, d);
    case 2: return offsetof(struct pft_mixed, s);
    default: return offsetof(struct pft_mixed, i);
    }
}
double pft_mixed_sum(const struct pft_mixed *m) { return m->c + m->d + m->s + m->i; }
void pft_mixed_fill(struct pft_mixed *m) { m->c = -5; m->d = 2.5; m->s = 300; m->i = -70000; }

/* callbacks */
typedef int (*pft_int_fn)(int);
/* Calls f(0) .. f(n-1) and sums the results. */
long pft_call_n(pft_int_fn f, int n) {
    long sum = 0;
    for (int i = 0; i < n; i++) sum += f(i);
    return sum;
}

typedef double (*pft_dd_fn)(double, double);
double pft_call_dd(pft_dd_fn f, double a, double b) { return f(a, b); }

typedef struct { pft_int_fn f; int n; long sum; } pft_thread_job;
static void *thread_body(void *arg) {
    pft_thread_job *j = arg;
    j->sum = pft_call_n(j->f, j->n);
    return NULL;
}
/* Starts a pthread that calls f(0..n-1), joins it, returns the sum (-1 if
 * the thread could not start). */
long pft_call_n_on_new_thread(pft_int_fn f, int n) {
    pft_thread_job j = {f, n, 0};
    pthread_t t;
    if (pthread_create(&t, NULL, thread_body, &j) != 0) return -1;
    pthread_join(t, NULL);
    return j.sum;
}

/* Sleeps for ms milliseconds in C; returns ms. */
int pft_sleep_ms(int ms) {
    usleep((useconds_t)ms * 1000);
    return ms;
}

/* Bytes malloc has handed out and not had back, over all arenas (glibc's
 * mallinfo2 sums them): the leak tests in stress/ffi compare it before and
 * after a loop.  A function of its own because FOREIGN-FUNCALL cannot
 * return mallinfo2's structure by value. */
size_t pft_malloc_in_use(void) {
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}
