/* core: the shared softmax row (core_softmax.c, a polynomial exponential on 4-lane vectors)
 * against a double-precision softmax with libm's exp, on lengths around the vector width and
 * far beyond, with a wide range of scores; causal tails, masked keys and aliasing. */
#include "../test.h"

#include <math.h>

/* softmax of s[0..n) in double: the independent reference */
static void reference(const float *s, int n, double *out)
{
    double mx = -INFINITY, sum = 0.0;
    for (int i = 0; i < n; i++)
        mx = s[i] > mx ? s[i] : mx;
    for (int i = 0; i < n; i++)
        sum += out[i] = exp((double)s[i] - mx);
    for (int i = 0; i < n; i++)
        out[i] /= sum;
}

int main(void)
{
    enum { MAX = 1031 };
    static float s[MAX], out[MAX + 3];
    static double ref[MAX];
    uint32_t seed = 7;
    /* lengths 1..9 (tails of every size around the 4 lanes), then long rows */
    static const int lens[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 64, 67, 512, 1031};
    double worst = 0.0;
    for (size_t t = 0; t < sizeof lens / sizeof *lens; t++) {
        for (int spread = 1; spread <= 100; spread *= 10) { /* scores within +-spread */
            int n = lens[t];
            for (int i = 0; i < n; i++) {
                seed = seed * 1664525u + 1013904223u;
                s[i] = ((float)(seed >> 8) / 16777216.0f - 0.5f) * 2.0f * (float)spread;
            }
            reference(s, n, ref);
            /* three more columns than keys: a causal row's unseen keys must become exactly 0 */
            for (int i = 0; i < n + 3; i++)
                out[i] = 1.0f;
            as_softmax_row(out, s, (uint32_t)n, (uint32_t)n + 3);
            double sum = 0.0;
            for (int i = 0; i < n; i++) {
                double d = fabs(out[i] - ref[i]);
                worst = d > worst ? d : worst;
                AS_TEST_TRUE(d <= 1e-6 + 1e-5 * ref[i]);
                sum += out[i];
            }
            AS_TEST_NEAR(sum, 1.0, 1e-5);
            for (int i = n; i < n + 3; i++)
                AS_TEST_TRUE(out[i] == 0.0f);
            /* in place (out aliases s) gives the same values */
            as_softmax_row(s, s, (uint32_t)n, (uint32_t)n);
            for (int i = 0; i < n; i++)
                AS_TEST_TRUE(s[i] == out[i]);
        }
    }
    printf("softmax: worst |difference| from the double-precision reference %.3g\n", worst);

    /* a key masked with a large negative score gets exactly 0, the rest share the mass */
    float m[6] = {0.5f, -1e30f, 0.5f, -INFINITY, 0.5f, 0.5f};
    as_softmax_row(m, m, 6, 6);
    AS_TEST_TRUE(m[1] == 0.0f && m[3] == 0.0f);
    AS_TEST_NEAR(m[0], 0.25, 1e-7);
    AS_TEST_NEAR(m[5], 0.25, 1e-7);
    /* one key: probability 1 */
    float one = -3.0f;
    as_softmax_row(&one, &one, 1, 1);
    AS_TEST_NEAR(one, 1.0, 1e-7);
    return as_test_result();
}
