/* lisp/image.c — core images (petrel.core, save-lisp-and-die): the whole
 * heap after the library is loaded, plus the C globals that point into it,
 * so that startup maps a file instead of reading and compiling the library.
 *
 * File layout (offsets relative to the image's start, which is 0 in a core
 * file and the first 64 KiB boundary past the runtime in an executable):
 *   ImgHeader at 0 (magic, format, version, build id, heap base, offsets);
 *   the C roots (LispObj words, in roots_table order) at roots_off;
 *   the heap's page table and pages (gc/image.c) at table_off / data_off.
 * The heap is reserved at the saved base (GC_DEFAULT_BASE unless it was
 * busy), so tagged pointers need no relocation.  What does: raw words that
 * point outside the heap —
 *   BUILTIN fn: saved as an offset from lisp_init (the binary is PIE; a
 *     build id check guarantees the same binary, hence the same offsets);
 *   STREAM file: saved as 1/2/3 for stdin/stdout/stderr, 0 for any other
 *     FILE (which comes back closed: NULL).
 * An executable (save-lisp-and-die :executable t) is this binary's bytes,
 * zero padding, the image, then an ExeTrailer at the very end that gives
 * the image's start; the binary looks for it in /proc/self/exe at startup.
 * The VM and thread state are not in the image; lisp_init rebuilds them.
 * Saving patches those raw words in place, writes, and puts them back, so
 * the saving process stays usable.  Single thread only (startup, or a
 * save-lisp-and-die with no other Lisp thread). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1  /* dl_iterate_phdr */
#endif
#include "lisp/vm_impl.h"
#include "lisp/hashtable_impl.h"
#include "lisp/printer_impl.h"

#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define IMG_MAGIC "PETRELCORE"
enum { IMG_FORMAT = 1, IMG_BUILD_ID_MAX = 64 };

typedef struct ImgHeader {
    char magic[16];          /* IMG_MAGIC, NUL padded */
    uint32_t format;         /* IMG_FORMAT */
    uint32_t build_id_len;
    char version[32];        /* PETREL_VERSION */
    uint8_t build_id[IMG_BUILD_ID_MAX]; /* of the binary that wrote it */
    uint64_t heap_base, page_bytes, hwm;
    uint64_t roots_off, nroots, table_off, data_off;
    uint64_t anchor;         /* address of lisp_init in the writer */
    uint64_t tls_counter;    /* next thread-local slot index */
} ImgHeader;

/* :toplevel of save-lisp-and-die; written by the main thread before the REPL
 * starts (image load or SAVE-LISP-AND-DIE) and read once at startup; a GC root. */
LispObj lisp_image_toplevel = 0;

/* The C globals that hold Lisp values, in file order. */
static size_t roots_table(LispObj **out) {
    size_t n = 0;
    LispObj *fixed[] = {&lisp_nil, &lisp_t, &pkg_common_lisp, &pkg_cl_user, &pkg_keyword,
                        &pkg_ext, &pkg_system, pkg_registry_root(), &lisp_image_toplevel};
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++) {
        if (out) out[n] = fixed[i];
        n++;
    }
    for (size_t i = 0; i < SYM__COUNT; i++) {
        if (out) out[n] = &lisp_syms[i];
        n++;
    }
    return n;
}

/* ---- the build id of this binary (GNU note), else its size and mtime ---- */

typedef struct BuildId { uint8_t bytes[IMG_BUILD_ID_MAX]; uint32_t len; } BuildId;

static int find_note(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size;
    BuildId *id = data;
    if (info->dlpi_name && info->dlpi_name[0]) return 0;  /* the executable is first, unnamed */
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_NOTE) continue;
        const char *p = (const char *)(info->dlpi_addr + ph->p_vaddr), *end = p + ph->p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            const ElfW(Nhdr) *nh = (const ElfW(Nhdr) *)p;
            const char *desc = p + sizeof *nh + ((nh->n_namesz + 3) & ~3u);
            if (nh->n_type == NT_GNU_BUILD_ID && nh->n_namesz == 4 && !memcmp(p + sizeof *nh, "GNU", 4) &&
                nh->n_descsz <= IMG_BUILD_ID_MAX) {
                memcpy(id->bytes, desc, nh->n_descsz);
                id->len = nh->n_descsz;
                return 1;
            }
            p = desc + ((nh->n_descsz + 3) & ~3u);
        }
    }
    return 1;
}

static const BuildId *build_id(void) {
    static BuildId id;
    static bool done;
    if (done) return &id;
    done = true;
    dl_iterate_phdr(find_note, &id);
    if (id.len == 0) {
        struct stat st;
        if (stat("/proc/self/exe", &st) == 0) {
            uint64_t w[3] = {(uint64_t)st.st_size, (uint64_t)st.st_mtim.tv_sec, (uint64_t)st.st_mtim.tv_nsec};
            memcpy(id.bytes, w, sizeof w);
            id.len = sizeof w;
        }
    }
    return &id;
}

static uintptr_t anchor(void) { return (uintptr_t)&lisp_init; }

/* ---- raw words outside the heap ---- */

static uintptr_t file_code(FILE *f) {
    return f == stdin ? 1 : f == stdout ? 2 : f == stderr ? 3 : 0;
}

typedef struct Patch { uintptr_t *at; uintptr_t old; } Patch;
typedef struct Patches { Patch *v; size_t n, cap; } Patches;

static void patch(Patches *ps, uintptr_t *at, uintptr_t value) {
    if (ps->n == ps->cap) {
        ps->cap = ps->cap ? ps->cap * 2 : 1024;
        ps->v = realloc(ps->v, ps->cap * sizeof *ps->v);
        PT_CHECK(ps->v != NULL, "out of memory saving a core");
    }
    ps->v[ps->n++] = (Patch){at, *at};
    *at = value;
}

static void unrelocate(GcWord *w, void *data) {
    Patches *ps = data;
    unsigned kind = gc_header_type(w[0]);
    if (kind == KIND_BUILTIN) {
        LispBuiltin *b = (LispBuiltin *)w;
        patch(ps, (uintptr_t *)&b->fn, (uintptr_t)b->fn - anchor());
    } else if (kind == KIND_STREAM && ((LispStream *)w)->file) {
        LispStream *s = (LispStream *)w;
        patch(ps, (uintptr_t *)&s->file, file_code(s->file));
    }
}

static void relocate(GcWord *w, void *data) {
    (void)data;
    unsigned kind = gc_header_type(w[0]);
    if (kind == KIND_BUILTIN) {
        LispBuiltin *b = (LispBuiltin *)w;
        b->fn = (BuiltinFn)((uintptr_t)b->fn + anchor());
    } else if (kind == KIND_STREAM && ((LispStream *)w)->file) {
        LispStream *s = (LispStream *)w;
        uintptr_t code = (uintptr_t)s->file;
        FILE *f = code == 1 ? stdin : code == 2 ? stdout : code == 3 ? stderr : NULL;
        s->file = f;
        s->unread = -1;
        s->column = 0;
        int flags = (f && isatty(fileno(f))) ? STMF_INTERACTIVE : 0;
        obj_set(&s->end, fx_make(flags));  /* a fixnum: no reference changes */
    } else if (kind == KIND_WEAK_POINTER) {
        weak_pointer_restored(w);  /* the collector's registry is not in the image */
    } else if (kind == KIND_HASH_TABLE && ((LispHashTable *)w)->weakness != NIL) {
        LispObj t = (LispObj)(uintptr_t)w + GC_TAG_OBJECT;
        ht_weak_register(t, ht_weakness_of(t));  /* nor is the weak-table registry */
    }
}

/* ---- saving ---- */


/* Written at the very end of an executable; base is the image's offset. */
typedef struct ExeTrailer {
    char magic[16];  /* EXE_MAGIC, NUL padded */
    uint64_t base;
    uint64_t image_end;
    uint64_t program;  /* 1: saved with a :toplevel */
} ExeTrailer;
#define EXE_MAGIC "PETRELEXECORE"

/* Writes the image at file offset base; its end offset in *end. */
static bool write_image(ThContext *tc, int fd, uint64_t base, uint64_t *end) {
    size_t nroots = roots_table(NULL);
    LispObj **roots = malloc(nroots * sizeof *roots);
    LispObj *vals = malloc(nroots * sizeof *vals);
    PT_CHECK(roots && vals, "out of memory saving a core");
    roots_table(roots);
    for (size_t i = 0; i < nroots; i++) vals[i] = *roots[i];
    ImgHeader h = {.format = IMG_FORMAT, .page_bytes = 1 << 16, .nroots = nroots,
                   .heap_base = (uintptr_t)gc_heap_base(), .anchor = anchor(),
                   .tls_counter = th_tls_index_counter()};
    strncpy(h.magic, IMG_MAGIC, sizeof h.magic);
    strncpy(h.version, PETREL_VERSION, sizeof h.version - 1);
    const BuildId *id = build_id();
    memcpy(h.build_id, id->bytes, id->len);
    h.build_id_len = id->len;
    h.roots_off = (sizeof h + 15) & ~(uint64_t)15;
    h.table_off = (h.roots_off + nroots * sizeof(LispObj) + 15) & ~(uint64_t)15;
    Patches ps = {0};
    gc_each_object(unrelocate, &ps);
    /* now: raw words are position independent; nothing may allocate until restored */
    uint64_t data_abs = 0;
    bool ok = gc_image_write(fd, &tc->gc, base + h.table_off, &data_abs, &h.hwm);
    h.data_off = data_abs - base;
    ok = ok && gc_image_pwrite_all(fd, vals, nroots * sizeof *vals, base + h.roots_off) &&
         gc_image_pwrite_all(fd, &h, sizeof h, base);
    *end = base + h.data_off + (h.hwm << 16);
    for (size_t i = ps.n; i-- > 0;) *ps.v[i].at = ps.v[i].old;
    free(ps.v);
    free(roots);
    free(vals);
    return ok;
}

/* The runtime part of the running binary: all of it, or up to its own
 * embedded image when it is itself a saved executable. */
static bool copy_runtime(int out, uint64_t *len) {
    int in = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (in < 0) return false;
    struct stat st;
    ExeTrailer t;
    bool ok = fstat(in, &st) == 0;
    uint64_t n = ok ? (uint64_t)st.st_size : 0;
    if (ok && n >= sizeof t && pread(in, &t, sizeof t, (off_t)(n - sizeof t)) == (ssize_t)sizeof t &&
        !memcmp(t.magic, EXE_MAGIC, sizeof EXE_MAGIC) && t.base <= n)
        n = t.base;
    char buf[1 << 16];
    for (uint64_t off = 0; ok && off < n;) {
        size_t want = n - off < sizeof buf ? (size_t)(n - off) : sizeof buf;
        ssize_t k = pread(in, buf, want, (off_t)off);
        ok = k > 0 && gc_image_pwrite_all(out, buf, (size_t)k, off);
        off += k > 0 ? (uint64_t)k : 0;
    }
    int e = errno;
    close(in);
    errno = e;
    *len = n;
    return ok;
}

static bool write_file(ThContext *tc, int fd, bool executable, bool program) {
    uint64_t base = 0, end = 0;
    if (executable) {
        if (!copy_runtime(fd, &base)) return false;
        base = (base + 0xffff) & ~(uint64_t)0xffff;
    }
    if (!write_image(tc, fd, base, &end)) return false;
    if (!executable) return true;
    ExeTrailer t = {.base = base, .image_end = end, .program = program};
    strncpy(t.magic, EXE_MAGIC, sizeof t.magic);
    return gc_image_pwrite_all(fd, &t, sizeof t, end) && fchmod(fd, 0755) == 0;
}

bool img_save(ThContext *tc, const char *path, LispObj toplevel, bool executable, char *err, size_t errcap) {
    lisp_image_toplevel = toplevel;
    gc_collect(&tc->gc);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp%ld", path, (long)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    bool ok = fd >= 0 && write_file(tc, fd, executable, toplevel != NIL);
    int e = errno;
    if (fd >= 0 && close(fd) != 0) ok = false;
    if (ok && rename(tmp, path) != 0) ok = false, e = errno;
    lisp_image_toplevel = NIL;
    if (!ok) {
        snprintf(err, errcap, "cannot write %s: %s", path, strerror(e));
        unlink(tmp);
    }
    return ok;
}

/* ---- loading ---- */

static bool bad(char *err, size_t cap, const char *path, const char *why) {
    snprintf(err, cap, "%s: %s", path, why);
    return false;
}

static bool check_header(const ImgHeader *h, const char *path, off_t size, char *err, size_t cap) {
    if (memcmp(h->magic, IMG_MAGIC, sizeof IMG_MAGIC)) return bad(err, cap, path, "not a Petrel core file");
    if (h->format != IMG_FORMAT) return bad(err, cap, path, "core format version differs from this petrel's");
    if (strncmp(h->version, PETREL_VERSION, sizeof h->version))
        return bad(err, cap, path, "core made by another Petrel version");
    const BuildId *id = build_id();
    if (h->build_id_len != id->len || memcmp(h->build_id, id->bytes, id->len))
        return bad(err, cap, path, "core made by a different petrel binary (rebuild the core)");
    if (h->page_bytes != 1 << 16 || h->nroots != roots_table(NULL))
        return bad(err, cap, path, "core layout differs from this petrel's");
    if (h->data_off & 0xffff || h->data_off + (h->hwm << 16) > (uint64_t)size || h->table_off > h->data_off)
        return bad(err, cap, path, "truncated core file");
    return true;
}

/* Reads and checks the header of the image at base in fd (closed on failure). */
static bool open_at(int fd, uint64_t base, const char *path, ImgCore *core, char *err, size_t errcap) {
    ImgHeader h;
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && (uint64_t)st.st_size >= base &&
              pread(fd, &h, sizeof h, (off_t)base) == (ssize_t)sizeof h;
    if (!ok) bad(err, errcap, path, "not a Petrel core file (too short)");
    else ok = check_header(&h, path, st.st_size - (off_t)base, err, errcap);
    if (!ok) {
        close(fd);
        errno = EINVAL;
        return false;
    }
    *core = (ImgCore){.fd = fd, .heap_base = (void *)(uintptr_t)h.heap_base, .base = base, .hwm = h.hwm,
                      .table_off = h.table_off, .data_off = h.data_off, .roots_off = h.roots_off,
                      .nroots = h.nroots, .anchor = h.anchor, .tls_counter = h.tls_counter};
    return true;
}

static int open_file(const char *path, char *err, size_t errcap) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        snprintf(err, errcap, "cannot open core %s: %s", path, strerror(e));
        errno = e;
    }
    return fd;
}

bool img_open(const char *path, ImgCore *core, char *err, size_t errcap) {
    memset(core, 0, sizeof *core);
    core->fd = -1;
    int fd = open_file(path, err, errcap);
    return fd >= 0 && open_at(fd, 0, path, core, err, errcap);
}

bool img_open_embedded(const char *path, ImgCore *core, char *err, size_t errcap) {
    memset(core, 0, sizeof *core);
    core->fd = -1;
    int fd = open_file(path, err, errcap);
    if (fd < 0) return false;
    struct stat st;
    ExeTrailer t;
    if (fstat(fd, &st) != 0 || (uint64_t)st.st_size < sizeof t ||
        pread(fd, &t, sizeof t, st.st_size - (off_t)sizeof t) != (ssize_t)sizeof t ||
        memcmp(t.magic, EXE_MAGIC, sizeof EXE_MAGIC) != 0) {
        close(fd);
        errno = ENOENT;
        return false;
    }
    if (t.base & 0xffff || t.image_end + sizeof t != (uint64_t)st.st_size) {
        close(fd);
        errno = EINVAL;
        return bad(err, errcap, path, "corrupt executable image trailer");
    }
    if (!open_at(fd, t.base, path, core, err, errcap)) return false;
    core->program = t.program == 1;
    return true;
}

void img_close(ImgCore *core) {
    if (core->fd >= 0) close(core->fd);
    core->fd = -1;
}

bool img_load(ThContext *tc, ImgCore *core, char *err, size_t errcap) {
    (void)tc;
    PT_CHECK(gc_heap_base() == core->heap_base, "img_load: heap not at the core's base");
    size_t n = roots_table(NULL);
    LispObj **roots = malloc(n * sizeof *roots);
    LispObj *vals = malloc(n * sizeof *vals);
    PT_CHECK(roots && vals, "out of memory loading a core");
    roots_table(roots);
    bool ok = pread(core->fd, vals, n * sizeof *vals, (off_t)(core->base + core->roots_off)) ==
              (ssize_t)(n * sizeof *vals);
    if (!ok) snprintf(err, errcap, "truncated core roots");
    ok = ok && gc_image_read(core->fd, core->base + core->table_off, core->base + core->data_off, core->hwm, err,
                             errcap);
    if (ok) {
        for (size_t i = 0; i < n; i++) *roots[i] = vals[i];
        th_tls_index_restore(core->tls_counter);
        gc_each_object(relocate, NULL);
    }
    free(roots);
    free(vals);
    img_close(core);
    return ok;
}
