/* multipart/form-data body builder, Ruby-free. Parts are added up front; the body is
 * then pulled in caller-sized chunks, file bytes streamed from disk (never held whole). */
#ifndef WAWEB_MULTIPART_H
#define WAWEB_MULTIPART_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    WAWEB_MP_OK = 0,
    WAWEB_MP_ENOMEM = -1,
    WAWEB_MP_EINVAL = -2,    /* bad name/filename/content type/boundary; see error text */
    WAWEB_MP_ESYS = -3,      /* a system call failed; waweb_multipart_errno() tells which */
    WAWEB_MP_ECHANGED = -4,  /* a file's size changed after it was added */
    WAWEB_MP_EOVERFLOW = -5, /* total length would not fit */
    WAWEB_MP_EBUSY = -6      /* parts added while the body is being read */
} waweb_mp_status;

/* The longest boundary RFC 2046 allows. */
#define WAWEB_MP_BOUNDARY_MAX 70

typedef struct waweb_multipart waweb_multipart;

/* Creates a builder. boundary may be NULL (a random hex one is drawn) or 1..70 bytes
 * of [0-9A-Za-z'+_.-]. Returns OK and sets *out, or an error code. */
waweb_mp_status waweb_multipart_new(const char *boundary, size_t boundary_len,
                                    waweb_multipart **out);
/* Closes every file and frees everything. NULL is accepted. */
void waweb_multipart_free(waweb_multipart *m);
/* Closes the files early (reads afterwards fail with EBADF). */
void waweb_multipart_close(waweb_multipart *m);

waweb_mp_status waweb_multipart_add_field(waweb_multipart *m, const char *name, size_t name_len,
                                          const char *value, size_t value_len);
/* Opens path (NUL-terminated) now and records its size; the descriptor is kept so the
 * file read later is the file checked now. */
waweb_mp_status waweb_multipart_add_file(waweb_multipart *m, const char *name, size_t name_len,
                                         const char *path, const char *filename,
                                         size_t filename_len, const char *content_type,
                                         size_t content_type_len);

const char *waweb_multipart_boundary(const waweb_multipart *m, size_t *len);
uint64_t waweb_multipart_content_length(const waweb_multipart *m);
uint64_t waweb_multipart_position(const waweb_multipart *m);
/* True when the unread rest of the body involves file reads (worth releasing a lock). */
int waweb_multipart_pending_io(const waweb_multipart *m);

/* Copies up to cap next body bytes into buf; *got = 0 with OK means end of body.
 * After an error every read returns the same error until rewind. */
waweb_mp_status waweb_multipart_read(waweb_multipart *m, char *buf, size_t cap, size_t *got);
void waweb_multipart_rewind(waweb_multipart *m);

/* errno of the last ESYS error, and a static text for the last error. */
int waweb_multipart_errno(const waweb_multipart *m);
const char *waweb_multipart_error(const waweb_multipart *m);
size_t waweb_multipart_memsize(const waweb_multipart *m);

#endif
