#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>

// Swift cannot call C variadic functions, and curl_easy_setopt, curl_easy_getinfo and
// curl_multi_setopt are variadic. These wrappers give each argument kind a typed signature.
// They are the only way the Swift code reaches those three functions.

typedef size_t (*facedrop_curl_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

// CURLOPT_PREREQFUNCTION (libcurl 7.80): called once a connection is made or reused, right before the
// request is sent; CURL_PREREQFUNC_OK (0) sends it, CURL_PREREQFUNC_ABORT (1) aborts the transfer.
typedef int (*facedrop_curl_prereq_callback)(void *clientp, char *conn_primary_ip, char *conn_local_ip,
                                             int conn_primary_port, int conn_local_port);

static inline CURLcode facedrop_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode facedrop_curl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode facedrop_curl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode facedrop_curl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode facedrop_curl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode facedrop_curl_easy_setopt_data_callback(CURL *handle, CURLoption option,
                                                               facedrop_curl_data_callback value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode facedrop_curl_easy_setopt_prereq_callback(CURL *handle, facedrop_curl_prereq_callback value) {
    return curl_easy_setopt(handle, CURLOPT_PREREQFUNCTION, value);
}

static inline CURLcode facedrop_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode facedrop_curl_easy_getinfo_string(CURL *handle, CURLINFO info, const char **value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLcode facedrop_curl_easy_getinfo_off_t(CURL *handle, CURLINFO info, curl_off_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

static inline CURLMcode facedrop_curl_multi_setopt_long(CURLM *handle, CURLMoption option, long value) {
    return curl_multi_setopt(handle, option, value);
}

#endif
