/* The classifier's fast path: a strict JSON scanner that drives the same yajl
 * callbacks as yajl_parse, for bodies it can prove well-formed (RFC 8259 JSON whose
 * strings are strict UTF-8, RFC 3629). It accepts a subset of what yajl plus the strict
 * UTF-8 check accept and gives the very same callbacks on it; anything else (an error, a
 * lone surrogate escape, deep nesting, a callback saying no) makes it give up, and the
 * caller runs yajl, whose answer (and error text and offset) is the reference. Ruby-free. */
#ifndef WAWEB_JSON_SCAN_H
#define WAWEB_JSON_SCAN_H

#include <stddef.h>

#include <yajl/yajl_parse.h>

/* Containers deeper than this make the scanner give up (the classifier refuses > 64). */
#define WAWEB_JSON_SCAN_MAX_DEPTH 96

/* 1 when the whole text (one JSON object, whitespace around it) was scanned and every
 * callback returned 1; 0 otherwise: the callbacks' context then holds partial state that
 * the caller must reset. Uses only the string, number, boolean, null, map and array
 * callbacks (integer and double must be NULL: numbers come as text, as with yajl). */
int waweb_json_scan(const yajl_callbacks *cb, void *ctx, const char *json, size_t len);

/* Length of the well-formed UTF-8 sequence at s (s[0] >= 0x80, `rest` bytes readable),
 * or 0 when it is not one (overlong, surrogate, past U+10FFFF, truncated). */
size_t waweb_utf8_seq(const unsigned char *s, size_t rest);

#endif
