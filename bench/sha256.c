/*
 * CPU-bound benchmark: SHA-256 of a deterministic pseudo-random stream.
 *
 * usage: sha256 [MIB]      hash MIB mebibytes of generated data and print
 *                          "<hex digest>  <MIB>MiB" (default 64)
 *        sha256 -g [MIB]   write the same generated data to stdout instead,
 *                          so the driver can cross-check the digest with
 *                          an independent sha256sum.
 *
 * The stream is produced in small chunks, so the program's memory use stays
 * tiny and the run time is dominated by the compression function.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHUNK (64 * 1024)

/* ---- deterministic data generator (xorshift64*) ---- */

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static void fill(uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i += 8) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        uint64_t v = rng_state * 0x2545f4914f6cdd1dull;
        for (int b = 0; b < 8; b++)
            buf[i + b] = (uint8_t)(v >> (8 * b));
    }
}

/* ---- SHA-256 (FIPS 180-4) ---- */

struct sha256 {
    uint32_t h[8];
    uint64_t total;      /* bytes absorbed so far */
    uint8_t block[64];
    size_t used;         /* bytes pending in block */
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1,
    0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
    0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
    0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
    0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
    0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

static void compress(uint32_t h[8], const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }

    uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    uint32_t e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
                      ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
                      ((a & b) ^ (a & c) ^ (b & c));
        k = g; g = f; f = e; e = d + t1;
        d = c; c = b; b = a; a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d;
    h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

static void sha256_init(struct sha256 *s)
{
    static const uint32_t iv[8] = {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
        0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    };
    memcpy(s->h, iv, sizeof iv);
    s->total = 0;
    s->used = 0;
}

static void sha256_update(struct sha256 *s, const uint8_t *p, size_t len)
{
    s->total += len;
    if (s->used) {
        size_t take = 64 - s->used < len ? 64 - s->used : len;
        memcpy(s->block + s->used, p, take);
        s->used += take;
        p += take;
        len -= take;
        if (s->used < 64)
            return;
        compress(s->h, s->block);
        s->used = 0;
    }
    for (; len >= 64; p += 64, len -= 64)
        compress(s->h, p);
    memcpy(s->block, p, len);
    s->used = len;
}

static void sha256_final(struct sha256 *s, uint8_t out[32])
{
    uint64_t bits = s->total * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (s->used < 56 ? 56 : 120) - s->used;
    uint8_t lenbuf[8];
    for (int i = 0; i < 8; i++)
        lenbuf[i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(s, pad, padlen);
    sha256_update(s, lenbuf, 8);
    for (int i = 0; i < 8; i++)
        for (int b = 0; b < 4; b++)
            out[4 * i + b] = (uint8_t)(s->h[i] >> (24 - 8 * b));
}

/* ---- driver ---- */

static uint8_t buf[CHUNK];

int main(int argc, char **argv)
{
    int gen_only = argc > 1 && strcmp(argv[1], "-g") == 0;
    const char *arg = argv[gen_only ? 2 : 1];
    long mib = (argc > (gen_only ? 2 : 1)) ? atol(arg) : 64;
    long chunks = mib * (1024 * 1024 / CHUNK);

    if (mib <= 0) {
        fprintf(stderr, "usage: %s [-g] [MIB]\n", argv[0]);
        return 2;
    }

    if (gen_only) {
        for (long i = 0; i < chunks; i++) {
            fill(buf, CHUNK);
            if (fwrite(buf, 1, CHUNK, stdout) != CHUNK)
                return 1;
        }
        return fflush(stdout) == 0 ? 0 : 1;
    }

    struct sha256 s;
    uint8_t digest[32];
    sha256_init(&s);
    for (long i = 0; i < chunks; i++) {
        fill(buf, CHUNK);
        sha256_update(&s, buf, CHUNK);
    }
    sha256_final(&s, digest);

    for (int i = 0; i < 32; i++)
        printf("%02x", digest[i]);
    printf("  %ldMiB\n", mib);
    return 0;
}
