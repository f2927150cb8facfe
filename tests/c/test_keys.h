/* Test keys for tests/c: generated ONCE with OpenSSL 3.0 on the development machine,
 * embedded so the C tests need no files and no openssl at test time.
 * These keys are public test fixtures: never use them for anything else. */
#ifndef JWTKIT_TEST_KEYS_H
#define JWTKIT_TEST_KEYS_H

/* RSA 2048, PKCS#1 RSAPrivateKey: openssl genrsa -traditional 2048 */
static const char RSA_PKCS1_PRIVATE[] =
    "-----BEGIN RSA PRIVATE KEY-----\n"
    "MIIEowIBAAKCAQEAxqlBfxghifeU8WypiBwPpKsX0Iy2GH68i7zphgc/e2QKRgE4\n"
    "0Ih3vxGCUuApu634g7rBPuuRU3fZrr4airtEsBaSnlkhInUTMKVGCr7oKtZU6rxT\n"
    "ONPxf5kIbNG/FHDNWEDXo2uWFqpREKRub3B9W2QBSz36mPtERmHWENsKVBwnUn/a\n"
    "TdacjkE4Q3ZU215H6dbqicgmS7YpRGN6UdAn6tlfs9Vn+K11X8/Lhr+G1uxEbMCB\n"
    "m+Tc9Y7FoXoh3spbe24Juoco9W40jsVkXiEcgKFi9jIIuNg7AyvO5tzlycNkeYLN\n"
    "JaIBL/YYKm6xnO1fVD+S3jBW+Wv6dktzPEbabQIDAQABAoIBABY0phcMPfd7fqEL\n"
    "ydlmdZMs8rEDgXk0dWPTPnEWT1C+Cm3vxgd9MZFgZiZYWyHY3N3wmpgrYaeoTmM7\n"
    "aaEXNKLQKxxbDxqYZog5+R3LYA0lvwEsAstn2WcvVmM/gLHKuBFE0jW4mWK4L+6B\n"
    "yrxXIRP9li1wZJoEAAoz9mcU7M8g0cIz8jNSkyCJVxipWbcOaBC435tI9JKZRRJW\n"
    "Zt2h39awqf0+FavQb/keTSSq/KVOCwzgvCxp+FFD77LQLLj8nlmNVAHXaz3svooL\n"
    "5LYoYUcu3/RQyB/6RGDrlbMlVeed7B9oube8WBouVxIH3Y/7EXMQAFCabraYAjMG\n"
    "gvybxasCgYEA/GGQWLE14UZAUTV4DwOD1tBVGKmRuIPtlMSixaKXi79wvXga7gl7\n"
    "0ADjctk4x+7CTtOWDtguz2v0rpGG/uZ8gwOzW2B34FIForczNf2Sj5usuYlMdo/3\n"
    "wzvlpmbilveQ7lffpW1AAe+1h35ILqmV36FZbE6yDLdqdKd6kfQcHXcCgYEAyYJ/\n"
    "a0WMmqwgTBooDjqtcav4PePB7CUPnsUAAQ8EsrmodQQS29uVz1JwEVpvyt2n6UzH\n"
    "yvJTHInszz0a3pL7hHxIlDS410KXA8ZTyvPsNYI1kerRZDaqvidptkT8qj4ZqJmU\n"
    "KKFVXp5vUIzgKT+bmCgg5lw8WkMrPQxZZdRYcDsCgYB/yG4rWd4r50PdWjMlduQj\n"
    "uWu8hu6O+80oy76WTlJooU9Vvx/zcb3MfQasOat0H0EmZB7P+UkKIGDMmkY9fTmB\n"
    "pDgFhfxsCVttHVDCf1bbezii4A9k4FPT99m4vNLxGPu6kadcvMnxsQq6RYgKiDan\n"
    "+aurGNUxdxRhaAK5L12k1QKBgEu5kpCJTlFBpdFzcuIGAu/YpCz9zf4j3z7W4S2E\n"
    "q0tOoZN3uG6OkjmazSp4RdKCgXsWs238qmbrHeazG8nQilw7KDsppNyf1YhBm3OF\n"
    "PprNF7yB9bYnJPrYbM1mF10SgSnurNKn7iDkgQhQKFzX3mzLh7GJr9RrsW/7mAzA\n"
    "Q4vJAoGBAJrXR8USN2PNiDTpSVPXaMJ9Y+yvVYQFzcmBSPYiLhhR1HZzsQyCgAB9\n"
    "vCs6dRl7sAp/AG5IK3CzxbszCuywqM9aKLRQTw+kLQ5akkM6iSDtQnEWh6fn1jmz\n"
    "N6R/A0/kwaV9fNt4s7rGePo0/wGrBlU+C9lphyg4tlv5VBODr3Ba\n"
    "-----END RSA PRIVATE KEY-----\n";

/* the same key as PKCS#8: openssl pkcs8 -topk8 -nocrypt */
static const char RSA_PKCS8_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQDGqUF/GCGJ95Tx\n"
    "bKmIHA+kqxfQjLYYfryLvOmGBz97ZApGATjQiHe/EYJS4Cm7rfiDusE+65FTd9mu\n"
    "vhqKu0SwFpKeWSEidRMwpUYKvugq1lTqvFM40/F/mQhs0b8UcM1YQNeja5YWqlEQ\n"
    "pG5vcH1bZAFLPfqY+0RGYdYQ2wpUHCdSf9pN1pyOQThDdlTbXkfp1uqJyCZLtilE\n"
    "Y3pR0Cfq2V+z1Wf4rXVfz8uGv4bW7ERswIGb5Nz1jsWheiHeylt7bgm6hyj1bjSO\n"
    "xWReIRyAoWL2Mgi42DsDK87m3OXJw2R5gs0logEv9hgqbrGc7V9UP5LeMFb5a/p2\n"
    "S3M8RtptAgMBAAECggEAFjSmFww993t+oQvJ2WZ1kyzysQOBeTR1Y9M+cRZPUL4K\n"
    "be/GB30xkWBmJlhbIdjc3fCamCthp6hOYztpoRc0otArHFsPGphmiDn5HctgDSW/\n"
    "ASwCy2fZZy9WYz+Ascq4EUTSNbiZYrgv7oHKvFchE/2WLXBkmgQACjP2ZxTszyDR\n"
    "wjPyM1KTIIlXGKlZtw5oELjfm0j0kplFElZm3aHf1rCp/T4Vq9Bv+R5NJKr8pU4L\n"
    "DOC8LGn4UUPvstAsuPyeWY1UAddrPey+igvktihhRy7f9FDIH/pEYOuVsyVV553s\n"
    "H2i5t7xYGi5XEgfdj/sRcxAAUJputpgCMwaC/JvFqwKBgQD8YZBYsTXhRkBRNXgP\n"
    "A4PW0FUYqZG4g+2UxKLFopeLv3C9eBruCXvQAONy2TjH7sJO05YO2C7Pa/SukYb+\n"
    "5nyDA7NbYHfgUgWitzM1/ZKPm6y5iUx2j/fDO+WmZuKW95DuV9+lbUAB77WHfkgu\n"
    "qZXfoVlsTrIMt2p0p3qR9BwddwKBgQDJgn9rRYyarCBMGigOOq1xq/g948HsJQ+e\n"
    "xQABDwSyuah1BBLb25XPUnARWm/K3afpTMfK8lMciezPPRrekvuEfEiUNLjXQpcD\n"
    "xlPK8+w1gjWR6tFkNqq+J2m2RPyqPhmomZQooVVenm9QjOApP5uYKCDmXDxaQys9\n"
    "DFll1FhwOwKBgH/IbitZ3ivnQ91aMyV25CO5a7yG7o77zSjLvpZOUmihT1W/H/Nx\n"
    "vcx9Bqw5q3QfQSZkHs/5SQogYMyaRj19OYGkOAWF/GwJW20dUMJ/Vtt7OKLgD2Tg\n"
    "U9P32bi80vEY+7qRp1y8yfGxCrpFiAqINqf5q6sY1TF3FGFoArkvXaTVAoGAS7mS\n"
    "kIlOUUGl0XNy4gYC79ikLP3N/iPfPtbhLYSrS06hk3e4bo6SOZrNKnhF0oKBexaz\n"
    "bfyqZusd5rMbydCKXDsoOymk3J/ViEGbc4U+ms0XvIH1tick+thszWYXXRKBKe6s\n"
    "0qfuIOSBCFAoXNfebMuHsYmv1Guxb/uYDMBDi8kCgYEAmtdHxRI3Y82INOlJU9do\n"
    "wn1j7K9VhAXNyYFI9iIuGFHUdnOxDIKAAH28Kzp1GXuwCn8AbkgrcLPFuzMK7LCo\n"
    "z1ootFBPD6QtDlqSQzqJIO1CcRaHp+fWObM3pH8DT+TBpX1823izusZ4+jT/AasG\n"
    "VT4L2WmHKDi2W/lUE4OvcFo=\n"
    "-----END PRIVATE KEY-----\n";

/* its SPKI public key: openssl rsa -pubout */
static const char RSA_SPKI_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAxqlBfxghifeU8WypiBwP\n"
    "pKsX0Iy2GH68i7zphgc/e2QKRgE40Ih3vxGCUuApu634g7rBPuuRU3fZrr4airtE\n"
    "sBaSnlkhInUTMKVGCr7oKtZU6rxTONPxf5kIbNG/FHDNWEDXo2uWFqpREKRub3B9\n"
    "W2QBSz36mPtERmHWENsKVBwnUn/aTdacjkE4Q3ZU215H6dbqicgmS7YpRGN6UdAn\n"
    "6tlfs9Vn+K11X8/Lhr+G1uxEbMCBm+Tc9Y7FoXoh3spbe24Juoco9W40jsVkXiEc\n"
    "gKFi9jIIuNg7AyvO5tzlycNkeYLNJaIBL/YYKm6xnO1fVD+S3jBW+Wv6dktzPEba\n"
    "bQIDAQAB\n"
    "-----END PUBLIC KEY-----\n";

/* its PKCS#1 RSAPublicKey: openssl rsa -RSAPublicKey_out */
static const char RSA_PKCS1_PUBLIC[] =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEAxqlBfxghifeU8WypiBwPpKsX0Iy2GH68i7zphgc/e2QKRgE40Ih3\n"
    "vxGCUuApu634g7rBPuuRU3fZrr4airtEsBaSnlkhInUTMKVGCr7oKtZU6rxTONPx\n"
    "f5kIbNG/FHDNWEDXo2uWFqpREKRub3B9W2QBSz36mPtERmHWENsKVBwnUn/aTdac\n"
    "jkE4Q3ZU215H6dbqicgmS7YpRGN6UdAn6tlfs9Vn+K11X8/Lhr+G1uxEbMCBm+Tc\n"
    "9Y7FoXoh3spbe24Juoco9W40jsVkXiEcgKFi9jIIuNg7AyvO5tzlycNkeYLNJaIB\n"
    "L/YYKm6xnO1fVD+S3jBW+Wv6dktzPEbabQIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

/* self-signed X.509 certificate for it: openssl req -x509 -new -subj /CN=jwtkit-test-rsa -days 36500 -sha256 */
static const char RSA_CERT[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIDFzCCAf+gAwIBAgIUXlIPc6oUKfp96EKqkQJUJbivbwUwDQYJKoZIhvcNAQEL\n"
    "BQAwGjEYMBYGA1UEAwwPand0a2l0LXRlc3QtcnNhMCAXDTI2MTEyNjIzMDcxMFoY\n"
    "DzIxMjYxMTAyMjMwNzEwWjAaMRgwFgYDVQQDDA9qd3RraXQtdGVzdC1yc2EwggEi\n"
    "MA0GCSqGSIb3DQEBAQUAA4IBDwAwggEKAoIBAQDGqUF/GCGJ95TxbKmIHA+kqxfQ\n"
    "jLYYfryLvOmGBz97ZApGATjQiHe/EYJS4Cm7rfiDusE+65FTd9muvhqKu0SwFpKe\n"
    "WSEidRMwpUYKvugq1lTqvFM40/F/mQhs0b8UcM1YQNeja5YWqlEQpG5vcH1bZAFL\n"
    "PfqY+0RGYdYQ2wpUHCdSf9pN1pyOQThDdlTbXkfp1uqJyCZLtilEY3pR0Cfq2V+z\n"
    "1Wf4rXVfz8uGv4bW7ERswIGb5Nz1jsWheiHeylt7bgm6hyj1bjSOxWReIRyAoWL2\n"
    "Mgi42DsDK87m3OXJw2R5gs0logEv9hgqbrGc7V9UP5LeMFb5a/p2S3M8RtptAgMB\n"
    "AAGjUzBRMB0GA1UdDgQWBBQf7p53DAxyU+3brkhBHIrY9NiFUzAfBgNVHSMEGDAW\n"
    "gBQf7p53DAxyU+3brkhBHIrY9NiFUzAPBgNVHRMBAf8EBTADAQH/MA0GCSqGSIb3\n"
    "DQEBCwUAA4IBAQC6J98bijFCOaFwj6vN5kRC6LBo1uQqnU1ZnWUHAUFZZbr2f8EO\n"
    "1T7AUhPbIh+lZ3s2tfloeXP+XUFe2H5rcG5YSG+im92OH+KGzcyb9Wx9ZbTOZdBX\n"
    "Dfj5lhrUBINKrHabMeC+b7drSGoIfE/7UHu5u24nt+2M3O+DIwGO69v6PHkuhoAO\n"
    "WWR/6RSC3VqxQtOdrNsRh8vOLfMy85T1hp1JGM2r+EXjaa1KBqtdmnQZBhKk0a9l\n"
    "lAPby9NoBGdCYFViLrm6Dg+eMVT53AEzN1kkbNKEG7j85vnkY/Y9KsMxq4q2uwZR\n"
    "cpEhF025sEWmDrRtnv6ESkRaieNi/UAyhNor\n"
    "-----END CERTIFICATE-----\n";

/* RSA 1024 (too weak), PKCS#8: openssl genrsa 1024 */
static const char RSA1024_PKCS8_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAKyo4WKY8RXN2Es3\n"
    "qAufbDvV7cGpukVV5lbfsaOLy4cDDAPmnWXVk72ulJeS1WgvS1zczTYneK2FUtNG\n"
    "16k5d2MyqkUZsPp3jC0fwuhOHkg0f0B0LjFY6IMOArR23Lp/jwS71i//ph+U6Xiq\n"
    "Ke51tv90feEKlJBbfhd9cB8jaQcnAgMBAAECgYBxgEs5j6TcWocXWy0DBvgVlZpI\n"
    "NxUWQ1O6RC74fgt7Y4tgfRd3PCF1DfDse0ACzyRRlWzpbqUsHHrIHMfknLxXyyaL\n"
    "4WiLpVaZXryLAz/skRZKT/zLnNiYh4ho990FHaxky1ZX7D6dlPjkQS0NEYlK9V6Y\n"
    "Lz5HKjU/aQtgW/IygQJBANRxOJWubm3donrpdA4uZlhlI4x1dHUAyMkcONla+D7M\n"
    "v12cgqWH2udU1dYqAbmcvWbcLCgYTv8Jcr1eeQfNgYcCQQDQD4fmHMgExaoL1uN5\n"
    "7UrmMtX6WYLfh9AisRJgxzFqKq8Lg/6BqoETmsjqvQ/oqqZFDQZLEIiRrtrt2sI9\n"
    "9jVhAkBewDjKmcfq/IUxaNo4UP2Yw1M9nE1augTTneDFIMvDxrI7YEjs51D9CFtv\n"
    "b8DhNkVLkTuojl79ZQtl5rL4hfIVAkEAt0G2tVwMYQepKxxu5+m12uRTzFojB7eb\n"
    "/7JvOYa5Y4WNAFuWQ6dmYVooNXmpFYmZQaCjNmKtp4OXmYDhLao6gQJAf7l/y3mM\n"
    "LllCZl/qwc4ic5Nau8nrPjA9cHhAi2yR3fUQfy1RmwGLEcvqURg9Txl4Xey9+TVv\n"
    "bTIOupXAOJyoUQ==\n"
    "-----END PRIVATE KEY-----\n";

/* P-256, SEC1 ECPrivateKey: openssl ecparam -name prime256v1 -genkey -noout */
static const char P256_SEC1_PRIVATE[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIHlGVgakTgwWkIR9IcuSnf1yM1FkR+a3pURyHNZmqgc4oAoGCCqGSM49\n"
    "AwEHoUQDQgAENUQTOJp6StHshN7fwWtzhUO4FAC1W6pK6EYRZAJDr53b9zx3GeMm\n"
    "AJ8kqaDXX60pMFYk2De7sgjL+5/EOX43RA==\n"
    "-----END EC PRIVATE KEY-----\n";

/* the same P-256 key, SEC1 without the public point: openssl ec -no_public */
static const char P256_SEC1_NOPUB_PRIVATE[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MDECAQEEIHlGVgakTgwWkIR9IcuSnf1yM1FkR+a3pURyHNZmqgc4oAoGCCqGSM49\n"
    "AwEH\n"
    "-----END EC PRIVATE KEY-----\n";

/* the same P-256 key as PKCS#8: openssl pkcs8 -topk8 -nocrypt */
static const char P256_PKCS8_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgeUZWBqRODBaQhH0h\n"
    "y5Kd/XIzUWRH5relRHIc1maqBzihRANCAAQ1RBM4mnpK0eyE3t/Ba3OFQ7gUALVb\n"
    "qkroRhFkAkOvndv3PHcZ4yYAnySpoNdfrSkwViTYN7uyCMv7n8Q5fjdE\n"
    "-----END PRIVATE KEY-----\n";

/* its SPKI public key: openssl ec -pubout */
static const char P256_SPKI_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAENUQTOJp6StHshN7fwWtzhUO4FAC1\n"
    "W6pK6EYRZAJDr53b9zx3GeMmAJ8kqaDXX60pMFYk2De7sgjL+5/EOX43RA==\n"
    "-----END PUBLIC KEY-----\n";

/* self-signed X.509 certificate for it (ecdsa-with-SHA256) */
static const char P256_CERT[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBjDCCATOgAwIBAgIUIZ4E+CsD3LUhHW4zzDZPrkzoY4owCgYIKoZIzj0EAwIw\n"
    "GzEZMBcGA1UEAwwQand0a2l0LXRlc3QtcDI1NjAgFw0yNjExMjYyMzA3MTBaGA8y\n"
    "MTI2MTEwMjIzMDcxMFowGzEZMBcGA1UEAwwQand0a2l0LXRlc3QtcDI1NjBZMBMG\n"
    "ByqGSM49AgEGCCqGSM49AwEHA0IABDVEEziaekrR7ITe38Frc4VDuBQAtVuqSuhG\n"
    "EWQCQ6+d2/c8dxnjJgCfJKmg11+tKTBWJNg3u7IIy/ufxDl+N0SjUzBRMB0GA1Ud\n"
    "DgQWBBRtMenhtgM0Kbq5V53iRy4+6u1RjjAfBgNVHSMEGDAWgBRtMenhtgM0Kbq5\n"
    "V53iRy4+6u1RjjAPBgNVHRMBAf8EBTADAQH/MAoGCCqGSM49BAMCA0cAMEQCICDL\n"
    "sb+FSvwoz6pr0/orMZFf3Qt5qKnmGbA//iMCEDEiAiBPKYNQUZPENAz+KoUS5nUT\n"
    "l0RxH7jWBs2eAAb3IpVR1w==\n"
    "-----END CERTIFICATE-----\n";

/* an unrelated P-256 public key (SPKI) */
static const char P256_OTHER_SPKI_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEh0SugnJOrO4YmBBAgAFRPHbkKQln\n"
    "UBgmZyr73XQbSx7UwFE3NvLJtA8bZw2DnJRKU4EKrAtPFUg5lGXuYp0tNg==\n"
    "-----END PUBLIC KEY-----\n";

/* P-384, SEC1: openssl ecparam -name secp384r1 -genkey -noout */
static const char P384_SEC1_PRIVATE[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MIGkAgEBBDDNNwdDPzutOsXg1JwZZtiU2BpdTcj/r0BxweMbd6Lp1QDrpEDLDVq8\n"
    "As4wE3j6g66gBwYFK4EEACKhZANiAAQuZI4p9DbTRQ6ITbC2v0GHUkrkrDPJaI3d\n"
    "rbdJT5hmgLpieQCtT3oG9wHjs2ciWbS4otV9lQcN/FeU9GZTf4S1awQEj870QzG/\n"
    "O0xxmiLB9jAqEcfSjAMBEw+NBUB7vHY=\n"
    "-----END EC PRIVATE KEY-----\n";

/* the same P-384 key as PKCS#8 */
static const char P384_PKCS8_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIG2AgEAMBAGByqGSM49AgEGBSuBBAAiBIGeMIGbAgEBBDDNNwdDPzutOsXg1JwZ\n"
    "ZtiU2BpdTcj/r0BxweMbd6Lp1QDrpEDLDVq8As4wE3j6g66hZANiAAQuZI4p9DbT\n"
    "RQ6ITbC2v0GHUkrkrDPJaI3drbdJT5hmgLpieQCtT3oG9wHjs2ciWbS4otV9lQcN\n"
    "/FeU9GZTf4S1awQEj870QzG/O0xxmiLB9jAqEcfSjAMBEw+NBUB7vHY=\n"
    "-----END PRIVATE KEY-----\n";

/* its SPKI public key */
static const char P384_SPKI_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MHYwEAYHKoZIzj0CAQYFK4EEACIDYgAELmSOKfQ200UOiE2wtr9Bh1JK5KwzyWiN\n"
    "3a23SU+YZoC6YnkArU96BvcB47NnIlm0uKLVfZUHDfxXlPRmU3+EtWsEBI/O9EMx\n"
    "vztMcZoiwfYwKhHH0owDARMPjQVAe7x2\n"
    "-----END PUBLIC KEY-----\n";

/* P-521, SEC1: openssl ecparam -name secp521r1 -genkey -noout */
static const char P521_SEC1_PRIVATE[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MIHcAgEBBEIB2XrTO3PheRi3O6SSuSRTJox9yb9QYdDRwzj9ImAO3/2PdUpTABjY\n"
    "w4hFsUkDBozAY4decJE/uJjt2bx+S+fbC/+gBwYFK4EEACOhgYkDgYYABABXaYt+\n"
    "9/6C2TPxLpn1CRTKCEKBHM+MdPYXtB+2uuDRBEZEqTgPs9icW1mexFntML4H2b9j\n"
    "rcLTuRST3+kJzhWw0gCrIOEWu3/ZYg1rcJL9vy/nOE2961mlF8uT3hKZvNeOzkvn\n"
    "/VfkqjLkI2unqS64X+0Lj+52OSV06hldDboZoI3k3g==\n"
    "-----END EC PRIVATE KEY-----\n";

/* the same P-521 key as PKCS#8 */
static const char P521_PKCS8_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIHuAgEAMBAGByqGSM49AgEGBSuBBAAjBIHWMIHTAgEBBEIB2XrTO3PheRi3O6SS\n"
    "uSRTJox9yb9QYdDRwzj9ImAO3/2PdUpTABjYw4hFsUkDBozAY4decJE/uJjt2bx+\n"
    "S+fbC/+hgYkDgYYABABXaYt+9/6C2TPxLpn1CRTKCEKBHM+MdPYXtB+2uuDRBEZE\n"
    "qTgPs9icW1mexFntML4H2b9jrcLTuRST3+kJzhWw0gCrIOEWu3/ZYg1rcJL9vy/n\n"
    "OE2961mlF8uT3hKZvNeOzkvn/VfkqjLkI2unqS64X+0Lj+52OSV06hldDboZoI3k\n"
    "3g==\n"
    "-----END PRIVATE KEY-----\n";

/* its SPKI public key */
static const char P521_SPKI_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MIGbMBAGByqGSM49AgEGBSuBBAAjA4GGAAQAV2mLfvf+gtkz8S6Z9QkUyghCgRzP\n"
    "jHT2F7Qftrrg0QRGRKk4D7PYnFtZnsRZ7TC+B9m/Y63C07kUk9/pCc4VsNIAqyDh\n"
    "Frt/2WINa3CS/b8v5zhNvetZpRfLk94SmbzXjs5L5/1X5Koy5CNrp6kuuF/tC4/u\n"
    "djkldOoZXQ26GaCN5N4=\n"
    "-----END PUBLIC KEY-----\n";

/* Ed25519, PKCS#8: openssl genpkey -algorithm ed25519 */
static const char ED25519_PKCS8_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIFtcV2VjbwEYG4VH514TLHqQIr22ge+q1VPbYQRxescx\n"
    "-----END PRIVATE KEY-----\n";

/* its SPKI public key: openssl pkey -pubout */
static const char ED25519_SPKI_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAwf4+wnhXxiO2N73hAU1vbCKr/eI2vJUxmiwF5IzSlZs=\n"
    "-----END PUBLIC KEY-----\n";

/* self-signed X.509 certificate for it */
static const char ED25519_CERT[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBUzCCAQWgAwIBAgIULGNj1eINJ2ofD2/Fj36i+qFDktswBQYDK2VwMB4xHDAa\n"
    "BgNVBAMME2p3dGtpdC10ZXN0LWVkMjU1MTkwIBcNMjYxMTI2MjMwNzEwWhgPMjEy\n"
    "NjExMDIyMzA3MTBaMB4xHDAaBgNVBAMME2p3dGtpdC10ZXN0LWVkMjU1MTkwKjAF\n"
    "BgMrZXADIQDB/j7CeFfGI7Y3veEBTW9sIqv94ja8lTGaLAXkjNKVm6NTMFEwHQYD\n"
    "VR0OBBYEFEmWqj282RG6jSuF7epu0Gsx7XtAMB8GA1UdIwQYMBaAFEmWqj282RG6\n"
    "jSuF7epu0Gsx7XtAMA8GA1UdEwEB/wQFMAMBAf8wBQYDK2VwA0EAFazVIW94IRv6\n"
    "MNv9N1Io4sarGApDzd6gLIrQOaA87POCNc6Xc6Ud6ub4mxyS/blPDDExOcy2XXQc\n"
    "bfoeeZeNCw==\n"
    "-----END CERTIFICATE-----\n";

/* secp256k1 (ES256K, RFC 8812), SEC1: openssl ecparam -name secp256k1 -genkey (tests/keys/secp256k1.*) */
static const char SECP256K1_SEC1_PRIVATE[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHQCAQEEIO+Ou5T7TtpziXr3YFJzI0OBOURrGu3SFtjZ89+mQcJNoAcGBSuBBAAK\n"
    "oUQDQgAEZn2zxwwLxt2o77JTAJYpuvP4XUYPcu1FRaoz3Mgf6gFpACNWk0WRUei9\n"
    "XDHsMgYYND8IHqqzV+VMIjefmev8Xg==\n"
    "-----END EC PRIVATE KEY-----\n";

/* the same key as PKCS#8 */
static const char SECP256K1_PKCS8_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGEAgEAMBAGByqGSM49AgEGBSuBBAAKBG0wawIBAQQg7467lPtO2nOJevdgUnMj\n"
    "Q4E5RGsa7dIW2Nnz36ZBwk2hRANCAARmfbPHDAvG3ajvslMAlim68/hdRg9y7UVF\n"
    "qjPcyB/qAWkAI1aTRZFR6L1cMewyBhg0PwgeqrNX5UwiN5+Z6/xe\n"
    "-----END PRIVATE KEY-----\n";

/* its SPKI public key */
static const char SECP256K1_SPKI_PUBLIC[] =
    "-----BEGIN PUBLIC KEY-----\n"
    "MFYwEAYHKoZIzj0CAQYFK4EEAAoDQgAEZn2zxwwLxt2o77JTAJYpuvP4XUYPcu1F\n"
    "Raoz3Mgf6gFpACNWk0WRUei9XDHsMgYYND8IHqqzV+VMIjefmev8Xg==\n"
    "-----END PUBLIC KEY-----\n";

/* its public JWK (RFC 8812 §3.1: kty EC, crv secp256k1) */
static const char SECP256K1_PUBLIC_JWK[] =
    "{\"kty\":\"EC\",\"crv\":\"secp256k1\",\"x\":\"Zn2zxwwLxt2o77JTAJYpuvP4XUYPcu1FRaoz3Mgf6gE\",\"y\":\"aQAjVpNFkVHovVwx7DIGGDQ_CB6qs1flTCI3n5nr_F4\"}";

/* P-256 PKCS#8 whose embedded public key is another key's (tests/keys/mismatched): refused */
static const char P256_MISMATCHED_PKCS8_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgWKTM0cLBpny987+6\n"
    "hTZBWNrojhXpxBO2A6G0OcGTLPmhRANCAATkUpJm0m0Y0YLahfkRuPQZmjJMQlLw\n"
    "gaO1j0/tSBouBAbuP+ITxQaSZHUnL6hbhwublw0tVHjcWQdOQqDt9Cu1\n"
    "-----END PRIVATE KEY-----\n";

/* The same in SEC1 (tests/keys/mismatched): refused */
static const char P256_MISMATCHED_SEC1_PRIVATE[] =
    "-----BEGIN EC PRIVATE KEY-----\n"
    "MHcCAQEEIFikzNHCwaZ8vfO/uoU2QVja6I4V6cQTtgOhtDnBkyz5oAoGCCqGSM49\n"
    "AwEHoUQDQgAE5FKSZtJtGNGC2oX5Ebj0GZoyTEJS8IGjtY9P7UgaLgQG7j/iE8UG\n"
    "kmR1Jy+oW4cLm5cNLVR43FkHTkKg7fQrtQ==\n"
    "-----END EC PRIVATE KEY-----\n";

/* Ed25519 PKCS#8 v2 whose public key is another key's (tests/keys/mismatched): refused */
static const char ED25519_MISMATCHED_PKCS8V2_PRIVATE[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MFECAQEwBQYDK2VwBCIEIBPgQNxxtfKqPBaKsTuInmncLjkALumY/1Gflq94r1R+\n"
    "gSEAlLwH9fhCnpOf6X/I1iVrKFjWuuo3Q++SnHeRqobPx50=\n"
    "-----END PRIVATE KEY-----\n";

#endif /* JWTKIT_TEST_KEYS_H */
