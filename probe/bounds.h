/*
 * The ceilings on what the probe accepts from outside (SPEC section 9),
 * in one place.
 */
#ifndef CP_BOUNDS_H
#define CP_BOUNDS_H

#define CP_FILE_MAX ((size_t)16 << 20)     /* a certificate file */
#define CP_CONFIG_MAX ((size_t)64 << 20)   /* one configuration file */
#define CP_CONFIG_LINE_MAX 4096            /* one configuration line */
#define CP_LINE_MAX 4096                   /* one protocol line */
#define CP_DIALOG_MAX ((size_t)64 << 10)   /* a whole protocol dialog */
#define CP_CERT_LIST_MAX ((long)1 << 20)    /* the certificates a server
                                              sends (OpenSSL: 100 KiB) */
#define CP_PASSWORD_MAX 1024               /* a password_file's content */
#define CP_PKCS12_ITER_MAX 1000000         /* PBKDF and MAC rounds (OpenSSL: 2048) */
#define CP_DIR_DEPTH_MAX 64                /* nested directories searched */
#define CP_ERROR_MAX 512                   /* one error message */

#endif
