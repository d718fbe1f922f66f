/*
 * mkp12 - make PKCS#12 test files of many encrypted safes.
 *
 * A test helper for certprobe: `openssl pkcs12 -export` writes one
 * encrypted safe of certificates, while a hostile file may hold
 * thousands, each asking for its own key derivation. This writes such
 * files with real OpenSSL: N safes, the first holding the certificate
 * (if one is given), the others empty copies of one encrypted safe.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -O2 -o mkp12 mkp12.c -lcrypto
 */

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

static const char usage_text[] =
    "Usage: mkp12 [options] -o OUT\n"
    "\n"
    "Make a PKCS#12 file of N encrypted safes (no key bags).\n"
    "\n"
    "  -o, --out FILE      output file (DER)\n"
    "  -c, --cert FILE     certificate (PEM) for the first safe; default: none\n"
    "  -n, --safes N       encrypted safes (default 1)\n"
    "  -i, --iter N        key-derivation iterations of each safe (default 2048)\n"
    "  -p, --pass STR      password (\"\" is the empty one); default: no\n"
    "                      password at all (NULL, length 0)\n"
    "      --mac N         add a SHA-256 MAC of N iterations; default: no MAC\n"
    "      --3des          encrypt with pbeWithSHA1And3-KeyTripleDES-CBC (the\n"
    "                      PKCS#12 KDF) instead of PBES2 AES-256-CBC/PBKDF2\n"
    "  -h, --help          this text\n";

enum { OPT_MAC = 256, OPT_3DES };

static const struct option long_opts[] = {
    { "out", required_argument, NULL, 'o' },
    { "cert", required_argument, NULL, 'c' },
    { "safes", required_argument, NULL, 'n' },
    { "iter", required_argument, NULL, 'i' },
    { "pass", required_argument, NULL, 'p' },
    { "mac", required_argument, NULL, OPT_MAC },
    { "3des", no_argument, NULL, OPT_3DES },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 }
};

struct opts {
    const char *out;
    const char *cert;
    const char *pass;   /* NULL: no password */
    long safes;
    long iter;
    long mac;           /* 0: no MAC */
    int pbe_nid;        /* the cipher (PBES2) or PKCS#12 PBE scheme */
    int help;
};

static void report(const char *fmt, ...)
{
    va_list ap;

    fputs("mkp12: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* A positive count in [1, max]: 0, or -1 after saying why. */
static int parse_count(const char *s, long max, const char *what, long *v)
{
    int rc = -1;
    char *end = NULL;
    long x;

    errno = 0;
    x = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0 || x < 1 || x > max) {
        report("%s: \"%s\" is not a number from 1 to %ld", what, s, max);
        goto out;
    }
    *v = x;
    rc = 0;
out:
    return rc;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    int rc = -1;
    int c;

    while ((c = getopt_long(argc, argv, "o:c:n:i:p:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'c': o->cert = optarg; break;
        case 'n':
            if (parse_count(optarg, 10000000, "--safes", &o->safes) != 0)
                goto out;
            break;
        case 'i':
            if (parse_count(optarg, 100000000, "--iter", &o->iter) != 0)
                goto out;
            break;
        case 'p': o->pass = optarg; break;
        case OPT_MAC:
            if (parse_count(optarg, 100000000, "--mac", &o->mac) != 0)
                goto out;
            break;
        case OPT_3DES: o->pbe_nid = NID_pbe_WithSHA1And3_Key_TripleDES_CBC; break;
        case 'h': o->help = 1; break;
        default: goto out;      /* getopt already said what was wrong */
        }
    }
    if (optind != argc) {
        report("unexpected argument \"%s\"", argv[optind]);
        goto out;
    }
    if (!o->help && o->out == NULL) {
        report("missing -o OUT");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* The bags of the first safe: the certificate, or none. */
static STACK_OF(PKCS12_SAFEBAG) *cert_bags(const char *path)
{
    STACK_OF(PKCS12_SAFEBAG) *bags = NULL, *ret = NULL;
    X509 *x = NULL;
    FILE *f = NULL;

    if ((bags = sk_PKCS12_SAFEBAG_new_null()) == NULL)
        goto out;
    if (path != NULL) {
        if ((f = fopen(path, "r")) == NULL) {
            report("%s: %s", path, strerror(errno));
            goto out;
        }
        if ((x = PEM_read_X509(f, NULL, NULL, NULL)) == NULL) {
            report("%s: no PEM certificate", path);
            goto out;
        }
        if (PKCS12_add_cert(&bags, x) == NULL)
            goto out;
    }
    ret = bags;
    bags = NULL;
out:
    sk_PKCS12_SAFEBAG_pop_free(bags, PKCS12_SAFEBAG_free);
    X509_free(x);
    if (f != NULL)
        fclose(f);
    return ret;
}

/* One encrypted safe of `bags`. */
static PKCS7 *encrypt_safe(const struct opts *o, STACK_OF(PKCS12_SAFEBAG) *bags)
{
    return PKCS12_pack_p7encdata(o->pbe_nid, o->pass, o->pass ? -1 : 0, NULL,
                                 0, (int)o->iter, bags);
}

/*
 * The AuthenticatedSafe: o->safes encrypted safes. The empty ones are
 * copies of one (the same salt): a reader derives a key for each all
 * the same, and the writer pays for one.
 */
static STACK_OF(PKCS7) *make_safes(const struct opts *o)
{
    STACK_OF(PKCS12_SAFEBAG) *first = NULL, *none = NULL;
    STACK_OF(PKCS7) *safes = NULL, *ret = NULL;
    PKCS7 *p7, *empty = NULL;
    long i;

    if ((first = cert_bags(o->cert)) == NULL ||
        (none = sk_PKCS12_SAFEBAG_new_null()) == NULL ||
        (safes = sk_PKCS7_new_null()) == NULL)
        goto out;
    if (o->safes > 1 && (empty = encrypt_safe(o, none)) == NULL) {
        report("cannot encrypt a safe");
        goto out;
    }
    for (i = 0; i < o->safes; i++) {
        p7 = i == 0 ? encrypt_safe(o, first) : PKCS7_dup(empty);
        if (p7 == NULL || !sk_PKCS7_push(safes, p7)) {
            PKCS7_free(p7);
            report("cannot encrypt safe %ld", i + 1);
            goto out;
        }
    }
    ret = safes;
    safes = NULL;
out:
    sk_PKCS12_SAFEBAG_pop_free(first, PKCS12_SAFEBAG_free);
    sk_PKCS12_SAFEBAG_free(none);
    sk_PKCS7_pop_free(safes, PKCS7_free);
    PKCS7_free(empty);
    return ret;
}

static int make_p12(const struct opts *o)
{
    STACK_OF(PKCS7) *safes = NULL;
    PKCS12 *p12 = NULL;
    FILE *f = NULL;
    int rc = -1;

    if ((safes = make_safes(o)) == NULL ||
        (p12 = PKCS12_add_safes(safes, NID_pkcs7_data)) == NULL)
        goto out;
    if (o->mac > 0 && !PKCS12_set_mac(p12, o->pass, o->pass ? -1 : 0, NULL,
                                      0, (int)o->mac, EVP_sha256())) {
        report("cannot set the MAC");
        goto out;
    }
    if ((f = fopen(o->out, "wb")) == NULL) {
        report("%s: %s", o->out, strerror(errno));
        goto out;
    }
    if (!i2d_PKCS12_fp(f, p12) || fflush(f) != 0) {
        report("%s: cannot write", o->out);
        goto out;
    }
    rc = 0;
out:
    if (f != NULL && fclose(f) != 0)
        rc = -1;
    sk_PKCS7_pop_free(safes, PKCS7_free);
    PKCS12_free(p12);
    return rc;
}

int main(int argc, char **argv)
{
    struct opts o = { NULL, NULL, NULL, 1, 2048, 0, NID_aes_256_cbc, 0 };
    int rc = 1;

    if (parse_args(argc, argv, &o) != 0) {
        fputs(usage_text, stderr);
        goto out;
    }
    if (o.help) {
        fputs(usage_text, stdout);
        rc = 0;
        goto out;
    }
    if (make_p12(&o) != 0) {
        ERR_print_errors_fp(stderr);
        goto out;
    }
    rc = 0;
out:
    return rc;
}
