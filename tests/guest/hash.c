/* hash.c: integer CPU correctness: SHA-256 (checked against the FIPS 180-2
 * "abc" vector, then over 256 KiB of generated data), a table CRC-32, and
 * 64/128-bit multiply, divide, shifts and bit counts whose results are
 * printed, so any instruction emulated wrongly shows up in the diff. */
#include "guest.h"
#include <stdint.h>

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
    return x >> n | x << (32 - n);
}

/* One 64-byte block into the state H. */
static void sha256_block(uint32_t H[8], const unsigned char *p)
{
    uint32_t w[64], s[8];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | p[4 * i + 1] << 16 | p[4 * i + 2] << 8 | p[4 * i + 3];
    for (int i = 16; i < 64; i++)
        w[i] = w[i - 16] + (ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ w[i - 15] >> 3) + w[i - 7] +
               (ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ w[i - 2] >> 10);
    memcpy(s, H, sizeof s);
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = s[7] + (ror(s[4], 6) ^ ror(s[4], 11) ^ ror(s[4], 25)) +
                      ((s[4] & s[5]) ^ (~s[4] & s[6])) + K[i] + w[i];
        uint32_t t2 = (ror(s[0], 2) ^ ror(s[0], 13) ^ ror(s[0], 22)) +
                      ((s[0] & s[1]) ^ (s[0] & s[2]) ^ (s[1] & s[2]));
        memmove(s + 1, s, 7 * sizeof s[0]);
        s[4] += t1;
        s[0] = t1 + t2;
    }
    for (int i = 0; i < 8; i++)
        H[i] += s[i];
}

/* SHA-256 of DATA as 64 hex digits in OUT. */
static void sha256_hex(const unsigned char *data, size_t len, char out[65])
{
    uint32_t H[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                     0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    unsigned char tail[128] = {0};
    size_t full = len / 64 * 64, rest = len - full;
    for (size_t off = 0; off < full; off += 64)
        sha256_block(H, data + off);
    memcpy(tail, data + full, rest);
    tail[rest] = 0x80;
    size_t tlen = rest < 56 ? 64 : 128;
    for (int i = 0; i < 8; i++)
        tail[tlen - 1 - i] = (unsigned char)((uint64_t)len * 8 >> (8 * i));
    for (size_t off = 0; off < tlen; off += 64)
        sha256_block(H, tail + off);
    for (int i = 0; i < 8; i++)
        sprintf(out + 8 * i, "%08x", H[i]);
}

static uint32_t crc32(const unsigned char *p, size_t len)
{
    static uint32_t table[256];
    static int ready;
    for (uint32_t i = 0; i < 256 && !ready; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320 ^ c >> 1 : c >> 1;
        table[i] = c;
    }
    ready = 1;
    uint32_t crc = 0xffffffff;
    while (len--)
        crc = table[(crc ^ *p++) & 0xff] ^ crc >> 8;
    return crc ^ 0xffffffff;
}

static void test_hashes(void)
{
    char hex[65];
    sha256_hex((const unsigned char *)"abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    CHECK_EQ(crc32((const unsigned char *)"123456789", 9), 0xcbf43926);
    size_t len = 256 * 1024;
    unsigned char *data = malloc(len);
    uint64_t x = 0x9e3779b97f4a7c15;
    for (size_t i = 0; i < len; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;          /* xorshift64 */
        data[i] = (unsigned char)x;
    }
    sha256_hex(data, len, hex);
    printf("sha256(data) %s\ncrc32(data) %08x\n", hex, crc32(data, len));
    /* reference values computed independently (Python hashlib/zlib) */
    CHECK(strcmp(hex, "d241015b852bb5b20d65ea491b8846579609a82e5468ff08ffc1140dd753cce4") == 0);
    CHECK_EQ(crc32(data, len), 0xbb52c326);
    free(data);
}

static void test_integer_ops(void)
{
    volatile uint64_t a = 0xfedcba9876543210, b = 0x123456789;
    volatile int64_t s = -1234567890123LL, t = 97;
    unsigned __int128 p = (unsigned __int128)a * b;
    printf("mul128 %016llx%016llx\n", (unsigned long long)(p >> 64), (unsigned long long)p);
    printf("udiv %llu urem %llu\n", (unsigned long long)(a / b), (unsigned long long)(a % b));
    printf("sdiv %lld srem %lld\n", (long long)(s / t), (long long)(s % t));
    printf("shifts %llx %llx %llx\n", (unsigned long long)(a >> 37), (unsigned long long)(a << 29),
           (unsigned long long)((int64_t)a >> 40));
    printf("bits popcount %d clz %d ctz %d bswap %llx\n", __builtin_popcountll(a),
           __builtin_clzll(b), __builtin_ctzll(a), (unsigned long long)__builtin_bswap64(a));
    unsigned __int128 n = ((unsigned __int128)a << 64 | b), d = 0x1000000000000001ULL;
    unsigned __int128 q = n / d;
    printf("div128 %llx%016llx rem %016llx\n", (unsigned long long)(q >> 64),
           (unsigned long long)q, (unsigned long long)(n % d));
}

int main(void)
{
    test_hashes();
    test_integer_ops();
    return guest_done();
}
