/*
 * mkcert - make X.509 test certificates with exact validity windows.
 *
 * A test helper for certprobe: it produces certificates whose notBefore /
 * notAfter are exactly what a test asks for, including encodings OpenSSL
 * itself refuses to read, plus a bulk mode for benchmarks.
 *
 * Build: gcc -std=gnu11 -Wall -Wextra -O2 -o mkcert mkcert.c -lcrypto
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#define DAY_SECS 86400
#define SERIAL_BYTES 16
/* GeneralizedTime has 4-digit years: 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z */
#define EPOCH_YEAR_0 (-62167219200LL)
#define EPOCH_YEAR_9999_END 253402300799LL

static const char usage_text[] =
    "Usage: mkcert [options] -o OUT\n"
    "       mkcert --bulk N --dir DIR [--now EPOCH]\n"
    "\n"
    "Make an X.509 v3 test certificate (SHA-256 signature) with an exact\n"
    "validity window.\n"
    "\n"
    "  -o, --out FILE        output certificate (required unless --bulk)\n"
    "  -k, --key FILE        subject private key (PEM); if FILE does not exist,\n"
    "                        generate EC P-256 and save it there (PKCS#8, 0600);\n"
    "                        default: a throwaway EC P-256 key\n"
    "      --ca-key FILE     sign with this CA key (PEM) ...\n"
    "      --ca-cert FILE    ... issuer = subject of this CA cert (PEM);\n"
    "                        default: self-signed\n"
    "  -s, --subject STR     \"/CN=example.com/O=Example Org\", UTF-8 values,\n"
    "                        '\\' escapes the next character (\"\\/\" is a '/');\n"
    "                        default \"/CN=test\"\n"
    "      --cn-hex HEX      append a CN holding these raw bytes as UTF8String,\n"
    "                        unvalidated (control chars, invalid UTF-8, ...)\n"
    "      --not-before T    default: now - 1 day\n"
    "      --not-after T     default: now + 90 days\n"
    "                        T is @EPOCH (UTCTime 1950..2049, else\n"
    "                        GeneralizedTime), YYMMDDHHMMSSZ or YYYYMMDDHHMMSSZ\n"
    "                        (checked by OpenSSL), or raw:STRING (stored as\n"
    "                        GeneralizedTime bytes, unchecked)\n"
    "      --serial N        decimal serial 0..2^63-1; default: 16 random bytes\n"
    "      --ca              basicConstraints critical CA:TRUE and keyUsage\n"
    "                        critical keyCertSign,cRLSign (default: CA:FALSE)\n"
    "      --san LIST        subjectAltName, e.g. \"DNS:example.com,IP:127.0.0.1\"\n"
    "      --der             write DER instead of PEM\n"
    "      --bulk N          write N self-signed certs DIR/c%05d/cert.pem sharing\n"
    "                        one key DIR/key.pem, notAfter spread from NOW-30d\n"
    "                        to NOW+370d; print \"<path> <notAfter epoch>\" each\n"
    "      --dir DIR         output directory for --bulk (created if missing)\n"
    "      --now EPOCH       reference time for --bulk (default: current time)\n"
    "  -h, --help            show this help\n";

enum {
    OPT_CA_KEY = 256,
    OPT_CA_CERT,
    OPT_CN_HEX,
    OPT_NOT_BEFORE,
    OPT_NOT_AFTER,
    OPT_SERIAL,
    OPT_CA,
    OPT_SAN,
    OPT_DER,
    OPT_BULK,
    OPT_DIR,
    OPT_NOW,
};

static const struct option long_opts[] = {
    { "out", required_argument, NULL, 'o' },
    { "key", required_argument, NULL, 'k' },
    { "subject", required_argument, NULL, 's' },
    { "help", no_argument, NULL, 'h' },
    { "ca-key", required_argument, NULL, OPT_CA_KEY },
    { "ca-cert", required_argument, NULL, OPT_CA_CERT },
    { "cn-hex", required_argument, NULL, OPT_CN_HEX },
    { "not-before", required_argument, NULL, OPT_NOT_BEFORE },
    { "not-after", required_argument, NULL, OPT_NOT_AFTER },
    { "serial", required_argument, NULL, OPT_SERIAL },
    { "ca", no_argument, NULL, OPT_CA },
    { "san", required_argument, NULL, OPT_SAN },
    { "der", no_argument, NULL, OPT_DER },
    { "bulk", required_argument, NULL, OPT_BULK },
    { "dir", required_argument, NULL, OPT_DIR },
    { "now", required_argument, NULL, OPT_NOW },
    { NULL, 0, NULL, 0 },
};

struct opts {
    const char *out, *key, *ca_key, *ca_cert, *subject, *cn_hex;
    const char *not_before, *not_after, *serial, *san;
    const char *bulk, *dir, *now;
    int ca, der, help;
    int single_only;    /* count of options that make no sense with --bulk */
};

/* Everything one certificate is made from; owned, freed by material_free. */
struct material {
    EVP_PKEY *key;          /* subject key */
    EVP_PKEY *ca_key;       /* NULL when self-signed */
    X509 *ca_cert;          /* NULL when self-signed */
    X509_NAME *subject;
    ASN1_TIME *not_before, *not_after;
    ASN1_INTEGER *serial;
    size_t raw_cn_len;      /* length of the --cn-hex value, if any */
};

/* What changes from one certificate to the next in a template. */
struct identity {
    const ASN1_INTEGER *serial;
    const X509_NAME *subject;
    const X509_NAME *issuer;
    const ASN1_TIME *not_before, *not_after;
};

struct der {
    unsigned char *p;
    long len;
};

/* A complete DER element (header included) inside a larger buffer. */
struct span {
    unsigned char *p;
    long len;
};

static void report(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print "mkcert: <what>" and whatever OpenSSL queued up explaining it. */
static void report(const char *fmt, ...)
{
    va_list ap;

    fputs("mkcert: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    ERR_print_errors_fp(stderr);
}

/* Strict decimal parse: the whole string, no silent overflow. */
static int parse_i64(const char *s, int64_t *v)
{
    int rc = -1;
    char *end = NULL;
    long long x;

    errno = 0;
    x = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || errno != 0)
        goto out;
    *v = x;
    rc = 0;
out:
    return rc;
}

static int parse_args(int argc, char **argv, struct opts *o)
{
    int rc = -1;
    int c;

    while ((c = getopt_long(argc, argv, "o:k:s:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'o': o->out = optarg; o->single_only++; break;
        case 'k': o->key = optarg; o->single_only++; break;
        case 's': o->subject = optarg; o->single_only++; break;
        case 'h': o->help = 1; break;
        case OPT_CA_KEY: o->ca_key = optarg; o->single_only++; break;
        case OPT_CA_CERT: o->ca_cert = optarg; o->single_only++; break;
        case OPT_CN_HEX: o->cn_hex = optarg; o->single_only++; break;
        case OPT_NOT_BEFORE: o->not_before = optarg; o->single_only++; break;
        case OPT_NOT_AFTER: o->not_after = optarg; o->single_only++; break;
        case OPT_SERIAL: o->serial = optarg; o->single_only++; break;
        case OPT_CA: o->ca = 1; o->single_only++; break;
        case OPT_SAN: o->san = optarg; o->single_only++; break;
        case OPT_DER: o->der = 1; o->single_only++; break;
        case OPT_BULK: o->bulk = optarg; break;
        case OPT_DIR: o->dir = optarg; break;
        case OPT_NOW: o->now = optarg; break;
        default: goto out;      /* getopt already said what was wrong */
        }
    }
    if (optind != argc) {
        report("unexpected argument \"%s\"", argv[optind]);
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* Reject combinations that would silently ignore something. */
static int check_args(const struct opts *o)
{
    int rc = -1;

    if (o->bulk != NULL) {
        if (o->dir == NULL)
            report("--bulk needs --dir");
        else if (o->single_only > 0)
            report("--bulk cannot be combined with single-certificate options");
        else
            rc = 0;
    } else if (o->dir != NULL || o->now != NULL) {
        report("--dir and --now only apply to --bulk");
    } else if (o->out == NULL) {
        report("missing -o OUT");
    } else if ((o->ca_key == NULL) != (o->ca_cert == NULL)) {
        report("--ca-key and --ca-cert must be given together");
    } else {
        rc = 0;
    }
    return rc;
}

/* ---------------------------------------------------------------- keys */

/* Never prompt on a terminal: an encrypted key is an error for a test tool. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return 0;
}

static EVP_PKEY *gen_key(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");

    if (key == NULL)
        report("cannot generate EC P-256 key");
    return key;
}

/*
 * Write an unencrypted PKCS#8 PEM key readable only by its owner.
 * extra_flags is O_EXCL (never clobber a key we were told to create) or
 * O_TRUNC (bulk mode rewrites its own key on every run).
 */
static int write_key(const char *path, EVP_PKEY *key, int extra_flags)
{
    int rc = -1;
    int fd = -1, opened = 0;
    FILE *fp = NULL;

    fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | extra_flags, 0600);
    if (fd < 0) {
        report("%s: %s", path, strerror(errno));
        goto out;
    }
    opened = 1;
    /* O_TRUNC keeps an existing file's mode, so force it. */
    if (fchmod(fd, 0600) != 0 || (fp = fdopen(fd, "w")) == NULL) {
        report("%s: %s", path, strerror(errno));
        goto out;
    }
    fd = -1;
    if (!PEM_write_PKCS8PrivateKey(fp, key, NULL, NULL, 0, NULL, NULL)) {
        report("cannot write key %s", path);
        goto out;
    }
    rc = 0;
out:
    if (fp != NULL && fclose(fp) != 0 && rc == 0) {
        report("%s: %s", path, strerror(errno));
        rc = -1;
    }
    if (fd >= 0)
        close(fd);
    /* A half-written key would be picked up as "existing" next time. */
    if (rc != 0 && opened)
        unlink(path);
    return rc;
}

/* Read a PEM private key; if the file is absent and create is set, make one. */
static EVP_PKEY *load_key(const char *path, int create)
{
    EVP_PKEY *key = NULL;
    FILE *fp = fopen(path, "r");

    if (fp != NULL) {
        key = PEM_read_PrivateKey(fp, NULL, no_passphrase, NULL);
        if (key == NULL)
            report("cannot read private key %s", path);
    } else if (errno == ENOENT && create) {
        key = gen_key();
        if (key != NULL && write_key(path, key, O_EXCL) != 0) {
            EVP_PKEY_free(key);
            key = NULL;
        }
    } else {
        report("%s: %s", path, strerror(errno));
    }
    if (fp != NULL)
        fclose(fp);
    return key;
}

static X509 *load_cert(const char *path)
{
    X509 *cert = NULL;
    FILE *fp = fopen(path, "r");

    if (fp == NULL) {
        report("%s: %s", path, strerror(errno));
        goto out;
    }
    cert = PEM_read_X509(fp, NULL, no_passphrase, NULL);
    if (cert == NULL)
        report("cannot read certificate %s", path);
out:
    if (fp != NULL)
        fclose(fp);
    return cert;
}

/* ------------------------------------------------------------- subject */

/*
 * Copy one '/'-separated component of an openssl -subj string into out,
 * resolving backslash escapes. *next is left after the separator.
 */
static int next_component(const char *p, char *out, const char **next)
{
    int rc = 0;

    while (*p != '\0' && *p != '/') {
        if (*p == '\\') {
            p++;
            if (*p == '\0') {
                rc = -1;    /* trailing backslash escapes nothing */
                break;
            }
        }
        *out++ = *p++;
    }
    *out = '\0';
    if (*p == '/')
        p++;
    *next = p;
    return rc;
}

/* Add "type=value" (value UTF-8); OpenSSL picks the string type per field. */
static int add_component(X509_NAME *name, char *comp)
{
    int rc = -1;
    char *eq = strchr(comp, '=');

    if (eq == NULL) {
        report("subject component \"%s\" has no '='", comp);
        goto out;
    }
    *eq = '\0';
    if (!X509_NAME_add_entry_by_txt(name, comp, MBSTRING_UTF8,
                                    (const unsigned char *)eq + 1, -1, -1, 0)) {
        report("cannot add subject field %s=\"%s\"", comp, eq + 1);
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* Parse "/CN=a/O=b" (openssl -subj syntax, minus multi-valued RDNs). */
static X509_NAME *parse_subject(const char *s)
{
    X509_NAME *name = NULL, *ret = NULL;
    char *buf = NULL;
    const char *p = s + 1;

    if (*s != '/') {
        report("subject \"%s\" must start with '/'", s);
        goto out;
    }
    buf = malloc(strlen(s) + 1);
    name = X509_NAME_new();
    if (buf == NULL || name == NULL) {
        report("out of memory");
        goto out;
    }
    while (*p != '\0') {
        if (next_component(p, buf, &p) != 0) {
            report("subject \"%s\" ends in a lone backslash", s);
            goto out;
        }
        if (add_component(name, buf) != 0)
            goto out;
    }
    ret = name;
    name = NULL;
out:
    X509_NAME_free(name);
    free(buf);
    return ret;
}

static int hex_nibble(char c)
{
    int v = -1;

    if (c >= '0' && c <= '9')
        v = c - '0';
    else if (c >= 'a' && c <= 'f')
        v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
        v = c - 'A' + 10;
    return v;
}

/* Decode hex into a fresh buffer; an empty string gives zero bytes. */
static unsigned char *hex_decode(const char *hex, size_t *len)
{
    unsigned char *buf = NULL, *ret = NULL;
    size_t n = strlen(hex), i;

    if (n % 2 != 0) {
        report("--cn-hex: odd number of hex digits");
        goto out;
    }
    buf = malloc(n / 2 + 1);
    if (buf == NULL) {
        report("out of memory");
        goto out;
    }
    for (i = 0; i < n / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);

        if (hi < 0 || lo < 0) {
            report("--cn-hex: \"%s\" is not hex", hex);
            goto out;
        }
        buf[i] = (unsigned char)(hi << 4 | lo);
    }
    *len = n / 2;
    ret = buf;
    buf = NULL;
out:
    free(buf);
    return ret;
}

/*
 * Append the raw CN. OpenSSL 3.0 refuses to *encode* (and to decode) an
 * X509_NAME whose UTF8String is not valid UTF-8: i2d builds a canonical
 * copy of the name and that conversion validates. NumericString is not
 * canonicalised, so the bytes go in raw under that tag and fix_raw_cn()
 * retags them as UTF8String in the final DER.
 */
static int add_raw_cn(X509_NAME *name, const char *hex, size_t *len)
{
    int rc = -1;
    unsigned char *bytes = hex_decode(hex, len);

    if (bytes == NULL)
        goto out;
    if (*len > INT_MAX
        || !X509_NAME_add_entry_by_NID(name, NID_commonName,
                                       V_ASN1_NUMERICSTRING, bytes, (int)*len,
                                       -1, 0)) {
        report("cannot add --cn-hex value");
        goto out;
    }
    rc = 0;
out:
    free(bytes);
    return rc;
}

/* ---------------------------------------------------------- time, serial */

/*
 * RFC 5280 4.1.2.5: ASN1_TIME_adj picks UTCTime for 1950..2049 itself.
 * It does not range-check the year, though: outside 0000..9999 OpenSSL
 * 3.0 emits 5-digit or negative "years", so refuse those here.
 */
static ASN1_TIME *epoch_time(int64_t epoch)
{
    ASN1_TIME *t = NULL;

    if (epoch < EPOCH_YEAR_0 || epoch > EPOCH_YEAR_9999_END
        || (int64_t)(time_t)epoch != epoch)
        report("time %lld is outside years 0000..9999", (long long)epoch);
    else if ((t = ASN1_TIME_adj(NULL, (time_t)epoch, 0, 0)) == NULL)
        report("cannot encode time %lld", (long long)epoch);
    return t;
}

/* Deliberately unchecked, so tests can feed certprobe unparsable times. */
static ASN1_TIME *raw_time(const char *s)
{
    ASN1_GENERALIZEDTIME *t = ASN1_GENERALIZEDTIME_new();

    if (t == NULL || !ASN1_STRING_set(t, s, -1)) {
        report("cannot store raw time \"%s\"", s);
        ASN1_GENERALIZEDTIME_free(t);
        t = NULL;
    }
    return t;
}

/*
 * ASN1_TIME_set_string also takes forms DER forbids (no seconds, fractions,
 * +hhmm offsets); only the two documented shapes are let through, so a
 * typo fails instead of yielding a time certprobe might read differently.
 */
static int is_asn1_time_shape(const char *s)
{
    size_t n = strlen(s);

    return (n == 13 || n == 15) && strspn(s, "0123456789") == n - 1
           && s[n - 1] == 'Z';
}

static ASN1_TIME *parse_time(const char *spec)
{
    ASN1_TIME *t = NULL;
    int64_t epoch;

    if (strncmp(spec, "raw:", 4) == 0) {
        t = raw_time(spec + 4);
    } else if (spec[0] == '@') {
        if (parse_i64(spec + 1, &epoch) != 0)
            report("bad epoch time \"%s\"", spec);
        else
            t = epoch_time(epoch);
    } else {
        t = ASN1_TIME_new();
        /* Keeps the given form (UTCTime or GeneralizedTime) as is. */
        if (t == NULL || !is_asn1_time_shape(spec)
            || !ASN1_TIME_set_string(t, spec)) {
            report("bad time \"%s\" (want @EPOCH, [YY]YYMMDDHHMMSSZ or raw:...)",
                   spec);
            ASN1_TIME_free(t);
            t = NULL;
        }
    }
    return t;
}

static ASN1_INTEGER *int_serial(int64_t v)
{
    ASN1_INTEGER *serial = ASN1_INTEGER_new();

    if (serial == NULL || !ASN1_INTEGER_set_int64(serial, v)) {
        report("cannot set serial");
        ASN1_INTEGER_free(serial);
        serial = NULL;
    }
    return serial;
}

static ASN1_INTEGER *parse_serial(const char *s)
{
    ASN1_INTEGER *serial = NULL;
    int64_t v;

    if (parse_i64(s, &v) != 0 || v < 0)
        report("bad serial \"%s\" (want decimal 0..2^63-1)", s);
    else
        serial = int_serial(v);
    return serial;
}

/*
 * Top bit clear keeps it positive without a 0x00 pad; the next bit set
 * keeps it nonzero and exactly SERIAL_BYTES long.
 */
static ASN1_INTEGER *random_serial(void)
{
    ASN1_INTEGER *serial = NULL;
    BIGNUM *bn = NULL;
    unsigned char buf[SERIAL_BYTES];

    if (RAND_bytes(buf, sizeof(buf)) != 1)
        goto out;
    buf[0] = (unsigned char)((buf[0] & 0x7f) | 0x40);
    bn = BN_bin2bn(buf, sizeof(buf), NULL);
    if (bn != NULL)
        serial = BN_to_ASN1_INTEGER(bn, NULL);
out:
    if (serial == NULL)
        report("cannot make random serial");
    BN_free(bn);
    return serial;
}

/* ------------------------------------------------------------ building */

static int add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    int rc = -1;
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);

    if (ext == NULL || !X509_add_ext(x, ext, -1)) {
        report("bad %s \"%s\"", OBJ_nid2ln(nid), value);
        goto out;
    }
    rc = 0;
out:
    X509_EXTENSION_free(ext);
    return rc;
}

/* The parts that stay the same across certificates: key and extensions. */
static X509 *new_template(EVP_PKEY *key, X509 *issuer, int ca, const char *san)
{
    X509 *x = X509_new(), *ret = NULL;
    X509V3_CTX ctx;

    if (x == NULL || !X509_set_version(x, X509_VERSION_3)
        || !X509_set_pubkey(x, key)) {
        report("cannot set up certificate");
        goto out;
    }
    X509V3_set_ctx(&ctx, issuer != NULL ? issuer : x, x, NULL, NULL, 0);
    if (add_ext(x, &ctx, NID_basic_constraints,
                ca ? "critical,CA:TRUE" : "CA:FALSE") != 0)
        goto out;
    if (ca && add_ext(x, &ctx, NID_key_usage,
                      "critical,keyCertSign,cRLSign") != 0)
        goto out;
    if (san != NULL && add_ext(x, &ctx, NID_subject_alt_name, san) != 0)
        goto out;
    ret = x;
    x = NULL;
out:
    X509_free(x);
    return ret;
}

static int set_identity(X509 *x, const struct identity *id)
{
    int rc = -1;

    if (!X509_set_serialNumber(x, (ASN1_INTEGER *)id->serial)
        || !X509_set_subject_name(x, id->subject)
        || !X509_set_issuer_name(x, id->issuer)
        || !X509_set1_notBefore(x, id->not_before)
        || !X509_set1_notAfter(x, id->not_after)) {
        report("cannot fill in certificate fields");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

static int sign_to_der(X509 *x, EVP_PKEY *sign_key, struct der *out)
{
    int rc = -1;
    int len;

    if (X509_sign(x, sign_key, EVP_sha256()) <= 0) {
        report("cannot sign certificate");
        goto out;
    }
    out->p = NULL;
    len = i2d_X509(x, &out->p);
    if (len <= 0) {
        report("cannot encode certificate");
        goto out;
    }
    out->len = len;
    rc = 0;
out:
    return rc;
}

/* ------------------------------------------- raw CN: retag and re-sign */

/* Take the next complete element from [*p, *p + *left). */
static int der_next(unsigned char **p, long *left, struct span *s)
{
    int rc = -1;
    const unsigned char *q = *p;
    long clen;
    int tag, cls;

    if (ASN1_get_object(&q, &clen, &tag, &cls, *left) & 0x80)
        goto out;
    s->p = *p;
    s->len = (long)(q - *p) + clen;
    *p += s->len;
    *left -= s->len;
    rc = 0;
out:
    return rc;
}

/* Step inside a constructed element: its content becomes [*p, *p + *left). */
static int der_enter(const struct span *s, unsigned char **p, long *left)
{
    int rc = -1;
    const unsigned char *q = s->p;
    int tag, cls;

    if (ASN1_get_object(&q, left, &tag, &cls, s->len) & 0x80)
        goto out;
    *p = s->p + (q - s->p);
    rc = 0;
out:
    return rc;
}

/*
 * The --cn-hex entry is the last attribute of the name, so its value is
 * the last element of the Name's DER: the tag byte sits right before the
 * length octets and the value.
 */
static int retag_last_value(const struct span *name, size_t vlen)
{
    int rc = -1;
    long tlv = ASN1_object_size(0, (long)vlen, V_ASN1_NUMERICSTRING);
    unsigned char *tag;

    if (tlv < 0 || tlv > name->len)
        goto out;
    tag = name->p + name->len - tlv;
    if (*tag != V_ASN1_NUMERICSTRING)
        goto out;
    *tag = V_ASN1_UTF8STRING;
    rc = 0;
out:
    return rc;
}

/* Find TBSCertificate, signatureAlgorithm, and in the TBS issuer/subject. */
static int split_cert(const struct der *cert, struct span *tbs,
                      struct span *sigalg, struct span *issuer,
                      struct span *subject)
{
    int rc = -1;
    struct span whole = { cert->p, cert->len }, field;
    unsigned char *p;
    long left;
    int i;

    if (der_enter(&whole, &p, &left) != 0 || der_next(&p, &left, tbs) != 0
        || der_next(&p, &left, sigalg) != 0 || der_enter(tbs, &p, &left) != 0)
        goto out;
    /* version, serialNumber, signature, issuer, validity, subject */
    for (i = 0; i < 6; i++) {
        if (der_next(&p, &left, &field) != 0)
            goto out;
        if (i == 3)
            *issuer = field;
        else if (i == 5)
            *subject = field;
    }
    rc = 0;
out:
    return rc;
}

static int sign_bytes(EVP_PKEY *key, const struct span *tbs, struct der *sig)
{
    int rc = -1;
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t len = 0;

    sig->p = NULL;
    if (md == NULL || !EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key)
        || !EVP_DigestSign(md, NULL, &len, tbs->p, (size_t)tbs->len)
        || (sig->p = OPENSSL_malloc(len)) == NULL
        || !EVP_DigestSign(md, sig->p, &len, tbs->p, (size_t)tbs->len))
        goto out;
    sig->len = (long)len;
    rc = 0;
out:
    EVP_MD_CTX_free(md);
    return rc;
}

/* Certificate ::= SEQUENCE { tbs, sigalg, BIT STRING (0 unused bits) sig } */
static int assemble_cert(const struct span *tbs, const struct span *sigalg,
                         const struct der *sig, struct der *out)
{
    int rc = -1;
    long bits_len = sig->len + 1;
    long body = tbs->len + sigalg->len
                + ASN1_object_size(0, bits_len, V_ASN1_BIT_STRING);
    long total = ASN1_object_size(1, body, V_ASN1_SEQUENCE);
    unsigned char *p;

    out->p = OPENSSL_malloc(total);
    if (out->p == NULL)
        goto out;
    p = out->p;
    ASN1_put_object(&p, 1, body, V_ASN1_SEQUENCE, V_ASN1_UNIVERSAL);
    memcpy(p, tbs->p, tbs->len);
    p += tbs->len;
    memcpy(p, sigalg->p, sigalg->len);
    p += sigalg->len;
    ASN1_put_object(&p, 0, bits_len, V_ASN1_BIT_STRING, V_ASN1_UNIVERSAL);
    *p++ = 0;
    memcpy(p, sig->p, sig->len);
    out->len = total;
    rc = 0;
out:
    return rc;
}

/*
 * Turn the NumericString placeholder (see add_raw_cn) into a UTF8String in
 * the subject - and in the issuer too when self-signed, since that is the
 * same name - then sign the changed TBS by hand, because OpenSSL cannot
 * hold such a certificate in an X509 object any more.
 */
static int fix_raw_cn(struct der *cert, size_t cn_len, int self_signed,
                      EVP_PKEY *sign_key)
{
    int rc = -1;
    struct span tbs, sigalg, issuer, subject;
    struct der sig = { NULL, 0 }, fixed = { NULL, 0 };

    if (split_cert(cert, &tbs, &sigalg, &issuer, &subject) != 0
        || retag_last_value(&subject, cn_len) != 0
        || (self_signed && retag_last_value(&issuer, cn_len) != 0)) {
        report("internal error: cannot locate --cn-hex value in DER");
        goto out;
    }
    if (sign_bytes(sign_key, &tbs, &sig) != 0
        || assemble_cert(&tbs, &sigalg, &sig, &fixed) != 0) {
        report("cannot re-sign certificate");
        goto out;
    }
    OPENSSL_free(cert->p);
    *cert = fixed;
    rc = 0;
out:
    OPENSSL_free(sig.p);
    return rc;
}

/* ------------------------------------------------------------- output */

static int write_cert(const char *path, const struct der *cert, int pem)
{
    int rc = -1;
    FILE *fp = fopen(path, "wb");
    int ok;

    if (fp == NULL) {
        report("%s: %s", path, strerror(errno));
        goto out;
    }
    if (pem)
        ok = PEM_write(fp, PEM_STRING_X509, "", cert->p, cert->len) > 0;
    else
        ok = fwrite(cert->p, 1, (size_t)cert->len, fp) == (size_t)cert->len;
    if (fclose(fp) != 0 || !ok) {
        report("cannot write %s: %s", path, strerror(errno));
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* ---------------------------------------------------------- single cert */

static void material_free(struct material *m)
{
    EVP_PKEY_free(m->key);
    EVP_PKEY_free(m->ca_key);
    X509_free(m->ca_cert);
    X509_NAME_free(m->subject);
    ASN1_TIME_free(m->not_before);
    ASN1_TIME_free(m->not_after);
    ASN1_INTEGER_free(m->serial);
}

static int load_signer(const struct opts *o, struct material *m)
{
    int rc = -1;

    if (o->ca_key == NULL) {
        rc = 0;     /* self-signed */
        goto out;
    }
    m->ca_key = load_key(o->ca_key, 0);
    if (m->ca_key == NULL || (m->ca_cert = load_cert(o->ca_cert)) == NULL)
        goto out;
    if (!X509_check_private_key(m->ca_cert, m->ca_key)) {
        report("--ca-key does not match --ca-cert");
        goto out;
    }
    rc = 0;
out:
    return rc;
}

static int load_validity(const struct opts *o, struct material *m)
{
    int rc = -1;
    int64_t now = (int64_t)time(NULL);

    m->not_before = o->not_before != NULL ? parse_time(o->not_before)
                                          : epoch_time(now - DAY_SECS);
    if (m->not_before == NULL)
        goto out;
    m->not_after = o->not_after != NULL ? parse_time(o->not_after)
                                        : epoch_time(now + 90 * DAY_SECS);
    if (m->not_after == NULL)
        goto out;
    rc = 0;
out:
    return rc;
}

static int load_material(const struct opts *o, struct material *m)
{
    int rc = -1;

    if (load_signer(o, m) != 0 || load_validity(o, m) != 0)
        goto out;
    m->key = o->key != NULL ? load_key(o->key, 1) : gen_key();
    m->subject = parse_subject(o->subject != NULL ? o->subject : "/CN=test");
    m->serial = o->serial != NULL ? parse_serial(o->serial) : random_serial();
    if (m->key == NULL || m->subject == NULL || m->serial == NULL)
        goto out;
    if (o->cn_hex != NULL && add_raw_cn(m->subject, o->cn_hex,
                                        &m->raw_cn_len) != 0)
        goto out;
    rc = 0;
out:
    return rc;
}

static int make_one(const struct opts *o)
{
    int rc = -1;
    struct material m = { 0 };
    struct der cert = { NULL, 0 };
    X509 *x = NULL;
    EVP_PKEY *sign_key;
    struct identity id;

    if (load_material(o, &m) != 0)
        goto out;
    sign_key = m.ca_key != NULL ? m.ca_key : m.key;
    id = (struct identity){
        m.serial, m.subject,
        m.ca_cert != NULL ? X509_get_subject_name(m.ca_cert) : m.subject,
        m.not_before, m.not_after,
    };
    x = new_template(m.key, m.ca_cert, o->ca, o->san);
    if (x == NULL || set_identity(x, &id) != 0
        || sign_to_der(x, sign_key, &cert) != 0)
        goto out;
    if (o->cn_hex != NULL
        && fix_raw_cn(&cert, m.raw_cn_len, m.ca_cert == NULL, sign_key) != 0)
        goto out;
    rc = write_cert(o->out, &cert, !o->der);
out:
    OPENSSL_free(cert.p);
    X509_free(x);
    material_free(&m);
    return rc;
}

/* ---------------------------------------------------------------- bulk */

static int make_dir(const char *path)
{
    int rc = 0;

    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        report("mkdir %s: %s", path, strerror(errno));
        rc = -1;
    }
    return rc;
}

/* Same arithmetic the benchmark uses to predict which certs are due. */
static int64_t bulk_not_after(int64_t now, int64_t i)
{
    return now + (i * 7919 % (400 * DAY_SECS)) - 30 * DAY_SECS;
}

/* One bulk certificate: only serial, names and times change. */
static int bulk_one(X509 *tmpl, EVP_PKEY *key, const char *dir, int64_t i,
                    int64_t now)
{
    int rc = -1;
    char path[PATH_MAX], subj[64];
    int64_t na = bulk_not_after(now, i);
    struct identity id = { NULL, NULL, NULL, NULL, NULL };
    X509_NAME *name = NULL;
    ASN1_INTEGER *serial = NULL;
    ASN1_TIME *nb_t = NULL, *na_t = NULL;
    struct der cert = { NULL, 0 };
    int n = snprintf(path, sizeof(path), "%s/c%05lld", dir, (long long)i);

    if (n < 0 || (size_t)n + sizeof("/cert.pem") > sizeof(path)) {
        report("path too long under %s", dir);
        goto out;
    }
    snprintf(subj, sizeof(subj), "/CN=host%05lld.example.net/O=Bench",
             (long long)i);
    id.subject = id.issuer = name = parse_subject(subj);
    id.serial = serial = int_serial(i + 1);
    /* Valid already: notBefore 90 days before notAfter, but never after
     * NOW - 1 day, so only the dates of notAfter make a file due. */
    id.not_before = nb_t = epoch_time(na - 90 * DAY_SECS < now - DAY_SECS
                                      ? na - 90 * DAY_SECS : now - DAY_SECS);
    id.not_after = na_t = epoch_time(na);
    if (name == NULL || serial == NULL || nb_t == NULL || na_t == NULL
        || set_identity(tmpl, &id) != 0 || sign_to_der(tmpl, key, &cert) != 0
        || make_dir(path) != 0)
        goto out;
    strcat(path, "/cert.pem");
    if (write_cert(path, &cert, 1) != 0)
        goto out;
    printf("%s %lld\n", path, (long long)na);
    rc = 0;
out:
    OPENSSL_free(cert.p);
    ASN1_TIME_free(nb_t);
    ASN1_TIME_free(na_t);
    ASN1_INTEGER_free(serial);
    X509_NAME_free(name);
    return rc;
}

static int parse_bulk(const struct opts *o, int64_t *count, int64_t *now)
{
    int rc = -1;

    if (parse_i64(o->bulk, count) != 0 || *count < 1 || *count > 10000000) {
        report("bad --bulk count \"%s\" (want 1..10000000)", o->bulk);
        goto out;
    }
    *now = (int64_t)time(NULL);
    if (o->now != NULL && parse_i64(o->now, now) != 0) {
        report("bad --now \"%s\"", o->now);
        goto out;
    }
    rc = 0;
out:
    return rc;
}

/* Key generation and extension parsing are done once, not per cert. */
static int make_bulk(const struct opts *o)
{
    int rc = -1;
    int64_t count, now, i;
    char keypath[PATH_MAX];
    EVP_PKEY *key = NULL;
    X509 *tmpl = NULL;

    if (parse_bulk(o, &count, &now) != 0 || make_dir(o->dir) != 0)
        goto out;
    if (snprintf(keypath, sizeof(keypath), "%s/key.pem", o->dir)
        >= (int)sizeof(keypath)) {
        report("path too long under %s", o->dir);
        goto out;
    }
    key = gen_key();
    if (key == NULL || write_key(keypath, key, O_TRUNC) != 0
        || (tmpl = new_template(key, NULL, 0, NULL)) == NULL)
        goto out;
    for (i = 0; i < count; i++)
        if (bulk_one(tmpl, key, o->dir, i, now) != 0)
            goto out;
    if (fflush(stdout) != 0 || ferror(stdout)) {
        report("writing to stdout: %s", strerror(errno));
        goto out;
    }
    rc = 0;
out:
    X509_free(tmpl);
    EVP_PKEY_free(key);
    return rc;
}

int main(int argc, char **argv)
{
    int rc = 1;
    struct opts o = { 0 };

    if (parse_args(argc, argv, &o) != 0) {
        fputs(usage_text, stderr);
        goto out;
    }
    if (o.help) {
        fputs(usage_text, stdout);
        rc = 0;
        goto out;
    }
    if (check_args(&o) != 0)
        goto out;
    if ((o.bulk != NULL ? make_bulk(&o) : make_one(&o)) == 0)
        rc = 0;
out:
    return rc;
}
