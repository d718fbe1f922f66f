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
/*
 * PKCS#12 key derivation, for a whole file: the MAC (twice without a
 * password, as "" and none are both tried) plus every encrypted safe, a
 * round being one iteration for one digest block of key (certfile.c).
 * The iteration counts are the file's to choose, and a directory search
 * tries every binary file: per file, not per safe, or a 16 MiB file of
 * 95,000 safes costs hours. OpenSSL 3 writes 2,048 for each, Java 10,000;
 * 2,000,000 still reads a MAC and a safe of a million each, and costs
 * about a second at worst (0.35 us a round for PBKDF2-SHA256, 0.7 for
 * SHA-512, on a 2 GHz EPYC).
 */
#define CP_PKCS12_ROUNDS_MAX 2000000L
/* The safes of a PKCS#12 file: exports write two (certificates, keys);
 * each more costs a decryption, even at one iteration. */
#define CP_PKCS12_SAFES_MAX 256
#define CP_DIR_DEPTH_MAX 64                /* nested directories searched */
#define CP_ERROR_MAX 512                   /* one error message */

#endif
